"""A static-files finder for browser libraries shipped inside installed Python packages.

Nothing is copied into the repository and nothing is fetched from a CDN: htmx comes
from django-js-lib-htmx and plotly.js from the plotly wheel, each served under ``vendor/``.
(Maps are plotly.js choropleths over outlines Beacon serves itself, so no tile library
such as Leaflet is needed: there are no tiles on a closed network.)
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
from django.core.files.storage import FileSystemStorage


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def vendor_roots() -> dict[str, Path]:
    """Static prefix -> directory inside an installed package."""
    roots: dict[str, Path] = {}
    sources = {
        "vendor/htmx": ("js_lib_htmx", "static/htmx"),
        "vendor/plotly": ("plotly", "package_data"),
    }
    for prefix, (module, sub) in sources.items():
        base = _package_dir(module)
        if base is not None and (base / sub).is_dir():
            roots[prefix] = base / sub
    return roots


# Only these files are served from the package directories (not whole packages).
SERVED = {
    "vendor/htmx": ("htmx.min.js",),
    "vendor/plotly": ("plotly.min.js",),
}


class PackageAssetFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        prefix, _, name = path.rpartition("/")
        root = vendor_roots().get(prefix)
        if root is None or name not in SERVED.get(prefix, ()):
            return [] if find_all else None
        found = str(root / name)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, root in vendor_roots().items():
            storage = FileSystemStorage(location=str(root))
            storage.prefix = prefix  # type: ignore[attr-defined]
            for name in SERVED[prefix]:
                yield name, storage
