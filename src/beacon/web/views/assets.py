"""Static files and map outlines, served by Beacon itself (closed network, no CDN)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from beacon.access.routes import PUBLIC, requires
from beacon.geo import topojson

ONE_DAY = 24 * 3600


@require_GET
@requires(PUBLIC)
def static_file(request: HttpRequest, path: str) -> FileResponse:
    """Our CSS/JS and the vendor libraries, found through the static-files finders."""
    if ".." in Path(path).parts:
        raise Http404
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise Http404
    content_type, _ = mimetypes.guess_type(str(found))
    response = FileResponse(open(found, "rb"), content_type=content_type)  # noqa: SIM115
    response["Cache-Control"] = f"max-age={ONE_DAY}"
    return response


@require_GET
@requires(PUBLIC)
def base_map(request: HttpRequest, name: str) -> HttpResponse:
    """The TopoJSON plotly.js asks for at ``topojsonURL`` (``usa_110m.json`` and so on)."""
    if name not in topojson.NAMES:
        raise Http404
    response = HttpResponse(topojson.topology(), content_type="application/json")
    response["Cache-Control"] = f"max-age={ONE_DAY}"
    return response


@require_GET
@requires(PUBLIC)
def favicon(request: HttpRequest) -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page links: Beacon's icon, not a 404."""
    return static_file(request, "web/img/beacon.svg")
