"""Agency names in report sentences take the article each language needs."""

from __future__ import annotations

import pytest

from beacon.operations.reports.labels import agency_with_article


@pytest.mark.parametrize(
    ("name", "lang", "said"),
    [
        ("Los Angeles Police Department", "en", "the Los Angeles Police Department"),
        ("Los Angeles Police Department", "fr", "le Los Angeles Police Department"),
        ("Sûreté du Québec", "fr", "la Sûreté du Québec"),
        ("Gendarmerie royale du Canada", "fr", "la Gendarmerie royale du Canada"),
        (
            "Service de police de la Ville de Montréal",
            "fr",
            "le Service de police de la Ville de Montréal",
        ),
        (
            "Office central pour la répression de la traite",
            "fr",
            "l'Office central pour la répression de la traite",
        ),
        ("Homeland Security Investigations", "fr", "le Homeland Security Investigations"),
        ("Europol", "en", "Europol"),
        ("INTERPOL", "fr", "INTERPOL"),
        ("The Salvation Army", "en", "The Salvation Army"),
    ],
)
def test_agency_names_take_their_article(name: str, lang: str, said: str) -> None:
    assert agency_with_article(name, lang) == said
