"""Keep « Mes sessions » in step with Django's login and logout."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import reauth, user_sessions


@receiver(user_logged_in, dispatch_uid="accounts_start_session")
def start_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if not request.session.session_key:
        # login() flushes the session when another user was logged in on it,
        # which leaves it without a key. Saving now gives it the key it keeps.
        request.session.save()
    user_sessions.start_session(request, user)
    # Every login() follows the full check (password, then the second factor
    # when enrolled or required), so it counts as a recent authentication.
    reauth.mark_authenticated(request)


@receiver(user_logged_out, dispatch_uid="accounts_end_session")
def end_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_sessions.end_session(request)
