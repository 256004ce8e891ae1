"""The need-to-know conditions on records and operations, compiled to SQL once per
process per actor.

``MissingPersonRecord.objects.visible_to(actor)`` (each domain's rule, beside its models)
says which rows an actor may see; it is a condition the database evaluates (sub-queries
on participations and targets), and its SQL depends only on the actor's role, agency and
user. Building and compiling it took
about a third of a person search's time (issue 18), so this keeps its compiled WHERE
clause per (model, database, role, agency, user) and hands out a queryset that carries it
unchanged: the statement the database runs is the policy's own, evaluated on the data as
it is at that moment, so a participation or target added or withdrawn counts at once.

Each domain's ``visible_to`` stays the one place that says who sees its rows (this module
never writes a condition of its own, and imports no domain). A compiled condition is kept only when it is a pure function of
the actor's role, agency and user and a plain filter on the model's own table: one whose parameters hold a date or time (a condition that expires)
is compiled afresh for every call, and so is one that joins another table (a hub
coordinator's operations). ``tests/access/test_compiled_visibility.py`` holds the
compiled conditions equal to the policy's and checks that changes count at once.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import BooleanField, Expression, Model

from beacon.core.actor import Actor

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import QuerySet
    from django.db.models.sql.compiler import SQLCompiler

MAX_ENTRIES = 10_000
_Key = tuple[str, str, str, str, int, int | None]
_compiled: dict[_Key, tuple[str, tuple[Any, ...]]] = {}
_lock = threading.Lock()
M = TypeVar("M", bound=Model)


class _Condition(Expression):
    """A condition the ORM compiled before (the policy's), carried as it was: its SQL
    names the table as the policy's queryset did, and its parameters stay bound."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, sql: str, params: tuple[Any, ...]) -> None:
        super().__init__()
        self.sql, self.params = sql, params

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return f"({self.sql})", self.params


def _where_of(visible: QuerySet[M]) -> tuple[str, tuple[Any, ...]] | None:
    """The queryset's WHERE clause and its parameters, or None when it has no plain
    condition to carry (everything, nothing, a join, or a date or time among its
    parameters)."""
    query = visible.query
    joined = [a for a, n in query.alias_refcount.items() if n and a != query.base_table]
    if query.is_sliced or query.distinct or joined:
        return None  # not a plain filter on the model's own table
    compiler = query.get_compiler(using=visible.db)
    try:
        sql, params = compiler.compile(query.where)
    except (EmptyResultSet, FullResultSet):
        return None
    if not sql or any(isinstance(p, datetime.date | datetime.time) for p in params):
        return None
    return sql, tuple(params)


def _visible(
    actor: Actor, model: type[M], of_policy: Callable[[Actor], QuerySet[M]]
) -> QuerySet[M]:
    alias = model._default_manager.db
    key = (
        model._meta.label,
        alias,
        connections[alias].vendor,
        actor.role,
        actor.agency_id,
        actor.user_id,
    )
    found = _compiled.get(key)
    if found is None:
        visible = of_policy(actor)
        found = _where_of(visible)
        if found is None:
            return visible
        with _lock:
            if len(_compiled) >= MAX_ENTRIES:
                _compiled.clear()
            _compiled[key] = found
    sql, params = found
    return model._default_manager.using(alias).filter(_Condition(sql, params))


def visible(model: type[M], actor: Actor) -> QuerySet[M]:
    """The same rows as ``model.objects.visible_to(actor)`` (the domain's own rule), its
    condition compiled once per process for this actor's role, agency and user."""
    manager: Any = model._default_manager
    return _visible(actor, model, manager.visible_to)


def clear() -> None:
    """Forget every compiled condition (tests that change the policy's code use it)."""
    with _lock:
        _compiled.clear()
