import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portefeuilles.accounts.demo import (
    DEMO_RECOVERY_CODES,
    DEMO_TOTP_SECRET,
    give_demo_second_factor,
)
from portefeuilles.accounts.twofactor import totp_device

from .conftest import PASSWORD, current_code

pytestmark = pytest.mark.django_db


def test_demo_admin_logs_in_with_printed_secret(admin):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        text = give_demo_second_factor(admin)
        client = Client()
        client.post(reverse("accounts:login"), {"username": admin.email, "password": PASSWORD})
        response = client.post(
            reverse("accounts:login_second_factor"), {"code": current_code(totp_device(admin))}
        )
    assert DEMO_TOTP_SECRET in text
    assert "otpauth://totp/" in text
    assert "demo-1111" in text
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_demo_recovery_code_works(admin):
    give_demo_second_factor(admin)
    client = Client()
    client.post(reverse("accounts:login"), {"username": admin.email, "password": PASSWORD})
    response = client.post(
        reverse("accounts:login_second_factor"), {"code": DEMO_RECOVERY_CODES[0]}
    )
    assert response.status_code == 302


def test_demo_second_factor_idempotent(admin):
    give_demo_second_factor(admin)
    device = totp_device(admin)
    admin.staticdevice_set.get().token_set.filter(token=DEMO_RECOVERY_CODES[0]).delete()
    give_demo_second_factor(admin)
    assert totp_device(admin).pk == device.pk
    assert admin.staticdevice_set.get().token_set.count() == len(DEMO_RECOVERY_CODES)
