"""The hub dashboard in a real browser: unchanged polls keep the figures, tables sort with
their totals row last, sub-operations are links, and the map's legend has whole-number
classes."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser import CHROMIUM, Hosts, context, shot
from tests.web.live import LiveServer

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is installed by make test"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
WHOLE_CLASS = re.compile(r"^\d[\d,]*(\u2013\d[\d,]*)?$")  # "46", "1 to 10" with an en dash


# The browser and the live server: tests/web/conftest.py.


@pytest.fixture
def hosts(server: LiveServer, db: None) -> Iterator[Hosts]:
    seen = Hosts()
    yield seen
    assert seen.outside == [] and seen.refused == [] and seen.errors == []


def test_hub_dashboard_sorts_links_and_labels_its_map(
    server: LiveServer, browser: Any, hosts: Hosts
) -> None:
    with context(browser, server.url, hosts, username="coordinator") as watching:
        page = watching.new_page()
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if "/figures/" in r.url else None)
        page.goto("/operations/UNITED-FRONT/")
        arrests = page.locator("#figures .card[data-metric='arrests'] .figure")
        expect(arrests).to_have_text(re.compile(r"\d"))
        shown = arrests.text_content()
        page.wait_for_timeout(2500)  # two or three polls, answered "not modified"
        assert statuses and set(statuses) == {304}
        expect(arrests).to_have_text(shown or "")
        expect(page.locator("#figures .updated time")).to_be_visible()

        table = page.locator("#sub-operations")
        heads = table.locator("thead th").all_text_contents()
        column = heads.index("Arrests")
        table.locator("thead th").nth(column).get_by_role("button").click()
        expect(table.locator("thead th").nth(column)).to_have_attribute("aria-sort", "descending")
        values = [
            int(v.replace(",", ""))
            for v in table.locator(f"tbody tr td:nth-child({column + 1})").all_text_contents()
        ]
        assert values == sorted(values, reverse=True)
        total = table.locator(f"tfoot td:nth-child({column + 1})").text_content() or ""
        assert int(total.replace(",", "")) == sum(values)

        expect(page.locator("#map .choroplethlocation").first).to_be_attached(timeout=10000)
        legend = page.locator("#map-legend li")
        expect(legend.first).to_be_attached(timeout=10000)
        classes = legend.all_text_contents()
        assert classes and all(WHOLE_CLASS.match(c.strip()) for c in classes), classes
        shot(page, "dashboard-hub-sorted")

        table.locator("tbody th a").first.click()
        expect(page).to_have_url(re.compile(r"/operations/UNITED-FRONT-[A-Z]{2}/$"))
