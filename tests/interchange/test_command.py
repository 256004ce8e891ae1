"""``beacon interchange import|export``: exit code 2 with every line on bad input."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord

from .conftest import SAMPLES


def run(*args: str) -> str:
    out = StringIO()
    call_command("interchange", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_to_file(*args: str) -> str:
    """What the command says (on stderr) when it writes its output to a file."""
    err = StringIO()
    call_command("interchange", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_import_then_export_ncic_from_the_command_line(
    operation: Operation, tmp_path: Path
) -> None:
    sample = SAMPLES / "ncic-messages.txt"
    said = run("import", "ncic", str(sample), "--operation", operation.code, "--quiet")
    assert said.strip() == (
        f"Imported {sample.name} (ncic): entered: 3, ncic fields kept: 1, targets added: 3."
    )
    out = tmp_path / "out.txt"
    # The system actor speaks for no organisation: TLP 2.0 lets it send out only CLEAR
    # and GREEN records, and the imported records are AMBER.
    said = run_to_file("export", "ncic", "--operation", operation.code, "-o", str(out))
    assert "0 record(s), 3 withheld by their TLP marking" in said
    assert out.read_text() == ""
    MissingPersonRecord.objects.update(tlp="GREEN")
    said = run_to_file("export", "ncic", "--operation", operation.code, "-o", str(out))
    assert "3 record(s), 0 withheld by their TLP marking" in said
    assert out.read_text() == sample.read_text()


def test_a_bad_file_exits_2_naming_each_line_and_writes_nothing(
    operation: Operation, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    lines = (SAMPLES / "ncic-messages.txt").read_text().splitlines()
    bad.write_text("\n".join([lines[0].replace("SEX/F", "SEX/Q"), "EMX" + lines[1][3:]]) + "\n")
    with pytest.raises(CommandError) as caught:
        run("import", "ncic", str(bad), "--operation", operation.code, "--quiet")
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert f"line 1: SEX (column {lines[0].index('SEX/') + 1}): 'Q' is not an NCIC sex" in message
    assert "line 2: MKE (column 1): 'EMX' is not an NCIC message key" in message
    assert not MissingPersonRecord.objects.exists()


def test_a_legacy_fixed_column_file_still_exits_2_with_its_columns(
    operation: Operation, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    lines = (SAMPLES / "ncic-active-missing.txt").read_text().splitlines()
    bad.write_text("\n".join([lines[0][:42] + "Q" + lines[0][43:], "EMX" + lines[1][3:]]) + "\n")
    with pytest.raises(CommandError) as caught:
        run("import", "ncic", str(bad), "--operation", operation.code, "--quiet")
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "line 1: SEX (columns 43-43)" in message
    assert "line 2: MKE (columns 1-3)" in message
    assert not MissingPersonRecord.objects.exists()


def test_pfif_import_needs_an_agency_and_an_operation(
    operation: Operation, agency_a: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = str(SAMPLES / "pfif-partner-feed.xml")
    with pytest.raises(CommandError) as caught:
        run("import", "pfif", sample, "--operation", operation.code, "--quiet")
    assert caught.value.returncode == 2 and "--ori" in str(caught.value)
    said = run(
        "import", "pfif", sample, "--operation", operation.code, "--ori", "NM0070100", "--quiet"
    )
    assert "entered: 3" in said
    assert Target.objects.count() == 3
    export = ("export", "pfif", "--operation", operation.code, "--since", "2020-01-01T00:00Z")
    # TLP:AMBER (the default) leaves only with its originating agency; the system actor
    # acts for no organisation (may_share_outside): nothing may leave, and an empty
    # feed would read as "no missing persons", so the export is refused.
    with pytest.raises(CommandError) as withheld:
        run(*export)
    assert withheld.value.returncode == 2 and "Nothing may leave" in str(withheld.value)
    accounts.create_user(
        system_actor(), "hub.lcpd", "a long and unusual passphrase 42", agency_a, "hub_coordinator"
    )
    monkeypatch.setenv("BEACON_CLI_USER", "hub.lcpd")
    assert run(*export).count("<pfif:person>") == 3


def test_bad_options_exit_2(operation: Operation, tmp_path: Path) -> None:
    for args in (
        ("export", "pfif", "--since", "yesterday"),
        ("export", "htcds"),
        ("import", "nibrs", str(tmp_path / "missing.json"), "--operation", operation.code),
        ("export", "ncic", "--nic", "M000000001"),
    ):
        with pytest.raises(CommandError) as caught:
            run(*args)
        assert caught.value.returncode == 2, args


def test_pfif_skip_invalid_lists_what_it_left_out_and_record_domain_narrows_the_export(
    operation: Operation, tmp_path: Path
) -> None:
    feed = (SAMPLES / "pfif-partner-feed.xml").read_text()
    broken = feed.replace("<pfif:sex>female</pfif:sex>", "<pfif:sex>f</pfif:sex>", 1)
    path = tmp_path / "feed.xml"
    path.write_text(broken)
    args = ("import", "pfif", str(path), "--operation", operation.code, "--ori", "NM0070100")
    with pytest.raises(CommandError) as caught:
        run(*args, "--quiet")
    assert caught.value.returncode == 2 and "sex" in str(caught.value)
    err = StringIO()
    call_command("interchange", *args, "--quiet", "--skip-invalid", stdout=StringIO(), stderr=err)
    assert "left out (line" in err.getvalue()
    MissingPersonRecord.objects.update(tlp="GREEN")
    out = tmp_path / "out.xml"
    said = run_to_file("export", "pfif", "--record-domain", "refugees.example.net", "-o", str(out))
    assert "of other domains left out" in said
    assert out.read_text().count("<pfif:person>") == 1
