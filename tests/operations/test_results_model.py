"""Issue 13: any published operation entered and compared honestly (docs/bundle.md,
docs/metrics.md): figures as published, places at any level, counts, amendments."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.bundles.importer import amendments, import_bundle
from beacon.operations.bundles.plan import BundleRejected
from beacon.operations.models import Amendment, Operation, ReportedFigure
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.model import Report
from tests.operations.factories import CODE, LEAD, load_tiny

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "bundle.md"


def docs_example() -> dict[str, Any]:
    """The last JSON example of docs/bundle.md: the press-release-only operation."""
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    data: dict[str, Any] = json.loads(blocks[-1])
    return data


def entries(report: Report) -> dict[str, dict[str, Any]]:
    return {e.ref: e.as_dict() for e in report.figures}


def problems(caught: pytest.ExceptionInfo[BundleRejected]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in caught.value.problems:
        out.setdefault(p.path, []).append(p.reason)
    return out


def test_the_documented_press_release_example_reports_as_the_docs_say() -> None:
    import_bundle(system_actor(), docs_example())
    report = build_report(system_actor(), "EXAMPLE-2023")
    e = entries(report)
    assert e["ex-1"]["status"] == "superseded" and e["ex-1"]["superseded_by"] == "ex-2"
    assert e["ex-2"]["status"] == "publishers_differ"
    assert e["ex-3"]["status"] == "publishers_differ"
    assert [p["value"] for p in e["ex-2"]["publishers"]] == [179]
    assert e["ex-6"]["status"] == "agrees" and e["ex-6"]["computed"] == 12
    for ref in ("ex-4", "ex-5", "ex-7", "ex-8"):
        assert e[ref]["status"] == "not_compared" and e[ref]["computed"] is None
    assert report.disagreements == ()
    # Only what was recorded is computed: 12 arrests counted in one county are not the
    # operation's arrests; no victims were recorded at all.
    assert "arrests" not in report.computed
    assert "victims_identified" not in report.computed
    assert "victims_rescued" not in report.computed


def test_counts_cover_the_scope_they_state_and_no_larger_one() -> None:
    data = docs_example()
    data["reported_figures"] += [
        {"ref": "ex-mo", "operation": "EXAMPLE-2023", "metric": "arrests", "value": 12,
         "jurisdiction": "state:MO", "source_name": "U.S. Attorney"},
        {"ref": "ex-fo", "operation": "EXAMPLE-2023", "metric": "arrests", "value": 12,
         "jurisdiction": "field_office:KANSAS-CITY", "source_name": "FBI"},
        {"ref": "ex-buy", "operation": "EXAMPLE-2023", "metric": "arrests", "value": 3,
         "breakdown": {"role": "buyer_seeking_minor"}, "jurisdiction": "state:MO",
         "source_name": "U.S. Attorney"},
    ]  # fmt: skip
    import_bundle(system_actor(), data)
    e = entries(build_report(system_actor(), "EXAMPLE-2023"))
    # A county's count is not Missouri's, nor the field office's: not compared, not 0.
    for ref in ("ex-mo", "ex-fo", "ex-buy"):
        assert e[ref]["computed"] is None and e[ref]["status"] == "not_compared"
    assert e["ex-6"]["status"] == "agrees"


def test_person_level_records_roll_up_through_known_containment_only() -> None:
    load_tiny_bundle_with_figures(
        [
            {"ref": "F-US", "operation": CODE, "metric": "arrests", "value": 1,
             "jurisdiction": "country:US", "source_name": "Test"},
            {"ref": "F-D", "operation": CODE, "metric": "arrests", "value": 1,
             "jurisdiction": "district:NM", "source_name": "Test"},
            {"ref": "F-FO", "operation": CODE, "metric": "arrests", "value": 1,
             "jurisdiction": "field_office:ALBUQUERQUE", "source_name": "Test"},
            {"ref": "F-TX", "operation": CODE, "metric": "arrests", "value": 0,
             "jurisdiction": "state:TX", "source_name": "Test"},
            {"ref": "F-FO2", "operation": CODE, "metric": "arrests", "value": 1,
             "jurisdiction": "field_office:EL-PASO", "source_name": "Test"},
        ]
    )  # fmt: skip
    e = entries(build_report(system_actor(), CODE))
    for ref in ("F-US", "F-D", "F-FO", "F-TX"):
        assert e[ref]["status"] == "agrees", ref
    # El Paso's territory (part of Texas and New Mexico) is not known: not 0.
    assert e["F-FO2"]["computed"] is None


def test_a_sub_area_and_an_agency_figure_are_computed_from_person_level_records() -> None:
    bundle = load_tiny_bundle_with_figures(
        [
            {"ref": "F-NM", "operation": CODE, "metric": "arrests", "value": 1,
             "jurisdiction": "state:NM", "source_name": "Test"},
            {"ref": "F-AG", "operation": CODE, "metric": "arrests", "value": 1,
             "agency": LEAD, "source_name": "Test"},
            {"ref": "F-V", "operation": CODE, "metric": "victims_identified", "value": 9,
             "source_name": "Test"},
        ]
    )  # fmt: skip
    assert bundle
    e = entries(build_report(system_actor(), CODE))
    assert e["F-NM"]["computed"] == 1 and e["F-NM"]["status"] == "agrees"
    assert e["F-AG"]["computed"] == 1 and e["F-AG"]["status"] == "agrees"
    # No record type computes victims identified: not recorded, never a disagreement.
    assert e["F-V"]["computed"] is None and e["F-V"]["status"] == "not_compared"


def load_tiny_bundle_with_figures(figures: list[dict[str, Any]]) -> dict[str, Any]:
    from tests.operations.factories import tiny_bundle

    bundle = tiny_bundle()
    bundle["reported_figures"] = figures
    load_tiny(bundle)
    return bundle


def test_a_figure_that_disagrees_with_covering_records_is_still_shown() -> None:
    load_tiny_bundle_with_figures(
        [{"ref": "F-X", "operation": CODE, "metric": "arrests", "value": 40,
          "qualifier": "nearly", "source_name": "Test"}]
    )  # fmt: skip
    report = build_report(system_actor(), CODE)
    assert [d.ref for d in report.disagreements] == ["F-X"]


def test_re_importing_a_fixed_bundle_amends_with_history_and_audit() -> None:
    data = docs_example()
    import_bundle(system_actor(), data)
    fixed = copy.deepcopy(data)
    fixed["reported_figures"][2]["value"] = 178
    with pytest.raises(BundleRejected) as caught:
        import_bundle(system_actor(), fixed)
    assert "import with --amend" in problems(caught)["reported_figures[2]"][0]
    assert ReportedFigure.objects.get(ref="ex-3").value == 179
    report = import_bundle(system_actor(), fixed, amend=True, reason="DOJ corrected")
    assert {k: v for k, v in report.created.items() if v} == {"reported_figures amended": 1}
    assert ReportedFigure.objects.get(ref="ex-3").value == 178
    history = amendments(system_actor(), "EXAMPLE-2023")
    assert [(h["key"], h["before"]["value"], h["after"]["value"]) for h in history] == [
        ("ex-3", 179, "178.00")
    ]
    assert history[0]["reason"] == "DOJ corrected"
    assert AuditEvent.objects.filter(action="operations.amend", object_id="ex-3").exists()
    # Withdrawing a figure: gone from the report, kept in the history.
    fixed["reported_figures"][2]["withdrawn"] = True
    import_bundle(system_actor(), fixed, amend=True, reason="never published")
    assert "ex-3" not in entries(build_report(system_actor(), "EXAMPLE-2023"))
    assert Amendment.objects.filter(key="ex-3").count() == 2


def test_an_ambiguous_ori_prefix_is_refused_not_guessed() -> None:
    data = docs_example()
    data["agencies"].append({"ori": "CATORONT0", "name": "Toronto Police", "kind": "local"})
    with pytest.raises(BundleRejected) as caught:
        import_bundle(system_actor(), data)
    assert problems(caught)["agencies[3].country"] == [
        "ORI prefix CA is both a US state and a country: give country (US or CA)"
    ]
    data["agencies"][3]["country"] = "CA"
    import_bundle(system_actor(), data)
    assert Agency.objects.get(ori="CATORONT0").country == "CA"
    assert Agency.objects.get(ori="MOKPD0000").country == "US"  # its county says so
    sq = Agency.objects.get(name="Service de police de la Ville de Montréal")
    assert (sq.ori, sq.country, sq.key) == (
        "",
        "CA",
        "CA:Service de police de la Ville de Montréal",
    )


def test_local_metrics_are_declared_with_their_words_and_unknown_metrics_refused() -> None:
    data = docs_example()
    data["reported_figures"].append(
        {"ref": "ex-bad", "operation": "EXAMPLE-2023", "metric": "arrest",
         "value": 1, "source_name": "FBI"}
    )  # fmt: skip
    with pytest.raises(BundleRejected) as caught:
        import_bundle(system_actor(), data)
    assert "did you mean arrests" in problems(caught)["reported_figures[8].metric"][0]
    data["reported_figures"][-1]["metric"] = "local.hotel_staff_trained"
    data["metrics"] = [
        {"id": "local.hotel_staff_trained", "unit": "count", "family": "effort",
         "definition": "Hotel staff trained to recognise trafficking.",
         "en": {"label": "Hotel staff trained", "one": "hotel employee trained",
                "other": "hotel employees trained"},
         "fr": {"label": "Employés d'hôtel formés", "one": "employé d'hôtel formé",
                "other": "employés d'hôtel formés", "gender": "m"}}
    ]  # fmt: skip
    import_bundle(system_actor(), data)
    e = entries(build_report(system_actor(), "EXAMPLE-2023", lang="fr"))
    assert e["ex-bad"]["label"] == "Employés d'hôtel formés"


def test_partial_dates_places_and_agencies_without_ori_round_trip() -> None:
    data = docs_example()
    import_bundle(system_actor(), data)
    operation = Operation.objects.get(code="EXAMPLE-2023")
    assert (operation.start.isoformat(), operation.start_precision) == ("2023-06-01", "month")
    assert operation.end is not None and operation.end.isoformat() == "2023-07-31"
    exported = export_bundle(system_actor(), "EXAMPLE-2023")
    assert exported["operations"][0]["start"] == "2023-06"
    assert exported["operations"][0]["jurisdictions"] == ["subdivision:CA-QC", "district:MO-W"]
    refs = {p["ref"] for p in exported["places"]}
    assert {"group:WEST-AFRICA", "district:MO-W", "city:CA-QC:Montréal"} <= refs
    agencies = {a.get("ori") or a["name"] for a in exported["agencies"]}
    assert "Service de police de la Ville de Montréal" in agencies
    assert not any(import_bundle(system_actor(), exported).created.values())
    quebec = Jurisdiction.objects.get(kind="subdivision", code="CA-QC")
    assert quebec.parent is not None and quebec.parent.code == "CA"
    group = Jurisdiction.objects.get(kind="group", code="WEST-AFRICA")
    assert group.members.count() == 6


def test_series_totals_cover_every_metric_carry_qualifiers_and_skip_local_figures() -> None:
    data = {
        "format": "beacon.operation-bundle",
        "version": 2,
        "series": [{"code": "YEARLY", "name": "Yearly Sweep", "edition_naming": "year"}],
        "reported_figures": [
            {"ref": "y1", "series": "YEARLY", "edition": 2018, "metric": "arrests",
             "value": 1000, "qualifier": "almost", "source_name": "DOJ"},
            {"ref": "y2", "series": "YEARLY", "edition": 2019, "metric": "arrests",
             "value": 85, "source_name": "DOJ"},
            {"ref": "y3", "series": "YEARLY", "edition": 2019, "metric": "arrests",
             "value": 40, "agency": LEAD, "source_name": "DOJ"},
            {"ref": "y4", "series": "YEARLY", "edition": 2019, "metric": "officers_deployed",
             "value": 300, "source_name": "DOJ"},
        ],
        "operations": [
            {"code": "SWEEP-2020", "name": "Yearly Sweep 2020", "start": "2020",
             "series": "YEARLY", "edition": 2020}
        ],
    }  # fmt: skip
    load_tiny()  # the agency the agency figure names
    import_bundle(system_actor(), data)
    report = build_report(system_actor(), "SWEEP-2020")
    assert report.series is not None
    totals = report.series.totals
    assert totals["arrests"].value == 1085 and totals["arrests"].qualifier == "almost"
    assert totals["officers_deployed"].value == 300
    assert totals["officers_deployed"].qualifier == "at_least"  # 2018 gave none
    assert report.series.edition_naming == "year"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_published_figure_is_in_the_prose_with_qualifier_scope_and_source(
    lang: str,
) -> None:
    from beacon.operations.reports.render import render

    import_bundle(system_actor(), docs_example())
    text = render(build_report(system_actor(), "EXAMPLE-2023", lang=lang), "md", lang).decode()
    summary = text.split("\n## ")[0]
    nn = "\u202f"
    expected = {
        "en": [
            "169 arrests (FBI, July 10, 2023)",
            "Published (FBI, July 31, 2023): 177 arrests",
            "nearly 200 victims identified; of which 60% of victims identified (minors)",
            "Published (U.S. Department of Justice, August 2, 2023): 179 arrests",
            "12 arrests in Jackson County",
            "4 victims identified (minors) in Quebec",
            "Published (INTERPOL, 2023): more than 1,300 irregular migrants detected in West Africa",
            "ran from June to July 2023",
            "Counted by the operation: 12 arrests (Jackson County, Kansas City Police Department)",
        ],
        "fr": [
            "169 arrestations (FBI, 10 juillet 2023)",
            f"Publié (FBI, 31 juillet 2023){nn}: 177 arrestations",
            f"près de 200 victimes identifiées{nn}; dont 60{nn}% des victimes identifiées (mineurs)",
            f"Publié (U.S. Department of Justice, 2 août 2023){nn}: 179 arrestations",
            "12 arrestations (comté de Jackson)",
            "4 victimes identifiées (mineurs) (Québec)",
            f"plus de 1{nn}300 migrants en situation irrégulière détectés (Afrique de l'Ouest)",
            "s'est déroulée de juin à juillet 2023",
        ],
    }[lang]
    for phrase in expected:
        assert phrase in summary, phrase
    assert " :" not in summary and " ;" not in summary  # French spacing is narrow, no-break
    assert "Communiqué" in text and "quatre mineures" in text  # source document and note


def test_the_metrics_command_lists_shows_and_adds_local_metrics(tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("metrics", "list", "--family", "justice", "--lang", "fr", stdout=out)
    assert "persons_charged" in out.getvalue() and "Personnes inculpées" in out.getvalue()
    out = StringIO()
    call_command("metrics", "show", "victims_identified", stdout=out)
    assert json.loads(out.getvalue())["dimensions"] == ["age_group", "sex", "form", "nationality"]
    file = tmp_path / "local.toml"
    file.write_text(
        '[metrics.local.hotel_staff_trained]\nunit = "count"\ndefinition = "Hotel staff trained."\n'
        'en = { label = "Hotel staff trained", one = "employee trained", other = "employees trained" }\n'
        'fr = { label = "Employés formés", one = "employé formé", other = "employés formés", gender = "m" }\n',
        encoding="utf-8",
    )
    out = StringIO()
    call_command("metrics", "add", str(file), stdout=out)
    assert "created: local.hotel_staff_trained" in out.getvalue()
    file.write_text(file.read_text().replace('"Hotel staff trained."', '"Staff."'))
    with pytest.raises(CommandError) as caught:
        call_command("metrics", "add", str(file))
    assert caught.value.returncode == 2 and "--amend" in str(caught.value)
    call_command("metrics", "add", str(file), "--amend", "--reason", "shorter", stdout=StringIO())
    assert Amendment.objects.filter(section="metrics", key="local.hotel_staff_trained").exists()
    out = StringIO()
    call_command("metrics", "list", "--family", "local", stdout=out)
    assert "local.hotel_staff_trained" in out.getvalue()


def test_amend_replaces_a_field_event_but_never_a_target() -> None:
    from beacon.operations.models import Arrest
    from tests.operations.factories import tiny_bundle

    load_tiny()
    fixed = tiny_bundle()
    fixed["arrests"][0]["role"] = "buyer"
    import_bundle(system_actor(), fixed, amend=True, reason="role corrected")
    assert Arrest.objects.get(ref="A1").role == "buyer"
    assert Amendment.objects.get(section="arrests", key="A1").before["role"] == "trafficker"
    fixed["targets"][0]["investigator"] = "Someone Else"
    with pytest.raises(BundleRejected) as caught:
        import_bundle(system_actor(), fixed, amend=True)
    assert problems(caught)["targets[0]"] == [
        "targets are not amended by an import: change it in Beacon"
    ]
