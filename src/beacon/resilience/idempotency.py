"""Idempotent writes: a retried request returns the first response and changes nothing.

A write request (POST, PUT, PATCH, DELETE) may carry an ``Idempotency-Key`` header, or
for HTML forms a ``_idempotency_key`` field. The request then runs inside one database
transaction that also claims the key; its response is stored in that transaction:

- a new key: the request runs; its change and the stored response commit together;
- the same key and the same request again: the stored response is replayed, nothing runs;
- the same key with another request (method, path or body differ): 422, nothing runs;
- two at once with the same key: the unique constraint makes the second wait for the
  first to commit, then it replays the first's response;
- a server error (5xx) or crash: everything rolls back, the key stays free to retry.

Responses that may change on retry without any change in data (401, 403, 408, 429) are
not stored, so a client that signs in again can retry with the same key.

A stored response body is sealed with the key of the caller's agency (beacon.vault), like
the sealed fields it may echo (a record's notes): destroying that key makes it unreadable
too, and a replay then says so (410) instead of showing it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.resilience import purge
from beacon.resilience.models import IdempotencyRecord
from beacon.resilience.responses import error_response
from beacon.vault import sealing
from beacon.vault import services as vault

HEADER = "Idempotency-Key"
FORM_FIELD = "_idempotency_key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAYED_HEADER = "Idempotent-Replayed"
NOT_STORED_STATUSES = frozenset({401, 403, 408, 425, 429})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
TABLE = IdempotencyRecord._meta.db_table

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class KeyInvalid(Exception):
    """The key is present but not usable (length, characters)."""


@dataclass(frozen=True)
class IdempotentRequest:
    scope: str
    key: str
    fingerprint: str
    method: str
    path: str


def key_of(request: HttpRequest) -> str | None:
    """The request's idempotency key, None when it has none; KeyInvalid when malformed."""
    if request.method not in WRITE_METHODS:
        return None
    key = request.headers.get(HEADER)
    if key is None and request.content_type in FORM_TYPES and _fits_in_memory(request):
        # The body must be read before the form is parsed, or it cannot be hashed.
        _ = request.body
        key = request.POST.get(FORM_FIELD)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise KeyInvalid(key)
    return key


def _fits_in_memory(request: HttpRequest) -> bool:
    """Larger form uploads are streamed to disk by Django and are not hashed."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is None or length <= limit


def scope_of(request: HttpRequest) -> str:
    """Whose key it is: keys of different users or tokens never collide.

    Read from the credentials the request carries, not from the resolved actor, so the
    middleware never resolves (and caches) the actor before authentication runs.
    """
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


def fingerprint_of(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(str(request.method).encode())
    digest.update(b"\n")
    digest.update(request.get_full_path().encode())
    digest.update(b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def describe(request: HttpRequest, key: str) -> IdempotentRequest:
    return IdempotentRequest(
        scope=scope_of(request),
        key=key,
        fingerprint=fingerprint_of(request),
        method=str(request.method),
        path=request.get_full_path()[:4000],
    )


def _sealed_body(agency_id: int | None, record_id: int, body: bytes) -> bytes:
    if not body or agency_id is None or not sealing.connected():
        return body
    return vault.seal_bytes_for(agency_id, TABLE, record_id, "body", body)


def _body_of(record: IdempotencyRecord) -> bytes | None:
    """The stored body in clear; None when its agency key was destroyed."""
    body = bytes(record.body)
    if not body.startswith(vault.SEALED_FILE_MAGIC):
        return body
    agency_id = Agency.objects.filter(ori=record.agency_ori).values_list("pk", flat=True).first()
    if agency_id is None:
        return None
    try:
        return vault.unseal_bytes_for(agency_id, TABLE, record.pk, "body", body)
    except vault.Unreadable:
        return None


def replay(request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
    body = _body_of(record)
    if body is None:
        response = error_response(
            request,
            410,
            "idempotent_response_unreadable",
            "This request was already carried out; its response can no longer be shown "
            "(it was sealed with a key that has since been destroyed).",
        )
        response[REPLAYED_HEADER] = "true"
        return response
    response = HttpResponse(body, status=record.status)
    for name, value in record.headers:
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def key_reused(request: HttpRequest) -> HttpResponse:
    return error_response(
        request,
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; "
        "use a new key for a new request.",
        fields={HEADER: ["already used with another method, path or body"]},
    )


def _answer_from(request: HttpRequest, record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return key_reused(request)
    return replay(request, record)


def _materialised(response: HttpResponseBase) -> HttpResponse:
    """The response with its content in memory, so it can be stored and replayed."""
    if isinstance(response, HttpResponse):
        return response
    content = b"".join(getattr(response, "streaming_content", ()))
    replacement = HttpResponse(content, status=response.status_code)
    for name, value in response.items():
        replacement[name] = value
    return replacement


def _claim(wanted: IdempotentRequest) -> IdempotencyRecord | None:
    """Claim the key in one statement (no read first, no savepoint): the new record, or
    None when the key is already taken. A concurrent claim of the same key waits on the
    unique constraint until the other transaction ends."""
    now = timezone.now()
    columns = ("scope", "key", "fingerprint", "method", "path", "status", "headers", "body")
    quoted = ", ".join(map(connection.ops.quote_name, (*columns, "actor", "agency_ori")))
    jsonb = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {TABLE} ({quoted}, created_at) "
        f"VALUES ({', '.join(['%s'] * 6)}, {jsonb}, %s, '', '', %s) "
        f"ON CONFLICT ({connection.ops.quote_name('scope')}, {connection.ops.quote_name('key')}) "
        "DO NOTHING RETURNING id"
    )
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        request = (wanted.scope, wanted.key, wanted.fingerprint, wanted.method, wanted.path)
        cursor.execute(sql, [*request, 0, "[]", b"", when])
        row = cursor.fetchone()
    if row is None:
        return None
    record = IdempotencyRecord(
        pk=int(row[0]),
        scope=wanted.scope,
        key=wanted.key,
        fingerprint=wanted.fingerprint,
        method=wanted.method,
        path=wanted.path,
        status=0,
        created_at=now,
    )
    record._state.adding, record._state.db = False, connection.alias
    return record


def run(request: HttpRequest, key: str, get_response: GetResponse) -> HttpResponseBase:
    """Run the request once for this key, in one transaction with the stored response."""
    wanted = describe(request, key)
    with transaction.atomic():
        claim = _claim(wanted)
        if claim is None:
            # The key is taken: by a committed request (a concurrent one with the same
            # key made the claim wait for its commit), whose response is replayed.
            winner = (
                IdempotencyRecord.objects.select_for_update()
                .filter(scope=wanted.scope, key=wanted.key)
                .first()
            )
            if winner is None:  # its holder rolled back meanwhile: the key is free again
                claim = _claim(wanted)
            if claim is None:
                if winner is None:
                    winner = IdempotencyRecord.objects.get(scope=wanted.scope, key=wanted.key)
                return _answer_from(request, winner, wanted.fingerprint)

        response = _materialised(get_response(request))
        status = response.status_code
        if status >= 500:
            # Nothing of a failed request is kept; the key stays free for the retry.
            transaction.set_rollback(True)
            return response
        if status in NOT_STORED_STATUSES:
            claim.delete()
            return response
        actor = getattr(request, "beacon_actor", None)
        agency = getattr(actor, "agency", None)
        IdempotencyRecord.objects.filter(pk=claim.pk).update(
            status=status,
            headers=[[name, value] for name, value in response.items()],
            body=_sealed_body(getattr(agency, "pk", None), claim.pk, bytes(response.content)),
            actor=str(getattr(actor, "name", ""))[:150],
            agency_ori=str(getattr(getattr(actor, "agency", None), "ori", ""))[:9],
        )
        transaction.on_commit(purge.sweep_after_write)  # old keys go (beacon.resilience.purge)
    return response
