// Opens the portfolio dialog that htmx loads into #modal-root as a modal <dialog>,
// keeps keyboard focus inside it as its content changes, and gives focus back to
// the link that opened it when it closes (« Fermer », Escape).
// Every page works without this file: the links and forms lead to plain pages.
(function () {
  "use strict";

  var openerId = null;

  function modalDialog() {
    return document.querySelector("#modal-root dialog");
  }

  // Focus the element the new content marks: an autofocus field (htmx focuses
  // it itself), a message or confirmation marked data-focus, else the heading.
  function placeFocus(container) {
    var active = document.activeElement;
    if (active && active !== document.body && container.contains(active)) {
      return;
    }
    var target =
      container.querySelector("[autofocus]") ||
      container.querySelector("[data-focus]") ||
      container.querySelector("#dialog-title");
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "modal-root" && event.detail.elt.id) {
      openerId = event.detail.elt.id;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var dialog = modalDialog();
    if (dialog) {
      if (!dialog.open) {
        dialog.showModal();
      }
      placeFocus(dialog);
      return;
    }
    // The dialog's plain page, opened directly, swaps the same content in place.
    var page = document.querySelector(".dialog-page");
    if (page) {
      placeFocus(page);
    }
  });

  // The native dialog closes on Escape; removing it afterwards leaves
  // #modal-root empty for the next one.
  document.addEventListener(
    "close",
    function (event) {
      var dialog = event.target;
      if (!(dialog instanceof HTMLDialogElement) || !dialog.closest("#modal-root")) {
        return;
      }
      dialog.remove();
      var opener = openerId && document.getElementById(openerId);
      if (opener) {
        opener.focus();
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dialog-close]");
    var dialog = button && button.closest("dialog");
    if (dialog && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  });

  // htmx does not swap error responses, so show a message where the user looks:
  // inside the open dialog when there is one, because the page behind it is inert.
  // The French texts come from data attributes that the server translated.
  function showRequestError(text) {
    var dialog = modalDialog();
    var container = (dialog && dialog.querySelector("#dialog-body")) || document.getElementById("main");
    var box = container.querySelector(".request-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "request-error";
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      container.insertBefore(box, container.firstChild);
    }
    box.textContent = text;
    box.focus();
  }

  function errorText(name) {
    return document.getElementById("modal-root").getAttribute("data-error-" + name) || "";
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status;
    // A stale CSRF token (the user logged in again in another tab) is a 403 too,
    // marked by the server so it is not mistaken for a missing profile.
    if (xhr.getResponseHeader("X-Portefeuilles-Error") === "csrf") {
      showRequestError(errorText("csrf"));
    } else if (status === 403 || status === 404) {
      showRequestError(errorText(String(status)));
    } else {
      showRequestError(errorText("other").replace("%(status)s", String(status)));
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showRequestError(errorText("network"));
  });
})();
