"""Base-map TopoJSON in the layout plotly.js expects at ``topojsonURL``.

plotly.js fetches ``{topojsonURL}{scope}_{resolution}.json`` for every geo subplot and
reads the objects ``land``, ``countries``, ``subunits`` (US states), ``coastlines``,
``ocean``, ``lakes`` and ``rivers``. We build them from the same outlines as the
choropleth, one arc per ring (valid TopoJSON without shared arcs or quantisation).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from beacon.geo import shapes

LAYERS = ("land", "countries", "subunits", "coastlines", "ocean", "lakes", "rivers")
NAMES = {
    f"{scope}_{res}"
    for scope in ("world", "usa", "north-america", "south-america", "europe", "asia", "africa")
    for res in ("110m", "50m")
}


class _Arcs:
    def __init__(self) -> None:
        self.arcs: list[list[list[float]]] = []

    def ring(self, ring: list[list[float]]) -> list[int]:
        self.arcs.append(ring)
        return [len(self.arcs) - 1]

    def geometry(self, feature: shapes.Feature, ident: str) -> dict[str, Any]:
        geom = feature["geometry"]
        if geom["type"] == "Polygon":
            arcs: Any = [self.ring(r) for r in geom["coordinates"]]
        else:
            arcs = [[self.ring(r) for r in poly] for poly in geom["coordinates"]]
        return {"type": geom["type"], "id": ident, "arcs": arcs}


@functools.cache
def topology() -> bytes:
    """The encoded TopoJSON served for every plotly topojson name (one set of outlines)."""
    arcs = _Arcs()
    countries = [
        arcs.geometry(f, str(f["properties"].get("iso3") or f["id"]))
        for f in shapes.all_countries()
    ]
    states = [arcs.geometry(f, str(f["properties"]["usps"])) for f in shapes.all_states()]
    empty: dict[str, Any] = {"type": "GeometryCollection", "geometries": []}
    objects: dict[str, Any] = {layer: dict(empty) for layer in LAYERS}
    objects["countries"] = {"type": "GeometryCollection", "geometries": countries}
    objects["land"] = {"type": "GeometryCollection", "geometries": countries}
    objects["subunits"] = {"type": "GeometryCollection", "geometries": states}
    body = {"type": "Topology", "objects": objects, "arcs": arcs.arcs}
    return json.dumps(body, separators=(",", ":")).encode()
