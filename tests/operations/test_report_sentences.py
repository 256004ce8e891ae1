"""Every sentence of the report's summary with missing values, one and many (issue 17:
"aged 15 to - (mean age -)", "1 of them were given", "Period: May 1, 2021 -").

The reports are typed objects built here field by field: the sentences are a function of
the report alone, so no database row is needed to say what each one must read.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from beacon.operations.nibrs import NibrsSummary
from beacon.operations.reports.labels import elided, place
from beacon.operations.reports.model import Period, PlaceTotals, Report, Totals
from beacon.operations.reports.sentences import SENTENCES, say
from beacon.operations.reports.status import period
from beacon.operations.reports.text import summary

LANGS = ("en", "fr")
BROKEN = (" - ", "-)", "( ", " .", "None", " ,", ",,", "..", "  ", "{", "}", " -.")


def make(**totals: Any) -> Report:
    fields = {k: v for k, v in totals.items() if k in {f.name for f in dataclasses.fields(Totals)}}
    rest = {k: v for k, v in totals.items() if k not in fields}
    base: dict[str, Any] = {
        "operation": "Operation Test",
        "code": "TEST",
        "language": "en",
        "description": "",
        "status": "closed",
        "period": Period("2021-05-01", "2021-05-31"),
        "announced": None,
        "focus": (),
        "agencies": ("Test Police Department",),
        "lead_agencies": ("Test Police Department",),
        "participants": (),
        "jurisdictions": ("Missouri",),
        "totals": Totals(**fields),
        "countries": 1,
        "participating_agencies": 1,
        "by_jurisdiction": (),
        "by_agency": (),
        "hub": None,
        "sub_operations": (),
        "computed": {},
        "local_metrics": {},
        "by_place": (),
        "counts": (),
        "period_as_published": Period("2021-05-01", "2021-05-31"),
        "series": None,
        "figures": (),
        "nibrs": NibrsSummary("TEST"),
    }
    return Report(**(base | rest))


def text(report: Report, lang: str) -> str:
    return " ".join(summary(report, lang))


def sound(sentence: str) -> None:
    for bad in BROKEN:
        assert bad not in sentence, (bad, sentence)


@pytest.mark.parametrize("lang", LANGS)
def test_victim_ages_missing_one_or_many_never_print_a_dash(lang: str) -> None:
    one = text(make(victims_rescued=1, victim_age_min=15, victim_age_max=15), lang)
    young = text(make(victims_rescued=4, victim_age_min=15), lang)
    old = text(make(victims_rescued=4, victim_age_max=17), lang)
    none = text(make(victims_rescued=4), lang)
    many = text(
        make(victims_rescued=4, victim_age_min=15, victim_age_max=17, victim_age_mean=16), lang
    )
    for sentence in (one, young, old, none, many):
        sound(sentence)
    if lang == "en":
        assert "1 victim rescued, aged 15." in one and "mean" not in one
        assert "the youngest aged 15" in young and "the oldest aged 17" in old
        assert "aged" not in none
        assert "4 victims rescued, aged 15 to 17 (mean age 16)." in many
    else:
        assert "1 victime secourue, âgée de 15 ans." in one and "moyen" not in one
        assert "la plus jeune âgée de 15 ans" in young and "la plus âgée ayant 17 ans" in old
        assert "âgée" not in none
        assert "4 victimes secourues, âgées de 15 à 17 ans (âge moyen 16 ans)." in many


@pytest.mark.parametrize("lang", LANGS)
def test_medical_services_agree_with_their_number(lang: str) -> None:
    one = text(make(victims_rescued=3, medical_services=1), lang)
    many = text(make(victims_rescued=3, medical_services=2), lang)
    if lang == "en":
        assert "1 of them was given medical services" in one
        assert "2 of them were given medical services" in many
    else:
        assert "1 d'entre elles a reçu des services médicaux" in one
        assert "2 d'entre elles ont reçu des services médicaux" in many


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("n", [1, 2])
def test_target_list_sentence_one_and_many(lang: str, n: int) -> None:
    report = make(
        targets=n * 3, recovered=n, located=n, outstanding=n, target_age_min=12,
        target_age_max=17, located_abroad=n, located_abroad_by_country={"Mexico": n},
        screenings=n,
    )  # fmt: skip
    said = text(report, lang)
    sound(said)
    expected = {
        ("en", 1): [
            "Of 3 missing minors on the target list (aged 12 to 17), 1 was recovered, 1 was "
            "located and 1 remains outstanding (2 recovered or located).",
            "1 located abroad (Mexico).",
            "1 of those recovered or located was offered a screening",
        ],
        ("en", 2): [
            "2 were recovered, 2 were located and 2 remain outstanding (4 recovered or located)",
            "2 of those recovered or located were offered",
        ],
        ("fr", 1): [
            "Sur une liste de 3 mineurs disparus (âgés de 12 à 17 ans), 1 a été mis en sécurité, 1 a "
            "été localisé et 1 est toujours recherché (2 mis en sécurité ou localisés).",
            "1 localisé à l'étranger (Mexico).",
            "1 personne mise en sécurité ou localisée s'est vu proposer",
        ],
        ("fr", 2): [
            "2 ont été mis en sécurité, 2 ont été localisés et 2 sont toujours recherchés",
            "2 personnes mises en sécurité ou localisées se sont vu proposer",
        ],
    }[(lang, n)]
    for part in expected:
        assert part in said


@pytest.mark.parametrize("lang", LANGS)
def test_target_list_of_one_person_without_ages(lang: str) -> None:
    said = text(make(targets=1, outstanding=1), lang)
    sound(said)
    assert (
        "Of 1 missing person on the target list, 0 were recovered, 0 were located and 1 "
        "remains outstanding (0 recovered or located)."
        if lang == "en"
        else "Sur une liste de 1 personne disparue, 0 a été mis en sécurité, 0 a été localisé et 1 "
        "est toujours recherché (0 mis en sécurité ou localisé)."
    ) in said


@pytest.mark.parametrize("lang", LANGS)
def test_field_sentences_without_their_breakdowns(lang: str) -> None:
    report = make(
        arrests=1, warrants_served=1, investigations_opened=2, cash_seized=500,
        files_seized=1, referrals=1, search_warrants=1, raids=1,
    )  # fmt: skip
    said = text(report, lang)
    sound(said)
    assert ": ." not in said and " : ." not in said
    if lang == "en":
        for part in (
            "1 arrest; 1 outstanding arrest warrant served.",
            "1 search warrant.",
            "1 raid.",
            "Cash seized: 500.",
            "1 file seized.",
            "2 investigations opened.",
            "1 referral.",
        ):
            assert part in said
    else:
        for part in (
            "1 arrestation ; 1 mandat d'arrêt en attente exécuté.",
            "1 mandat de perquisition.",
            "1 descente.",
            "Argent saisi : 500.",
            "1 fichier saisi.",
            "2 enquêtes ouvertes.",
            "1 orientation.",
        ):
            assert part.replace(" ;", "\u202f;").replace(" :", "\u202f:") in said


@pytest.mark.parametrize("lang", LANGS)
def test_opening_without_agencies_or_dates_invents_none(lang: str) -> None:
    bare = make(
        agencies=(), lead_agencies=(), participating_agencies=0, jurisdictions=(),
        period=Period(), period_as_published=Period(),
    )  # fmt: skip
    said = summary(bare, lang)[0]
    sound(said)
    assert said == ("Operation Test." if lang == "en" else "L'opération Test.")
    started = make(period=Period("2021-05-01", None), period_as_published=Period("2021-05-01"))
    said = summary(started, lang)[0]
    sound(said)
    assert (
        "began on May 1, 2021 in Missouri." if lang == "en" else "a débuté le 1er mai 2021"
    ) in said
    assert period(started, lang) == (
        "since May 1, 2021" if lang == "en" else "depuis le 1er mai 2021"
    )
    assert period(bare, lang) == ("not stated" if lang == "en" else "non précisée")
    ended = make(period=Period(None, "2021-05-31"), period_as_published=Period(None, "2021-05-31"))
    said = summary(ended, lang)[0]
    sound(said)
    assert ("ended until" not in said) and ("May 31, 2021" in said or "31 mai 2021" in said)


@pytest.mark.parametrize("lang", LANGS)
def test_partner_agencies_and_hub_one_and_many(lang: str) -> None:
    one = summary(make(participating_agencies=2), lang)[0]
    many = summary(make(participating_agencies=3), lang)[0]
    if lang == "en":
        assert "with 1 partner agency," in one and "with 2 partner agencies," in many
    else:
        assert "avec 1 agence partenaire," in one and "avec 2 agences partenaires," in many


def test_french_elides_de_before_a_vowel_in_place_names() -> None:
    assert place("Orange County", "comté de Orange", "fr") == "comté d'Orange"
    assert place("Harris County", "comté de Harris", "fr") == "comté de Harris"  # no h elision
    assert place("Orange County", "comté de Orange", "en") == "Orange County"
    assert elided("comté de Essex et comté de Union") == "comté d'Essex et comté d'Union"
    report = make(
        victims_rescued=3, arrests=2,
        by_jurisdiction=(
            PlaceTotals(place("", "comté de Orange", "fr"), "county:06059",
                        Totals(victims_rescued=1, arrests=1)),
            PlaceTotals(place("", "comté de Kern", "fr"), "county:06029",
                        Totals(victims_rescued=2, arrests=1)),
        ),
    )  # fmt: skip
    said = text(report, "fr")
    assert "comté d'Orange\u202f: 1 victime secourue, 1 arrestation" in said
    assert "de Orange" not in said


@pytest.mark.parametrize("key", sorted(SENTENCES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_template_fills_for_none_one_and_many(key: str, lang: str) -> None:
    words = {"who": "x", "ages": "", "countries": "y", "a": "1", "b": "2", "m": "3"}
    for n in (0, 1, 2, 1000):
        said = say(key, lang, n, **words)
        assert "{" not in said and "None" not in said
    assert lang in SENTENCES[key]
