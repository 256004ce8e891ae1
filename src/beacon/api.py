"""The JSON API: one NinjaAPI, one router per domain, one error handler."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from beacon.access.ninja import SessionOrToken, enforce_declared_permission
from beacon.access.probes import audit_not_visible
from beacon.core.errors import DomainError, NotVisible

api = NinjaAPI(
    title="Beacon API",
    version="1",
    docs_url="/docs",
    urls_namespace="api",
    auth=SessionOrToken(),  # a signed-in session or an API token (beacon.access)
)
# Every route's @requires permission is checked before its input is parsed.
api.add_decorator(enforce_declared_permission, mode="view")


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotVisible):
        audit_not_visible(request)  # a probe outside need-to-know is audited, not revealed
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [
            str(part)
            for part in error.get("loc", [])
            if part not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(loc) or "request", []).append(str(error.get("msg", "invalid")))
    body = {"error": "validation_failed", "message": "The request is not valid.", "fields": fields}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "unauthenticated", "message": "Sign in or send a valid API token."},
        status=401,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"error": "http_error", "message": str(exc)}, status=exc.status_code
    )


def _mount() -> None:
    from beacon.access.api import router as access_router
    from beacon.agencies.api import router as agencies_router
    from beacon.audit.api import router as audit_router
    from beacon.intake.api import router as intake_router
    from beacon.interchange.api import router as interchange_router
    from beacon.operations.api import router as operations_router
    from beacon.records.api import router as records_router

    api.add_router("/agencies", agencies_router, tags=["agencies"])
    api.add_router("/records", records_router, tags=["records"])
    api.add_router("/operations", operations_router, tags=["operations"])
    api.add_router("/intake", intake_router, tags=["intake"])
    api.add_router("/interchange", interchange_router, tags=["interchange"])
    api.add_router("/access", access_router, tags=["access"])
    api.add_router("/audit", audit_router, tags=["audit"])


_mount()
