"""What one API request costs the database: the token check is one statement, "last used"
is written at most every TOUCH_EVERY, and the check still refuses a revoked token or a
disabled account on the very next request (issue 7 load work must not weaken issue 4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import timezone

from beacon.access.models import ApiRateWindow, ApiToken, Membership
from beacon.access.tokens import TOUCH_EVERY
from beacon.agencies.models import Agency

ME = "/api/access/me"
RATE_TABLE = ApiRateWindow._meta.db_table


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # The API rate count is one upsert per request by design (beacon.access.ratelimit,
        # shared by every node; on PostgreSQL it may run on its own connection): left out.
        if RATE_TABLE not in sql and not sql.startswith("PRAGMA synchronous"):
            seen.append(sql.split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        yield seen


def test_a_read_writes_last_used_once_per_interval(
    api_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = api_client_as("investigator", agency_a)
    with statements() as first:
        assert client.get(ME).status_code == 200
    assert first == ["SELECT", "UPDATE", "UPDATE"]  # token check, then token and membership
    token = ApiToken.objects.get(owner_id=client.actor.user_id)  # type: ignore[attr-defined]
    assert token.last_used_at is not None
    with statements() as second:
        assert client.get(ME).status_code == 200
    assert second == ["SELECT"]  # one statement, nothing written
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - TOUCH_EVERY - timedelta(seconds=1)
    )
    with statements() as later:
        assert client.get(ME).status_code == 200
    assert later == ["SELECT", "UPDATE", "UPDATE"]


def test_revocation_and_disabling_refuse_the_next_request(
    api_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    revoked = api_client_as("investigator", agency_a)
    disabled = api_client_as("investigator", agency_a)
    expired = api_client_as("investigator", agency_a)
    for client in (revoked, disabled, expired):
        assert client.get(ME).status_code == 200
    owner = revoked.actor.user_id  # type: ignore[attr-defined]
    ApiToken.objects.filter(owner_id=owner).update(revoked_at=timezone.now())
    Membership.objects.filter(user_id=disabled.actor.user_id).update(  # type: ignore[attr-defined]
        disabled_at=timezone.now()
    )
    ApiToken.objects.filter(owner_id=expired.actor.user_id).update(  # type: ignore[attr-defined]
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    for client in (revoked, disabled, expired):
        assert client.get(ME).status_code == 401


def test_the_token_actor_carries_its_agency(
    api_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    client = api_client_as("analyst", agency_a)
    body = client.get(ME).json()
    username = client.actor.name  # type: ignore[attr-defined]
    assert body["name"].startswith(f"{username}/token:")
    assert (body["agency_ori"], body["role"]) == (agency_a.ori, "analyst")
