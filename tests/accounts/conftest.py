"""Helpers for the account tests: second factor, recent authentication, time."""

import re
import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portefeuilles.accounts import reauth, twofactor
from tests.factories import TEST_PASSWORD

PASSWORD = TEST_PASSWORD


def current_code(device: TOTPDevice) -> str:
    """Return the code an authenticator app shows now for ``device`` (time-machine aware)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` a confirmed TOTP device and recovery codes, as the enrolment page does."""
    device = twofactor.enrolment_device(user)
    codes = twofactor.confirm_enrolment(device, current_code(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def mark_recent_authentication(client) -> None:
    session = client.session
    session[reauth.SESSION_KEY] = time.time()
    session.save()


def forget_recent_authentication(client) -> None:
    """Make the session as old as one whose last password entry is past 10 minutes."""
    session = client.session
    session.pop(reauth.SESSION_KEY, None)
    session.save()


_CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def comparable_body(response, *replacements: str) -> str:
    """Return the page without CSRF tokens and with the given values blanked out."""
    text = response.content.decode()
    for value in replacements:
        text = text.replace(value, "VALUE")
    return _CSRF_TOKEN.sub("TOKEN", text)
