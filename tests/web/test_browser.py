"""The web application in a real browser (Debian's chromium, headless) on the demo data."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.operations.models import Arrest, Outcome, Target, Victim
from beacon.records.models import MissingPersonRecord
from tests.web.browser import (
    CHROMIUM,
    PHONE,
    Hosts,
    context,
    shot,
)
from tests.web.conftest import DEMO_PASSWORD, current_code
from tests.web.live import LiveServer
from tests.web.pdftext import pdf_text

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is installed by make test"
)
# Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the
# test body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Opens a sealed draft with the session's key, as drafts.js does (AES-GCM, the storage key
# as associated data); null when it does not open.
OPEN_DRAFT = """async (name) => {
  const stored = localStorage.getItem(name);
  if (!stored) { return null; }
  const box = JSON.parse(stored);
  const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const raw = bytes(document.body.getAttribute("data-draft-key"));
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
  try {
    const plain = await crypto.subtle.decrypt(
      {name: "AES-GCM", iv: bytes(box.iv), additionalData: new TextEncoder().encode(name)},
      key, bytes(box.ct));
    return JSON.parse(new TextDecoder().decode(plain));
  } catch (e) { return null; }
}"""


def test_sign_in_with_password_and_authenticator_code(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts) as ctx:
        page = ctx.new_page()
        page.goto("/operations/")
        expect(page.locator("#username")).to_be_visible()
        page.fill("#username", "investigator.hsi")
        page.fill("#password", DEMO_PASSWORD)
        page.fill("#code", current_code("investigator.hsi"))
        with page.expect_request(lambda r: r.method == "POST") as posted:
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/operations/")
        # Referrer-Policy: same-origin keeps the form's real Origin (no-referrer would send
        # "Origin: null" and CSRF would refuse the post); the Referer stays inside Beacon.
        headers = posted.value.all_headers()
        assert headers["origin"] == server.url
        assert headers["referer"].startswith(server.url + "/account/sign-in/")
        expect(page.get_by_role("link", name="Operation Rescue Me")).to_be_visible()


def test_outcome_takes_two_taps_on_a_phone(server: LiveServer, browser: Any, hosts: Hosts) -> None:
    with context(browser, server.url, hosts, viewport=PHONE, username="investigator.hsi") as ctx:
        page = ctx.new_page()
        page.goto("/operations/RESCUE-ME-2021/targets/?status=outstanding")
        row = page.locator("#targets tbody tr").first
        ref = (row.get_attribute("id") or "").removeprefix("target-")
        row.get_by_text("Record outcome").tap()
        row.get_by_role("button", name="Located: Returned voluntarily to guardian").tap()
        done = page.locator(f"#target-{ref}")
        expect(done.locator(".status-located")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, "targets-phone")
    outcome = Outcome.objects.get(target__ref=ref)
    assert (outcome.kind, outcome.how) == ("located", "returned_voluntarily")
    assert outcome.target.record.status == "located"  # the registry's locate, same entry


def test_caseworker_cannot_reach_a_victim_not_referred_to_them(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    referred = set(
        Victim.objects.filter(referrals__to_agency__name="ZOE International").values_list(
            "ref", flat=True
        )
    )
    other = Victim.objects.exclude(ref__in=referred).values_list("ref", flat=True).first()
    assert referred and other
    with context(browser, server.url, hosts, username="caseworker.zoe") as ctx:
        page = ctx.new_page()
        page.goto("/referrals/")
        expect(page.get_by_role("heading", name="Referrals to your agency")).to_be_visible()
        mine = sorted(referred)[0]
        assert page.goto(f"/referrals/victims/{mine}/").status == 200
        shot(page, "caseworker-victim")
        for guess in (f"/referrals/victims/{other}/", f"/victims/{other}/", f"/victims/{mine}/"):
            response = page.goto(guess)
            assert response is not None and response.status in (403, 404)
            assert other not in page.inner_text("main")
            assert "Operation" not in page.inner_text("main")
        assert page.goto("/operations/RECLAIM-AND-REBUILD-2021/").status in (403, 404)


def test_hub_dashboard_shows_an_entry_sent_after_a_lost_connection_within_two_seconds(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    """A field entry made offline is kept as a draft, sent again when the connection
    returns (same Idempotency-Key, so once), and the hub's open dashboard shows it."""
    before = Arrest.objects.filter(operation__parent__code="UNITED-FRONT").count()
    with (
        context(browser, server.url, hosts, username="coordinator") as watching,
        context(browser, server.url, hosts, viewport=PHONE, username="coordinator") as field,
    ):
        dashboard = watching.new_page()
        dashboard.goto("/operations/UNITED-FRONT/")
        arrests = dashboard.locator("#figures .card[data-metric='arrests'] .figure")
        expect(arrests).to_have_text(f"{before}")
        expect(dashboard.locator("#map .choroplethlocation").first).to_be_attached(timeout=20000)
        shot(dashboard, "dashboard-hub")

        entry = field.new_page()
        entry.goto("/operations/UNITED-FRONT-KY/events/arrest/")
        entry.get_by_label("Agency").select_option(
            label="Kentucky participating police agencies (United Front)"
        )
        entry.get_by_label("Jurisdiction").select_option(label="Kentucky")
        entry.get_by_label("Date and time").fill("2021-08-26T21:30")
        entry.get_by_label("Role").select_option("buyer")
        entry.get_by_label("Last name").fill("Sampleperson")
        field.set_offline(True)
        entry.get_by_role("button", name="Save").tap()
        expect(entry.locator(".draft-status")).to_contain_text("No connection")
        stored = entry.evaluate("localStorage.getItem('beacon-draft:UNITED-FRONT-KY:arrest')")
        assert "Sampleperson" not in stored  # sealed on the device, never in clear
        draft = entry.evaluate(OPEN_DRAFT, "beacon-draft:UNITED-FRONT-KY:arrest")
        assert draft["pending"] and draft["idempotencyKey"]
        assert draft["fields"]["last_name"] == "Sampleperson"
        field.set_offline(False)
        expect(entry.locator(".messages")).to_contain_text("Saved", timeout=10000)
        expect(arrests).to_have_text(f"{before + 1}", timeout=2000)
        assert entry.evaluate("localStorage.getItem('beacon-draft:UNITED-FRONT-KY:arrest')") is None
    assert Arrest.objects.filter(operation__parent__code="UNITED-FRONT").count() == before + 1


def test_french_report_and_its_pdf_have_the_figures(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, username="pio", locale="fr-FR") as ctx:
        page = ctx.new_page()
        page.goto("/operations/UNITED-FRONT/report/?lang=fr")
        press = page.locator(".press")
        expect(press).to_contain_text("102 arrestations")
        expect(press).to_contain_text("47 victimes secourues")
        expect(page.locator("#by-jurisdiction")).to_contain_text("Kentucky")
        expect(page.locator("#map .choroplethlocation").first).to_be_attached(timeout=20000)
        expect(page.locator("#chart .bars path").first).to_be_attached()
        shot(page, "report-fr")
        with page.expect_download() as download:
            page.locator("#pdf").click()
        pdf = download.value.path().read_bytes()
    text = pdf_text(pdf)
    assert "102 arrestations" in text
    assert "47 victimes secourues" in text
    assert "41 d'entre elles ont reçu des services médicaux" in text


def test_create_an_operation_and_add_targets(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    agency = Agency.objects.get(name="Las Cruces Police Department")
    user = accounts.create_user(
        system_actor(), "supervisor.lcpd", "a long and unusual passphrase 42", agency, "supervisor"
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    nics = list(
        MissingPersonRecord.objects.filter(originating_agency=agency).values_list("nic", flat=True)[
            :3
        ]
    )
    with context(browser, server.url, hosts, username="supervisor.lcpd") as ctx:
        page = ctx.new_page()
        page.goto("/operations/")
        page.get_by_role("link", name="New operation").click()
        page.get_by_label("Code").fill("SUMMER-SWEEP")
        page.get_by_label("Name").fill("Operation Summer Sweep")
        page.get_by_label("Status").select_option("active")
        page.get_by_label("Start").fill("2021-07-01")
        page.get_by_label("Jurisdictions").fill("county:35013")
        page.get_by_label("Missing children").check()
        page.get_by_role("button", name="Create operation").click()
        page.wait_for_url("**/operations/SUMMER-SWEEP/targets/")
        page.get_by_label("NICs of missing-person records").fill("\n".join(nics))
        page.get_by_role("button", name="Add to the target list").click()
        expect(page.locator("main")).to_contain_text("3 targets")
        shot(page, "operation-created")
    assert Target.objects.filter(operation__code="SUMMER-SWEEP").count() == 3


def test_chart_pages_run_with_no_policy_refusal_and_no_console_error(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, username="coordinator") as ctx:
        page = ctx.new_page()
        for path in (
            "/",
            "/operations/UNITED-FRONT/",
            "/operations/UNITED-FRONT/report/",
            "/operations/UNITED-FRONT/report/?lang=fr",
        ):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            if "UNITED-FRONT" in path:
                expect(page.locator("#map .choroplethlocation").first).to_be_attached(timeout=20000)
                expect(page.locator("#chart .bars path").first).to_be_attached()
                # The map's legend: whole-number classes, on the dashboard and the report.
                expect(page.locator("#map-legend li").first).to_be_attached()
                page.select_option("#metric", index=1)  # redrawn with another figure
                page.wait_for_timeout(300)
                # plotly.js's own rules are in force: written into the empty style through
                # the CSSOM, which is what the CSP's one hash allows.
                rules = "document.getElementById('plotly.js-style-global').sheet.cssRules.length"
                assert page.evaluate(rules) > 10
    assert hosts.refused == []
    assert hosts.errors == []


def test_an_outcome_is_recorded_with_the_keyboard_alone_and_focus_shows(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, username="investigator.hsi") as ctx:
        page = ctx.new_page()
        page.goto("/operations/RESCUE-ME-2021/targets/?status=outstanding")
        page.keyboard.press("Tab")  # the first stop is the skip link
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        row = page.locator("#targets tbody tr").first
        ref = (row.get_attribute("id") or "").removeprefix("target-")
        summary = row.locator("summary")
        for _ in range(200):  # Tab through the page until the row's "Record outcome"
            page.keyboard.press("Tab")
            if summary.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError("Record outcome is not reachable with Tab")
        outline = summary.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline not in ("", "none")  # the focus is visible
        page.keyboard.press("Enter")  # opens the choices
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused.startswith("Located")
        page.keyboard.press("Enter")
        expect(page.locator(f"#target-{ref} .status-located")).to_be_visible()
    assert Outcome.objects.get(target__ref=ref).kind == "located"


def test_first_sign_in_enrols_an_authenticator_and_a_recovery_code_signs_in_once(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    import base64

    from django_otp.oath import TOTP

    agency = Agency.objects.get(name="HSI Las Cruces")
    password = "a long and unusual passphrase 42"
    accounts.create_user(system_actor(), "new.investigator", password, agency, "investigator")
    with context(browser, server.url, hosts, viewport=PHONE) as ctx:
        page = ctx.new_page()
        page.goto("/account/sign-in/")
        page.fill("#username", "new.investigator")
        page.fill("#password", password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/account/authenticator/")
        expect(page.get_by_alt_text("QR code of your authenticator key")).to_be_visible()
        secret = page.locator("main code").inner_text().strip()
        key = base64.b32decode(secret)
        page.get_by_label("Code").fill(f"{TOTP(key).token():06d}")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        codes = page.locator("main li code").all_inner_texts()
        assert len(codes) == 10
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("link", name="Continue").click()
        assert page.goto("/operations/").status == 200  # personal data, second factor given
    for attempt in (1, 2):
        with context(browser, server.url, hosts) as ctx:
            page = ctx.new_page()
            page.goto("/account/sign-in/")
            page.fill("#username", "new.investigator")
            page.fill("#password", password)
            page.fill("#code", codes[0])
            page.get_by_role("button", name="Sign in").click()
            if attempt == 1:
                page.wait_for_url(lambda url: "/account/" not in url)
            else:  # used up
                expect(page.get_by_role("alert")).to_contain_text("Sign-in failed")


def test_drafts_are_sealed_and_signing_out_wipes_them_and_destroys_their_key(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    """A victim's name typed into a field form is never on the device in clear; the header's
    sign-out wipes the drafts, and a copy kept from before cannot be read after it."""
    name = "beacon-draft:UNITED-FRONT-KY:victim"
    form = "/operations/UNITED-FRONT-KY/events/victim/"
    with context(browser, server.url, hosts, username="coordinator") as ctx:
        page = ctx.new_page()
        page.goto(form)
        expect(page.locator("html[data-drafts-ready]")).to_be_attached()
        page.get_by_label("Last name").fill("Victimname")
        page.wait_for_function(f"localStorage.getItem({name!r}) !== null")
        stored = page.evaluate(f"localStorage.getItem({name!r})")
        assert "Victimname" not in stored and set(
            page.evaluate(f"JSON.parse(localStorage.getItem({name!r}))")
        ) == {"v", "iv", "ct"}
        assert page.evaluate(OPEN_DRAFT, name)["fields"]["last_name"] == "Victimname"
        page.reload()  # the draft comes back in the same session
        expect(page.get_by_label("Last name")).to_have_value("Victimname")
        page.locator("header form.sign-out button").click()
        page.wait_for_url("**/account/sign-in/")
        assert (
            page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('beacon-draft:'))")
            == []
        )
    with context(browser, server.url, hosts, username="coordinator") as ctx:
        page = ctx.new_page()
        page.goto(form)
        # A copy of the sealed draft put back after signing out: the new session's key
        # cannot open it, so it is not shown and is deleted.
        page.evaluate(f"localStorage.setItem({name!r}, {stored!r})")
        page.reload()
        expect(page.locator("html[data-drafts-ready]")).to_be_attached()
        expect(page.get_by_label("Last name")).to_have_value("")
        assert page.evaluate(f"localStorage.getItem({name!r})") is None


def test_an_outcome_tap_shows_it_is_saving_sends_once_and_can_be_undone(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, viewport=PHONE, username="investigator.hsi") as ctx:
        page = ctx.new_page()
        page.goto("/operations/RESCUE-ME-2021/targets/?status=outstanding")
        row = page.locator("#targets tbody tr").first
        ref = (row.get_attribute("id") or "").removeprefix("target-")
        held: list[Any] = []  # the tap's request, held as on a slow link
        page.route("**/outcome/", lambda route: held.append(route))
        row.get_by_text("Record outcome").tap()
        expect(
            row.get_by_role("button", name="Located: Returned voluntarily to guardian")
        ).to_be_visible()
        button = row.locator('button[value="returned_voluntarily"]')  # its name changes
        button.tap()
        expect(button).to_have_text("Saving…")
        expect(button).to_be_disabled()
        # A second submission while the first is on its way is not sent.
        page.locator(f"#target-{ref} form.outcome-form").evaluate("f => f.requestSubmit()")
        page.wait_for_timeout(300)
        assert len(held) == 1
        held[0].continue_()
        done = page.locator(f"#target-{ref}")
        expect(done.locator(".status-located")).to_be_visible()
        undo = done.get_by_role("button", name=re.compile(r"^Undo"))
        expect(undo).to_be_visible()
        expect(done.get_by_role("link", name="See the timeline")).to_be_visible()
        undo.tap()
        expect(page.locator(f"#target-{ref} .status-outstanding")).to_be_visible()
    assert not Outcome.objects.filter(target__ref=ref).exists()
    kept = Outcome.objects.get(withdrawn_from__ref=ref)
    assert (kept.kind, kept.how) == ("located", "returned_voluntarily")
