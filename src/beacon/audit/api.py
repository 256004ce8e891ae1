"""Audit search (JSON) and export (CSV) for administrators."""

from datetime import datetime

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from beacon.access.permissions import Permission
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.audit import search
from beacon.audit.models import AuditEvent
from beacon.audit.verify import verify

router = Router()


class AuditQuery(Schema):
    actor: str = ""
    user_id: int | None = None
    agency_ori: str = Field("", max_length=9)
    action: str = Field("", max_length=60)
    object_type: str = Field("", max_length=60)
    object_id: str = Field("", max_length=64)
    outcome: str = Field("", pattern=r"^(|success|denied|failure)$")
    since: datetime | None = None
    until: datetime | None = None

    def to_filter(self) -> search.AuditFilter:
        return search.AuditFilter(**self.model_dump())


class PageQuery(AuditQuery):
    after_seq: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)


class EventOut(Schema):
    seq: int
    at: datetime
    actor: str
    user_id: int | None
    agency_ori: str
    role: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    source_address: str
    via: str
    detail: dict[str, object]
    mac: str
    prev_hash: str
    hash: str


class VerifyOut(Schema):
    ok: bool
    checked: int
    last_seq: int
    problems: list[str]


@router.get("/events", response=list[EventOut])
@requires(Permission.AUDIT_VIEW)
def list_events(request: HttpRequest, q: Query[PageQuery]) -> list[AuditEvent]:
    f = AuditQuery(**q.model_dump(exclude={"after_seq", "limit"})).to_filter()
    return search.search(actor_for(request), f, after_seq=q.after_seq, limit=q.limit)


@router.get("/events.csv")
@requires(Permission.AUDIT_EXPORT)
def export_events(request: HttpRequest, q: Query[AuditQuery]) -> StreamingHttpResponse:
    lines = search.export_csv(actor_for(request), q.to_filter())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="beacon-audit.csv"'
    return response


@router.get("/verify", response=VerifyOut)
@requires(Permission.AUDIT_VIEW)
def verify_chain(request: HttpRequest) -> VerifyOut:
    report = verify()
    return VerifyOut(
        ok=report.ok, checked=report.checked, last_seq=report.last_seq, problems=report.problems
    )
