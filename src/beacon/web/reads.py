"""Lists of personal data a page shows are reads too: one audit event per page view,
naming the records (NICs) and the fields shown (CJIS 5.4: who saw which record)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from beacon.audit import services as audit
from beacon.core.actor import Actor

LIST_FIELDS = ["nic", "last_name", "first_name", "dob", "jurisdiction_last_seen"]


def record_list_read(actor: Actor, where: str, object_id: str, nics: Iterable[str]) -> None:
    """Audit that ``actor`` saw these records listed on the page ``where``."""
    shown = list(dict.fromkeys(nics))
    if not shown:
        return
    with transaction.atomic():
        audit.record(
            actor,
            "records.read",
            object_type="operation" if where == "targets" else "page",
            object_id=object_id,
            detail={"list": where, "fields": LIST_FIELDS, "nics": shown},
        )


VICTIM_LIST_FIELDS = ["ref", "age_group"]


def victim_list_read(actor: Actor, where: str, refs: Iterable[str]) -> None:
    """Audit that ``actor`` saw these victims listed (the caseworker's inbox, home)."""
    shown = list(dict.fromkeys(refs))
    if not shown:
        return
    with transaction.atomic():
        audit.record(
            actor,
            "victims.read",
            object_type="page",
            object_id=where,
            detail={"list": where, "fields": VICTIM_LIST_FIELDS, "refs": shown},
        )
