"""Journal every login, successful or not, from Django's authentication signals."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import journal


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def record_login(sender, request, user, **kwargs):
    journal.login_succeeded(request, user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_failed_login(sender, credentials, request=None, locked=False, **kwargs):
    # Only the identifier is read; Django has already masked the password in
    # ``credentials``, and it is never looked at here.
    user_model = get_user_model()
    typed = credentials.get(user_model.USERNAME_FIELD) or credentials.get("username") or ""
    identifier = str(typed).strip().lower()
    user = None
    if identifier:
        lookup = {f"{user_model.USERNAME_FIELD}__iexact": identifier}
        user = user_model.objects.filter(**lookup).first()
    journal.login_failed(request, identifier, user, locked=locked)
