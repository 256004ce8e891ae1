"""Error responses this app gives, as JSON for the API and as a short page for browsers.

The body has the same shape as the API's domain errors: {"error", "message", "fields"}.
No traceback or internal detail ever reaches the client.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string


def wants_html(request: HttpRequest) -> bool:
    """Browsers get a page; API clients (and anything under /api/) get JSON."""
    if request.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("Accept", "")


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    response: HttpResponse
    if wants_html(request):
        page = render_to_string(
            "resilience/error.html", {"status": status, "code": code, "message": message}
        )
        response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    else:
        body: dict[str, object] = {"error": code, "message": message}
        if fields:
            body["fields"] = fields
        response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
