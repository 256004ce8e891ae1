"""Unknown addresses answer Beacon's own 404 page, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

ClientAs = Callable[[str], Client]


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        ("en", "Not found", "There is nothing here, or you may not see it."),
        ("fr", "Introuvable", "Il n&#x27;y a rien ici, ou vous ne pouvez pas le voir."),
    ],
)
def test_unknown_url_is_a_styled_translated_page(
    client_as: ClientAs, language: str, title: str, message: str
) -> None:
    client = client_as("investigator.hsi")
    response = client.get("/no/such/page/", headers={"Accept-Language": language})
    assert response.status_code == 404
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html and message in html
    assert 'href="/"' in html  # the site's own frame: a way back


def test_unknown_api_url_answers_json(client_as: ClientAs) -> None:
    response = client_as("investigator.hsi").get("/api/no-such-route")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
