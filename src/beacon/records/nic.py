"""NIC numbers: one letter and nine digits (M for the Missing Person File)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable

import numpy as np

NIC_LETTER = "M"


def random_nic() -> str:
    return f"{NIC_LETTER}{secrets.randbelow(10**9):09d}"


def random_nics(count: int) -> set[str]:
    """Up to ``count`` random NICs at once (fewer when two draws are equal)."""
    draws = np.frombuffer(os.urandom(8 * count), dtype=np.uint64) % np.uint64(10**9)
    return {f"{NIC_LETTER}{d:09d}" for d in draws.tolist()}


def assign_nic() -> str:
    """A NIC not yet used (random, so numbers do not reveal how many records exist)."""
    from beacon.records.models import MissingPersonRecord

    while True:
        nic = random_nic()
        if not MissingPersonRecord.objects.filter(nic=nic).exists():
            return nic


def assign_nics(count: int, taken: Iterable[str] = ()) -> list[str]:
    """``count`` distinct unused NICs (checked against the database in chunks)."""
    from django.db import connection

    from beacon.records.models import MissingPersonRecord

    table = MissingPersonRecord._meta.db_table
    used = set(taken)
    out: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        if int(cursor.fetchone()[0]) <= 4 * count:  # cheaper to read every NIC once
            cursor.execute(f"SELECT nic FROM {table}")
            used.update(str(r[0]) for r in cursor.fetchall())
            while len(out) < count:
                fresh = random_nics(count - len(out) + 16) - used
                out.extend(sorted(fresh)[: count - len(out)])
                used.update(fresh)
            return out
        while len(out) < count:
            batch = sorted(random_nics(count - len(out) + 16) - used)
            existing: set[str] = set()
            for i in range(0, len(batch), 900):
                chunk = batch[i : i + 900]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT nic FROM {table} WHERE nic IN ({marks})", chunk)
                existing.update(str(r[0]) for r in cursor.fetchall())
            for nic in batch:
                if nic not in existing and len(out) < count:
                    out.append(nic)
                    used.add(nic)
    return out
