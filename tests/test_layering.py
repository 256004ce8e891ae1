"""Every module on its floor: no new upward import, no new import loop (tests/layering.py).

`python -m tests.layering` prints the same findings for any checkout.
"""

from __future__ import annotations

from pathlib import Path

from tests import layering

SRC = layering.SRC / "beacon"
# The project's wiring may name the web app; no domain module may import it.
WIRING = {"settings", "test_settings", "urls"}


def test_every_module_is_on_a_floor() -> None:
    for imp in layering.imports(SRC):
        layering.layer_of(imp.importer)
        layering.layer_of(imp.imported)


def test_no_new_upward_import() -> None:
    new = sorted(set(layering.upward(layering.imports(SRC))) - set(layering.ALLOWED_UPWARD))
    assert new == [], "imports of a higher floor (see tests/layering.py LAYERS)"


def test_no_new_import_loop() -> None:
    new = [
        loop for loop in layering.loops(layering.imports(SRC)) if loop not in layering.ALLOWED_LOOPS
    ]
    assert new == [], "modules importing each other (see tests/layering.py)"


def test_allow_lists_name_only_debts_that_still_exist() -> None:
    found = layering.imports(SRC)
    paid_up = sorted(set(layering.ALLOWED_UPWARD) - set(layering.upward(found)))
    paid_loops = sorted(set(layering.ALLOWED_LOOPS) - set(layering.loops(found)))
    assert (paid_up, paid_loops) == ([], []), "fixed: strike these from tests/layering.py"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "beacon" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "beacon"


def test_an_import_inside_a_function_counts_as_upward(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "core/__init__.py": "",
            "core/tool.py": "def f():\n    from beacon.records import services\n",
            "records/__init__.py": "",
            "records/services.py": "from beacon.core import tool\n",
        },
    )
    found = layering.imports(src)
    assert list(layering.upward(found)) == [("core.tool", "records.services")]
    assert layering.loops(found) == [("core.tool", "records.services")]


def test_a_loop_through_three_modules_of_one_floor_is_found(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "records/a.py": "import beacon.records.b\n",
            "records/b.py": "from beacon.records import c\n",
            "records/c.py": "def g():\n    from beacon.records.a import x\n",
            "records/d.py": "from beacon.records import a\n",
        },
    )
    found = layering.imports(src)
    assert layering.upward(found) == {}
    assert layering.loops(found) == [("records.a", "records.b", "records.c")]


def test_an_app_interface_sits_on_the_top_floor() -> None:
    top = len(layering.LAYERS) - 1
    assert layering.layer_of("audit.api") == top
    assert layering.layer_of("records.management.commands.records") == top
    assert layering.layer_of("audit.services") < layering.layer_of("access.policy")
    assert layering.layer_of("agencies.models") < layering.layer_of("agencies.services")


def test_no_domain_module_imports_the_web_pages() -> None:
    offenders = sorted(
        imp.importer
        for imp in layering.imports(SRC)
        if imp.importer.split(".")[0] != "web"
        and imp.importer not in WIRING
        and imp.imported.split(".")[0] == "web"
    )
    assert offenders == []


def test_geography_lives_outside_the_web_pages() -> None:
    from beacon.geo.shapes import feature_for

    state = feature_for("state", "35")  # New Mexico, by FIPS
    assert state is not None and state["geometry"]["type"] in {"Polygon", "MultiPolygon"}
