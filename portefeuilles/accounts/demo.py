"""A fixed second factor for the demo administrator, so the demo logins keep working.

DEMO DATA ONLY: the secret and recovery codes below are public. ``load_demo``
calls ``give_demo_second_factor(user)`` and prints what it returns.
"""

from base64 import b32decode

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .twofactor import DEVICE_NAME, RECOVERY_DEVICE_NAME, format_recovery_code

# Base32, as authenticator apps take it when typed by hand.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_RECOVERY_CODES = ["demo1111", "demo2222", "demo3333"]


@transaction.atomic
def give_demo_second_factor(user) -> str:
    """Give ``user`` the demo TOTP secret and recovery codes; return instructions to print.

    Running it again keeps the device and restores the codes used since.
    """
    key = b32decode(DEMO_TOTP_SECRET).hex()
    device = TOTPDevice.objects.filter(user=user, key=key, confirmed=True).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    static, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    StaticDevice.objects.filter(user=user).exclude(pk=static.pk).delete()
    present = set(static.token_set.values_list("token", flat=True))
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=c) for c in DEMO_RECOVERY_CODES if c not in present]
    )
    codes = ", ".join(format_recovery_code(code) for code in DEMO_RECOVERY_CODES)
    return (
        f"Double authentification de {user.email} :\n"
        f"  clé secrète TOTP à saisir dans une application d'authentification : "
        f"{DEMO_TOTP_SECRET}\n"
        f"  ou l'URI : {device.config_url}\n"
        f"  codes de secours (usage unique) : {codes}"
    )
