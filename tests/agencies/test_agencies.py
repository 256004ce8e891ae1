from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from beacon.agencies import services
from beacon.agencies.models import Agency, Jurisdiction, validate_ori


@pytest.mark.parametrize("ori", ["NM0070100", "MOMHP0000", "BR0000001", "ZZBEACON0"])
def test_valid_oris_are_accepted(ori: str) -> None:
    validate_ori(ori)


@pytest.mark.parametrize(
    ("ori", "code"),
    [
        ("NM00701", "ori_format"),
        ("nm0070100", "ori_format"),
        ("QQ0070100", "ori_prefix"),
        ("NM00-0100", "ori_format"),
    ],
)
def test_invalid_oris_are_refused_with_a_reason(ori: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_ori(ori)
    assert excinfo.value.error_list[0].code == code


@pytest.mark.django_db
def test_migrations_load_countries_states_and_counties_with_french_names() -> None:
    assert Jurisdiction.objects.filter(kind="country").count() == 249
    assert Jurisdiction.objects.filter(kind="state").count() >= 51
    nm = services.state("NM")
    assert (nm.code, nm.name_en, nm.name_fr) == ("35", "New Mexico", "Nouveau-Mexique")
    dona_ana = Jurisdiction.objects.get(kind="county", code="35013")
    assert dona_ana.parent == nm
    assert dona_ana.name_fr == "comté de Doña Ana"
    assert services.country("MX").name_fr == "Mexique"
    assert services.country("ARG").name_en == "Argentina"


@pytest.mark.django_db
def test_loading_jurisdictions_again_adds_nothing() -> None:
    before = Jurisdiction.objects.count()
    assert services.load_jurisdictions() == 0
    assert Jurisdiction.objects.count() == before


@pytest.mark.django_db
def test_an_office_sits_under_its_parent_agency() -> None:
    hsi = Agency.objects.create(
        ori="DCICE0000", name="Homeland Security Investigations", kind="federal"
    )
    office = Agency.objects.create(
        ori="NMICE0100", name="HSI Las Cruces", kind="federal", parent=hsi
    )
    assert list(hsi.offices.all()) == [office]
