from __future__ import annotations

import base64
import os

import pytest
from django.core.management import call_command
from django.test import override_settings

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden
from beacon.vault import services
from beacon.vault.models import AgencyKey
from beacon.vault.services import Unreadable, seal, unseal

T = "operations_victim"
NOTE = "Met at the shelter on 5th St; prefers to be called Bea."


def test_sealed_text_reads_back_and_hides_the_plaintext(agency_a: Agency) -> None:
    sealed = seal(agency_a, T, 7, "notes", NOTE)
    assert sealed.startswith("bv1:") and "shelter" not in sealed
    assert unseal(agency_a, T, 7, "notes", sealed) == NOTE
    assert seal(agency_a, T, 7, "notes", NOTE) != sealed  # a fresh nonce every time
    assert seal(agency_a, T, 7, "notes", "") == ""
    stored = AgencyKey.objects.get(agency=agency_a).wrapped
    assert len(base64.urlsafe_b64decode(stored)) == 12 + 32 + 16  # nonce, key, tag


@pytest.mark.parametrize(
    ("table", "row", "field"),
    [("records_missingpersonrecord", 7, "notes"), (T, 8, "notes"), (T, 7, "contact")],
)
def test_a_sealed_value_moved_to_another_row_table_or_field_is_unreadable(
    agency_a: Agency, table: str, row: int, field: str
) -> None:
    sealed = seal(agency_a, T, 7, "notes", NOTE)
    with pytest.raises(Unreadable):
        unseal(agency_a, table, row, field, sealed)


def test_another_agency_cannot_unseal(agency_a: Agency, agency_b: Agency) -> None:
    sealed = seal(agency_a, T, 7, "notes", NOTE)
    seal(agency_b, T, 1, "notes", "b's own note")
    with pytest.raises(Unreadable):
        unseal(agency_b, T, 7, "notes", sealed)


def test_an_altered_ciphertext_is_unreadable(agency_a: Agency) -> None:
    sealed = seal(agency_a, T, 7, "notes", NOTE)
    blob = bytearray(base64.urlsafe_b64decode(sealed[4:]))
    blob[20] ^= 1
    with pytest.raises(Unreadable):
        unseal(agency_a, T, 7, "notes", "bv1:" + base64.urlsafe_b64encode(bytes(blob)).decode())


def test_crypto_shredding_makes_an_agencys_data_unreadable_for_good(
    agency_a: Agency, agency_b: Agency, system: Actor
) -> None:
    mine = seal(agency_a, T, 7, "notes", NOTE)
    theirs = seal(agency_b, T, 9, "notes", "kept")
    services.destroy_agency_key(system, agency_a)
    with pytest.raises(Unreadable):
        unseal(agency_a, T, 7, "notes", mine)
    # A new key for the agency does not bring the old data back.
    seal(agency_a, T, 8, "notes", "after the shredding")
    with pytest.raises(Unreadable):
        unseal(agency_a, T, 7, "notes", mine)
    assert unseal(agency_b, T, 9, "notes", theirs) == "kept"
    assert AuditEvent.objects.filter(action="vault.key_destroyed", object_id=agency_a.ori).exists()


def test_only_the_system_actor_destroys_keys(agency_a: Agency, investigator_a: Actor) -> None:
    seal(agency_a, T, 1, "notes", NOTE)
    with pytest.raises(Forbidden):
        services.destroy_agency_key(investigator_a, agency_a)


def test_rotation_rewraps_keys_under_the_new_master_and_data_stays_readable(
    agency_a: Agency, agency_b: Agency, settings: object
) -> None:
    old = settings.MASTER_KEY  # type: ignore[attr-defined]
    a = seal(agency_a, T, 1, "notes", "alpha")
    b = seal(agency_b, T, 2, "notes", "bravo")
    before = dict(AgencyKey.objects.values_list("agency_id", "wrapped"))
    new = base64.b64encode(os.urandom(32)).decode()
    with override_settings(MASTER_KEY=new, MASTER_KEY_PREVIOUS=old):
        call_command("keys", "rotate")
        after = dict(AgencyKey.objects.values_list("agency_id", "wrapped"))
        assert all(after[k] != before[k] for k in before)
    with override_settings(MASTER_KEY=new, MASTER_KEY_PREVIOUS=""):
        assert unseal(agency_a, T, 1, "notes", a) == "alpha"
        assert unseal(agency_b, T, 2, "notes", b) == "bravo"
    services._read_keys.clear()  # a process that starts with only the old master key...
    with pytest.raises(Unreadable):  # ...cannot open the re-wrapped keys
        unseal(agency_a, T, 1, "notes", a)


def test_rotation_without_the_previous_key_changes_nothing(
    agency_a: Agency, settings: object
) -> None:
    from django.core.management.base import CommandError

    seal(agency_a, T, 1, "notes", "alpha")
    before = AgencyKey.objects.get(agency=agency_a).wrapped
    new = base64.b64encode(os.urandom(32)).decode()
    with override_settings(MASTER_KEY=new), pytest.raises(CommandError) as refused:
        call_command("keys", "rotate")
    assert refused.value.returncode == 2
    assert "BEACON_MASTER_KEY_PREVIOUS" in str(refused.value)
    assert AgencyKey.objects.get(agency=agency_a).wrapped == before


def test_production_refuses_to_start_without_a_master_key(tmp_path: object) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEACON_", "DJANGO_"))}
    env |= {"BEACON_MODE": "production", "BEACON_SECRET_KEY": "x" * 50}
    env["BEACON_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "beacon.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "BEACON_MASTER_KEY" in result.stderr and "Traceback" not in result.stderr
