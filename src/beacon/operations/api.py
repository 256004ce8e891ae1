"""JSON API of operations: list, report, drill-down, outcomes, hit confirmations, bundles."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from beacon.access import compiled
from beacon.access.permissions import Permission
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.core.errors import NotVisible, ValidationFailed
from beacon.operations import services
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.bundles.importer import (
    add_entries,
    amendments,
    import_bundle,
    parse_json,
)
from beacon.operations.bundles.reader import Reader
from beacon.operations.models import HitConfirmation, Operation
from beacon.operations.reports.cached import report_json
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.drilldown import drilldown
from beacon.operations.reports.render import render

router = Router()
JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # as ninja renders
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


class OperationOut(Schema):
    code: str
    name: str
    status: str
    start: str | None
    end: str | None
    hub: str | None
    series: str | None
    edition: int | None


class OutcomeIn(Schema):
    kind: Literal["located", "recovered"]
    how: str = Field(..., max_length=32)
    at: datetime
    place: str = Field("", max_length=200)
    jurisdiction: str = Field("", max_length=20)


class OutcomeOut(Schema):
    target: str
    kind: str
    how: str
    at: datetime
    record_status: str


class HitIn(Schema):
    priority: Literal["urgent", "routine"]


class HitOut(Schema):
    id: int
    target: str
    priority: str
    requested_at: datetime
    due_at: datetime
    confirmed_at: datetime | None
    overdue: bool


def _hit(hit: HitConfirmation) -> HitOut:
    return HitOut(
        id=hit.pk,
        target=hit.target.ref,
        priority=hit.priority,
        requested_at=hit.requested_at,
        due_at=hit.due_at,
        confirmed_at=hit.confirmed_at,
        overdue=hit.is_overdue(),
    )


@router.get("/", response=list[OperationOut])
@requires(Permission.OPERATIONS_REPORT)
def list_operations(request: HttpRequest) -> list[OperationOut]:
    operations = (
        compiled.visible(Operation, actor_for(request))  # Operation.objects.visible_to
        .select_related("parent", "series")
        .order_by("start", "code")
    )
    return [
        OperationOut(
            code=o.code,
            name=o.name,
            status=o.status,
            start=o.start.isoformat() if o.start else None,
            end=o.end.isoformat() if o.end else None,
            hub=o.parent.code if o.parent else None,
            series=o.series.code if o.series else None,
            edition=o.edition,
        )
        for o in operations
    ]


@router.get("/{code}/report")
@requires(Permission.OPERATIONS_REPORT)
def report(
    request: HttpRequest,
    code: str,
    lang: str = "en",  # one of the report languages (settings.LANGUAGES): else 422
    format: Literal["json", "md", "html", "pdf"] = "json",
) -> Any:
    if format == "json":  # at the family's version, computed once (reports.cached)
        encoded = report_json(actor_for(request), code, lang=lang)
        return HttpResponse(encoded, content_type=JSON_CONTENT_TYPE)
    body = build_report(actor_for(request), code, lang=lang)
    return HttpResponse(render(body, format, lang), content_type=CONTENT_TYPES[format])


@router.get("/{code}/figures/{metric}/records")
@requires(Permission.OPERATIONS_VIEW)
def figure_records(
    request: HttpRequest, code: str, metric: str, jurisdiction: str = ""
) -> dict[str, Any]:
    return drilldown(actor_for(request), code, metric, jurisdiction=jurisdiction)


@router.post("/{code}/targets/{ref}/outcome", response={201: OutcomeOut})
@requires(Permission.OPERATIONS_RECORD)
def record_outcome(request: HttpRequest, code: str, ref: str, payload: OutcomeIn) -> Any:
    actor = actor_for(request)
    target = services.get_target(actor, code, ref)
    place = None
    if payload.jurisdiction:
        reader = Reader()
        resolved = reader.jurisdiction_ref(payload.jurisdiction, "jurisdiction")
        if reader.problems:
            raise ValidationFailed.on("jurisdiction", reader.problems[0].reason)
        place = reader.resolve_jurisdiction(resolved)
    outcome = services.record_outcome(
        actor,
        target,
        kind=payload.kind,
        how=payload.how,
        at=payload.at,
        agency=actor.agency,
        place=payload.place,
        jurisdiction=place,
    )
    target.record.refresh_from_db(fields=["status"])
    return Status(
        201,
        OutcomeOut(
            target=target.ref,
            kind=outcome.kind,
            how=outcome.how,
            at=outcome.at,
            record_status=target.record.status,
        ),
    )


class EntriesIn(Schema):
    rows: list[dict[str, Any]]
    people: list[dict[str, Any]] = []


@router.post("/{code}/entries/{section}", response={201: dict[str, Any]})
@requires(Permission.OPERATIONS_RECORD)
def add_rows(request: HttpRequest, code: str, section: str, payload: EntriesIn) -> Any:
    """Add arrests, victims, services, targets... (bundle rows, docs/bundle.md)."""
    report = add_entries(actor_for(request), code, section, payload.rows, people=payload.people)
    return Status(201, report.as_dict())


@router.post("/{code}/targets/{ref}/hits", response={201: HitOut})
@requires(Permission.OPERATIONS_RECORD)
def request_hit(request: HttpRequest, code: str, ref: str, payload: HitIn) -> Any:
    actor = actor_for(request)
    target = services.get_target(actor, code, ref)
    return Status(
        201, _hit(services.request_hit_confirmation(actor, target, priority=payload.priority))
    )


@router.post("/{code}/hits/{hit_id}/confirm", response=HitOut)
@requires(Permission.OPERATIONS_RECORD)
def confirm_hit(request: HttpRequest, code: str, hit_id: int) -> HitOut:
    actor = actor_for(request)
    operation = services.get_operation(actor, code)
    hit = (
        HitConfirmation.objects.visible_to(actor)
        .select_related("target")
        .filter(pk=hit_id, target__operation=operation)
        .first()
    )
    if hit is None:
        raise NotVisible()
    return _hit(services.confirm_hit(actor, hit))


@router.get("/{code}/hits/overdue", response=list[HitOut])
@requires(Permission.OPERATIONS_VIEW)
def overdue_hits(request: HttpRequest, code: str) -> list[HitOut]:
    return [_hit(h) for h in services.overdue_hits(actor_for(request), code)]


@router.get("/{code}/bundle")
@requires(Permission.OPERATIONS_EXPORT)
def export(request: HttpRequest, code: str) -> dict[str, Any]:
    return export_bundle(actor_for(request), code)


@router.post("/bundles", response={201: dict[str, Any]})
@requires(Permission.OPERATIONS_MANAGE)
def import_(request: HttpRequest, amend: bool = False, reason: str = "") -> Any:
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed.on("body", "the bundle must be UTF-8 JSON") from None
    result = import_bundle(actor_for(request), parse_json(text), amend=amend, reason=reason)
    return Status(201, result.as_dict())


@router.get("/{code}/amendments")
@requires(Permission.OPERATIONS_VIEW)
def history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return amendments(actor_for(request), code)


@router.post("/metrics", response={201: dict[str, Any]})
@requires(Permission.OPERATIONS_MANAGE)
def add_metrics(
    request: HttpRequest, payload: dict[str, Any], amend: bool = False, reason: str = ""
) -> Any:
    """Add local metrics: {"local.id": entry, ...} (docs/metrics.md)."""
    from beacon.operations.metrics import add_local_metrics

    return Status(201, add_local_metrics(actor_for(request), payload, amend=amend, reason=reason))


@router.get("/metrics")
@requires(Permission.OPERATIONS_REPORT)
def metrics(request: HttpRequest) -> dict[str, Any]:
    """The metric catalogue (docs/metrics.md), local metrics included."""
    from dataclasses import asdict

    from beacon.operations.catalogue import catalogue

    known = catalogue()
    return {
        "version": known.version,
        "metrics": {k: asdict(m) for k, m in known.metrics.items()},
        "dimensions": {k: asdict(d) for k, d in known.dimensions.items()},
    }
