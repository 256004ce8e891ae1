"""NIC numbers: one letter and nine digits (M for the Missing Person File)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

NIC_LETTER = "M"


def random_nic() -> str:
    return f"{NIC_LETTER}{secrets.randbelow(10**9):09d}"


def assign_nic() -> str:
    """A NIC not yet used (random, so numbers do not reveal how many records exist)."""
    from beacon.records.models import MissingPersonRecord

    while True:
        nic = random_nic()
        if not MissingPersonRecord.objects.filter(nic=nic).exists():
            return nic


def assign_nics(count: int, taken: Iterable[str] = ()) -> list[str]:
    """``count`` distinct unused NICs (checked against the database in chunks)."""
    from beacon.records.models import MissingPersonRecord

    used = set(taken)
    out: list[str] = []
    while len(out) < count:
        batch = {random_nic() for _ in range(min(count - len(out), 50_000) + 16)} - used
        existing: set[str] = set()
        chunk = sorted(batch)
        for i in range(0, len(chunk), 900):
            existing.update(
                MissingPersonRecord.objects.filter(nic__in=chunk[i : i + 900]).values_list(
                    "nic", flat=True
                )
            )
        for nic in chunk:
            if nic not in existing and len(out) < count:
                out.append(nic)
                used.add(nic)
    return out
