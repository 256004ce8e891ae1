"""JSON API of the registry (django-ninja), mounted at /api/records.

Thin: parse, call one service, render. Every route declares its permission; the
actor comes from the request. ETag / If-Match carry the record's version: a change
sent with a stale If-Match answers 412 and changes nothing.
"""

# No "from __future__ import annotations": django-ninja reads these annotations at run time.
import json
import re

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import NinjaJSONEncoder

from beacon.access.permissions import Permission
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.records import photos, services
from beacon.records.inputs import NameInput, RecordInput
from beacon.records.models import MissingPersonRecord
from beacon.records.schemas import (
    CancelIn,
    ClearIn,
    DueOut,
    HitOut,
    LocateIn,
    ModifyIn,
    RecordIn,
    RecordOut,
    SearchIn,
    SearchOut,
    TransactionOut,
    ValidateIn,
    record_out,
    transaction_out,
)
from beacon.records.search import Hits, SearchQuery, parse_dob

router = Router()

_TAG = re.compile(r'^(?:W/)?"?(?:[A-Z][0-9]{9}-)?v?(\d+)"?$')


def etag(record: MissingPersonRecord) -> str:
    return f'"{record.nic}-v{record.version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match names; a tag that is not ours can match nothing (412)."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = _TAG.match(if_match.strip())
    return int(found.group(1)) if found else -1


def _shown(response: HttpResponse, record: MissingPersonRecord) -> RecordOut:
    response["ETag"] = etag(record)
    return record_out(record)


def _reloaded(request: HttpRequest, response: HttpResponse, nic: str) -> RecordOut:
    return _shown(response, services.show_record(actor_for(request), nic))


@router.post("", response={201: RecordOut})
@requires(Permission.RECORDS_ENTER)
def enter(request: HttpRequest, response: HttpResponse, payload: RecordIn) -> Status[RecordOut]:
    data = payload.dict()
    data["aliases"] = tuple(NameInput(**a) for a in data["aliases"])
    data["alias_dobs"] = tuple(data["alias_dobs"])
    data["smt"] = tuple(data["smt"])
    record = services.enter_record(actor_for(request), RecordInput(**data))
    return Status(201, _reloaded(request, response, record.nic))


@router.post("/search", response=SearchOut)
@requires(Permission.RECORDS_SEARCH)
def search(request: HttpRequest, payload: SearchIn) -> HttpResponse:
    """Any field or combination: names, a DOB or its year (or year and month), an age
    range, sex, category, status. With no hit, ``searched`` says what was looked for and
    ``suggestions`` what to try."""
    data = payload.dict()
    dob, birth_year, birth_month = parse_dob(data.pop("dob") or "")
    query = SearchQuery(**data, dob=dob, birth_year=birth_year, birth_month=birth_month)
    hits = services.search_records(actor_for(request), query)
    return HttpResponse(search_json(hits), content_type=JSON_CONTENT_TYPE)


HIT_FIELDS = tuple(HitOut.model_fields)
JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # as ninja renders


def search_json(hits: Hits) -> bytes:
    """``SearchOut`` as ninja would render it, written directly: a search answers the
    most requests, and validating each hit through a schema took a sixth of its time.
    The hits are the search's own typed dataclasses (beacon.records.search.Hit), whose
    fields are HitOut's (tests/records/test_search_api_json.py holds them equal)."""
    return json.dumps(
        {
            "hits": [{f: getattr(h, f) for f in HIT_FIELDS} for h in hits],
            "searched": hits.searched,
            "suggestions": hits.suggestions,
        },
        cls=NinjaJSONEncoder,
    ).encode()


@router.get("/due", response=list[DueOut])
@requires(Permission.RECORDS_VIEW)
def due(request: HttpRequest) -> list[DueOut]:
    return [
        DueOut(
            nic=i.nic,
            rule=i.rule,
            due_at=i.due_at,
            overdue_days=round(i.overdue_by.total_seconds() / 86400, 2),
            originating_ori=i.originating_ori,
            last_name=i.last_name,
            first_name=i.first_name,
        )
        for i in services.due_records(actor_for(request))
    ]


@router.get("/{nic}", response=RecordOut)
@requires(Permission.RECORDS_VIEW)
def show(request: HttpRequest, response: HttpResponse, nic: str) -> RecordOut:
    return _reloaded(request, response, nic)


@router.patch("/{nic}", response=RecordOut)
@requires(Permission.RECORDS_MODIFY)
def modify(
    request: HttpRequest,
    response: HttpResponse,
    nic: str,
    payload: ModifyIn,
) -> RecordOut:
    if request.headers.get("If-Match") is None:
        raise HttpError(428, "Send If-Match with the ETag of the version you changed.")
    services.modify_record(
        actor_for(request),
        nic,
        payload.changes,
        expected_version=expected_version(request.headers.get("If-Match")),
        reason=payload.reason,
    )
    return _reloaded(request, response, nic)


@router.post("/{nic}/locate", response=RecordOut)
@requires(Permission.RECORDS_LOCATE)
def locate(
    request: HttpRequest,
    response: HttpResponse,
    nic: str,
    payload: LocateIn,
) -> RecordOut:
    services.locate_record(
        actor_for(request),
        nic,
        located_at=payload.located_at,
        place=payload.place,
        by_whom=payload.by_whom,
        disposition=payload.disposition,
        jurisdiction=payload.jurisdiction or None,
        expected_version=expected_version(request.headers.get("If-Match")),
        reason=payload.reason,
    )
    return _reloaded(request, response, nic)


@router.post("/{nic}/clear", response=RecordOut)
@requires(Permission.RECORDS_CLEAR)
def clear(
    request: HttpRequest,
    response: HttpResponse,
    nic: str,
    payload: ClearIn,
) -> RecordOut:
    services.clear_record(
        actor_for(request),
        nic,
        how=payload.how,
        cleared_at=payload.cleared_at,
        expected_version=expected_version(request.headers.get("If-Match")),
        reason=payload.reason,
    )
    return _reloaded(request, response, nic)


@router.post("/{nic}/cancel", response=RecordOut)
@requires(Permission.RECORDS_CANCEL)
def cancel(
    request: HttpRequest,
    response: HttpResponse,
    nic: str,
    payload: CancelIn,
) -> RecordOut:
    services.cancel_record(
        actor_for(request),
        nic,
        reason=payload.reason,
        expected_version=expected_version(request.headers.get("If-Match")),
    )
    return _reloaded(request, response, nic)


@router.post("/{nic}/validate", response=RecordOut)
@requires(Permission.RECORDS_MODIFY)
def validate(
    request: HttpRequest,
    response: HttpResponse,
    nic: str,
    payload: ValidateIn,
) -> RecordOut:
    services.validate_record(
        actor_for(request),
        nic,
        reason=payload.reason,
        expected_version=expected_version(request.headers.get("If-Match")),
    )
    return _reloaded(request, response, nic)


@router.get("/{nic}/history", response=list[TransactionOut])
@requires(Permission.RECORDS_VIEW)
def history(request: HttpRequest, nic: str) -> list[TransactionOut]:
    return [transaction_out(t) for t in services.history(actor_for(request), nic)]


@router.post("/{nic}/photos", response={201: RecordOut})
@requires(Permission.RECORDS_MODIFY)
def add_photo(
    request: HttpRequest,
    response: HttpResponse,
    nic: str,
    file: File[UploadedFile],
    caption: Form[str] = "",
) -> Status[RecordOut]:
    """Attach a JPEG or PNG (at most 10 MB); If-Match is honoured."""
    photos.add_photo(
        actor_for(request),
        nic,
        content=file.read(photos.MAX_BYTES + 1),
        caption=caption,
        expected_version=expected_version(request.headers.get("If-Match")),
    )
    return Status(201, _reloaded(request, response, nic))


@router.get("/{nic}/photos/{photo_id}")
@requires(Permission.RECORDS_VIEW)
def photo(request: HttpRequest, nic: str, photo_id: int) -> HttpResponse:
    found, content = photos.read_photo(actor_for(request), nic, photo_id)
    kind = "png" if str(found.file.name).endswith(".png") else "jpeg"
    answer = HttpResponse(content, content_type=f"image/{kind}")
    answer["Cache-Control"] = "no-store"
    return answer
