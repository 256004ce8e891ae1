"""Outlines of countries (countryinfo), US states and counties (plotly-geo) as GeoJSON.

Jurisdiction codes match ``beacon.agencies.models.Jurisdiction``: ISO alpha-2 for
countries, 2-digit FIPS for states, 5-digit FIPS for counties.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from pathlib import Path
from typing import Any

from beacon.geo import shapefile

Geometry = dict[str, Any]
Feature = dict[str, Any]
Ring = list[tuple[float, float]]

FINE = 0.01  # degrees: about 1 km, plenty for a county on a dashboard
COARSE = 0.05


def simplify(ring: Ring, step: float) -> list[list[float]]:
    """Snap to a grid of ``step`` degrees and drop repeated points; [] if degenerate."""
    out: list[list[float]] = []
    for lon, lat in ring:
        point = [round(round(lon / step) * step, 4), round(round(lat / step) * step, 4)]
        if not out or out[-1] != point:
            out.append(point)
    if len(out) < 4:
        return []
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def _signed_area(ring: list[list[float]]) -> float:
    return sum(
        ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)
    )


def polygon_geometry(rings: list[Ring], step: float) -> Geometry | None:
    """Shapefile rings (outer clockwise, holes counter-clockwise) to a GeoJSON geometry."""
    polygons: list[list[list[list[float]]]] = []
    for ring in rings:
        simple = simplify(ring, step)
        if not simple:
            continue
        if _signed_area(simple) <= 0 or not polygons:  # clockwise: a new outer ring
            # GeoJSON (RFC 7946) wants outer rings counter-clockwise; d3 wants them
            # clockwise, which is how shapefiles store them: keep them as stored.
            polygons.append([simple])
        else:
            polygons[-1].append(simple)
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _plotly_geo_dir() -> Path:
    return Path(str(importlib.resources.files("_plotly_geo") / "package_data"))


@functools.cache
def _state_index() -> dict[str, tuple[int, str, str]]:
    base = _plotly_geo_dir()
    rows = shapefile.read_dbf(base / "cb_2016_us_state_500k.dbf")
    offsets = shapefile.read_offsets(base / "cb_2016_us_state_500k.shx")
    return {
        row["STATEFP"]: (off, row["STUSPS"], row["NAME"])
        for row, off in zip(rows, offsets, strict=True)
    }


@functools.cache
def _county_index() -> dict[str, tuple[int, str]]:
    base = _plotly_geo_dir()
    rows = shapefile.read_dbf(base / "cb_2016_us_county_500k.dbf")
    offsets = shapefile.read_offsets(base / "cb_2016_us_county_500k.shx")
    return {row["GEOID"]: (off, row["NAME"]) for row, off in zip(rows, offsets, strict=True)}


@functools.lru_cache(maxsize=512)
def state(fips: str, step: float = FINE) -> Feature | None:
    entry = _state_index().get(fips)
    if entry is None:
        return None
    offset, usps, name = entry
    rings = shapefile.read_polygon(_plotly_geo_dir() / "cb_2016_us_state_500k.shp", offset)
    geometry = polygon_geometry(rings, step)
    if geometry is None:
        return None
    return {
        "type": "Feature",
        "id": fips,
        "properties": {"name": name, "usps": usps},
        "geometry": geometry,
    }


@functools.lru_cache(maxsize=1024)
def county(fips: str) -> Feature | None:
    entry = _county_index().get(fips)
    if entry is None:
        return None
    offset, name = entry
    rings = shapefile.read_polygon(_plotly_geo_dir() / "cb_2016_us_county_500k.shp", offset)
    geometry = polygon_geometry(rings, FINE)
    if geometry is None:
        return None
    return {"type": "Feature", "id": fips, "properties": {"name": name}, "geometry": geometry}


@functools.cache
def _countries() -> dict[str, Feature]:
    """ISO alpha-2 -> outline, from the per-country files countryinfo ships."""
    found: dict[str, Feature] = {}
    data = importlib.resources.files("countryinfo") / "data"
    for entry in data.iterdir():
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        iso = info.get("ISO") or {}
        alpha2 = str(iso.get("alpha2", "")).upper()
        features = (info.get("geoJSON") or {}).get("features") or []
        if alpha2 and features and features[0].get("geometry"):
            found[alpha2] = {
                "type": "Feature",
                "id": alpha2,
                "properties": {"name": info.get("name", alpha2), "iso3": iso.get("alpha3", "")},
                "geometry": features[0]["geometry"],
            }
    return found


def country(alpha2: str) -> Feature | None:
    return _countries().get(alpha2.upper())


def all_countries() -> list[Feature]:
    return list(_countries().values())


def all_states(step: float = COARSE) -> list[Feature]:
    return [f for fips in sorted(_state_index()) if (f := state(fips, step)) is not None]


def feature_for(kind: str, code: str) -> Feature | None:
    """The outline of one jurisdiction by its kind and code."""
    if kind == "country":
        return country(code)
    if kind == "state":
        return state(code)
    if kind == "county":
        return county(code)
    return None
