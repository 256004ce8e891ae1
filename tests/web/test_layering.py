"""The pages depend on the domain apps, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import beacon

SRC = Path(beacon.__file__).parent
# The project's wiring may name the web app; no domain module may import it.
WIRING = {"settings.py", "test_settings.py", "urls.py"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_domain_module_imports_the_web_pages() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] != "web"
        and path.name not in WIRING
        and any(name == "beacon.web" or name.startswith("beacon.web.") for name in _imports(path))
    ]
    assert offenders == []


def test_geography_lives_outside_the_web_pages() -> None:
    from beacon.geo.shapes import feature_for

    state = feature_for("state", "35")  # New Mexico, by FIPS
    assert state is not None and state["geometry"]["type"] in {"Polygon", "MultiPolygon"}
