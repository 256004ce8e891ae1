"""The JSON report of an operation at its family's version, computed once per process.

A report is aggregate figures made to be published: the same for every actor allowed to
read it. Its JSON is kept per process under a key that names the family (the operation,
its sub-operations, its series' other editions) and the family's version, which the
database moves with every write the report reads (beacon.operations.stamps): a change
makes a new key, so nothing is invalidated by hand. The version is read *before* the
report is computed, so a key never holds figures older than its version.

Each caller is still checked and audited as building it would: the permission, the
operation's visibility (404 otherwise), and one ``operations.report`` event in its own
transaction (``cached: true`` when the figures came from the cache).

What the stamps do not watch (an agency renamed, a local metric's label) shows once the
entry expires (CACHE_SECONDS), as on the dashboards (beacon.web.views.dashboard).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from ninja.responses import NinjaJSONEncoder

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.operations.models import Operation, OperationStamp
from beacon.operations.reports.compute import report_of
from beacon.operations.reports.languages import report_languages
from beacon.operations.reports.render import as_json
from beacon.operations.services import get_operation

CACHE_SECONDS = 600
_computing: dict[str, threading.Lock] = {}
_computing_lock = threading.Lock()


def encode(data: dict[str, Any]) -> bytes:
    """The report's JSON as the API renders any answer (ninja's encoder)."""
    return json.dumps(data, cls=NinjaJSONEncoder).encode()


def report_key(root: Operation, lang: str) -> str:
    """One statement: the family's size, the sum of its stamps and its latest change.

    The sum only grows while the family keeps its members; a member that joins or leaves
    stamps its old and new hub or series (beacon.operations.stamps), so that change is
    the latest, and its time is in the key. A database restored to an earlier state (or
    a test's rolled-back one) that reaches the same sum again does so at another time."""
    scope = Q(pk=root.pk) | Q(parent_id=root.pk)
    if root.series_id:
        scope |= Q(series_id=root.series_id)
    row = OperationStamp.objects.filter(
        operation_id__in=Operation.objects.filter(scope).values("pk")
    ).aggregate(members=Count("pk"), n=Sum("version"), at=Max("changed_at"))
    at = row["at"].isoformat() if row["at"] else "-"
    return f"beacon:report-json:{root.pk}:{row['members']}:{row['n']}:{at}:{lang}"


def report_json(actor: Actor, code: str, *, lang: str = "en") -> bytes:
    """The operation's JSON report (``as_json``), encoded; from the cache when the
    family has not changed since it was computed."""
    policy.require(actor, Permission.OPERATIONS_REPORT, object_type="operation", object_id=code)
    if lang not in report_languages():
        raise ValidationFailed.on("lang", f"one of {', '.join(report_languages())}")
    root = get_operation(actor, code)
    key = report_key(root, lang)
    body: bytes | None = cache.get(key)
    if body is None:
        with _computing_lock:
            lock = _computing.setdefault(key, threading.Lock())
        with lock:  # callers of one new version wait for one computation, not each their own
            body = cache.get(key)
            if body is None:
                try:
                    body = encode(as_json(report_of(actor, root, lang=lang), lang))
                    cache.set(key, body, CACHE_SECONDS)
                finally:
                    with _computing_lock:
                        _computing.pop(key, None)
                return body  # report_of audited this read
    with transaction.atomic():
        audit.record(
            actor,
            "operations.report",
            object_type="operation",
            object_id=root.code,
            detail={"lang": lang, "aggregate": True, "cached": True},
        )
    return body
