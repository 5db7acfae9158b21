"""E-mails of the account lifecycle: French plain text with an HTML part.

Each message ``NAME`` has three templates under ``accounts/emails/``:
``NAME_subject.txt``, ``NAME.txt`` and ``NAME.html``.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class EmailNotSent(Exception):
    """Raised when the mail server rejects the message or cannot be reached."""

    message = (
        "L'e-mail n'a pas pu être envoyé, car le serveur de messagerie ne répond pas. "
        "Rien n'a été enregistré : réessayez dans quelques minutes."
    )


def send(name: str, to: str, context: dict) -> None:
    """Render the message ``name`` with ``context`` and send it to ``to``."""
    context = {"product_name": "Portefeuilles", **context}
    subject = render_to_string(f"accounts/emails/{name}_subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"accounts/emails/{name}.txt", context)
    html = render_to_string(f"accounts/emails/{name}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.error("e-mail not sent name=%s error=%s", name, error)
        raise EmailNotSent(EmailNotSent.message) from error
    logger.info("e-mail sent name=%s", name)
