"""A minimal ESRI shapefile reader: polygons (.shp/.shx) and attributes (.dbf).

Enough for the US state and county outlines that plotly-geo ships; records are read
lazily by index so one county costs one seek, not a 16 MB parse.
"""

from __future__ import annotations

import struct
from pathlib import Path

Ring = list[tuple[float, float]]


def read_dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields: list[tuple[str, int]] = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    rows: list[dict[str, str]] = []
    for i in range(count):
        start = header_len + i * record_len + 1  # skip the deletion flag
        row: dict[str, str] = {}
        for name, length in fields:
            row[name] = data[start : start + length].decode("utf-8", errors="replace").strip()
            start += length
        rows.append(row)
    return rows


def read_offsets(shx: Path) -> list[int]:
    data = shx.read_bytes()
    return [struct.unpack(">i", data[pos : pos + 4])[0] * 2 for pos in range(100, len(data), 8)]


def read_polygon(shp: Path, offset: int) -> list[Ring]:
    """The rings of the polygon record at ``offset`` (bytes from the start of the file)."""
    with shp.open("rb") as handle:
        handle.seek(offset)
        _number, words = struct.unpack(">ii", handle.read(8))
        content = handle.read(words * 2)
    shape_type = struct.unpack("<i", content[:4])[0]
    if shape_type != 5:
        return []
    num_parts, num_points = struct.unpack("<ii", content[36:44])
    parts = list(struct.unpack(f"<{num_parts}i", content[44 : 44 + 4 * num_parts]))
    start = 44 + 4 * num_parts
    coords = struct.unpack(f"<{2 * num_points}d", content[start : start + 16 * num_points])
    bounds = [*parts, num_points]
    return [
        [(coords[2 * k], coords[2 * k + 1]) for k in range(bounds[p], bounds[p + 1])]
        for p in range(num_parts)
    ]
