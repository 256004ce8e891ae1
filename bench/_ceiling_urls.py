"""Beacon's URLs plus /ceiling/plain: a Django view that does nothing (no database), to
measure what Django and gunicorn alone allow on this machine."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [path("ceiling/plain", plain), path("", include("beacon.urls"))]
