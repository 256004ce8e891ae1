"""The home page: what needs the signed-in person now, by role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from beacon.access.routes import PUBLIC, requires
from beacon.web.navigation import current_actor
from beacon.web.views.common import page


@require_GET
@page
@requires(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    return render(request, "web/home.html", {"actor": actor})
