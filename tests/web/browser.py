"""Playwright driving Debian's chromium against the live server, with every request
checked: anything not addressed to 127.0.0.1 is refused and remembered."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("BEACON_TEST_ARTIFACTS", "test-artifacts"))
PHONE = {"width": 375, "height": 812}
# Every CSP refusal in any page (scripts, styles, attributes, connections) is reported.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.beaconPolicyViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" +
    e.lineNumber, e.sample].join(" "));
});
"""
DESKTOP = {"width": 1280, "height": 900}


class Hosts:
    """Every host a page asked for, and those that were not ours."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.outside: list[str] = []
        self.refused: list[str] = []  # the browser's Content-Security-Policy refusals
        self.errors: list[str] = []  # console errors and uncaught exceptions

    def console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)
        if message.type == "error":
            self.errors.append(message.text)

    def violation(self, detail: str) -> None:
        """A ``securitypolicyviolation`` event from any page of the context."""
        self.refused.append(detail)

    def page_error(self, error: Any) -> None:
        self.errors.append(str(error))

    def route(self, route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")):
            route.continue_()
            return
        self.seen.add(host)
        if host != "127.0.0.1":
            self.outside.append(url)
            route.abort()
            return
        route.continue_()


@contextmanager
def chromium_sharing_connection() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright.

    Playwright's event loop gives this thread a new context, and with it new database
    connections: the thread keeps the one it had instead (with the open transaction of
    the demo when the package's demo is already loaded), so no second connection is opened
    and none outlives the test database."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    shared = connections["default"]
    with sync_playwright() as playwright:
        connections["default"] = shared
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def signed_in_cookie(username: str) -> dict[str, str]:
    """A session for ``username`` with the second factor verified (as after sign-in)."""
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.get(user=user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key or ""}


@contextmanager
def context(
    browser: Any,
    base_url: str,
    hosts: Hosts,
    *,
    viewport: dict[str, int] = DESKTOP,
    username: str = "",
    locale: str = "en-GB",
) -> Iterator[Any]:
    phone = viewport["width"] < 500
    ctx = browser.new_context(
        base_url=base_url,
        viewport=viewport,
        locale=locale,
        accept_downloads=True,
        has_touch=phone,
        is_mobile=phone,
    )
    ctx.route("**/*", hosts.route)
    ctx.on("console", hosts.console)
    ctx.on("weberror", lambda web_error: hosts.page_error(web_error.error))
    ctx.expose_function("beaconPolicyViolation", hosts.violation)
    ctx.add_init_script(REPORT_VIOLATIONS)
    if username:
        cookie = signed_in_cookie(username)
        ctx.add_cookies([{**cookie, "url": base_url}])
    try:
        yield ctx
    finally:
        ctx.close()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
