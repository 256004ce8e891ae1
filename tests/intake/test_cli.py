"""``beacon intake import|link|review|accept`` end to end, as an operator runs it."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from beacon.core.actor import Actor
from beacon.intake.models import Intake, ResolvedPerson


def run(*args: str) -> str:
    out = StringIO()
    call_command("intake", *args, stdout=out)
    return out.getvalue()


def test_cli_imports_links_reviews_and_accepts(system: Actor, lists_dir: dict[str, Path]) -> None:
    assert "Created intake 'Rescue Me'" in run(
        "import", "Rescue Me", str(lists_dir["ncic"]), "--source", "NCIC"
    )
    run("import", "Rescue Me", str(lists_dir["agency"]), "--source", "LCPD")
    shown = run(
        "import",
        "Rescue Me",
        str(lists_dir["ncmec"]),
        "--source",
        "NCMEC",
        "--dob-format",
        "compact",
        "--show-mapping",
    )
    assert "Child -> full_name" in shown and "NCMEC number -> ncmec_number" in shown
    imported = run(
        "import",
        "Rescue Me",
        str(lists_dir["ncmec"]),
        "--source",
        "NCMEC",
        "--dob-format",
        "compact",
    )
    assert "Imported 44 rows from ncmec.csv" in imported

    linked = run("link", "Rescue Me")
    assert "4 clusters, 4 to review" in linked

    queue = run("review", "Rescue Me")
    assert "a nickname of the same name" in queue and "4 cluster(s)." in queue
    numbers = [int(n) for n in re.findall(r"^Cluster (\d+) \[proposed\]", queue, re.M)]
    decided = run("review", "Rescue Me", "--cluster", str(numbers[0]), "--accept")
    assert f"Cluster {numbers[0]}: accepted" in decided
    with pytest.raises(CommandError) as pending:
        call_command("intake", "accept", "Rescue Me")
    assert pending.value.returncode == 2
    assert "3 cluster(s) still need a decision" in str(pending.value)

    accepted = run("accept", "Rescue Me", "--accept-above", "0.5")
    intake = Intake.objects.get(name="Rescue Me")
    people = ResolvedPerson.objects.filter(intake=intake).count()
    assert accepted.strip() == f"Accepted: {people} people."
    assert people == 63 + 54 + 44 - 2 - 1 - 1 - 2  # four clusters of 3, 2, 2 and 3 rows


def test_cli_unknown_intake_exits_with_not_found(system: Actor) -> None:
    with pytest.raises(CommandError) as missing:
        call_command("intake", "link", "No such intake")
    assert missing.value.returncode == 4
