"""Incremental linking: a new list linked against the latest run's cache gives the new
rows the clusters a full relink gives them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.intake import services
from beacon.intake.models import Cluster, LinkRun
from beacon.records.inputs import RecordInput
from beacon.records.services import enter_record

from .conftest import NCMEC_MAPPING


def _groups(run: LinkRun) -> set[frozenset[str]]:
    return {frozenset(c.keys) for c in Cluster.objects.filter(run=run)}


def test_new_list_gets_the_clusters_of_a_full_relink(
    system: Actor, lists_dir: dict[str, Path]
) -> None:
    intake = services.create_intake(system, "Incremental")
    services.import_list(system, intake, lists_dir["ncic"], source="NCIC")
    services.import_list(system, intake, lists_dir["agency"], source="LCPD")
    first = services.link(system, intake)
    assert first.cache["link"] and first.base is None
    with pytest.raises(ValidationFailed):  # nothing new to link yet
        services.link_new(system, intake)
    ncmec = services.import_list(
        system, intake, lists_dir["ncmec"], source="NCMEC", mapping=NCMEC_MAPPING
    )

    incremental = services.link_new(system, intake)
    assert incremental.base == first
    assert incremental.list_ids == [*first.list_ids, ncmec.pk]
    assert incremental.records == first.records + 44
    full = services.link(system, intake)
    assert full.model_id == incremental.model_id

    def with_new(groups: set[frozenset[str]]) -> set[frozenset[str]]:
        return {g for g in groups if any(k.startswith(f"{ncmec.pk}:") for k in g)}

    new_groups = with_new(_groups(incremental))
    # the NCMEC duplicates of Maria (with the agency's day/month swap), Ashley and Jose
    assert len(new_groups) == 3
    assert new_groups == with_new(_groups(full))
    # and every cluster, old ones included, is the full relink's
    assert _groups(incremental) == _groups(full)
    # each scored pair of a changed cluster is kept with its explanation
    changed = [c for c in Cluster.objects.filter(run=incremental) if set(c.keys) in new_groups]
    assert all(len(c.pairs) >= len(c.keys) - 1 for c in changed)

    # a second incremental run on top of the first: the new list's rows are cached too
    services.import_list(system, intake, lists_dir["ncmec"], source="NCMEC2", mapping=NCMEC_MAPPING)
    again = services.link_new(system, intake)
    assert again.base == full
    assert len(again.cache["link"]) == 1 + len(full.cache["link"])
    repeated = [
        g for g in _groups(again) if len(g) > len(g & {k for x in _groups(full) for k in x})
    ]
    assert repeated  # the repeated NCMEC rows joined their earlier twins

    # a third on top of the second (an incremental base): the cluster numbers are read
    # from the base's files, a later file's number standing over an earlier one's
    assert len(again.cache["clusters"]) == 2
    services.import_list(system, intake, lists_dir["agency"], source="LCPD2")
    third = services.link_new(system, intake)
    assert third.base == again and len(third.cache["clusters"]) == 3
    numbers = {c.number: set(c.keys) for c in Cluster.objects.filter(run=again)}
    for cluster in Cluster.objects.filter(run=third):
        if cluster.number in numbers:  # a base cluster keeps its number and members
            assert numbers[cluster.number] <= set(cluster.keys)
    assert _groups(third) == _groups(services.link(system, intake))


def test_cli_link_new(system: Actor, lists_dir: dict[str, Path]) -> None:
    out = StringIO()
    call_command("intake", "import", "Inc", str(lists_dir["ncic"]), "--source", "NCIC", stdout=out)
    with pytest.raises(CommandError) as first:
        call_command("intake", "link", "Inc", "--new", stdout=out)
    assert first.value.returncode == 2
    assert "link the intake in full once" in str(first.value)
    call_command("intake", "link", "Inc", stdout=out)
    call_command(
        "intake", "import", "Inc", str(lists_dir["agency"]), "--source", "LCPD", stdout=out
    )
    with pytest.raises(CommandError) as mixed:
        call_command("intake", "link", "Inc", "--new", "--retrain", stdout=out)
    assert mixed.value.returncode == 2
    linked = StringIO()
    call_command("intake", "link", "Inc", "--new", stdout=linked)
    assert "54 new records" not in linked.getvalue()  # the summary counts the whole intake
    assert "117 records" in linked.getvalue()


def test_incremental_run_with_registry_records_over_the_api(
    agency_a: Agency,
    supervisor_a: Actor,
    lists_dir: dict[str, Path],
    api_client_as: Callable[[str, Agency], Client],
) -> None:
    registered = enter_record(
        supervisor_a,
        RecordInput(
            category="EMJ",
            last_name="Garcia",
            first_name="Maria",
            sex="F",
            dob=dt.date(2010, 3, 4),
            dlc=dt.date(2021, 4, 20),
            oca="LC-21-0042",
            place_last_seen="Las Cruces",
        ),
    )
    intake = services.create_intake(supervisor_a, "Rescue Me")
    services.import_list(supervisor_a, intake, lists_dir["ncic"], source="NCIC")
    services.import_list(supervisor_a, intake, lists_dir["agency"], source="LCPD")
    first = services.link(supervisor_a, intake)
    ncmec = services.import_list(
        supervisor_a, intake, lists_dir["ncmec"], source="NCMEC", mapping=NCMEC_MAPPING
    )
    incremental = services.link_new(supervisor_a, intake)
    assert incremental.registry_records == 1
    shown = api_client_as("analyst", agency_a).get(f"/api/intake/intakes/{intake.pk}").json()
    assert shown["latest_run"]["id"] == incremental.pk
    assert shown["latest_run"]["base_run"] == first.pk
    assert shown["latest_run"]["clusters"] == incremental.clusters == 4
    full = services.link(supervisor_a, intake)
    assert _groups(incremental) == _groups(full)
    maria = next(g for g in _groups(incremental) if f"NIC:{registered.nic}" in g)
    assert any(key.startswith(f"{ncmec.pk}:") for key in maria)  # "Maria Garsia"


def test_link_new_refuses_a_base_run_of_an_older_model(
    system: Actor, lists_dir: dict[str, Path]
) -> None:
    intake = services.create_intake(system, "Older model")
    services.import_list(system, intake, lists_dir["ncic"], source="NCIC")
    first = services.link(system, intake)
    first.model.spec_version -= 1  # a model of the levels before this version
    first.model.save(update_fields=["spec_version"])
    services.import_list(system, intake, lists_dir["agency"], source="LCPD")
    with pytest.raises(ValidationFailed) as refused:
        services.link_new(system, intake)
    assert "link in full once" in str(refused.value)
    # a full run trains a model of this version; --new then works on top of it
    full = services.link(system, intake)
    assert full.model_id != first.model_id
    services.import_list(system, intake, lists_dir["ncmec"], source="NCMEC", mapping=NCMEC_MAPPING)
    assert services.link_new(system, intake).base == full
