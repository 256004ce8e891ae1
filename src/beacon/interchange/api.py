"""JSON API routes of interchange (django-ninja); mounted in beacon.api at /interchange.

Imports take the partner's file as the request body (any content type) and answer with
what was written; a bad file is a 422 listing every line (or JSON path) and field.
Exports answer in the format itself (text, XML or JSON).
"""

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from beacon.access.permissions import Permission
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.interchange import htcds, htcds_rows, ncic, nibrs, pfif
from beacon.interchange.targets import ImportResult

router = Router()


class ImportOut(Schema):
    format: str
    source: str
    sha256: str
    counts: dict[str, int]
    nics: list[str]
    skipped: list[str] = []


class NcicQuery(Schema):
    nic: list[str] = []
    operation: str | None = None


class PfifQuery(Schema):
    operation: str | None = None
    since: datetime | None = None
    record_domain: str = ""


def _done(result: ImportResult) -> Status[dict[str, Any]]:
    return Status(201, result.as_dict())


def _source(request: HttpRequest, default: str) -> str:
    return str(request.headers.get("X-Filename", "") or default)[:200]


@router.post("/operations/{code}/ncic", response={201: ImportOut})
@requires(Permission.RECORDS_IMPORT)
def import_ncic(request: HttpRequest, code: str) -> Status[dict[str, Any]]:
    actor = actor_for(request)
    return _done(ncic.import_ncic(actor, code, request.body, source=_source(request, "ncic.txt")))


@router.get("/ncic")
@requires(Permission.RECORDS_VIEW)
def export_ncic(request: HttpRequest, query: Query[NcicQuery]) -> HttpResponse:
    file = ncic.export_ncic(actor_for(request), nics=query.nic or None, operation=query.operation)
    response = HttpResponse(file.text, content_type="text/plain; charset=utf-8")
    response["X-Beacon-Withheld-TLP"] = str(len(file.withheld))
    return response


@router.post("/operations/{code}/pfif", response={201: ImportOut})
@requires(Permission.RECORDS_IMPORT)
def import_pfif(
    request: HttpRequest, code: str, ori: str = "", skip_invalid: bool = False
) -> Status[dict[str, Any]]:
    result = pfif.import_pfif(
        actor_for(request),
        code,
        request.body,
        source=_source(request, "pfif.xml"),
        ori=ori,
        skip_invalid=skip_invalid,
    )
    return _done(result)


@router.get("/pfif")
@requires(Permission.OPERATIONS_EXPORT)
def export_pfif(request: HttpRequest, query: Query[PfifQuery]) -> HttpResponse:
    document, counts = pfif.export_pfif(
        actor_for(request),
        operation=query.operation,
        since=query.since,
        record_domain=query.record_domain,
    )
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["X-Beacon-Withheld-TLP"] = str(counts["withheld_tlp"])
    return response


@router.get("/operations/{code}/htcds")
@requires(Permission.OPERATIONS_EXPORT)
def export_htcds(request: HttpRequest, code: str, format: str = "json") -> HttpResponse:
    if format == "xlsx":
        return HttpResponse(
            htcds_rows.export_htcds_xlsx(actor_for(request), code),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    document = htcds.export_htcds(actor_for(request), code)
    return HttpResponse(json.dumps(document), content_type="application/json")


@router.post("/operations/{code}/htcds", response={201: ImportOut})
@requires(Permission.RECORDS_IMPORT)
def import_htcds_cases(request: HttpRequest, code: str) -> Status[dict[str, Any]]:
    result = htcds_rows.import_htcds_cases(
        actor_for(request), code, request.body, source=_source(request, "htcds.xlsx")
    )
    return _done(result)


@router.post("/htcds/referral-updates", response={201: ImportOut})
@requires(Permission.REFERRALS_RESPOND)
def import_htcds(request: HttpRequest) -> Status[dict[str, Any]]:
    result = htcds.import_htcds_updates(
        actor_for(request), request.body, source=_source(request, "htcds.json")
    )
    return _done(result)


@router.get("/operations/{code}/nibrs")
@requires(Permission.OPERATIONS_EXPORT)
def export_nibrs(request: HttpRequest, code: str) -> HttpResponse:
    document = nibrs.export_nibrs(actor_for(request), code)
    return HttpResponse(json.dumps(document), content_type="application/json")


@router.post("/operations/{code}/nibrs", response={201: ImportOut})
@requires(Permission.OPERATIONS_RECORD)
def import_nibrs(request: HttpRequest, code: str) -> Status[dict[str, Any]]:
    result = nibrs.import_nibrs(
        actor_for(request), code, request.body, source=_source(request, "nibrs.json")
    )
    return _done(result)


@router.get("/operations/{code}/nibrs/summary")
@requires(Permission.OPERATIONS_REPORT)
def nibrs_summary(request: HttpRequest, code: str) -> dict[str, Any]:
    return nibrs.offense_summary(actor_for(request), code).as_dict()


# ------------------------------------------------------------------ incidents one by one
# The same incidents as the NIBRS document, typed in as they happen: recorded with their
# offences, an offence added while the incident is open, then cleared once (by arrest, or
# exceptionally A-E with its date). Each answers with the incident as the export has it.


class IncidentIn(Schema):
    offenses: list[str]
    investigation: str = ""
    arrests: list[str] = []
    exceptionalClearance: str = nibrs.NOT_APPLICABLE
    exceptionalClearanceDate: date | None = None


class OffenseIn(Schema):
    code: str


class ClearanceIn(Schema):
    arrests: list[str] = []
    exceptionalClearance: str = nibrs.NOT_APPLICABLE
    exceptionalClearanceDate: date | None = None


class IncidentOut(Schema):
    ref: str
    investigation: str
    arrests: list[str]
    exceptionalClearance: str
    exceptionalClearanceDate: str | None
    offenses: list[dict[str, str]]
    clearance: str


@router.post("/operations/{code}/nibrs/incidents", response={201: IncidentOut})
@requires(Permission.OPERATIONS_RECORD)
def record_incident(request: HttpRequest, code: str, body: IncidentIn) -> Status[dict[str, Any]]:
    incident = nibrs.record_incident(
        actor_for(request),
        code,
        offenses=body.offenses,
        investigation=body.investigation,
        arrests=body.arrests,
        exceptional=body.exceptionalClearance,
        cleared_on=body.exceptionalClearanceDate,
    )
    return Status(201, nibrs.incident_document(incident))


@router.post("/operations/{code}/nibrs/incidents/{ref}/offenses", response={201: IncidentOut})
@requires(Permission.OPERATIONS_RECORD)
def add_offense(
    request: HttpRequest, code: str, ref: str, body: OffenseIn
) -> Status[dict[str, Any]]:
    offense = nibrs.record_offense(actor_for(request), code, code=body.code, incident=ref)
    return Status(201, nibrs.incident_document(offense.incident))


@router.post("/operations/{code}/nibrs/incidents/{ref}/clearance", response={200: IncidentOut})
@requires(Permission.OPERATIONS_RECORD)
def clear_incident(request: HttpRequest, code: str, ref: str, body: ClearanceIn) -> dict[str, Any]:
    incident = nibrs.clear_incident(
        actor_for(request),
        code,
        ref,
        arrests=body.arrests,
        exceptional=body.exceptionalClearance,
        cleared_on=body.exceptionalClearanceDate,
    )
    return nibrs.incident_document(incident)
