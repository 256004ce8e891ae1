"""What the demo adds for the partner formats, after its bundles: synthetic NIBRS
incidents and synthetic consent to have personal data managed (HTCDS ``con_Consent``),
so that ``beacon interchange export htcds|nibrs`` of the demo gives something to look at.
Idempotent: a second run adds nothing.

The bundles carry neither: an operation bundle has no NIBRS incident and no HTCDS
consent. Both are demo data, not derived from real facts: consent to services is not
consent to have data managed, and the demo says so by marking only victims its own
rule picks (every second victim who accepted services) as having given it.
"""

from __future__ import annotations

from django.db import transaction

from beacon.interchange.models import HtcdsCase
from beacon.operations.models import Arrest, Incident, Offense, Victim

DEMO_SOURCE = "beacon demo (synthetic)"


def add_demo_interchange() -> dict[str, int]:
    """NIBRS incidents for the demo's arrests, HTCDS data consent for some victims."""
    added = {"incidents": 0, "htcds_cases": 0}
    with transaction.atomic():
        arrests = Arrest.objects.exclude(nibrs="").select_related("operation").order_by("pk")
        taken = set(
            Incident.objects.filter(ref__startswith="demo-").values_list("operation_id", "ref")
        )
        for arrest in arrests:
            # One incident per arrest, cleared by it, with the arrest's offence.
            ref = f"demo-{arrest.ref}"[:40]
            if (arrest.operation_id, ref) in taken:
                continue
            incident = Incident.objects.create(operation=arrest.operation, ref=ref)
            incident.arrests.add(arrest)
            Offense.objects.create(
                operation=arrest.operation, incident=incident, ref=ref, code=arrest.nibrs
            )
            added["incidents"] += 1
        consenting = list(
            Victim.objects.filter(consent="given").order_by("pk").values_list("pk", flat=True)
        )
        has_case = set(HtcdsCase.objects.values_list("victim_id", flat=True))
        for victim_id in consenting[::2]:
            if victim_id not in has_case:
                HtcdsCase.objects.create(victim_id=victim_id, data_consent=True, source=DEMO_SOURCE)
                added["htcds_cases"] += 1
    return added
