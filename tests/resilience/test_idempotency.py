"""Idempotency-Key: a retried write returns the first response and creates nothing twice."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.resilience.models import IdempotencyRecord
from tests.resilience.probe import PROBE_ACTION

pytestmark = [pytest.mark.urls("tests.resilience.probe")]


def _post(client: Client, body: object, key: str | None, **headers: str) -> object:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    extra.update(headers)
    return client.post(
        "/probe/write", data=json.dumps(body), content_type="application/json", **extra
    )


def _probe_events(token: str) -> int:
    return AuditEvent.objects.filter(action=PROBE_ACTION, detail__token=token).count()


@pytest.mark.django_db
def test_a_retried_post_returns_the_first_response_and_creates_nothing_twice() -> None:
    client = Client()
    key = str(uuid.uuid4())
    first = _post(client, {"token": "retry-me"}, key)
    second = _post(client, {"token": "retry-me"}, key)
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Agency.objects.filter(name="retry-me").count() == 1
    assert _probe_events("retry-me") == 1
    stored = IdempotencyRecord.objects.get(key=key)
    assert stored.status == 201
    assert json.loads(bytes(stored.body))["ori"] == json.loads(first.content)["ori"]


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_with_422() -> None:
    client = Client()
    key = str(uuid.uuid4())
    assert _post(client, {"token": "first-body"}, key).status_code == 201
    refused = _post(client, {"token": "second-body"}, key)
    assert refused.status_code == 422
    assert refused.json()["error"] == "idempotency_key_reused"
    assert "Idempotency-Key" in refused.json()["fields"]
    assert not Agency.objects.filter(name="second-body").exists()
    assert _probe_events("second-body") == 0


@pytest.mark.django_db
def test_the_same_key_on_another_path_is_refused() -> None:
    client = Client(raise_request_exception=False)
    key = str(uuid.uuid4())
    assert _post(client, {"token": "path-a"}, key).status_code == 201
    refused = client.post(
        "/probe/write?again=1",
        data=json.dumps({"token": "path-a"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert refused.status_code == 422
    assert Agency.objects.filter(name="path-a").count() == 1


@pytest.mark.django_db
def test_keys_of_different_credentials_never_collide() -> None:
    client = Client()
    key = "shared-key-1"
    first = _post(client, {"token": "cred"}, key, HTTP_AUTHORIZATION="Bearer token-one")
    second = _post(client, {"token": "cred"}, key, HTTP_AUTHORIZATION="Bearer token-two")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Agency.objects.filter(name="cred").count() == 2
    assert IdempotencyRecord.objects.filter(key=key).values("scope").distinct().count() == 2


@pytest.mark.django_db
def test_a_failed_request_keeps_nothing_and_leaves_the_key_free() -> None:
    client = Client(raise_request_exception=False)
    key = str(uuid.uuid4())
    failed = client.post(
        "/probe/fail",
        data=json.dumps({"token": "doomed"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert failed.status_code == 500
    assert failed.json()["error"] == "server_error"
    assert "Traceback" not in failed.content.decode()
    assert not Agency.objects.filter(name="doomed").exists()
    assert _probe_events("doomed") == 0
    assert not IdempotencyRecord.objects.filter(key=key).exists()


@pytest.mark.django_db
def test_a_validation_error_is_stored_and_replayed() -> None:
    client = Client()
    key = str(uuid.uuid4())
    first = _post(client, {"token": ""}, key)
    again = _post(client, {"token": ""}, key)
    assert first.status_code == again.status_code == 422
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_key",
    ["", "x" * 256, "has space", "tab\tinside", "caf\u00e9", "nul\x00byte"],
    ids=["empty", "too-long", "space", "tab", "non-ascii", "nul"],
)
def test_a_malformed_key_is_refused_with_400_and_nothing_runs(bad_key: str) -> None:
    client = Client()
    response = client.post(
        "/probe/write",
        data=json.dumps({"token": "bad-key"}),
        content_type="application/json",
        headers={"Idempotency-Key": bad_key},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_idempotency_key"
    assert not Agency.objects.filter(name="bad-key").exists()


@pytest.mark.django_db
def test_a_resubmitted_html_form_with_its_key_field_creates_once() -> None:
    client = Client()
    form = {"token": "form-post", "_idempotency_key": str(uuid.uuid4())}
    first = client.post("/probe/write", data=form)
    second = client.post("/probe/write", data=form)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert Agency.objects.filter(name="form-post").count() == 1


@pytest.mark.django_db
def test_posts_without_a_key_run_every_time() -> None:
    client = Client()
    assert _post(client, {"token": "no-key"}, None).status_code == 201
    assert _post(client, {"token": "no-key"}, None).status_code == 201
    assert Agency.objects.filter(name="no-key").count() == 2
    assert not IdempotencyRecord.objects.exists()
