"""Who is behind an HTTP request.

Until sign-in and API tokens land, requests act as the named system actor (see
issue 'Need-to-know access'); this is the one function to change when they do.
"""

from __future__ import annotations

from django.http import HttpRequest

from beacon.core.actor import Actor, system_actor


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def actor_for(request: HttpRequest) -> Actor:
    cached = getattr(request, "beacon_actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = system_actor(via="api", source_address=client_address(request))
    request.beacon_actor = actor  # type: ignore[attr-defined]
    return actor
