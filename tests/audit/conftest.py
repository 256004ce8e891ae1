from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from beacon.audit.triggers import create_sql, drop_sql


@contextmanager
def tampering() -> Iterator[None]:
    """Play the attacker with database access: lift the append-only triggers for a moment
    (inside the test's transaction, which is rolled back afterwards)."""
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in create_sql(connection.vendor):
                cursor.execute(statement)


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
