"""The search's name modules import in one direction (issue 19): keys -> variants, never
the reverse; a change to the name-variant table still drops the codes keys cached."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from beacon.records import keys, variants
from beacon.records.models import NameVariant

RECORDS = Path(keys.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_variants_imports_neither_keys_nor_search() -> None:
    imported = imported_modules(RECORDS / "variants.py")
    assert not {
        m for m in imported if m.startswith(("beacon.records.keys", "beacon.records.search"))
    }
    assert "beacon.records.variants" in imported_modules(RECORDS / "keys.py")


@pytest.mark.django_db
def test_forgetting_the_variant_table_drops_the_codes_keys_cached() -> None:
    variants.forget()
    before = keys.given_codes("ZEBEDIAH")
    assert before[0] == (keys.nysiis("ZEBEDIAH"),)  # the name alone: no variant known
    NameVariant.objects.create(variant="ZEBEDIAH", canonical="ZEB")
    assert keys.given_codes("ZEBEDIAH") == before  # cached until the table is forgotten
    variants.forget()
    assert keys.given_codes("ZEBEDIAH")[0] == (keys.nysiis("ZEB"),)
    variants.forget()  # the row goes with the test's transaction
