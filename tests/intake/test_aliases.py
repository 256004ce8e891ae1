"""Registry records link through their alias names and alias dates of birth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.intake import services
from beacon.intake.explain import sentence
from beacon.intake.fields import ColumnMapping
from beacon.intake.linking import alias_rows
from beacon.intake.models import Intake, SourceList
from beacon.intake.schemas import ClusterOut
from beacon.records.inputs import NameInput, RecordInput
from beacon.records.services import enter_record

from .conftest import write_csv


def registered(agency: Agency, **changes: object) -> RecordInput:
    base = {
        "category": "EMJ",
        "last_name": "Begay",
        "first_name": "Tallulah",
        "sex": "F",
        "dob": dt.date(2009, 2, 14),
        "dlc": dt.date(2021, 4, 20),
        "oca": "GA-21-0007",
        "place_last_seen": "Gallup",
        "aliases": (NameInput("Yazzie", "Winona", kind="alias"),),
        "alias_dobs": (dt.date(2010, 8, 23),),
    }
    base.update(changes)
    return RecordInput(**base)  # type: ignore[arg-type]


def test_list_rows_match_a_registry_record_through_its_aliases(
    system: Actor,
    agency_a: Agency,
    supervisor_a: Actor,
    three_lists: tuple[Intake, dict[str, SourceList]],
    tmp_path: Path,
) -> None:
    intake, _ = three_lists
    record = enter_record(supervisor_a, registered(agency_a))
    # Only the alias name with the alias DOB; and the alias name with the primary DOB.
    shelter = write_csv(
        tmp_path / "shelter.csv",
        ["first", "last", "dob", "sex", "city"],
        [
            ["Winona", "Yazzie", "2010-08-23", "F", "Gallup"],
            ["Winona", "Yazzie", "2009-02-14", "F", "Gallup"],
            ["Doli", "Tsosie", "2012-01-09", "F", "Shiprock"],
        ],
    )
    listed = services.import_list(
        system,
        intake,
        shelter,
        source="Shelter",
        mapping=ColumnMapping(
            columns={
                "first_name": ["first"],
                "last_name": ["last"],
                "dob": ["dob"],
                "sex": ["sex"],
                "place": ["city"],
            },
            dob_format="iso",
        ),
    )
    run = services.link(system, intake)

    registry_key = f"NIC:{record.nic}"
    assert run.registry_records == 1
    assert run.records == sum(x.rows for x in intake.lists.all()) + 1  # alias rows not counted
    clusters = [c for c in run.cluster_set.all() if registry_key in c.keys]
    assert len(clusters) == 1
    (cluster,) = clusters
    assert set(cluster.keys) == {registry_key, f"{listed.pk}:2", f"{listed.pk}:3"}
    assert all("#" not in key for c in run.cluster_set.all() for key in c.keys)
    registry_member = next(m for m in cluster.members if m["key"] == registry_key)
    assert registry_member["last_name"] == "Begay"  # the record as it is, not an alias row
    via_alias = [p for p in cluster.pairs if registry_key in (p["l"], p["r"])]
    assert via_alias and all(p.get("alias") for p in via_alias)
    assert "registry record's alias" in sentence(via_alias[0], run.levels)
    shown = ClusterOut.of(cluster).pairs
    assert {p.via_alias for p in shown if registry_key in (p.left, p.right)} == {True}
    assert all(f"{listed.pk}:4" not in c.keys for c in run.cluster_set.all())


def test_without_aliases_the_same_rows_do_not_match(
    system: Actor,
    agency_a: Agency,
    supervisor_a: Actor,
    three_lists: tuple[Intake, dict[str, SourceList]],
    tmp_path: Path,
) -> None:
    intake, _ = three_lists
    record = enter_record(supervisor_a, registered(agency_a, aliases=(), alias_dobs=()))
    shelter = write_csv(
        tmp_path / "shelter.csv",
        ["first", "last", "dob", "sex", "city"],
        [["Winona", "Yazzie", "2010-08-23", "F", "Gallup"]],
    )
    services.import_list(
        system,
        intake,
        shelter,
        source="Shelter",
        mapping=ColumnMapping(
            columns={
                "first_name": ["first"],
                "last_name": ["last"],
                "dob": ["dob"],
                "sex": ["sex"],
                "place": ["city"],
            },
            dob_format="iso",
        ),
    )
    run = services.link(system, intake)
    assert all(f"NIC:{record.nic}" not in c.keys for c in run.cluster_set.all())


def test_alias_rows_cover_every_other_name_and_dob_combination() -> None:
    record = {
        "source_id": "M1",
        "first_name": "Tallulah",
        "middle_name": None,
        "last_name": "Begay",
        "dob": dt.date(2009, 2, 14),
        "nic": "M000000001",
    }
    rows = alias_rows(
        record, [("Winona", None, "Yazzie"), ("Tallulah", None, "Begay")], [dt.date(2010, 8, 23)]
    )
    combos = {(r["first_name"], r["last_name"], r["dob"]) for r in rows}
    assert combos == {
        ("Tallulah", "Begay", dt.date(2010, 8, 23)),
        ("Winona", "Yazzie", dt.date(2009, 2, 14)),
        ("Winona", "Yazzie", dt.date(2010, 8, 23)),
    }
    assert [r["alias"] for r in rows] == [1, 2, 3]
    assert all(r["nic"] == "M000000001" for r in rows)
