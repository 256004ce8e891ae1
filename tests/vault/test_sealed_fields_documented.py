"""What the docs say is sealed is what the code seals: every registered sealed field is
named (``table.column``) in the threat model's "What is sealed" table, and the README's
table names each of them in words. A field added to ``SEALED_FIELDS`` without a line in
both, or a line left after a field stops being sealed, fails here.

Found missing: the NCIC identifying numbers (``interchange_ncicentry.identifiers``) were
sealed but in neither table.
"""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path

from django.apps import apps

from beacon.vault.sealing import SEALED_FIELDS

ROOT = Path(__file__).resolve().parents[2]
# Sealed by their own code, not through SEALED_FIELDS (beacon.resilience.idempotency).
SEALED_ELSEWHERE = {"resilience_idempotencyrecord.body"}


def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n#", start + len(title))
    return text[start : end if end != -1 else None]


def _expanded(name: str) -> set[str]:
    """``operations_{arrest,victim}.notes`` -> both names."""
    parts = re.split(r"\{([^}]*)\}", name)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return {"".join(c) for c in product(*choices)}


def _sealed_columns() -> set[str]:
    return {f"{apps.get_model(spec.model)._meta.db_table}.{spec.field}" for spec in SEALED_FIELDS}


def test_the_threat_model_names_every_sealed_column_and_no_other() -> None:
    text = (ROOT / "docs" / "threat-model.md").read_text(encoding="utf-8")
    table = _section(text, "## What is sealed").split("Never in clear anywhere else")[0]
    named = {
        column
        for quoted in re.findall(r"`([a-z]+_[a-z_{},]+\.[a-z_]+)`", table)
        for column in _expanded(quoted)
    }
    assert named == _sealed_columns() | SEALED_ELSEWHERE


# How the README's table says each sealed column in words.
README_WORDS = {
    "records_missingpersonrecord.notes": "record notes",
    "operations_arrest.charges": "arrest charges",
    "interchange_ncicentry.identifiers": "identifying numbers",
    **{
        f"operations_{name}.notes": "field-event notes"
        for name in (
            "arrest",
            "victim",
            "searchwarrant",
            "raid",
            "seizure",
            "service",
            "referral",
            "investigation",
        )
    },
}


def test_the_readme_names_every_sealed_column_in_its_sealed_column() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = _section(text, "### What is sealed, and what is not").splitlines()
    sealed_cells = " ".join(row.split("|")[1] for row in rows if row.startswith("| ")).lower()
    assert set(README_WORDS) == _sealed_columns(), "say the new sealed column in README_WORDS"
    missing = {c: w for c, w in README_WORDS.items() if w not in sealed_cells}
    assert not missing, f"README's sealed column does not name: {missing}"
