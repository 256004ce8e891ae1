"""Which people may not be named in a document that leaves the exporter's organisation.

One rule for every partner export that names people (operation bundles, HTCDS, NIBRS):
a person who is the subject of a target whose registry record the exporter may not see,
or may not send outside its organisation (TLP 2.0, ``may_share_outside``), in any
operation, is withheld with the rows that name them.
"""

from __future__ import annotations

from collections.abc import Iterable

from beacon.core.actor import Actor
from beacon.operations.models import Target
from beacon.records.models import MissingPersonRecord, may_share_outside


def people_withheld(
    actor: Actor, people: Iterable[int | None], *, shared: Iterable[int | None] = ()
) -> set[int]:
    """The ids among ``people`` who are the person of a target whose record may not leave;
    a person in ``shared`` (who travels anyway with a record that may leave, in the same
    document) is not withheld."""
    candidates = {p for p in people if p is not None} - {p for p in shared if p is not None}
    if not candidates:
        return set()
    targets = list(
        Target.objects.filter(person_id__in=candidates).select_related("record__originating_agency")
    )
    visible = set(
        MissingPersonRecord.objects.visible_to(actor)
        .filter(pk__in={t.record_id for t in targets})
        .values_list("pk", flat=True)
    )
    return {
        t.person_id
        for t in targets
        if t.person_id is not None
        and (t.record_id not in visible or not may_share_outside(actor, t.record))
    }
