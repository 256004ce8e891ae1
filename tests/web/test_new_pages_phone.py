"""The agency form, the operation edit form and the caseworker's service form in a real
browser on a 375 px phone: every control reached by its label, nothing wider than the
screen, errors shown next to their field, and the write done."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from beacon.agencies.models import Agency
from beacon.operations.models import Referral, Service
from tests.web.browser import CHROMIUM, PHONE, Hosts, context, shot
from tests.web.live import LiveServer

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is installed by make test"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
  .slice(0, 5)"""


def _fits(page: Any) -> None:
    """Measured once the page and its stylesheet have loaded (a loaded machine may report a
    visible element before the stylesheet applies)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], page.evaluate(WIDEST)


def test_an_administrator_creates_an_agency_on_a_phone(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, viewport=PHONE, username="admin") as ctx:
        page = ctx.new_page()
        page.goto("/administration/agencies/")
        page.get_by_role("link", name="New agency").tap()
        page.get_by_label("ORI (2-letter state or country code, then 7 letters or digits)").fill(
            "QQ1234567"
        )
        page.get_by_label("Name", exact=True).fill("Mesilla Valley Marshal")
        page.get_by_label("Kind").select_option("local")
        page.get_by_label(
            "Jurisdiction (country:MX, state:NM or county:35013; empty for none)"
        ).fill("county:35013")
        page.get_by_role("button", name="Create agency").tap()
        expect(page.locator("#e-ori")).to_be_visible()  # next to the ORI field
        _fits(page)
        shot(page, "agency-form-phone")
        page.get_by_label("ORI (2-letter state or country code, then 7 letters or digits)").fill(
            "NM0070399"
        )
        page.get_by_role("button", name="Create agency").tap()
        page.wait_for_url("**/administration/agencies/")
        _fits(page)
    made = Agency.objects.get(ori="NM0070399")
    assert made.jurisdiction is not None and made.jurisdiction.code == "35013"


def test_the_operation_edit_form_fits_a_phone(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, viewport=PHONE, username="coordinator") as ctx:
        page = ctx.new_page()
        page.goto("/operations/UNITED-FRONT/edit/")
        for label in ("Part of a hub operation", "Series (a recurring operation)"):
            expect(page.get_by_label(label)).to_be_visible()
        expect(page.get_by_label("Edition in the series")).to_be_visible()
        _fits(page)


def test_a_caseworker_accepts_a_referral_and_records_a_service_on_a_phone(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    referral = (
        Referral.objects.filter(to_agency__name="ZOE International", status="offered")
        .select_related("victim")
        .first()
    )
    assert referral is not None
    victim = referral.victim
    with context(browser, server.url, hosts, viewport=PHONE, username="caseworker.zoe") as ctx:
        page = ctx.new_page()
        page.goto(f"/referrals/victims/{victim.ref}/")
        expect(page.locator("#service-form")).to_have_count(0)  # not accepted yet
        page.goto("/referrals/")
        page.locator(f"form[action='/referrals/{referral.ref}/respond/']").get_by_role(
            "button", name="Accept"
        ).tap()
        page.get_by_role(
            "link", name="Record a service delivered"
        ).first.wait_for()  # the inbox links accepted referrals to the form
        page.goto(f"/referrals/victims/{victim.ref}/")
        page.get_by_label("Service", exact=True).select_option("medical")
        page.get_by_label("Notes (stored sealed)").fill("Seen by the clinic nurse")
        page.get_by_role("button", name="Record service").tap()
        expect(page.locator("#services")).to_contain_text("Medical")
        _fits(page)
        shot(page, "caseworker-service-phone")
    service = Service.objects.get(person=victim.person, agency__name="ZOE International")
    assert (service.kind, service.notes) == ("medical", "Seen by the clinic nurse")
