"""Sign-in, sign-out, authenticator enrolment and recovery codes (minimal pages)."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from beacon.access import mfa, services, signin
from beacon.access.accounts import actor_of, membership_of
from beacon.access.errors import RateLimited, SignInRefused
from beacon.access.middleware import mark_session_start
from beacon.access.requests import client_address
from beacon.access.routes import PUBLIC, SIGNED_IN, requires
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return "/"


def _actor(request: HttpRequest) -> tuple[User, Actor]:
    user: User = request.user  # type: ignore[assignment]
    membership = membership_of(user)
    assert membership is not None  # guaranteed by @requires(SIGNED_IN)
    return user, actor_of(user, membership, via="web", source_address=client_address(request))


@require_http_methods(["GET", "POST"])
@requires(PUBLIC)
def sign_in(request: HttpRequest) -> HttpResponse:
    context = {"next": _next_url(request), "error": ""}
    if request.method == "GET":
        return render(request, "access/sign_in.html", context)
    try:
        result = signin.sign_in(
            str(request.POST.get("username", ""))[:150],
            str(request.POST.get("password", ""))[:4096],
            str(request.POST.get("code", ""))[:32],
            source_address=client_address(request),
        )
    except RateLimited:
        context["error"] = gettext("Too many sign-in attempts from your address; wait a minute.")
        return render(request, "access/sign_in.html", context, status=429)
    except SignInRefused as refused:
        context["error"] = (
            gettext(
                "Sign-in failed, and this account is now locked after too many failed "
                "attempts. Ask an administrator of your agency to unlock it."
            )
            if refused.locked_now
            else gettext("Sign-in failed. Check your username, password and code.")
        )
        return render(request, "access/sign_in.html", context, status=401)
    login(request, result.user, backend=BACKEND)
    if result.device is not None:
        otp_login(request, result.device)
    mark_session_start(request)
    response = (
        redirect("access:enrol") if result.must_enrol else HttpResponseRedirect(context["next"])
    )
    language = services.preferred_language(int(result.user.pk))
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
        )
    return response


@require_POST
@requires(SIGNED_IN)
def sign_out(request: HttpRequest) -> HttpResponse:
    user, actor = _actor(request)
    audit.record(actor, "auth.logoff", object_type="user", object_id=user.pk)
    logout(request)
    return redirect("access:sign-in")


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_http_methods(["GET", "POST"])
@requires(SIGNED_IN)
def enrol(request: HttpRequest) -> HttpResponse:
    user, actor = _actor(request)
    error = ""
    if request.method == "POST":
        try:
            confirmed, codes = mfa.confirm_totp(actor, user, str(request.POST.get("code", "")))
        except ValidationFailed as exc:
            error = exc.fields["code"][0]
        else:
            otp_login(request, confirmed)
            return render(request, "access/recovery_codes.html", {"codes": codes})
        if not TOTPDevice.objects.filter(user=user, confirmed=False).exists():
            return redirect("access:enrol")  # nothing to confirm: show the page (GET) first
    device = mfa.pending_totp(user)
    secret = base64.b32encode(device.bin_key).decode()
    context = {"secret": secret, "qr": _qr_data_uri(device.config_url), "error": error}
    return render(request, "access/enrol.html", context, status=422 if error else 200)


@require_POST
@requires(SIGNED_IN)
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user, actor = _actor(request)
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("access:enrol")
    codes = mfa.new_recovery_codes(actor, user)
    return render(request, "access/recovery_codes.html", {"codes": codes})


@requires(PUBLIC)
def admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin's login page: Beacon's sign-in (lockout, rate limit, MFA) instead."""
    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        target = "/admin/"
    return redirect_to_login(target)
