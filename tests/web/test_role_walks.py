"""Each demo role does its main task end to end in a real browser, in each language
(English, French, Spanish, Portuguese) at desktop (1366 px) and phone (375 px) width.

The walk starts signed in on the home page, switches language with the header's button
(as a person would), goes through the role's pages and does the role's action; on every
page it checks the page is in that language and, on a phone, that nothing is wider than
the screen (the header's language buttons included).

``BEACON_SCREENSHOTS=docs/screenshots`` writes one screenshot per role, language and
width into that folder (the screen as seen, not the whole page, to keep them small).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from beacon.operations.models import Arrest, Outcome, Service
from tests.web.browser import CHROMIUM, PHONE, Hosts, context
from tests.web.live import LiveServer

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is installed by make test"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LANGUAGES = ("en", "fr", "es", "pt")
WIDTHS = {"desktop": {"width": 1366, "height": 768}, "phone": PHONE}
SCREENSHOTS = os.environ.get("BEACON_SCREENSHOTS", "")
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


class Walk:
    """One walk: a page in one language at one width, checked at every step."""

    def __init__(self, page: Any, lang: str, width: str) -> None:
        self.page, self.lang, self.width = page, lang, width

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, path
        self.check(path)

    def check(self, where: str) -> None:
        self.page.wait_for_load_state()
        assert self.page.evaluate("document.documentElement.lang") == self.lang, where
        if self.width == "phone":
            assert self.page.evaluate(OVERFLOW) <= 0, f"{where} is wider than a phone"

    def switch_language(self) -> None:
        """The header's button for the language (English is where a session starts)."""
        response = self.page.goto("/")
        assert response is not None and response.status == 200
        if self.lang != "en":
            self.page.locator(f'form.language button[value="{self.lang}"]').click()
            self.page.wait_for_url("**/")
        self.check("/ after the switch")
        buttons = self.page.locator("form.language button")
        assert buttons.count() == len(LANGUAGES) - 1  # the three other languages

    def shot(self, role: str) -> None:
        if SCREENSHOTS:
            folder = Path(SCREENSHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"walk-{role}-{self.lang}-{self.width}.png"
            self.page.screenshot(path=str(path), full_page=False, animations="disabled")
            small(path)


def small(path: Path) -> None:
    """The screenshot in 64 colours: a third of the bytes, still readable."""
    from PIL import Image

    with Image.open(path) as taken:
        fewer = taken.convert("RGB").quantize(colors=64)
    fewer.save(path, optimize=True)


def investigator(walk: Walk) -> None:
    """An outstanding child is located (two taps), then the tap is undone."""
    page = walk.page
    walk.goto("/operations/RESCUE-ME-2021/targets/?status=outstanding")
    row = page.locator("#targets tbody tr").first
    ref = (row.get_attribute("id") or "").removeprefix("target-")
    row.locator("summary").click()
    row.locator('button[value="returned_voluntarily"]').click()
    done = page.locator(f"#target-{ref}")
    expect(done.locator(".status-located")).to_be_visible()
    walk.check("the located row")
    walk.shot("investigator")
    # The test thread's statements take turns with the server's requests (tests/web/live.py).
    assert Outcome.objects.filter(target__ref=ref, kind="located").exists()
    done.locator("form.undo-form button").click()
    expect(page.locator(f"#target-{ref} .status-outstanding")).to_be_visible()
    assert not Outcome.objects.filter(target__ref=ref).exists()


def coordinator(walk: Walk) -> None:
    """The hub's dashboard, then an arrest recorded from the field form."""
    page = walk.page
    walk.goto("/operations/UNITED-FRONT/")
    expect(page.locator("#map .choroplethlocation").first).to_be_attached(timeout=20000)
    expect(page.locator("#figures .card[data-metric='arrests'] .figure")).to_be_visible()
    walk.shot("coordinator")
    walk.goto("/operations/UNITED-FRONT-KY/events/arrest/")
    name = f"Walk{uuid.uuid4().hex[:6]}"
    form = page.locator("#event-form")
    for select in ("agency", "jurisdiction"):
        field = form.locator(f'select[name="{select}"]')
        if not field.input_value():
            field.select_option(index=1)
    form.locator('input[name="at"]').fill("2021-08-26T21:30")
    form.locator('select[name="role"]').select_option("buyer")
    form.locator('input[name="last_name"]').fill(name)
    form.locator('button[type="submit"]').click()
    expect(page.locator(".messages .success")).to_be_visible()
    walk.check("after saving")
    assert Arrest.objects.filter(person__last_name=name).count() == 1


def analyst(walk: Walk) -> None:
    """A record is searched for by name and opened."""
    page = walk.page
    walk.goto("/records/")
    page.locator('input[name="last_name"]').fill("Sampleton")
    page.locator("form.filters button[type='submit']").click()
    page.wait_for_url("**/records/?**")
    walk.check("the search's results")
    walk.shot("analyst")
    first = page.locator("main a[href^='/records/M']").first
    expect(first).to_be_visible()
    first.click()
    page.wait_for_url(re.compile(r"/records/M\w+/$"))
    walk.check("a record")
    expect(page.locator("#history-h")).to_be_visible()


def caseworker(walk: Walk) -> None:
    """A referral waiting for an answer is accepted (the demo has one: the first walk
    takes it), then a service delivered to a referred victim is recorded from the
    inbox's link."""
    page = walk.page
    walk.goto("/referrals/")
    waiting = page.locator("main tr:has(button[value='accepted'])")
    if waiting.count():
        accepted = waiting.first.locator("a[href^='/referrals/victims/']").inner_text().strip()
        waiting.first.locator('button[value="accepted"]').click()
        page.wait_for_url("**/referrals/")
        walk.check("after accepting")
        serve = page.locator(f"a[href='/referrals/victims/{accepted}/#record-service']")
        expect(serve).to_be_visible()  # the inbox links the accepted referral to the form
    link = page.locator("main a[href$='/#record-service']").first
    ref = (link.get_attribute("href") or "").split("/")[3]
    before = Service.objects.filter(person__victim_roles__ref=ref).count()
    link.click()
    page.wait_for_url(f"**/referrals/victims/{ref}/#record-service")
    walk.check("a referred victim")
    form = page.locator("#service-form")
    form.locator('select[name="kind"]').select_option("medical")
    form.locator('input[name="on"]').fill("2021-09-01")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    walk.check("after recording the service")
    walk.shot("caseworker")
    assert Service.objects.filter(person__victim_roles__ref=ref).count() == before + 1


def pio(walk: Walk) -> None:
    """The operation's report in the page's language, and its PDF at desktop width."""
    page = walk.page
    walk.goto("/operations/UNITED-FRONT/report/")
    expect(page.locator(".press")).to_be_visible()
    expect(page.locator("#chart .bars path").first).to_be_attached(timeout=20000)
    walk.shot("pio")
    if walk.width == "desktop":
        with page.expect_download() as download:
            page.locator("#pdf").click()
        assert download.value.path().read_bytes().startswith(b"%PDF")


def admin(walk: Walk) -> None:
    """An account is found by name and its detail (sign-ins, roles, trail) opened."""
    page = walk.page
    walk.goto("/administration/")
    page.locator("#u-q").fill("investigator")
    page.locator("#u-q").press("Enter")
    page.wait_for_url("**/administration/?**")
    walk.check("the accounts found")
    link = page.locator("main a[href='/administration/users/investigator.hsi/']").first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/administration/users/investigator.hsi/")
    walk.check("an account")
    walk.shot("admin")


WALKS: dict[str, tuple[str, Callable[[Walk], None]]] = {
    "investigator": ("investigator.hsi", investigator),
    "hub_coordinator": ("coordinator", coordinator),
    "analyst": ("analyst", analyst),
    "caseworker": ("caseworker.zoe", caseworker),
    "pio": ("pio", pio),
    "system_admin": ("admin", admin),
}


@pytest.mark.parametrize("role", WALKS)
def test_each_role_does_its_main_task_in_each_language_at_both_widths(
    server: LiveServer, browser: Any, hosts: Hosts, role: str
) -> None:
    username, task = WALKS[role]
    for lang in LANGUAGES:
        for width, viewport in WIDTHS.items():
            with context(browser, server.url, hosts, viewport=viewport, username=username) as ctx:
                walk = Walk(ctx.new_page(), lang, width)
                walk.switch_language()
                task(walk)
    assert hosts.errors == []
