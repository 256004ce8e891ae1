"""The main menu: each entry shows only to roles whose permissions allow the page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.core.actor import Actor
from beacon.core.errors import DomainError


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    permissions: tuple[P, ...]


MENU = (
    NavItem("web:home", _("Home"), ()),
    NavItem("web:operations", _("Operations"), (P.OPERATIONS_VIEW, P.OPERATIONS_REPORT)),
    NavItem("web:record_search", _("Records"), (P.RECORDS_SEARCH,)),
    NavItem("web:inbox", _("Referrals"), (P.REFERRALS_VIEW,)),
    NavItem("web:intake", _("Intake"), (P.INTAKE_MANAGE,)),
    NavItem("web:admin_home", _("Administration"), (P.ACCOUNTS_MANAGE, P.AUDIT_VIEW)),
)


def current_actor(request: HttpRequest) -> Actor | None:
    """The actor behind the request, or None when nobody is signed in."""
    try:
        return actor_for(request)
    except DomainError:
        return None


def menu_for(request: HttpRequest) -> list[dict[str, object]]:
    actor = current_actor(request)
    if actor is None:
        return []
    items: list[dict[str, object]] = []
    for item in MENU:
        if item.permissions and not any(policy.has(actor, p) for p in item.permissions):
            continue
        url = reverse(item.url_name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": item.label, "current": current})
    return items
