from django import template
from django.utils import timezone

from portefeuilles.accounts import services
from portefeuilles.accounts.forms import InvitationForm
from portefeuilles.accounts.models import User

register = template.Library()


@register.simple_tag(takes_context=True)
def firm_team(context):
    """Return what ``accounts/_firm_users.html`` shows: users, invitations, invitation form.

    The include computes its own data from ``request.user``, so any page can
    include it without preparing a context. Two queries, whatever the team size.
    """
    admin = context["request"].user
    users, invitations = services.firm_team(admin)
    active_admin_count = sum(
        1 for user in users if user.role == User.Role.ADMINISTRATOR and user.is_active
    )
    now = timezone.now()
    return {
        "rows": [
            {
                "user": user,
                "is_self": user.pk == admin.pk,
                "last_admin_reason": services.last_admin_reason(user, active_admin_count),
            }
            for user in users
        ],
        "invitations": [
            {"invitation": invitation, "expired": invitation.expires_at <= now}
            for invitation in invitations
        ],
        "invitation_form": InvitationForm(),
        "roles": User.Role.choices,
    }
