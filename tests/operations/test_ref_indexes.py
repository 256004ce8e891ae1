"""Bundle writes find the leads and hit confirmations they carry by ref: that lookup uses
an index on both databases, not a scan of every lead or hit of the operation's targets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Model

from beacon.operations.models import HitConfirmation, Lead

pytestmark = pytest.mark.django_db


def _plan(model: type[Model]) -> str:
    sql, params = model.objects.filter(ref__in=["A", "B"]).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test tables are nearly empty, where a scan is cheapest: ask for the plan
            # PostgreSQL would choose on a large table.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(column) for row in cursor.fetchall() for column in row)


@pytest.mark.parametrize(("model", "index"), [(Lead, "lead_ref"), (HitConfirmation, "hit_ref")])
def test_a_lookup_by_ref_uses_its_index(model: type[Model], index: str) -> None:
    assert index in _plan(model)
