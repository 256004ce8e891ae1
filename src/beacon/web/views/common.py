"""What every page view shares: domain errors become HTML pages, actors come from requests."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _

from beacon.access.probes import audit_not_visible
from beacon.core.errors import DomainError, Forbidden, NotVisible

F = TypeVar("F", bound=Callable[..., HttpResponseBase])


def _error_title(exc: DomainError) -> str:
    if isinstance(exc, NotVisible):
        return _("Not found")
    if isinstance(exc, Forbidden):
        return _("Not allowed")
    return _("This cannot be done")


def _error_message(exc: DomainError) -> str:
    if isinstance(exc, NotVisible):
        return _("There is nothing here, or you may not see it.")
    if isinstance(exc, Forbidden):
        return _("Your role does not allow this page or action.")
    return exc.message


def page(view: F) -> F:
    """Render domain errors as HTML pages (404/403/409/...) instead of a traceback.

    Place it above ``@requires`` so a refused permission is shown as a page too; an
    unauthenticated request is sent to the sign-in page.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.http_status == 401:
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
            if isinstance(exc, NotVisible):
                audit_not_visible(request)  # audited, never revealed (same page either way)
            context = {"title": _error_title(exc), "message": _error_message(exc)}
            return render(request, "web/error.html", context, status=exc.http_status)

    return wrapped  # type: ignore[return-value]


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    """Unknown URLs: the same styled, translated page as an object one may not see (the
    API answers JSON, as its clients expect)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    context = {
        "title": _("Not found"),
        "message": _("There is nothing here, or you may not see it."),
    }
    return render(request, "web/error.html", context, status=404)


def field_errors(exc: DomainError) -> dict[str, list[str]]:
    """Field messages of a domain error, with the general message under ``general``."""
    errors = {k: list(v) for k, v in exc.fields.items()}
    if not errors:
        errors["general"] = [exc.message]
    return errors
