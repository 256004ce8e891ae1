"""Bundles: round trip, idempotent re-import, and bad bundles refused whole."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.core.errors import Forbidden
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.bundles.importer import BundleRejected, import_bundle, parse_json
from beacon.operations.demo.seeds import SEED_CODES, SEEDS
from beacon.operations.models import Arrest, Operation, Outcome, Person, ReportedFigure, Target
from beacon.operations.reports.compute import build_report
from beacon.records.models import MissingPersonRecord
from tests.operations.factories import CODE, LEAD, load_tiny, tiny_bundle
from tests.personas import acting

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _problems(exc: pytest.ExceptionInfo[BundleRejected]) -> dict[str, list[str]]:
    return exc.value.fields


@pytest.mark.parametrize("seed", list(SEEDS))
def test_export_then_import_into_an_empty_database_gives_the_same_report(seed: str) -> None:
    code = SEED_CODES[seed]
    with pytest.raises(_Undo), transaction.atomic():
        import_bundle(system_actor(), SEEDS[seed]())
        # A bundle leaves the organisation: TLP 2.0 lets the system actor send only CLEAR
        # and GREEN records (the agencies' marking is lowered for the whole round trip).
        MissingPersonRecord.objects.update(tlp="GREEN")
        before = {lang: build_report(system_actor(), code, lang=lang) for lang in ("en", "fr")}
        exported = json.loads(json.dumps(export_bundle(system_actor(), code)))
        raise _Undo
    assert not Operation.objects.exists() and not MissingPersonRecord.objects.exists()
    import_bundle(system_actor(), exported)
    for lang in ("en", "fr"):
        assert build_report(system_actor(), code, lang=lang) == before[lang]
    # and the re-exported bundle is the same document
    again = json.loads(json.dumps(export_bundle(system_actor(), code)))
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in exported.items() if k != "exported_at"
    }


def test_reimporting_the_same_bundle_changes_nothing() -> None:
    first = load_tiny()
    counts = (Operation.objects.count(), Target.objects.count(), Arrest.objects.count())
    second = load_tiny()
    assert sum(first.created.values()) > 0
    assert sum(second.created.values()) == 0
    assert second.unchanged["operations"] == 1 and second.unchanged["arrests"] == 1
    assert (Operation.objects.count(), Target.objects.count(), Arrest.objects.count()) == counts


def test_reimporting_a_changed_row_is_refused_whole() -> None:
    load_tiny()
    bundle = tiny_bundle()
    bundle["arrests"][0]["role"] = "buyer"
    bundle["people"].append({"ref": "T-P9", "last_name": "Newperson"})
    with pytest.raises(BundleRejected) as caught:
        load_tiny(bundle)
    assert "already imported with different content" in _problems(caught)["arrests[0]"][0]
    assert Arrest.objects.get(ref="A1").role == "trafficker"
    assert not Person.objects.filter(ref="T-P9").exists()


def test_a_bad_bundle_is_refused_whole_with_every_problem() -> None:
    bundle = tiny_bundle()
    bundle["operations"][0]["start"] = "2021-13-01"
    bundle["operations"][0]["colour"] = "blue"
    bundle["targets"][0]["assigned_agency"] = "NM0000000"
    bundle["victims"][0]["age_group"] = "adult"
    bundle["arrests"][0]["nibrs"] = "99Z"
    bundle["arrests"][0]["at"] = "2021-05-10T20:00:00"
    bundle["referrals"][0]["victim"] = "V404"
    bundle["reported_figures"][0]["qualifier"] = "roughly"
    with pytest.raises(BundleRejected) as caught:
        load_tiny(bundle)
    problems = _problems(caught)
    assert problems["operations[0].start"] == ["must be a date: YYYY, YYYY-MM or YYYY-MM-DD"]
    assert problems["operations[0].colour"] == ["unknown field"]
    assert problems["targets[0].assigned_agency"] == ["unknown agency NM0000000"]
    assert "aged under 18" in problems["victims[0].age_group"][0]
    assert problems["arrests[0].nibrs"] == ["one of 64A, 64B, 40A, 40B, 40C"]
    assert "time zone" in problems["arrests[0].at"][0]
    assert problems["referrals[0].victim"] == ["unknown victim V404 in operation OP-TEST"]
    assert problems["reported_figures[0].qualifier"][0].startswith("one of exact")
    assert not Agency.objects.filter(ori=LEAD).exists()
    assert not Operation.objects.exists()


def test_a_record_the_registry_refuses_rolls_back_the_whole_import() -> None:
    bundle = tiny_bundle()
    bundle["records"][1]["dob"] = "2030-01-01"
    with pytest.raises(BundleRejected) as caught:
        load_tiny(bundle)
    assert any(path.startswith("records[1]") for path in _problems(caught))
    assert not Operation.objects.exists()
    assert not MissingPersonRecord.objects.exists()
    assert not Agency.objects.filter(ori=LEAD).exists()


def test_an_outcome_the_registry_refuses_rolls_back_the_whole_import() -> None:
    bundle = tiny_bundle()
    bundle["outcomes"] = [
        {
            "operation": CODE,
            "target": "T1",
            "kind": "located",
            "how": "welfare_check",
            "at": "2021-03-01T10:00:00Z",
            "agency": LEAD,
        },  # before the date of last contact
    ]
    with pytest.raises(BundleRejected) as caught:
        load_tiny(bundle)
    assert list(_problems(caught)) == ["outcomes[0].located_at"]
    assert not Outcome.objects.exists() and not Operation.objects.exists()


def test_json_syntax_errors_name_the_line_and_column() -> None:
    with pytest.raises(BundleRejected) as caught:
        parse_json('{\n  "format": "beacon.operation-bundle",\n  "version": 1,,\n}')
    assert list(_problems(caught)) == ["line 3 column 16"]


@pytest.mark.parametrize("document", [[], "text", {"format": "zip", "version": 2}])
def test_a_document_that_is_not_a_bundle_is_refused(document: Any) -> None:
    with pytest.raises(BundleRejected):
        import_bundle(system_actor(), document)


def test_importing_and_exporting_need_their_permissions() -> None:
    load_tiny()
    investigator = acting(LEAD, "investigator")
    with pytest.raises(Forbidden):
        import_bundle(investigator, tiny_bundle())
    with pytest.raises(Forbidden):
        export_bundle(investigator, CODE)


def test_cli_import_reports_each_problem_and_exits_2(tmp_path: Path) -> None:
    bundle = tiny_bundle()
    bundle["operations"][0]["status"] = "finished"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("bundle", "import", str(path))
    assert caught.value.returncode == 2
    assert "operations[0].status: one of planned, active, closed" in str(caught.value)
    assert not Operation.objects.exists()


def test_cli_export_then_import(tmp_path: Path) -> None:
    load_tiny()
    path = tmp_path / "op.json"
    call_command("bundle", "export", CODE, "--output", str(path), stderr=StringIO())
    exported = parse_json(path.read_text(encoding="utf-8"))
    assert [o["code"] for o in exported["operations"]] == [CODE]
    assert {f["ref"] for f in exported["reported_figures"]} == {"F1"}
    out = StringIO()
    call_command("bundle", "import", str(path), stdout=out)
    assert "Imported OP-TEST" in out.getvalue() and "created: nothing" in out.getvalue()
    assert ReportedFigure.objects.count() == 1


def test_cli_import_of_a_missing_file_exits_2() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("bundle", "import", "/nonexistent/bundle.json")
    assert caught.value.returncode == 2


def test_values_too_long_or_too_large_for_their_column_are_refused() -> None:
    bundle = tiny_bundle()
    bundle["seizures"] = [
        {
            "ref": "S1",
            "operation": CODE,
            "agency": LEAD,
            "jurisdiction": "county:35013",
            "at": "2021-05-10T20:00:00Z",
            "cash_amount": 5,
            "currency": "DOLLARS",
        },
    ]
    bundle["arrests"][0]["warrants_served"] = 40000
    bundle["reported_figures"][0]["value"] = 10**15
    bundle["people"][0]["last_name"] = "X" * 61
    with pytest.raises(BundleRejected) as caught:
        load_tiny(bundle)
    problems = _problems(caught)
    assert problems["seizures[0].currency"] == ["at most 3 characters"]
    assert problems["arrests[0].warrants_served"] == ["must be at most 32767"]
    assert problems["reported_figures[0].value"][0].startswith("must be a number from 0")
    assert problems["people[0].last_name"] == ["at most 60 characters"]


def test_a_figures_only_bundle_adds_to_an_existing_operation() -> None:
    load_tiny()
    report = load_tiny(
        {
            "format": "beacon.operation-bundle",
            "version": 1,
            "reported_figures": [
                {
                    "ref": "F2",
                    "operation": CODE,
                    "metric": "victims_rescued",
                    "value": 1,
                    "scope": "operation",
                    "source_name": "Second release",
                }
            ],
        }
    )
    assert report.created["reported_figures"] == 1
    assert "operations" not in report.created and report.operations == []
    assert ReportedFigure.objects.filter(operation__code=CODE).count() == 2
