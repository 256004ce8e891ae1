"""The "My work" home page in a real browser on a 375 px phone: the drafts kept on this
device are listed (from web/js/drafts.js's keys), and nothing is wider than the screen."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, Hosts, context
from tests.web.live import LiveServer, live_server_sharing_connection

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is installed by make test"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    connections.close_all()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
        connections.close_all()


@pytest.fixture(scope="module")
def server(browser: Any, demo: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    with django_db_blocker.unblock(), live_server_sharing_connection() as live:
        yield live


@pytest.fixture
def hosts(server: LiveServer, db: None) -> Iterator[Hosts]:
    seen = Hosts()
    yield seen
    assert seen.outside == []
    assert seen.refused == []


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
