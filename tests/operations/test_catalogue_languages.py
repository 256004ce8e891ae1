"""The metric catalogue speaks English, French, Spanish and Portuguese: every built-in
metric and dimension has words in each, a local metric without Spanish or Portuguese
words is said in English there, and the older en/fr accessors are unchanged."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from beacon.agencies.codes import place_name
from beacon.operations.catalogue import (
    Catalogue,
    builtin,
    entry_problems,
    language,
    local_entries,
    metric_from_entry,
)

LOCAL: dict[str, Any] = {
    "unit": "count",
    "definition": "Hotel staff trained to spot trafficking.",
    "en": {"label": "Hotel staff trained", "one": "employee trained", "other": "employees trained"},
    "fr": {
        "label": "Employés formés",
        "one": "employé formé",
        "other": "employés formés",
        "gender": "m",
    },
}


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_builtin_metric_has_its_own_words_and_gender(lang: str) -> None:
    missing = []
    for metric in builtin().metrics.values():
        words = getattr(metric, lang)
        if (
            words is None
            or not (words.label and words.one and words.other)
            or words.gender not in ("m", "f")
            or words.label == metric.en.label
        ):
            missing.append(metric.id)
    assert missing == []


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_dimension_and_value_has_words(lang: str) -> None:
    missing = []
    for dim in builtin().dimensions.values():
        if not getattr(dim, lang):
            missing.append(dim.id)
        for value, (english, _french) in dim.values.items():
            word = dim.word(value, lang)
            if not word or (word == english and dim.more.get(value, {}).get(lang) != english):
                missing.append(f"{dim.id}.{value}")
    assert missing == []


def test_labels_in_each_language() -> None:
    known = builtin()
    assert known.label("recovered", "en") == "Recovered"
    assert known.label("recovered", "fr") == known.metrics["recovered"].fr.label
    assert known.label("recovered", "es") == "Puestos a salvo"
    assert known.label("recovered", "pt") == "Resgatadas"
    assert known.label("outstanding", "es") == "Aún buscados"
    assert known.label("arrests_by_role.trafficker", "pt") == "Prisões"  # older dotted names
    assert known.metrics["arrests"].words("pt-br").one == "prisão"
    assert known.dimensions["form"].word("forced_labour", "es") == "con fines de trabajo forzoso"
    assert known.dimensions["age_group"].name("pt") == "faixa etária"
    assert known.dimensions["age_group"].word("minor", "fr") == "mineurs"  # unchanged


def test_a_language_Beacon_does_not_speak_is_english() -> None:
    assert language("de") == "en" and language(None) == "en" and language("pt-BR") == "pt"
    assert builtin().label("arrests", "de") == "Arrests"


def test_a_local_metric_without_spanish_words_is_said_in_english() -> None:
    metric = metric_from_entry("local.hotel_staff_trained", LOCAL, local=True)
    assert metric.es is None and not metric.has_words("es")
    assert metric.words("es").label == "Hotel staff trained"
    assert metric.words("fr").label == "Employés formés"


def test_a_local_metric_may_bring_spanish_and_portuguese_words() -> None:
    entry = {
        **LOCAL,
        "es": {
            "label": "Personal formado",
            "one": "empleado formado",
            "other": "empleados formados",
            "gender": "m",
        },
    }
    assert entry_problems("local.hotel_staff_trained", entry, builtin()) == []
    metric = metric_from_entry("local.hotel_staff_trained", entry, local=True)
    assert metric.words("es").other == "empleados formados"
    assert metric.words("pt").label == "Hotel staff trained"
    known = Catalogue(1, {metric.id: metric}, {})
    carried = local_entries(known)[metric.id]
    assert "pt" not in carried  # a report carries only the languages the metric has
    assert metric_from_entry(metric.id, carried, local=True) == metric


def test_spanish_words_need_a_gender_and_every_form() -> None:
    entry = {**LOCAL, "pt": {"label": "Funcionários treinados", "one": "funcionário treinado"}}
    problems = entry_problems("local.hotel_staff_trained", entry, builtin())
    assert ("pt.other", "this field is required") in problems
    assert ("pt.gender", "m or f") in problems
    assert entry_problems("local.x", {**LOCAL, "es": "Personal"}, builtin()) == [
        ("es", "needs label, one and other")
    ]


@pytest.mark.parametrize(
    ("value", "en", "fr", "es", "pt"),
    [
        (0, "arrests", "arrestation", "detenciones", "prisão"),
        (1, "arrest", "arrestation", "detención", "prisão"),
        (2, "arrests", "arrestations", "detenciones", "prisões"),
    ],
)
def test_each_language_has_its_plural_rule(value: int, en: str, fr: str, es: str, pt: str) -> None:
    metric = builtin().metrics["arrests"]
    assert [metric.words(lang).noun_in(value, lang) for lang in ("en", "fr", "es", "pt")] == [
        en,
        fr,
        es,
        pt,
    ]


@pytest.mark.parametrize(
    ("kind", "code", "name_en", "lang", "expected"),
    [
        ("country", "BR", "Brazil", "pt", "Brasil"),
        ("country", "BO", "Bolivia", "pt", "Bolívia"),
        ("country", "BO", "Bolivia", "es", "Bolivia"),  # the common name, not the official
        ("country", "US", "United States", "es", "Estados Unidos"),
        ("state", "35", "New Mexico", "es", "Nuevo México"),
        ("state", "35", "New Mexico", "pt", "Novo México"),
        ("county", "35013", "Dona Ana County", "es", "condado de Dona Ana"),
        ("subdivision", "MX-CHH", "Chihuahua", "es", "Chihuahua"),
        ("field_office", "ALBUQUERQUE", "Albuquerque", "pt", "Albuquerque"),
        ("country", "BR", "Brazil", "en", "Brazil"),
        ("country", "BR", "Brazil", "fr", "Brésil"),
    ],
)
def test_place_names_in_each_language(
    kind: str, code: str, name_en: str, lang: str, expected: str
) -> None:
    name_fr = {"Brazil": "Brésil"}.get(name_en, name_en)
    assert place_name(kind, code, name_en, name_fr, lang) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "label"), [("es", "Detenciones"), ("pt", "Prisões")])
def test_the_metrics_command_lists_labels_in_each_language(lang: str, label: str) -> None:
    out = StringIO()
    call_command("metrics", "list", "--lang", lang, stdout=out)
    line = next(row for row in out.getvalue().splitlines() if row.startswith("arrests "))
    assert line.split()[-1] == label
