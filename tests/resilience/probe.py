"""A URL conf for the resilience tests: Beacon's own health and error handling, plus two
probe routes that write the way every Beacon service writes (one transaction holding the
change and its audit event), independent of the domain APIs under construction.

POST /probe/write  {"token": "..."}  -> 201 {"ori", "token"}: one new Agency with a fresh
                   server-chosen ORI and name=token, plus one audit event naming both.
POST /probe/fail   -> writes, then fails with a 500 (must roll back).
"""

from __future__ import annotations

import json
import secrets
import string

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import system_actor
from beacon.resilience.views import health

PROBE_ACTION = "resilience.probe"
ALPHABET = string.ascii_uppercase + string.digits


def _token(request: HttpRequest) -> str | None:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return None
        token = data.get("token") if isinstance(data, dict) else None
    else:
        token = request.POST.get("token")
    return token if isinstance(token, str) and 0 < len(token) <= 150 else None


def _create(token: str) -> Agency:
    with transaction.atomic():
        ori = "NM" + "".join(secrets.choice(ALPHABET) for _ in range(7))
        agency = Agency.objects.create(ori=ori, name=token, kind=Agency.Kind.LOCAL)
        audit.record(
            system_actor(via="api"),
            PROBE_ACTION,
            object_type="agency",
            object_id=ori,
            detail={"token": token},
        )
    return agency


@csrf_exempt
def write(request: HttpRequest) -> HttpResponse:
    token = _token(request)
    if token is None:
        return JsonResponse(
            {
                "error": "validation_failed",
                "message": "token is required",
                "fields": {"token": ["required, 1 to 150 characters"]},
            },
            status=422,
        )
    agency = _create(token)
    return JsonResponse({"ori": agency.ori, "token": token}, status=201)


@csrf_exempt
def fail(request: HttpRequest) -> HttpResponse:
    _create(_token(request) or "failing")
    raise RuntimeError("probe failure after a write")


urlpatterns = [
    path("healthz", health),
    path("probe/write", write),
    path("probe/fail", fail),
]

handler500 = "beacon.resilience.views.server_error"
