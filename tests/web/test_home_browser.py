"""The "My work" home page in a real browser on a 375 px phone: the drafts kept on this
device are listed (from web/js/drafts.js's keys), and nothing is wider than the screen."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import CHROMIUM, PHONE, Hosts, context
from tests.web.live import LiveServer

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is installed by make test"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_the_home_page_lists_this_devices_drafts_on_a_phone(
    browser: Any, server: LiveServer, hosts: Hosts
) -> None:
    draft = json.dumps({"fields": {"notes": "x"}, "savedAt": "2026-12-07T10:00:00Z"})
    with context(browser, server.url, hosts, viewport=PHONE, username="investigator.lcpd") as ctx:
        page = ctx.new_page()
        page.goto("/")
        region = page.locator("#my-drafts")
        expect(region.locator(".drafts-none")).to_be_visible()
        page.evaluate(
            "([k, v]) => { localStorage.setItem(k, v); localStorage.setItem('other', '1'); }",
            ["beacon-draft:RESCUE-ME-2021:arrest", draft],
        )
        page.reload()
        link = region.get_by_role("link", name="Arrest · RESCUE-ME-2021")
        expect(link).to_have_attribute("href", "/operations/RESCUE-ME-2021/events/arrest/")
        expect(region.locator(".drafts-none")).to_be_hidden()
        expect(region.locator("li")).to_have_count(1)
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
