"""Dashboard polls answered "not modified" for two SQL statements.

An open dashboard asks every second whether its figures changed. The first full answer
(the page, or a poll after a change) is made with everything checked (session, second
factor, membership, the operation's visibility) and leaves a *grant* in the server-side
session: which operations the figures read (the family), the entity tag it was given,
for whom, until when. A later poll carrying that tag (``If-None-Match``, or ``?v=``) is
answered by ``DashboardPollMiddleware`` before authentication: it reads the session (one
statement) and the family's stamps (one statement, beacon.operations.stamps) and says
304 when nothing changed. When the figures changed and a viewer's full check has already
rendered them (the fragment is cached per tag, the same for every viewer), the poll gets
them with its grant moved to the new tag (a third statement: the session's update).
Anything else (no fragment yet, an expired grant, another user, a session past its
limits, an API token) goes to the view, which checks everything again.

A grant lives ``GRANT_SECONDS`` and is renewed only by the view's full check (which is
audited, as the report it reads): someone whose access was withdrawn may go on seeing
the operation's aggregate figures move for that long, and no longer. Each renewal is an
audited read, so the trail shows every viewer of every dashboard at least once a minute.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from beacon.access.middleware import SEEN, STARTED
from beacon.operations import stamps

GRANTS = "beacon_dashboard_grants"
# A family's version read by a poll serves this process's other polls of it this long: a
# hundred viewers of one operation then read its stamps four times a second, not a
# hundred times, and a field entry still shows within MEMO_SECONDS + the 1 s poll + the
# report's rendering (bench/dashboards.py, 100 viewers on a loaded machine: 2.0 s at
# 0.5 s here, so 0.25 s leaves room under the 2 s promise).
MEMO_SECONDS = 0.25
_memo: dict[tuple[int, ...], tuple[float, int]] = {}
GRANT_SECONDS = 60
MAX_GRANTS = 8
VIEW_NAME = "web:dashboard_figures"


def entity_tag(root_id: int, family: list[int], version: int, language: str) -> str:
    """Names the figures: the family (a sum of stamps falls when a member leaves it) and
    its version (for one family, it only grows)."""
    members = hashlib.blake2b(",".join(map(str, family)).encode(), digest_size=4).hexdigest()
    return f'"d{root_id}-{members}-{version}-{language}"'


def family_version(family: list[int]) -> int:
    key, now = tuple(family), time.monotonic()
    seen = _memo.get(key)
    if seen is not None and now - seen[0] < MEMO_SECONDS:
        return seen[1]
    number = stamps.version_of(family).number
    if len(_memo) > 1000:
        _memo.clear()
    _memo[key] = (now, number)
    return number


def requested_tags(request: HttpRequest) -> set[str]:
    """The tags the client already has: If-None-Match, or the ``v`` query parameter."""
    tags = {t.strip() for t in str(request.headers.get("If-None-Match", "")).split(",")}
    since = request.GET.get("v", "")
    if since:
        tags.add(f'"{since}"')
    tags.discard("")
    return {t.removeprefix("W/") for t in tags}


def not_modified(tag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = tag
    response["Cache-Control"] = "no-store"
    return response


def grant(
    request: HttpRequest, code: str, root_id: int, family: list[int], tag: str, language: str
) -> None:
    """Remember, in the session, that this signed-in user may be told ``tag`` is current."""
    user = request.session.get(SESSION_KEY)
    if user is None:
        return  # an API token: no session to keep a grant in
    grants: dict[str, dict[str, Any]] = dict(request.session.get(GRANTS) or {})
    held = grants.get(code)
    now = time.time()
    if held and held["tag"] == tag and held["until"] - now > GRANT_SECONDS / 2:
        return  # still fresh: no session write
    grants[code] = {
        "root": root_id,
        "family": family,
        "tag": tag,
        "language": language,
        "user": str(user),
        "until": now + GRANT_SECONDS,
    }
    newest = sorted(grants.items(), key=lambda item: item[1]["until"])[-MAX_GRANTS:]
    request.session[GRANTS] = dict(newest)


def _is_poll(request: HttpRequest) -> str | None:
    """The operation code when the request is a conditional dashboard poll."""
    if request.method != "GET" or "Authorization" in request.headers:
        return None
    if not request.path_info.endswith("/figures/"):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name != VIEW_NAME:
        return None
    return str(match.kwargs.get("code", ""))


def _within_limits(session: Any, now: float) -> bool:
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, float) or not isinstance(seen, float):
        return False
    return (
        now - seen <= settings.BEACON_SESSION_IDLE_SECONDS
        and now - started <= settings.BEACON_SESSION_MAX_SECONDS
    )


def answer(request: HttpRequest) -> HttpResponse | None:
    """304 when the poll's tag is still current under a live grant; else None."""
    code = _is_poll(request)
    if not code:
        return None
    tags = requested_tags(request)
    if not tags:
        return None
    session = request.session  # type: ignore[attr-defined]
    held = (session.get(GRANTS) or {}).get(code)  # the session's one statement
    now = time.time()
    language = str(getattr(request, "LANGUAGE_CODE", "") or "")
    if (
        not held
        or held["tag"] not in tags
        or held["until"] < now
        or held["user"] != str(session.get(SESSION_KEY))
        or held["language"] != language
        or not _within_limits(session, now)
    ):
        return None
    number = family_version(held["family"])  # the second statement, shared by viewers
    tag = entity_tag(held["root"], held["family"], number, language)
    if tag == held["tag"]:
        return not_modified(tag)
    # Changed: the new figures as another viewer's full check rendered them, if it has.
    html = cache.get(fragment_key(tag))
    if html is None:
        return None
    grants = dict(session.get(GRANTS) or {})
    grants[code] = {**held, "tag": tag}  # same expiry: the full check comes back in time
    session[GRANTS] = grants  # saved by SessionMiddleware (the third statement)
    return fragment_response(html, tag)


def fragment_key(tag: str) -> str:
    return f"beacon:dashboard:html:{tag.strip(chr(34))}"


def fragment_response(html: str, tag: str) -> HttpResponse:
    response = HttpResponse(html)
    response["ETag"] = tag
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = settings.BEACON_CSP
    return response


class DashboardPollMiddleware:
    """Answers an unchanged dashboard poll before authentication (see module doc).

    Placed after SessionMiddleware and LocaleMiddleware, before AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return answer(request) or self.get_response(request)
