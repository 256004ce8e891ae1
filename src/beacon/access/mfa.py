"""Second factor: TOTP (django-otp) and one-time recovery codes (static device)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def check_code(user: User, code: str) -> Device | None:
    """The confirmed device that accepts ``code`` (a recovery code is used up), or None."""
    code = "".join(code.split())
    if not code or len(code) > 16:
        return None
    device: Device | None = match_token(user, code)
    return device


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first call)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": TOTP_NAME}
    )
    return device


def confirm_totp(actor: Actor, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm enrolment with a first code; returns the device and fresh recovery codes.
    A refused code changes nothing (the pending device is made by showing the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationFailed.on("code", "Open the set-up page first, then scan its code.")
    if not device.verify_token("".join(code.split())):
        raise ValidationFailed.on("code", "That code does not match; check the device's clock.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        audit.record(actor, "account.mfa_enrolled", object_type="user", object_id=user.pk)
    return device, codes


def new_recovery_codes(actor: Actor, user: User) -> list[str]:
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit.record(actor, "account.recovery_codes", object_type="user", object_id=user.pk)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def remove_second_factor(user: User) -> None:
    """Delete every device (an administrator's reset; audited by the caller)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
