"""Second factor: TOTP (RFC 6238) through django-otp, with 10 single-use recovery codes.

Mandatory for firm administrators and operators (staff users), from their next
login; optional for collaborators.
"""

import logging
from base64 import b32encode

import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
# The unconfirmed TOTP device whose secret this session's enrolment page shows.
ENROLMENT_SESSION_KEY = "accounts_enrolment_device"


def is_required(user) -> bool:
    return user.is_firm_admin or user.is_staff


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user, session=None) -> TOTPDevice:
    """Return the unconfirmed TOTP device that ``session`` is enrolling, creating it if needed.

    A new device gets a new secret and replaces the user's other unconfirmed
    devices. The secret is shown on the enrolment page, so a device started in
    one session is never handed to another: otherwise someone who once passed
    the password step would know the secret that the owner later confirms.
    Without a session (scripts, tests) the user's unconfirmed device is reused.
    """
    devices = TOTPDevice.objects.filter(user=user, confirmed=False)
    if session is None:
        device = devices.first()
    else:
        device_id = session.get(ENROLMENT_SESSION_KEY)
        device = devices.filter(pk=device_id).first() if device_id else None
        if device is None:
            devices.delete()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    if session is not None:
        session[ENROLMENT_SESSION_KEY] = device.pk
    return device


def secret_base32(device: TOTPDevice) -> str:
    """Return the secret as authenticator apps ask for it when typed by hand."""
    return b32encode(device.bin_key).decode()


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """Return an inline SVG QR code of the device's otpauth:// URI."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code")
    # segno writes the SVG itself from the URI, with its own escaping.
    return mark_safe(svg)  # noqa: S308


def _normalize(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


@transaction.atomic
def confirm_enrolment(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` if ``code`` is its current code and return new recovery codes.

    Any other TOTP device and the old recovery codes are deleted. Returns None
    when the code is wrong.
    """
    if device.confirmed or not device.verify_token(_normalize(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    logger.info("second factor enrolled user=%s", device.user_id)
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with 10 new ones and return them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify_code(user, code: str):
    """Return the device that accepts ``code`` (TOTP code or recovery code), or None.

    A recovery code is deleted once used. django-otp throttles each device:
    after a wrong code the next try waits 1, 2, 4… seconds.
    """
    code = _normalize(code)
    if not code:
        return None
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if totp is not None and code.isdigit() and totp.verify_token(code):
            return totp
    with transaction.atomic():
        static = StaticDevice.objects.select_for_update().filter(user=user).first()
        if static is not None and not code.isdigit() and static.verify_token(code):
            logger.info("recovery code used user=%s", user.pk)
            return static
    return None


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def reset(user) -> None:
    """Delete the user's TOTP device and recovery codes; an administrator re-enrols at login."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    logger.info("second factor reset user=%s", user.pk)


def format_recovery_code(code: str) -> str:
    """Return ``abcd-efgh`` for ``abcdefgh``; the dash is optional when typed back."""
    return f"{code[:4]}-{code[4:]}"
