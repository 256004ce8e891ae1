"""Template tags of the access app: the session's key for sealing field drafts."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django import template

register = template.Library()

DRAFT_KEY = "beacon_draft_key"


def session_draft_key(request: Any) -> str:
    """The signed-in session's AES-256 key for drafts on the device (base64), made on first
    use and kept in the session only: signing out, the idle or maximum limit, or an
    administrator ending the session destroys it, and with it every draft sealed under it."""
    session = request.session
    key = session.get(DRAFT_KEY)
    if not isinstance(key, str):
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        session[DRAFT_KEY] = key
    return key


@register.simple_tag(takes_context=True)
def draft_key(context: template.Context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return session_draft_key(request)
