"""The short error page browsers get (503 during an outage, 429, ...) obeys the CSP.

The CSP admits no inline style with content (settings.CONTENT_SECURITY_POLICY), so an inline
`style` attribute on this page was refused by the browser and the page came out unstyled.
"""

from __future__ import annotations

import re

from django.test import RequestFactory

from beacon.resilience.responses import error_response


def test_the_browser_error_page_has_no_inline_style_and_links_beacons_stylesheet() -> None:
    request = RequestFactory().get("/operations/", HTTP_ACCEPT="text/html")
    response = error_response(request, 503, "unavailable", "The database is unreachable.")
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "The database is unreachable." in page
    assert not re.search(r"\sstyle\s*=", page), "inline style attribute"
    assert "<style" not in page
    assert re.search(r'<link rel="stylesheet" href="/static/web/css/beacon\.css', page)
