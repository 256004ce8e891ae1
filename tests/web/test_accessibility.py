"""WCAG 2.1 AA basics checked on every page: language, one h1, a skip link, labelled
controls, image alternatives, and colour contrast of the stylesheet's palette."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

import beacon
from tests.web.test_pages import PAGES

ClientAs = Callable[[str], Client]
CSS = Path(beacon.__file__).parent / "web" / "static" / "web" / "css" / "beacon.css"
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset"}


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.h1 = 0
        self.labels: set[str] = set()
        self.controls: list[dict[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.links: list[str] = []
        self.in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labels.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type", "") not in UNLABELLED_TYPES:
                self.controls.append({**a, "_wrapped": "1" if self.in_label else ""})
        elif tag == "img":
            self.images.append(a)
        elif tag == "a":
            self.links.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.mark.parametrize(("username", "path", "_queries"), PAGES)
def test_page_meets_the_basics(
    client_as: ClientAs, username: str, path: str, _queries: int
) -> None:
    page = parse(client_as(username).get(path).content.decode())
    assert page.lang in ("en", "fr")
    assert page.h1 == 1
    assert "#main" in page.links
    unlabelled = [
        c
        for c in page.controls
        if not (
            c["_wrapped"]
            or c.get("id", "") in page.labels
            or c.get("aria-label")
            or c.get("aria-labelledby")
        )
    ]
    assert unlabelled == []
    assert all("alt" in img for img in page.images)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("--ink", "--bg"),
        ("--ink", "--panel"),
        ("--muted", "--bg"),
        ("--muted", "--panel"),
        ("--brand", "--bg"),
        ("--brand-ink", "--brand"),
        ("--accent", "--bg"),
        ("--ok", "--bg"),
        ("--warn", "--bg"),
        ("--brand-ink", "--accent"),
    ],
)
def test_palette_contrast_is_at_least_4_5_to_1(text: str, background: str) -> None:
    palette = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    assert contrast(palette[text], palette[background]) >= 4.5


def test_focus_is_always_visible() -> None:
    css = CSS.read_text()
    assert re.search(r":focus-visible\s*{[^}]*outline:\s*3px solid", css)


@pytest.fixture(autouse=True)
def _demo(demo_db: None) -> None:
    return
