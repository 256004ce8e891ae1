"""Template context: the navigation the current actor may use."""

from __future__ import annotations

from django.http import HttpRequest

from beacon.web.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    if not request.path.startswith("/") or request.path.startswith(("/api/", "/static/")):
        return {}
    return {"nav_items": menu_for(request)}
