"""Page routes. Every view declares its permission with @requires (see beacon.access.routes)."""

from __future__ import annotations

from django.urls import path

from beacon.web.views import assets, home, language

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("language/", language.switch_language, name="language"),
    path("static/<path:path>", assets.static_file, name="static"),
    path("geo/topojson/<str:name>.json", assets.base_map, name="base_map"),
    path("operations/", home.home, name="operations"),
    path("records/", home.home, name="record_search"),
    path("referrals/", home.home, name="inbox"),
    path("intake/", home.home, name="intake"),
    path("administration/", home.home, name="admin_home"),
]
