"""Drill-down pages say their rows in words: no place refs, role codes or ISO times, and
every row links to its entry."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from beacon.operations.models import Arrest

ClientAs = Callable[[str], Client]
CODE_LIKE = re.compile(
    r"\b(state|county|country):[A-Za-z0-9]+|\b[a-z]+_[a-z_]+\b|\d{4}-\d\d-\d\d(T\d\d:\d\d)?"
)


def _shown_text(html: str) -> str:
    body = html[html.index('<main id="main"') : html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", body)


def test_the_arrest_rows_are_in_words_and_link_to_each_arrest(client_as: ClientAs) -> None:
    page = client_as("coordinator").get(
        "/operations/UNITED-FRONT/figures/arrests_by_role.pimp_panderer/?jurisdiction=state:KY"
    )
    assert page.status_code == 200
    html = page.content.decode()
    text = _shown_text(html)
    assert CODE_LIKE.search(text) is None, CODE_LIKE.search(text)
    assert "Kentucky" in text  # the place asked for, by its name
    arrests = Arrest.objects.filter(
        operation__code="UNITED-FRONT-KY", role="pimp_panderer"
    ).values_list("ref", flat=True)
    assert arrests
    for ref in arrests:
        assert f'href="/operations/UNITED-FRONT-KY/timeline/#arrest-{ref}"' in html
    assert "Pimp or panderer" in text  # the role by its label


def test_victim_rows_say_minor_or_adult_and_link_to_the_victim(client_as: ClientAs) -> None:
    page = client_as("coordinator").get("/operations/UNITED-FRONT/figures/victims_rescued/")
    html = page.content.decode()
    text = _shown_text(html)
    assert CODE_LIKE.search(text) is None, CODE_LIKE.search(text)
    assert re.search(r"\b(Minor|Adult)\b", text)
    assert re.search(r'href="/victims/[^"/]+/timeline/"', html)


def test_target_rows_say_the_outcome_and_link_to_the_child(client_as: ClientAs) -> None:
    page = client_as("investigator.hsi").get("/operations/RESCUE-ME-2021/figures/targets/")
    html = page.content.decode()
    text = _shown_text(html)
    assert CODE_LIKE.search(text) is None, CODE_LIKE.search(text)
    assert "Outstanding" in text or "Located" in text
    assert re.search(r'href="/operations/RESCUE-ME-2021/targets/[^"/]+/timeline/"', html)


def test_the_french_page_says_the_rows_in_french(client_as: ClientAs) -> None:
    client = client_as("coordinator")
    page = client.get(
        "/operations/UNITED-FRONT/figures/arrests/?jurisdiction=state:KY",
        headers={"Accept-Language": "fr"},
    )
    text = _shown_text(page.content.decode())
    assert CODE_LIKE.search(text) is None, CODE_LIKE.search(text)
