"""Interfaces never query personal data with a bare manager: it comes from the policy.

A lint over the interface layers (pages, API handlers, CLI commands): a new view that
writes ``Victim.objects...`` fails here and must use beacon.access.policy instead.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "beacon"
PERSONAL = (
    "MissingPersonRecord",
    "RecordName",
    "RecordDob",
    "RecordPhoto",
    "RecordTransaction",
    "Person",
    "Victim",
    "Referral",
    "Service",
    "Arrest",
)
BARE_MANAGER = re.compile(rf"\b({'|'.join(PERSONAL)})\.objects\b")
# Reviewed exceptions, with the reason each is safe.
ALLOWED = {
    # Counts and a status list hashed into a change fingerprint: no row leaves the function.
    ("web/results.py", "Referral"),
}


def _interface_files() -> list[Path]:
    files = list((SRC / "web").rglob("*.py"))
    files += list(SRC.glob("*/api.py")) + list(SRC.glob("*/views.py"))
    files += list(SRC.glob("*/management/commands/*.py"))
    return sorted(files)


def test_interfaces_read_personal_data_only_through_the_policy() -> None:
    found = []
    for path in _interface_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in BARE_MANAGER.finditer(line):
                where = (str(path.relative_to(SRC)), match.group(1))
                if where not in ALLOWED:
                    found.append(f"{where[0]}:{number}: {line.strip()}")
    assert not found, "use beacon.access.policy for personal data:\n" + "\n".join(found)


def test_the_lint_sees_the_interface_files() -> None:
    names = {str(p.relative_to(SRC)) for p in _interface_files()}
    assert "records/api.py" in names and "web/views/inbox.py" in names
    assert any(n.startswith("records/management/commands/") for n in names)
