"""Personas for access tests: real users made by the account services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import services
from beacon.agencies.models import Agency
from beacon.core.actor import system_actor

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings: object) -> None:
    """django-otp slows repeated wrong codes (1 s, 2 s, 4 s...); tests need no wait."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, agency: Agency, role: str = "investigator") -> User:
        return services.create_user(system_actor(), username, PASSWORD, agency, role)

    return make


def enrol_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"
