"""Every fact behind a report in one statement: the grouped counts of each kind, UNION ALL.

One grouped SELECT per kind of fact (targets with their outcomes, arrests, victims,
services, search warrants, raids, investigations, seizures, referrals), plus the
operations' declared jurisdictions, glued with UNION ALL into a single statement. The
SQL text is built once from the models' metadata, so a report pays neither a round trip
nor ORM query compilation per kind (that compilation was most of a report's CPU).

Every branch has the same columns; a kind leaves the ones it does not use NULL:

    seq kind operation_id jurisdiction_id agency_id c1 c2 c3 n s1 s2 s3 s4 cash d1 d2
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from beacon.agencies.models import Agency, Jurisdiction
from beacon.operations.models import (
    Arrest,
    Investigation,
    Operation,
    Outcome,
    Raid,
    Referral,
    SearchWarrant,
    Seizure,
    Service,
    Target,
    Victim,
)
from beacon.records.models import MissingPersonRecord

CENTS = Decimal("0.01")  # Seizure.cash_amount's decimal places, as the ORM's Sum gave them
COLUMNS = ("c1", "c2", "c3", "n", "s1", "s2", "s3", "s4", "cash", "d1", "d2")
# Typed NULLs: PostgreSQL resolves a union's column types pair by pair from the left, so
# two bare NULLs would make a column text before the branch that gives it numbers.
NULLS = {
    **dict.fromkeys(("c1", "c2", "c3"), "CAST(NULL AS TEXT)"),
    **dict.fromkeys(("agency", "n", "s1", "s2", "s3", "s4"), "CAST(NULL AS BIGINT)"),
    "cash": "CAST(NULL AS NUMERIC)",
    **dict.fromkeys(("d1", "d2"), "CAST(NULL AS DATE)"),
}


NAME = "<agency name>"  # in _named's values: the column that gets the agency's name


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _col(model: type[Model], field: str) -> str:
    return _q(str(model._meta.get_field(field).column))  # type: ignore[union-attr]


def _branch(
    seq: int,
    kind: str,
    source: str,
    operation: str,
    place: str,
    agency: str,
    values: dict[str, str],
    *,
    grouped: bool = True,
) -> str:
    """One SELECT of the union; ``{ids}`` is replaced by the operations' placeholders."""
    keys = [operation, place, agency] + [values[c] for c in ("c1", "c2", "c3") if c in values]
    select = ", ".join(
        [f"{seq}", f"'{kind}'", operation, place, agency]
        + [values.get(column, NULLS[column]) for column in COLUMNS]
    )
    group = f" GROUP BY {', '.join(keys)}" if grouped else ""
    return f"SELECT {select} FROM {source} WHERE {operation} IN ({{ids}}){group}"


def _event(seq: int, kind: str, model: type[Model], values: dict[str, str]) -> str:
    """One kind's grouped count. COUNT(*), not COUNT(id): every column read is in the
    kind's ``<kind>_report`` index (models.events), so both databases count from the
    index alone (PostgreSQL's index-only scan needs no id, which its indexes lack)."""
    e = _table(model)
    return _branch(
        seq,
        kind,
        e,
        f"{e}.{_col(model, 'operation')}",
        f"{e}.{_col(model, 'jurisdiction')}",
        f"{e}.{_col(model, 'agency')}",
        {"n": "COUNT(*)"} | values,
    )


def _named(seq: int, kind: str, model: type[Model], values: dict[str, str], agency: str) -> str:
    """A kind whose groups carry an agency's name (the column of ``values`` given as
    NAME): grouped from the kind's index first, then each group joined to the agency named
    by its ``agency`` field, so the join costs one lookup per group, not one per event."""
    e, a = _table(model), _table(Agency)
    keys = {
        "o": f"{e}.{_col(model, 'operation')}",
        "j": f"{e}.{_col(model, 'jurisdiction')}",
        "b": f"{e}.{_col(model, 'agency')}",
        "k": f"{e}.{_col(model, agency)}",
    }
    own = {column: sql for column, sql in values.items() if sql != NAME}
    inner = ", ".join(
        [f"{sql} AS {_q(key)}" for key, sql in keys.items()]
        + [f"{sql} AS {_q(column)}" for column, sql in own.items()]
        + [f"COUNT(*) AS {_q('n')}"]
    )
    group = ", ".join(dict.fromkeys([*keys.values(), *own.values()]))  # each column once
    source = (
        f"(SELECT {inner} FROM {e} WHERE {keys['o']} IN ({{ids}}) GROUP BY {group}) g"
        f" INNER JOIN {a} ON {a}.{_q('id')} = g.{_q('k')}"
    )
    name = f"{a}.{_col(Agency, 'name')}"
    columns = [
        name
        if values.get(column) == NAME
        else f"g.{_q(column)}"
        if column in values or column == "n"
        else NULLS[column]
        for column in COLUMNS
    ]
    ids = [f"g.{_q(key)}" for key in ("o", "j", "b")]
    select = ", ".join([f"{seq}", f"'{kind}'", *ids, *columns])
    return f"SELECT {select} FROM {source}"


@cache
def _sql(vendor: str) -> str:
    """The whole union, with ``{ids}`` where each branch's operation ids go (built once
    per database vendor: quoting is the vendor's)."""
    declared = Operation.jurisdictions.through
    d = _table(declared)
    t, r, o, j = _table(Target), _table(MissingPersonRecord), _table(Outcome), _table(Jurisdiction)
    ar, v, inv, sz = _table(Arrest), _table(Victim), _table(Investigation), _table(Seizure)
    age_min, age_max = f"{v}.{_col(Victim, 'age_min')}", f"{v}.{_col(Victim, 'age_max')}"
    branches = [
        _branch(
            0,
            "declared",
            d,
            f"{d}.{_q('operation_id')}",
            f"{d}.{_q('jurisdiction_id')}",
            NULLS["agency"],
            {"n": f"{d}.{_q('id')}"},
            grouped=False,
        ),
        _branch(
            1,
            "target",
            f"{t} INNER JOIN {r} ON {r}.{_q('id')} = {t}.{_col(Target, 'record')}"
            f" LEFT OUTER JOIN {o} ON {o}.{_col(Outcome, 'target')} = {t}.{_q('id')}"
            f" LEFT OUTER JOIN {j} ON {j}.{_q('id')} = {o}.{_col(Outcome, 'jurisdiction')}",
            f"{t}.{_col(Target, 'operation')}",
            f"{r}.{_col(MissingPersonRecord, 'jurisdiction_last_seen')}",
            f"{t}.{_col(Target, 'assigned_agency')}",
            {
                "c1": f"{o}.{_col(Outcome, 'kind')}",
                "c2": f"{j}.{_col(Jurisdiction, 'kind')}",
                "c3": f"{j}.{_col(Jurisdiction, 'code')}",
                "n": f"COUNT({t}.{_q('id')})",
                "d1": f"MIN({r}.{_col(MissingPersonRecord, 'dob')})",
                "d2": f"MAX({r}.{_col(MissingPersonRecord, 'dob')})",
            },
        ),
        _event(
            2,
            "arrest",
            Arrest,
            {
                "c1": f"{ar}.{_col(Arrest, 'role')}",
                "s1": f"SUM({ar}.{_col(Arrest, 'warrants_served')})",
            },
        ),
        _event(
            3,
            "victim",
            Victim,
            {
                "c1": f"{v}.{_col(Victim, 'age_group')}",
                "s1": f"MIN({age_min})",
                "s2": f"MAX({age_max})",
                "s3": f"SUM({age_min} + {age_max})",
                "s4": f"COUNT(CASE WHEN {age_min} IS NOT NULL AND {age_max} IS NOT NULL"
                " THEN 1 END)",
            },
        ),
        _event(4, "service", Service, {"c1": f"{_table(Service)}.{_col(Service, 'kind')}"}),
        _event(5, "warrant", SearchWarrant, {}),
        _event(6, "raid", Raid, {"c1": f"{_table(Raid)}.{_col(Raid, 'kind')}"}),
        _named(
            7,
            "investigation",
            Investigation,
            {"c1": f"{inv}.{_col(Investigation, 'type')}", "c2": NAME},
            "agency",
        ),
        _event(
            8,
            "seizure",
            Seizure,
            {
                "c1": f"{sz}.{_col(Seizure, 'currency')}",
                "cash": f"SUM({sz}.{_col(Seizure, 'cash_amount')})",
                "s1": f"SUM({sz}.{_col(Seizure, 'devices')})",
                "s2": f"SUM({sz}.{_col(Seizure, 'file_count')})",
            },
        ),
        _named(9, "referral", Referral, {"c1": NAME}, "to_agency"),
    ]
    return " UNION ALL ".join(branches)


def _day(value: Any) -> date | None:
    """A date column: SQLite gives MIN/MAX of a date as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _cash(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENTS)


# Each kind's generic columns under the names the tally reads (see aggregate._add).
_NAMES: dict[str, dict[str, str]] = {
    "declared": {"n": "order"},
    "target": {"c1": "kind", "c2": "out_kind", "c3": "out_code", "d1": "dob_min", "d2": "dob_max"},
    "arrest": {"c1": "role", "s1": "served"},
    "victim": {"c1": "age_group", "s1": "age_low", "s2": "age_high", "s3": "age_sum", "s4": "aged"},
    "service": {"c1": "kind"},
    "warrant": {},
    "raid": {"c1": "kind"},
    "investigation": {"c1": "type", "c2": "agency__name"},
    "seizure": {"c1": "currency", "cash": "cash", "s1": "devices", "s2": "files"},
    "referral": {"c1": "to"},
}


def facts(operation_ids: Iterable[int]) -> list[tuple[str, dict[str, Any]]]:
    """(kind, row) for every group of facts of these operations, in one statement.

    Rows come kind by kind (declared jurisdictions first, in their declared order), and
    within a kind by operation then place, so a report lists places the same way on
    every database."""
    ids = [int(i) for i in operation_ids]
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    sql = _sql(connection.vendor).replace("{ids}", marks)
    with connection.cursor() as cursor:
        cursor.execute(sql, ids * len(_NAMES))
        rows = cursor.fetchall()
    rows.sort(key=_order)
    out: list[tuple[str, dict[str, Any]]] = []
    for _seq, kind, op_id, place, agency, *rest in rows:
        generic = dict(zip(COLUMNS, rest, strict=True))
        row: dict[str, Any] = {
            "operation_id": int(op_id),
            "jurisdiction_id": None if place is None else int(place),
            "by": None if agency is None else int(agency),
            "n": generic["n"],
        }
        for column, name in _NAMES[str(kind)].items():
            row[name] = generic[column]
        if kind == "target":
            row["dob_min"], row["dob_max"] = _day(row["dob_min"]), _day(row["dob_max"])
        elif kind == "seizure":
            row["cash"] = _cash(row["cash"])
        out.append((str(kind), row))
    return out


def _order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    seq, _kind, op_id, place, agency, *rest = row
    if seq == 0:
        return (0, int(rest[COLUMNS.index("n")]))  # declared order
    return (
        int(seq),
        int(op_id),
        place is not None,
        place or 0,
        agency is not None,
        agency or 0,
        *((c is not None, c or "") for c in rest[:3]),
    )
