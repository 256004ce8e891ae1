"""Template context: the navigation the current actor may use."""

from __future__ import annotations

from django.http import HttpRequest

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.web.navigation import current_actor, menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    if not request.path.startswith("/") or request.path.startswith(("/api/", "/static/")):
        return {}
    actor = current_actor(request)
    return {
        "nav_items": menu_for(request),
        # Whether to offer the operation's Edit button (the view checks again).
        "can_manage_operations": actor is not None
        and policy.has(actor, Permission.OPERATIONS_MANAGE),
    }
