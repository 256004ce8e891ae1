"""Editing an operation's jurisdictions, hub and series/edition: all or nothing, audited
with before and after, no loops of hubs, only hubs the editor may see, and a taken
(series, edition) is a field error."""

from __future__ import annotations

from typing import Any

import pytest

from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.operations.editing import update_operation
from beacon.operations.models import Operation
from tests.personas import acting

from .factories import CODE, LEAD, OTHER, PARTNER, load_tiny, tiny_bundle

pytestmark = pytest.mark.django_db

HUB, SUB, SUBSUB, ELSEWHERE, EDITION_ONE = "OP-HUB", "OP-SUB", "OP-SUBSUB", "OP-ELSE", "OP-PC1"


def _operation(code: str, agency: str, parent: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Operation {code}",
        "status": "active",
        "start": "2021-05-01",
        "parent": parent,
        "participants": [{"agency": agency, "role": "lead"}],
        **more,
    }


def _load() -> None:
    """OP-TEST (LEAD, PARTNER) and a hub OP-HUB > OP-SUB > OP-SUBSUB led by LEAD; OP-ELSE
    led by OTHER (LEAD cannot see it); series PC whose edition 1 is OP-PC1."""
    bundle = tiny_bundle()
    bundle["series"] = [{"code": "PC", "name": "Protected Childhood"}]
    bundle["operations"] += [
        _operation(HUB, LEAD),
        _operation(SUB, LEAD, HUB),
        _operation(SUBSUB, LEAD, SUB),
        _operation(ELSEWHERE, OTHER),
        _operation(EDITION_ONE, LEAD, series="PC", edition=1),
    ]
    load_tiny(bundle)


def _refused(code: str, changes: dict[str, Any], ori: str = LEAD) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        update_operation(acting(ori, "supervisor"), code, changes)
    return refused.value.fields


def test_the_lead_changes_jurisdictions_hub_series_and_edition_audited_before_and_after() -> None:
    _load()
    changed = update_operation(
        acting(LEAD, "supervisor"),
        CODE,
        {
            "jurisdictions": "state:NM, county:35013, country:MX",
            "parent": HUB,
            "series": "PC",
            "edition": "2",
        },
    )
    changed = Operation.objects.get(code=CODE)
    assert changed.parent is not None and changed.parent.code == HUB
    assert changed.series is not None and (changed.series.code, changed.edition) == ("PC", 2)
    assert sorted(j.code for j in changed.jurisdictions.all()) == ["35", "35013", "MX"]
    event = AuditEvent.objects.filter(action="operations.modify", object_id=CODE).latest("id")
    diff = event.detail["changes"]
    assert diff["parent"] == {"before": None, "after": HUB}
    assert diff["series"] == {"before": None, "after": "PC"}
    assert diff["edition"] == {"before": None, "after": "2"}
    assert diff["jurisdictions"] == {
        "before": ["county:35013"],
        "after": ["state:NM", "county:35013", "country:MX"],
    }


def test_hub_series_and_jurisdictions_can_be_cleared() -> None:
    _load()
    update_operation(acting(LEAD, "supervisor"), SUB, {"parent": "", "jurisdictions": ""})
    update_operation(acting(LEAD, "supervisor"), EDITION_ONE, {"series": "", "edition": ""})
    sub, edition = Operation.objects.get(code=SUB), Operation.objects.get(code=EDITION_ONE)
    assert sub.parent is None and not sub.jurisdictions.exists()
    assert (edition.series, edition.edition) == (None, None)


def test_an_operation_cannot_be_its_own_hub() -> None:
    _load()
    assert "parent" in _refused(HUB, {"parent": HUB})
    assert "parent" in _refused(HUB, {"parent": HUB.lower()})


def test_an_operation_cannot_be_placed_under_its_own_sub_operations() -> None:
    _load()
    assert "parent" in _refused(HUB, {"parent": SUB})  # the hub of its hub
    assert "parent" in _refused(HUB, {"parent": SUBSUB})  # two levels down
    assert "parent" in _refused(SUB, {"parent": SUBSUB})
    assert Operation.objects.get(code=HUB).parent is None


def test_moving_a_sub_operation_to_another_visible_hub_is_allowed() -> None:
    _load()
    update_operation(acting(LEAD, "supervisor"), SUBSUB, {"parent": HUB})
    assert Operation.objects.get(code=SUBSUB).parent.code == HUB  # type: ignore[union-attr]


def test_a_hub_the_editor_cannot_see_is_refused_like_a_missing_one() -> None:
    _load()
    hidden = _refused(CODE, {"parent": ELSEWHERE})
    missing = _refused(CODE, {"parent": "NO-SUCH-OP"})
    assert hidden == {"parent": [f"no visible operation {ELSEWHERE}"]}
    assert missing == {"parent": ["no visible operation NO-SUCH-OP"]}  # the same answer


def test_keeping_a_hub_the_editor_cannot_see_is_not_a_change() -> None:
    _load()
    update_operation(acting(OTHER, "supervisor"), ELSEWHERE, {"parent": ""})
    # OTHER's operation placed under LEAD's hub by the system (the bundle importer).
    bundle = tiny_bundle()
    bundle["operations"] = [_operation("OP-UNDER", OTHER, HUB)]
    bundle["people"] = bundle["records"] = bundle["targets"] = []
    for section in ("arrests", "victims", "referrals", "reported_figures"):
        bundle[section] = []
    load_tiny(bundle)
    update_operation(acting(OTHER, "supervisor"), "OP-UNDER", {"parent": HUB, "name": "Renamed"})
    under = Operation.objects.get(code="OP-UNDER")
    assert under.parent.code == HUB and under.name == "Renamed"  # type: ignore[union-attr]


def test_a_taken_series_edition_is_a_field_error_and_nothing_changes() -> None:
    _load()
    fields = _refused(CODE, {"name": "Renamed", "series": "PC", "edition": "1", "parent": HUB})
    assert set(fields) == {"edition"}
    unchanged = Operation.objects.get(code=CODE)
    assert (unchanged.name, unchanged.series, unchanged.parent) == ("Operation Test", None, None)
    assert not AuditEvent.objects.filter(action="operations.modify", object_id=CODE).exists()


def test_series_and_edition_are_checked_by_field() -> None:
    _load()
    assert set(_refused(CODE, {"edition": "3"})) == {"edition"}  # no series
    assert set(_refused(CODE, {"series": "NOPE", "edition": "3"})) == {"series"}
    assert set(_refused(CODE, {"series": "PC", "edition": "zero"})) == {"edition"}
    assert set(_refused(CODE, {"series": "PC", "edition": "0"})) == {"edition"}
    assert set(_refused(EDITION_ONE, {"series": ""})) == {"edition"}  # edition 1 stays
    update_operation(
        acting(LEAD, "supervisor"), EDITION_ONE, {"edition": "1", "name": "Same edition"}
    )


def test_unknown_jurisdictions_are_refused_by_field() -> None:
    _load()
    fields = _refused(CODE, {"jurisdictions": "state:NM, planet:MARS, county:99999"})
    assert set(fields) == {"jurisdictions"} and len(fields["jurisdictions"]) == 2
    assert [j.code for j in Operation.objects.get(code=CODE).jurisdictions.all()] == ["35013"]


def test_a_partner_investigator_cannot_change_the_hub() -> None:
    from beacon.core.errors import Forbidden

    _load()
    with pytest.raises(Forbidden):
        update_operation(acting(PARTNER, role="investigator"), CODE, {"parent": HUB})
    assert Operation.objects.get(code=CODE).parent is None


def test_an_edit_drawn_from_a_stale_state_is_refused_and_nothing_changes() -> None:
    from beacon.core.errors import StaleVersion
    from beacon.operations.editing import fingerprint

    _load()
    seen = fingerprint(Operation.objects.get(code=CODE))
    update_operation(
        acting(LEAD, "supervisor"), CODE, {"jurisdictions": "state:NM"}
    )  # someone else
    with pytest.raises(StaleVersion):
        update_operation(
            acting(LEAD, "supervisor"), CODE, {"name": "Mine", "parent": HUB}, expected=seen
        )
    unchanged = Operation.objects.get(code=CODE)
    assert (unchanged.name, unchanged.parent) == ("Operation Test", None)
    fresh = fingerprint(unchanged)
    assert fresh != seen
    update_operation(acting(LEAD, "supervisor"), CODE, {"name": "Mine"}, expected=fresh)
    assert Operation.objects.get(code=CODE).name == "Mine"


@pytest.mark.django_db(transaction=True)
def test_two_edits_that_would_close_a_loop_between_them_cannot_both_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HUB under OP-PC1 and OP-PC1 under HUB at the same moment: each edit locks its own
    operation, then both wait for each other before looking at the new hub. One wins; the
    other sees the loop or is told to try again (409); never both (no loop is stored)."""
    import contextlib
    import threading

    from django.db import connection

    from beacon.core.errors import Conflict
    from beacon.operations.models.operations import OperationQuerySet

    _load()
    barrier = threading.Barrier(2, timeout=3)
    visible = OperationQuerySet.visible_to

    def in_step(self: OperationQuerySet, actor: Actor) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):  # SQLite: one waits at BEGIN
            barrier.wait()
        return visible(self, actor)

    monkeypatch.setattr(OperationQuerySet, "visible_to", in_step)
    outcomes: dict[str, str] = {}

    def edit(code: str, hub: str) -> None:
        try:
            update_operation(acting(LEAD, "supervisor"), code, {"parent": hub})
            outcomes[code] = "saved"
        except ValidationFailed as exc:
            outcomes[code] = "loop" if "parent" in exc.fields else repr(exc.fields)
        except Conflict:
            outcomes[code] = "try again"
        except Exception as exc:  # any other outcome fails the test below
            outcomes[code] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(HUB, EDITION_ONE)),
        threading.Thread(target=edit, args=(EDITION_ONE, HUB)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) in (["loop", "saved"], ["saved", "try again"]), outcomes
    hub, edition = Operation.objects.get(code=HUB), Operation.objects.get(code=EDITION_ONE)
    assert hub.parent_id is None or edition.parent_id is None
    saved = [code for code, outcome in outcomes.items() if outcome == "saved"]
    assert AuditEvent.objects.filter(action="operations.modify").count() == 1
    assert AuditEvent.objects.get(action="operations.modify").object_id == saved[0]
