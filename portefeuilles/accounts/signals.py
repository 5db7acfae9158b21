"""Keep « Mes sessions » in step with Django's login and logout."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import user_sessions


@receiver(user_logged_in, dispatch_uid="accounts_start_session")
def start_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and request.session.session_key:
        user_sessions.start_session(request, user)


@receiver(user_logged_out, dispatch_uid="accounts_end_session")
def end_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_sessions.end_session(request)
