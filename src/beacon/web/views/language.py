"""The language switch: remembered in a cookie (and the user's profile when there is one)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from beacon.access.routes import PUBLIC, requires
from beacon.access.services import remember_language

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@require_POST
@requires(PUBLIC)
def switch_language(request: HttpRequest) -> HttpResponse:
    language = str(request.POST.get("language", ""))
    target = str(request.POST.get("next", "/"))
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in LANGUAGE_CODES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
        )
        if request.user.is_authenticated:
            remember_language(int(request.user.pk), language)
    return response
