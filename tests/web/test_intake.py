"""The intake review queue page: least certain cluster first, accept and split decisions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, override_settings

from beacon.access.services import actor_of_user
from beacon.intake import services
from beacon.intake.models import Cluster, Decision, Intake
from tests.intake.conftest import background, us_date, write_csv

ClientAs = Callable[[str], Client]


@pytest.fixture(scope="module")
def linked(demo: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[int]:
    """Two lists from HSI Las Cruces (the analyst's agency) with people on both, linked once
    for the module, in a savepoint inside the demo's transaction that is rolled back when
    the module ends (the demo is shared by the package's modules)."""
    tmp_path = tmp_path_factory.mktemp("intake")
    with (
        django_db_blocker.unblock(),
        override_settings(DATA_DIR=tmp_path / "data"),
        transaction.atomic(),
    ):
        yield _linked_intake(tmp_path)
        transaction.set_rollback(True)


@pytest.fixture
def intake(linked: int, demo_db: None) -> Intake:
    return Intake.objects.get(pk=linked)


def _linked_intake(tmp_path: Path) -> int:
    people = background(7, 40)
    ncic = [[f, la, dob, s, t, f"M{200000 + i:09d}"] for i, (f, la, dob, s, t) in enumerate(people)]
    agency = [
        [la, f, us_date(dob), s, t, f"HSI-{i:05d}"]
        for i, (f, la, dob, s, t) in enumerate(people[:25])
    ]
    agency += [
        [la, f, us_date(dob), s, t, f"HSI-9{i:04d}"]
        for i, (f, la, dob, s, t) in enumerate(background(8, 20))
    ]
    actor = actor_of_user(User.objects.get(username="analyst"), via="web")
    created = services.create_intake(actor, "Rescue Me target lists")
    services.import_list(
        actor,
        created,
        write_csv(
            tmp_path / "ncic.csv", ["First Name", "Last Name", "DOB", "Sex", "City", "NIC"], ncic
        ),
        source="NCIC",
    )
    services.import_list(
        actor,
        created,
        write_csv(
            tmp_path / "agency.csv",
            ["surname", "given name", "birth date", "gender", "town", "case number"],
            agency,
        ),
        source="HSI",
    )
    services.link(actor, created)
    return int(created.pk)


def test_queue_shows_the_least_certain_cluster_with_its_reasons(
    client_as: ClientAs, intake: Intake
) -> None:
    page = client_as("analyst").get(f"/intake/{intake.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Proposed person 1 of" in html
    assert "Match probability" in html
    assert 'data-key="a"' in html and 'data-key="s"' in html


def test_accept_and_split_are_saved_as_decisions(client_as: ClientAs, intake: Intake) -> None:
    analyst = client_as("analyst")
    proposed = Cluster.objects.filter(run__intake=intake, status="proposed").order_by(
        "probability", "number"
    )
    first = proposed[0]
    response = analyst.post(
        f"/intake/{intake.pk}/clusters/{first.pk}/decide/", {"action": "accept", "i": "0"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "accepted"
    second = Cluster.objects.filter(run__intake=intake, status="proposed").first()
    assert second is not None
    analyst.post(
        f"/intake/{intake.pk}/clusters/{second.pk}/decide/",
        {"action": "split", "member": second.keys, "i": "0"},
    )
    second.refresh_from_db()
    assert second.status == "split"
    assert Decision.objects.filter(cluster__run__intake=intake).count() >= 2


def test_other_agencies_cannot_open_the_queue(client_as: ClientAs, intake: Intake) -> None:
    assert client_as("coordinator").get(f"/intake/{intake.pk}/").status_code == 404
    assert client_as("pio").get(f"/intake/{intake.pk}/").status_code == 403
