"""A record's history and a child's timeline in the reader's language: the reasons Beacon
writes into the registry ("Operation 7: located", the undo's reason, an import's line)
are read back in words, never shown as stored."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.test import Client
from django.utils import translation

from beacon.operations import timeline
from beacon.operations.models import Target
from beacon.records.models import RecordTransaction
from tests.web.test_languages import english_left, names_of_things, visible

ClientAs = Callable[[str], Client]
OPERATION = "RESCUE-ME-2021"
STORED = re.compile(r"Operation \d+: (located|recovered)")


def _recovered() -> Target:
    found = (
        Target.objects.filter(operation__code=OPERATION, outcome__kind="recovered")
        .select_related("record", "outcome")
        .first()
    )
    assert found is not None
    return found


def _in(lang: str, message: str, **values: str) -> str:
    """The message in ``lang`` as the page's text reads (spaces as one)."""
    with translation.override(lang):
        return re.sub(r"\s+", " ", translation.gettext(message) % values)


def test_the_record_history_says_the_outcome_in_each_language(client_as: ClientAs) -> None:
    target = _recovered()
    stored = RecordTransaction.objects.get(pk=target.outcome.registry_transaction_id)
    assert STORED.match(stored.reason)  # what the registry keeps, in English
    client = client_as("investigator.hsi")
    for lang in ("en", "fr", "es", "pt"):
        client.cookies["django_language"] = lang
        html = client.get(f"/records/{target.record.nic}/").content.decode()
        with translation.override(lang):
            outcome = f"{target.outcome.get_kind_display()}, {target.outcome.get_how_display()}"
        said = _in(
            lang,
            "Outcome recorded in %(operation)s: %(outcome)s",
            operation="Operation Rescue Me",
            outcome=outcome,
        )
        _lang, pieces = visible(html)
        assert said in pieces, (lang, [p for p in pieces if "Rescue" in p])
        assert not STORED.search(html)
        if lang != "en":
            assert english_left(pieces, names_of_things()) == set()


def test_an_undone_outcome_says_so_in_the_readers_language(client_as: ClientAs) -> None:
    target = (
        Target.objects.filter(
            operation__code=OPERATION,
            outcome__isnull=True,
            record__status="active",
            record__originating_agency__name="Las Cruces Police Department",
        )
        .select_related("record")
        .first()
    )
    assert target is not None
    client = client_as("investigator.lcpd")
    client.cookies["django_language"] = "fr"  # the messages after the taps are in French too
    url = f"/operations/{OPERATION}/targets/{target.ref}/outcome/"
    client.post(url, {"how": "returned_to_guardian", "_idempotency_key": str(uuid.uuid4())})
    client.post(url + "undo/")
    for page in (
        f"/operations/{OPERATION}/targets/{target.ref}/timeline/",
        f"/records/{target.record.nic}/",
    ):
        html = client.get(page).content.decode()
        _lang, pieces = visible(html)
        undone = _in("fr", "Undone right after it was recorded (tapped in error).")
        assert any(undone in p for p in pieces), page
        assert english_left(pieces, names_of_things()) == set(), page


def test_an_import_reason_is_read_back_in_words() -> None:
    with translation.override("fr"):
        said = timeline.reason_in_words("imported from ncic-2021.txt line 12")
        assert said == translation.gettext("Imported from %(source)s, line %(line)s") % {
            "source": "ncic-2021.txt",
            "line": "12",
        }
        assert said != "imported from ncic-2021.txt line 12"
        assert timeline.reason_in_words("Wrong child, typed in haste") == (
            "Wrong child, typed in haste"  # what a person typed stays as typed
        )
