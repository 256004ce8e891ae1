"""Reports in Spanish and Portuguese, and the report languages from one place (issue 17).

The languages come from ``settings.LANGUAGES``; until Spanish and Portuguese are in it
(the languages work), these tests add them, as that work does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from beacon.core.actor import system_actor
from beacon.core.errors import ValidationFailed
from beacon.operations.catalogue import builtin
from beacon.operations.reports import phrases, sentences, tables
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.labels import agency_with_article, listing, num, place
from beacon.operations.reports.languages import report_languages
from beacon.operations.reports.model import Period
from beacon.operations.reports.pdf import generated_on, to_pdf
from beacon.operations.reports.render import render
from beacon.operations.reports.status import period
from tests.operations.test_report_sentences import make, sound, text
from tests.web.pdftext import pdf_text

pytestmark = pytest.mark.django_db
IBERIAN = ("es", "pt")
FOUR = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("pt", "Português")]


@pytest.fixture(autouse=True)
def four_languages(settings: Any) -> Iterator[None]:
    codes = {code for code, _name in settings.LANGUAGES}
    settings.LANGUAGES = list(settings.LANGUAGES) + [pair for pair in FOUR if pair[0] not in codes]
    yield


def test_the_report_languages_are_the_settings_languages(settings: Any) -> None:
    assert report_languages() == tuple(code.split("-")[0] for code, _n in settings.LANGUAGES)
    settings.LANGUAGES = [("en", "English"), ("pt-br", "Português")]
    assert report_languages() == ("en", "pt")
    with pytest.raises(ValidationFailed):
        build_report(system_actor(), "ANY", lang="fr")
    with pytest.raises(CommandError):
        call_command("report", "ANY", "--lang", "fr")


def test_every_report_language_has_its_grammar() -> None:
    for lang in report_languages():
        assert all(lang in forms for forms in sentences.SENTENCES.values()), lang
        assert all(lang in forms for forms in sentences.PHRASES.values()), lang
        assert lang in tables.HEAD and lang in tables.STATUS and lang in tables.PUBLICATION
        assert lang in phrases.PERIOD and lang in phrases.EDITION and lang in phrases.QUALIFIERS
        assert set(tables.HEAD[lang]) == set(tables.HEAD["en"])


@pytest.mark.parametrize("lang", IBERIAN)
def test_spanish_and_portuguese_sentences_none_one_and_many(lang: str) -> None:
    one = text(
        make(
            victims_rescued=1, victim_age_min=15, victim_age_max=15, medical_services=1,
            arrests=1, targets=1, outstanding=1, participating_agencies=2,
        ),
        lang,
    )  # fmt: skip
    many = text(
        make(
            victims_rescued=4, victims_adult=3, victims_minor=1, victim_age_min=15,
            victim_age_max=40, victim_age_mean=22.5, medical_services=2, arrests=1234,
            targets=3, recovered=1, located=1, outstanding=1, participating_agencies=3,
        ),
        lang,
    )  # fmt: skip
    for said in (one, many):
        sound(said)
        assert "\u202f" not in said  # no French narrow no-break spaces
    if lang == "es":
        assert "La operación Test, dirigida por el Test Police Department con 1 organismo " in one
        assert "1 víctima rescatada, de 15 años; 1 de ellas recibió atención médica." in one
        assert "1 detención." in one and "1 sigue siendo buscado" in one
        assert "De 1 persona desaparecida de la lista de objetivos, 0 fueron recuperados" in one
        assert "con 2 organismos asociados" in many
        assert "4 víctimas rescatadas (3 adultas y 1 menor), de 15 a 40 años" in many
        assert "(edad media 22,5 años); 2 de ellas recibieron atención médica." in many
        assert "1\u00a0234 detenciones." in many  # Django's Spanish thousands separator
        assert "1 fue recuperado, 1 fue localizado y 1 sigue siendo buscado" in many
    else:
        assert "A operação Test, liderada pelo Test Police Department com 1 órgão parceiro" in one
        assert "1 vítima resgatada, de 15 anos; 1 delas recebeu atendimento médico." in one
        assert "1 prisão." in one and "1 continua sendo procurado" in one
        assert "Dos 1 pessoa desaparecida" not in one or "da lista de alvos" in one
        assert "com 2 órgãos parceiros" in many
        assert "4 vítimas resgatadas (3 adultas e 1 menor), de 15 a 40 anos" in many
        assert "(idade média 22,5 anos); 2 delas receberam atendimento médico." in many
        assert "1.234 prisões." in many
        assert "1 foi recuperado, 1 foi localizado e 1 continua sendo procurado" in many


@pytest.mark.parametrize("lang", IBERIAN)
def test_dates_periods_and_editions_in_spanish_and_portuguese(lang: str) -> None:
    es = lang == "es"
    assert phrases.partial_day("2021-06-01", lang) == (
        "1 de junio de 2021" if es else "1 de junho de 2021"
    )
    assert phrases.partial_day("2021-06", lang) == ("junio de 2021" if es else "junho de 2021")
    assert phrases.when("2021-06", "2021-07", lang) == (
        "de junio a julio de 2021" if es else "de junho a julho de 2021"
    )
    assert phrases.when("2021-06-08", "2021-06-11", lang) == (
        "del 8 de junio de 2021 al 11 de junio de 2021"
        if es
        else "de 8 de junho de 2021 a 11 de junho de 2021"
    )
    assert phrases.when("2019", "2019", lang) == ("en 2019" if es else "em 2019")
    assert phrases.edition(8, "number", lang) == ("la 8.ª edición" if es else "a 8.ª edição")
    assert phrases.edition(2018, "year", lang) == ("la edición 2018" if es else "a edição 2018")
    assert phrases.percent(25, lang) == ("25\u00a0%" if es else "25%")
    started = make(period=Period("2021-05-01"), period_as_published=Period("2021-05-01"))
    assert period(started, lang) == (
        "desde el 1 de mayo de 2021" if es else "desde 1 de maio de 2021"
    )
    assert period(make(period=Period(), period_as_published=Period()), lang) in (
        "sin precisar",
        "não indicado",
    )
    assert num(1883.5, lang) == ("1\u00a0883,5" if es else "1.883,5")


def test_articles_conjunctions_and_places_in_spanish_and_portuguese() -> None:
    assert agency_with_article("Policía Federal Argentina", "es") == "la Policía Federal Argentina"
    assert agency_with_article("Homeland Security Investigations", "es").startswith("el ")
    assert agency_with_article("Polícia Federal", "pt") == "a Polícia Federal"
    assert agency_with_article("Europol", "pt") == "Europol"
    assert listing(["Francia", "Italia"], "es") == "Francia e Italia"  # "y" before /i/
    assert listing(["Francia", "Hielo"], "es") == "Francia y Hielo"
    assert listing(["França", "Itália"], "pt") == "França e Itália"
    assert place("Orange County", "comté de Orange", "es") == "condado de Orange"
    assert place("Mexico", "Mexique", "pt") == "México"
    opening = text(make(lead_agencies=("Polícia Federal", "Europol")), "pt")
    assert "liderada pela Polícia Federal e por Europol" in opening


@pytest.mark.parametrize("lang", IBERIAN)
def test_a_seed_report_in_spanish_and_portuguese_md_and_pdf(demo: Path, lang: str) -> None:
    report = build_report(system_actor(), "UNITED-FRONT", lang=lang)
    md = render(report, "md", lang).decode()
    es = lang == "es"
    assert ("## Totales" if es else "## Totais") in md
    assert ("102 detenciones" if es else "102 prisões") in md
    assert ("47 víctimas rescatadas" if es else "47 vítimas resgatadas") in md
    assert "\u202f" not in md
    for english in ("led by", "Published (", "of which", "Across the series", "Period:"):
        assert english not in md
    assert re.search(r"\| (coincide|confere) \|", md)
    pdf = pdf_text(to_pdf(report, lang))
    assert "página 1 de " in pdf
    assert "TLP:CLEAR" in pdf
    assert (f"generado el {generated_on('es')}" if es else f"gerado em {generated_on('pt')}") in pdf


@pytest.mark.parametrize("lang", IBERIAN)
def test_catalogue_metrics_are_labelled_in_spanish_and_portuguese(demo: Path, lang: str) -> None:
    known = builtin()
    for metric_id in ("arrests", "victims_rescued", "victims_identified"):
        metric = known.get(metric_id)
        assert metric is not None
        assert metric.words(lang).label != metric.words("en").label
    md = render(build_report(system_actor(), "UNITED-FRONT", lang=lang), "md", lang).decode()
    # The source's own title stays as published ("Press release: ..., 47 victims rescued").
    ours = re.sub(r"\(Press release: [^)]*\)", "", md)
    assert "victims rescued" not in ours and "arrests" not in ours


def test_until_then_a_metric_without_a_label_in_the_language_reads_in_english(
    demo: Path,
) -> None:
    md = render(build_report(system_actor(), "UNITED-FRONT", lang="es"), "md", "es").decode()
    published = next(line for line in md.splitlines() if line.startswith("Publicado ("))
    metric = builtin().get("arrests")
    assert metric is not None
    assert metric.words("es").other in published  # the catalogue's, English as fallback
