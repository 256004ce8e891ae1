"""The name-variant table ships as data and is loaded by a migration."""

from __future__ import annotations

import pytest

from beacon.records import variants
from beacon.records.models import NameVariant
from beacon.records.normalize import fold, surname_forms


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("BILL", "WILLIAM"),
        ("KATE", "KATHERINE"),
        ("CHUY", "JESUS"),
        ("LUPITA", "GUADALUPE"),
        ("PACO", "FRANCISCO"),
        ("WILLIAM", "WILLIAM"),
    ],
)
def test_variant_maps_to_its_canonical_name(name: str, canonical: str) -> None:
    assert NameVariant.objects.filter(variant=name, canonical=canonical).exists()
    assert canonical in variants.canonicals(name)


@pytest.mark.django_db
def test_a_form_of_several_names_maps_to_each() -> None:
    assert {"CHRISTOPHER", "CHRISTINA", "CHRISTINE"} <= variants.canonicals("CHRIS")


@pytest.mark.django_db
def test_the_table_holds_every_line_of_the_data_file() -> None:
    assert NameVariant.objects.count() == len(set(variants.read_data_file()))


def test_folding_and_compound_surnames() -> None:
    assert fold("José-María  O'Neil") == "JOSE MARIA ONEIL"
    assert surname_forms("Garcia Lopez") == ["GARCIALOPEZ", "GARCIA", "LOPEZ"]
    assert surname_forms("de la Cruz") == ["DELACRUZ", "CRUZ"]


@pytest.mark.django_db
def test_admin_lists_the_variant_table(admin_client: object) -> None:
    response = admin_client.get("/admin/records/namevariant/?q=LUPITA")  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert b"GUADALUPE" in response.content
