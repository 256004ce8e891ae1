"""Photos: checked images, added as a modify of the record, served to who may see it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, NotVisible, ValidationFailed
from beacon.records import photos, services
from beacon.records.models import MissingPersonRecord
from beacon.vault.services import SEALED_FILE_MAGIC, destroy_agency_key

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> object:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def test_a_photo_is_added_as_a_modify(record: MissingPersonRecord, investigator_a: Actor) -> None:
    photo = photos.add_photo(investigator_a, record.nic, content=PNG, caption="school 2020")
    record.refresh_from_db()
    assert record.version == 2
    last = services.history(investigator_a, record.nic)[-1]
    assert (last.kind, last.detail["photo_added"]["id"]) == ("modify", photo.pk)
    found, content = photos.read_photo(investigator_a, record.nic, photo.pk)
    assert content == PNG and found.caption == "school 2020"


@pytest.mark.parametrize("content", [b"", b"GIF89a....", b"%PDF-1.7"])
def test_not_an_image_names_the_file(
    record: MissingPersonRecord, investigator_a: Actor, content: bytes
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        photos.add_photo(investigator_a, record.nic, content=content)
    assert "file" in caught.value.fields


def test_no_photo_on_a_closed_record(record: MissingPersonRecord, investigator_a: Actor) -> None:
    services.clear_record(investigator_a, record.nic, how="returned_to_guardian")
    with pytest.raises(IllegalTransition):
        photos.add_photo(investigator_a, record.nic, content=JPEG)


def test_another_agency_cannot_read_the_photo(
    record: MissingPersonRecord, investigator_a: Actor, investigator_b: Actor
) -> None:
    photo = photos.add_photo(investigator_a, record.nic, content=JPEG)
    with pytest.raises(NotVisible):
        photos.read_photo(investigator_b, record.nic, photo.pk)


def test_api_upload_and_download(
    record: MissingPersonRecord, api_client_as: Callable[..., Client]
) -> None:
    client = api_client_as("investigator", record.originating_agency)
    upload = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = client.post(
        f"/api/records/{record.nic}/photos",
        {"file": upload, "caption": "2021"},
        headers={"If-Match": f'"{record.nic}-v1"'},
    )
    assert response.status_code == 201, response.content
    (shown,) = response.json()["photos"]
    got = client.get(f"/api/records/{record.nic}/photos/{shown['id']}")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert got.content == PNG
    stale = client.post(
        f"/api/records/{record.nic}/photos",
        {"file": SimpleUploadedFile("q.png", PNG, content_type="image/png")},
        headers={"If-Match": f'"{record.nic}-v1"'},
    )
    assert stale.status_code == 412
    bad = client.post(
        f"/api/records/{record.nic}/photos",
        {"file": SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")},
    )
    assert bad.status_code == 422
    assert client.get(f"/api/records/{record.nic}/photos/999999").status_code == 404


def test_a_photo_is_sealed_on_disk_and_shredded_with_its_agency_key(
    record: MissingPersonRecord, investigator_a: Actor, system: Actor
) -> None:
    photo = photos.add_photo(investigator_a, record.nic, content=JPEG)
    on_disk = Path(photo.file.path).read_bytes()
    assert on_disk.startswith(SEALED_FILE_MAGIC)
    assert JPEG not in on_disk
    assert photos.read_photo(investigator_a, record.nic, photo.pk)[1] == JPEG
    destroy_agency_key(system, record.originating_agency)
    with pytest.raises(NotVisible):
        photos.read_photo(investigator_a, record.nic, photo.pk)
