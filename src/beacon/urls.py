from django.contrib import admin
from django.urls import include, path

from beacon.api import api
from beacon.resilience.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("account/", include("beacon.access.urls")),
    path("healthz", health, name="health"),
    path("", include("beacon.web.urls")),
]

# An unreachable database answers 503 with a clear message; any other crash a bare 500.
handler500 = "beacon.resilience.views.server_error"
# An unknown address gets Beacon's own page, in the reader's language, not Django's bare one.
handler404 = "beacon.web.views.common.not_found"
