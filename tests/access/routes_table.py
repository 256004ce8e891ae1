"""The route tables the permission matrix is generated from: every Django URL pattern
(outside the admin and the API) and every django-ninja operation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from beacon.access.routes import declared_permission
from beacon.api import api

# Django's admin is reached only by staff accounts, which Beacon never creates for a
# role; its model admins for audit and accounts are read-only (see beacon.audit.admin).
EXCLUDED_PREFIXES = ("admin/", "api/")


@dataclass(frozen=True)
class Route:
    kind: str  # web | api
    path: str  # with {name} placeholders
    methods: tuple[str, ...]
    view: Callable[..., Any]

    @property
    def permission(self) -> str | None:
        return declared_permission(self.view)

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def __str__(self) -> str:
        return f"{self.kind} {'/'.join(self.methods)} {self.path}"


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def web_routes() -> list[Route]:
    found = []
    for pattern, view in _walk(get_resolver().url_patterns):
        if pattern.startswith(EXCLUDED_PREFIXES):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern).lstrip("^").rstrip("$")
        found.append(Route("web", path, ("GET",), view))
    return found


def api_routes() -> list[Route]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api" + ("/" + prefix.strip("/") if prefix.strip("/") else "") + path
                found.append(Route("api", full, tuple(operation.methods), operation.view_func))
    return found


# django-ninja's own pages: the OpenAPI schema and its viewer, and the API root.
NINJA_OWN = {"/api/openapi.json", "/api/docs", "/api/"}


def api_url_paths() -> set[str]:
    """Every URL the API serves, as the route table's {param} paths (ninja's own excluded)."""
    paths = {
        "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)
        for pattern, _view in _walk(list(api.urls[0]))
    }
    return paths - NINJA_OWN


def all_routes() -> list[Route]:
    return web_routes() + api_routes()
