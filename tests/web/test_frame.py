"""The frame: assets served from installed packages, map outlines, language switch."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/plotly/plotly.min.js",
        "/static/web/css/beacon.css",
        "/static/web/js/dashboard.js",
    ],
)
def test_assets_are_served_by_beacon_itself(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert len(body) > 1000


@pytest.mark.parametrize(
    "path",
    [
        "/static/../settings.py",
        "/static/vendor/plotly/datasets/iris.csv.gz",
        "/static/vendor/leaflet/leaflet.js",  # no tile maps, so no Leaflet
    ],
)
def test_only_listed_package_files_are_served(path: str) -> None:
    assert Client().get(path).status_code == 404


def test_plotly_base_map_has_countries_and_us_states() -> None:
    response = Client().get("/geo/topojson/usa_110m.json")
    assert response.status_code == 200
    topology = json.loads(response.content)
    assert topology["type"] == "Topology"
    states = {g["id"] for g in topology["objects"]["subunits"]["geometries"]}
    countries = {g["id"] for g in topology["objects"]["countries"]["geometries"]}
    assert {"NM", "MO", "CA", "TX"} <= states
    assert {"USA", "BRA", "ARG", "PRY", "PAN", "ECU", "MEX"} <= countries
    assert Client().get("/geo/topojson/elsewhere_10m.json").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/operations/")
    assert response.status_code == 302
    assert (
        response["Location"].startswith("/accounts/sign-in/") or "sign-in" in response["Location"]
    )


def test_language_switch_sets_the_cookie_and_pages_answer_in_french() -> None:
    client = Client()
    response = client.post("/language/", {"language": "fr", "next": "/operations/"})
    assert response.status_code == 302
    assert response["Location"] == "/operations/"
    assert client.cookies["django_language"].value == "fr"


def test_language_switch_refuses_an_outside_redirect() -> None:
    response = Client().post("/language/", {"language": "fr", "next": "https://example.org/"})
    assert response["Location"] == "/"


def test_the_icon_browsers_ask_for_is_served() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
