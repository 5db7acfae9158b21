"""Permission matrix of every accounts view: the four standing cases, plus anonymous."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from portefeuilles.accounts.models import Invitation, User
from tests import factories

from .conftest import enrol

pytestmark = pytest.mark.django_db

ROLES = ["admin", "subscriber", "outsider_collaborator", "other_admin"]


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    url_name: str
    target: str | None  # "user" or "invitation" of the firm, or None
    expected: tuple[int, int, int, int]  # admin, subscriber, outsider, other_admin
    data: tuple = ()


TEAM_ACTIONS = [
    Action("invite form", "get", "accounts:invite", None, (200, 403, 403, 200)),
    Action(
        "invite",
        "post",
        "accounts:invite",
        None,
        (302, 403, 403, 302),
        (("email", "x@nouveau.example"), ("role", "collaborator")),
    ),
    Action("resend", "post", "accounts:resend_invitation", "invitation", (302, 403, 403, 404)),
    Action("revoke", "post", "accounts:revoke_invitation", "invitation", (302, 403, 403, 404)),
    Action(
        "change role",
        "post",
        "accounts:change_role",
        "user",
        (302, 403, 403, 404),
        (("role", "administrator"),),
    ),
    Action("deactivate", "post", "accounts:deactivate_user", "user", (302, 403, 403, 404)),
    Action("reactivate", "post", "accounts:reactivate_user", "user", (302, 403, 403, 404)),
    Action("end sessions", "post", "accounts:end_user_sessions", "user", (302, 403, 403, 404)),
    Action("reset 2FA", "post", "accounts:reset_user_second_factor", "user", (302, 403, 403, 404)),
]

OWN_ACCOUNT_ACTIONS = [
    Action("account", "get", "accounts:account", None, (200, 200, 200, 200)),
    Action("sessions", "get", "accounts:sessions", None, (200, 200, 200, 200)),
    Action("end others", "post", "accounts:end_other_sessions", None, (302, 302, 302, 302)),
    Action("password", "get", "accounts:password_change", None, (200, 200, 200, 200)),
    Action("enrol", "get", "accounts:two_factor_enrol", None, (200, 200, 200, 200)),
    Action("confirm", "get", "accounts:reauthenticate", None, (200, 200, 200, 200)),
    Action("new codes", "post", "accounts:two_factor_recovery_codes", None, (200,) * 4),
    Action("disable 2FA", "post", "accounts:two_factor_disable", None, (403, 302, 302, 403)),
]


@pytest.fixture
def cast(admin, subscriber, outsider_collaborator, other_admin, firm):
    target = factories.UserFactory(firm=firm, email="cible@dupont.example")
    enrol(target)
    invitation = Invitation.objects.create(
        firm=firm,
        email="invite@dupont.example",
        token_digest="digest",
        created_at=timezone.now(),
        expires_at=timezone.now(),
    )
    return {
        "admin": admin,
        "subscriber": subscriber,
        "outsider_collaborator": outsider_collaborator,
        "other_admin": other_admin,
        "user": target,
        "invitation": invitation,
    }


def url_for(action, cast):
    if action.target is None:
        return reverse(action.url_name)
    return reverse(action.url_name, args=[cast[action.target].pk])


def target_state(cast):
    target = User.objects.get(pk=cast["user"].pk)
    invitation = Invitation.objects.get(pk=cast["invitation"].pk)
    return (target.role, target.is_active, invitation.token_digest, invitation.revoked_at)


TEAM_CASES = [
    (action, role, action.expected[index])
    for action in TEAM_ACTIONS
    for index, role in enumerate(ROLES)
]
OWN_CASES = [
    (action, role, action.expected[index])
    for action in OWN_ACCOUNT_ACTIONS
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(
    ("action", "role", "expected"), TEAM_CASES, ids=[f"{a.name}-{r}" for a, r, _ in TEAM_CASES]
)
def test_team_matrix(client, cast, action, role, expected):
    if role in ("admin", "other_admin"):
        enrol(cast[role])
    client.force_login(cast[role])
    before = target_state(cast)

    response = getattr(client, action.method)(url_for(action, cast), dict(action.data))

    assert response.status_code == expected
    if expected in (403, 404):
        assert target_state(cast) == before


@pytest.mark.parametrize(
    ("action", "role", "expected"), OWN_CASES, ids=[f"{a.name}-{r}" for a, r, _ in OWN_CASES]
)
def test_own_account_matrix(client, cast, action, role, expected):
    enrol(cast[role])
    client.force_login(cast[role])

    response = getattr(client, action.method)(url_for(action, cast), dict(action.data))

    assert response.status_code == expected


@pytest.mark.parametrize(
    "action", TEAM_ACTIONS + OWN_ACCOUNT_ACTIONS, ids=lambda a: a.name if a else ""
)
def test_anonymous_redirected_to_login(client, cast, action):
    response = getattr(client, action.method)(url_for(action, cast), dict(action.data))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
