"""The registry's rules: enter, modify, locate, clear, cancel, validate; history.

Every change runs in one transaction (a savepoint when the caller already holds
one, as operations does when it records an outcome): the record is locked, its
version checked, the immutable RecordTransaction written, the cached status and
version updated with a conditional UPDATE, and the audit event appended.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from beacon.access import compiled, policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Jurisdiction
from beacon.agencies.refs import parse_jurisdiction_ref
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    NotVisible,
    StaleVersion,
    ValidationFailed,
)
from beacon.records import codes, deadlines, indexing
from beacon.records.deadlines import DueItem
from beacon.records.inputs import NameInput, RecordInput, coerce_changes
from beacon.records.models import MissingPersonRecord, RecordTransaction
from beacon.records.nic import assign_nic
from beacon.records.search import MAX_LIMIT, Hits, SearchQuery, find, searched_for
from beacon.records.status import agency_refusal, derive_status, refusal
from beacon.records.validation import Errors, RecordValidator
from beacon.vault.sealing import SEALED_FIELDS, sealed_values

K = codes.TransactionKind
S = codes.Status
SEALED_MARK = "[sealed]"
_SEALED_RECORD_FIELDS = frozenset(
    spec.field for spec in SEALED_FIELDS if spec.model == "records.MissingPersonRecord"
)
OBJECT_TYPE = "record"
TEXT_MAX = 200


def _jsonable(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Jurisdiction):
        return f"{value.kind}:{value.code}"
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, NameInput):
        return dataclasses.asdict(value)
    return value


def record_input_of(record: MissingPersonRecord) -> RecordInput:
    """The record's current descriptors as an input (the base a modify applies to)."""
    place = record.jurisdiction_last_seen
    return RecordInput(
        category=record.category,
        last_name=record.last_name,
        first_name=record.first_name,
        middle_name=record.middle_name,
        sex=record.sex,
        race=record.race,
        dob=record.dob,
        alias_dobs=tuple(indexing.current_alias_dobs(record)),
        aliases=tuple(indexing.current_aliases(record)),
        height_in=record.height_in,
        weight_lb=record.weight_lb,
        eyes=record.eyes,
        hair=record.hair,
        smt=tuple(record.smt or ()),
        dlc=record.dlc,
        place_last_seen=record.place_last_seen,
        jurisdiction_last_seen=f"{place.kind}:{place.code}" if place else "",
        circumstances=record.circumstances,
        originating_ori=record.originating_agency.ori,
        oca=record.oca,
        ncmec_number=record.ncmec_number,
        notes=record.notes,
        tlp=record.tlp,
        reported_at=record.reported_at,
        nic=record.nic,
    )


def _snapshot(data: RecordInput) -> dict[str, object]:
    return {f.name: _jsonable(getattr(data, f.name)) for f in dataclasses.fields(data)}


def _history_snapshot(data: RecordInput) -> dict[str, object]:
    """The snapshot history and audit keep: a field sealed at rest on the record is
    named, never copied (history and audit rows are not sealed, and audit rows can never
    be deleted, so a copy there would outlive the agency key's destruction)."""
    snapshot = _snapshot(data)
    for name in _SEALED_RECORD_FIELDS:
        if snapshot.get(name):
            snapshot[name] = SEALED_MARK
    return snapshot


# ---------------------------------------------------------------- enter


def enter_record(
    actor: Actor, data: RecordInput, *, now: datetime | None = None, reason: str = ""
) -> MissingPersonRecord:
    """Enter a new record (version 1, status active) and index it for search."""
    policy.require(actor, Permission.RECORDS_ENTER, object_type=OBJECT_TYPE)
    now = now or timezone.now()
    if actor.is_system and not data.originating_ori.strip():
        raise ValidationFailed.on("originating_ori", "name the originating agency (ORI)")
    clean = RecordValidator(now=now).clean(data, default_agency=actor.agency)
    agency = clean.originating_agency
    if not actor.is_system and agency.pk != actor.agency_id:
        raise Forbidden("You may enter records only for your own agency.")
    with transaction.atomic():
        if clean.nic and MissingPersonRecord.objects.filter(nic=clean.nic).exists():
            raise Conflict(f"NIC {clean.nic} is already in use.", fields={"nic": ["in use"]})
        if MissingPersonRecord.objects.filter(
            originating_agency=agency, oca=clean.values["oca"]
        ).exists():
            raise Conflict(
                f"{agency.ori} already has a record with OCA {clean.values['oca']}.",
                fields={"oca": ["already used by this agency"]},
            )
        record = MissingPersonRecord(
            nic=clean.nic or assign_nic(),
            originating_agency=agency,
            entered_at=now,
            status=S.ACTIVE,
            version=1,
            validation_due_at=deadlines.first_validation_due_at(now),
            **clean.values,  # type: ignore[arg-type]
        )
        record.entry_due_at = deadlines.entry_due_at(record.category, record.reported_at)
        try:
            with transaction.atomic():
                record.save(force_insert=True)
        except IntegrityError:
            raise Conflict("The NIC or the agency's OCA is already in use.") from None
        indexing.write_index(record, clean.aliases, clean.alias_dobs)
        snapshot = _history_snapshot(record_input_of(record))
        _write(actor, record, K.ENTER, now, reason, {"entered": snapshot})
    return record


# ---------------------------------------------------------------- changes to a record


def _locked(actor: Actor, nic: str, expected_version: int | None) -> MissingPersonRecord:
    """The visible record, locked for update; StaleVersion if the client's copy is old."""
    record = (
        MissingPersonRecord.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("originating_agency", "jurisdiction_last_seen")
        .filter(nic=nic.strip().upper())
        .first()
    )
    if record is None:
        raise NotVisible()
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion(
            f"Record {record.nic} is at version {record.version}, not {expected_version}; "
            "reload it and try again. Nothing was changed."
        )
    return record


def _refuse_status(kind: str, record: MissingPersonRecord) -> None:
    why = refusal(kind, S(record.status))
    if why:
        raise IllegalTransition(why)


def _refuse_other_agency(kind: str, actor: Actor, record: MissingPersonRecord) -> None:
    why = agency_refusal(kind, actor, record.originating_agency)
    if why:
        raise IllegalTransition(why)


def _write(
    actor: Actor,
    record: MissingPersonRecord,
    kind: str,
    at: datetime,
    reason: str,
    detail: dict[str, Any],
    *,
    fields: dict[str, Any] | None = None,
    new_status: str | None = None,
) -> RecordTransaction:
    """Bump the version (conditionally), cache the status, write history and audit."""
    version = record.version if kind == K.ENTER else record.version + 1
    if kind != K.ENTER:
        update: dict[str, Any] = dict(fields or {})
        update["version"] = version
        if new_status is not None:
            update["status"] = new_status
        stored = sealed_values(record, update)  # free text sealed at rest (beacon.vault)
        changed = MissingPersonRecord.objects.filter(pk=record.pk, version=record.version).update(
            **stored
        )
        if changed != 1:
            raise StaleVersion(f"Record {record.nic} changed meanwhile; nothing was changed.")
        for name, value in update.items():
            setattr(record, name, value)
    clean_detail = {k: _jsonable(v) for k, v in detail.items()}
    entry = RecordTransaction.objects.create(
        record=record,
        kind=kind,
        at=at,
        actor=actor.name,
        user_id=actor.user_id,
        agency=actor.agency,
        reason=reason,
        detail=clean_detail,
        version=version,
    )
    audit.record(
        actor,
        f"records.{kind}",
        object_type=OBJECT_TYPE,
        object_id=record.nic,
        detail={"version": version, "reason": reason, **clean_detail},
    )
    return entry


def modify_record(
    actor: Actor,
    nic: str,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> MissingPersonRecord:
    """Change descriptors of an active or located record (originating agency only)."""
    policy.require(actor, Permission.RECORDS_MODIFY, object_type=OBJECT_TYPE, object_id=nic)
    now = now or timezone.now()
    values, bad = coerce_changes(changes)
    if bad:
        raise ValidationFailed(f"{next(iter(bad))}: {next(iter(bad.values()))[0]}", fields=bad)
    if not values:
        raise ValidationFailed.on("changes", "give at least one field to change")
    with transaction.atomic():
        record = locked_for(K.MODIFY, actor, nic, expected_version)
        before = record_input_of(record)
        after = dataclasses.replace(before, **values)  # type: ignore[arg-type]
        clean = RecordValidator(now=now).clean(after, default_agency=record.originating_agency)
        old, new = _snapshot(before), _snapshot(after)
        diff = {k: {"before": old[k], "after": new[k]} for k in new if old[k] != new[k]}
        if not diff:
            raise ValidationFailed.on("changes", "the values given are the record's current values")
        for name in diff.keys() & _SEALED_RECORD_FIELDS:
            # Sealed at rest on the record: history and audit say it changed, not to what.
            diff[name] = {"before": SEALED_MARK, "after": SEALED_MARK}
        if "oca" in diff and (
            MissingPersonRecord.objects.filter(
                originating_agency_id=record.originating_agency_id, oca=clean.values["oca"]
            )
            .exclude(pk=record.pk)
            .exists()
        ):
            raise Conflict(
                f"{record.originating_agency.ori} already has a record with OCA "
                f"{clean.values['oca']}.",
                fields={"oca": ["already used by this agency"]},
            )
        fields = dict(clean.values)
        fields["entry_due_at"] = deadlines.entry_due_at(
            str(fields["category"]),
            fields["reported_at"],  # type: ignore[arg-type]
        )
        _write(actor, record, K.MODIFY, now, reason, {"changes": diff}, fields=fields)
        if diff.keys() & {"last_name", "first_name", "middle_name", "dob", "aliases", "alias_dobs"}:
            indexing.write_index(
                record, clean.aliases, clean.alias_dobs, old_keys=indexing.keys_of(before)
            )
    return record


def _text(name: str, value: str, errors: Errors, *, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        errors.add(name, "this field is required")
    elif len(value) > TEXT_MAX:
        errors.add(name, f"at most {TEXT_MAX} characters")
    return value


def _when(
    name: str, value: datetime | None, record: MissingPersonRecord, now: datetime, errors: Errors
) -> datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        errors.add(name, "give a time zone (e.g. 2021-06-01T10:00:00Z)")
        return now
    if value > now:
        errors.add(name, "cannot be in the future")
    elif timezone.localdate(value) < record.dlc:
        errors.add(name, "cannot be before the date of last contact")
    return value


def locate_record(
    actor: Actor,
    nic: str,
    *,
    located_at: datetime | None,
    place: str,
    by_whom: str,
    disposition: str,
    jurisdiction: Jurisdiction | str | None = None,
    expected_version: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> MissingPersonRecord:
    """Another agency found the person: where, when, by whom, what happened to them."""
    policy.require(actor, Permission.RECORDS_LOCATE, object_type=OBJECT_TYPE, object_id=nic)
    now = now or timezone.now()
    with transaction.atomic():
        record = locked_for(K.LOCATE, actor, nic, expected_version)
        errors = Errors()
        at = _when("located_at", located_at, record, now, errors)
        place_text = _text("place", place, errors)
        by_text = _text("by_whom", by_whom, errors)
        disposition_text = _text("disposition", disposition, errors)
        where: Jurisdiction | None = None
        if isinstance(jurisdiction, Jurisdiction):
            where = jurisdiction
        elif jurisdiction:
            where = RecordValidator(now=now).jurisdiction(jurisdiction.strip())
            if where is None or parse_jurisdiction_ref(jurisdiction) is None:
                errors.add("jurisdiction", "unknown; use country:XX, state:XX or county:NNNNN")
        errors.raise_if_any()
        detail = {
            "located_at": at,
            "place": place_text,
            "by_whom": by_text,
            "disposition": disposition_text,
            "jurisdiction": where,
        }
        _write(actor, record, K.LOCATE, now, reason, detail, new_status=S.LOCATED)
    return record


def clear_record(
    actor: Actor,
    nic: str,
    *,
    how: str,
    cleared_at: datetime | None = None,
    expected_version: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> MissingPersonRecord:
    """The originating agency closes the record: how the person was recovered."""
    policy.require(actor, Permission.RECORDS_CLEAR, object_type=OBJECT_TYPE, object_id=nic)
    now = now or timezone.now()
    with transaction.atomic():
        record = locked_for(K.CLEAR, actor, nic, expected_version)
        errors = Errors()
        how_value = str(how or "").strip().lower()
        if how_value not in codes.ClearHow.values:
            errors.add("how", f"one of {', '.join(codes.ClearHow.values)}")
        at = _when("cleared_at", cleared_at, record, now, errors)
        errors.raise_if_any()
        if how_value == codes.ClearHow.LOCATED_BY_OTHER_AGENCY and record.status != S.LOCATED:
            raise IllegalTransition(
                "Cannot clear as located by another agency: no agency has located this record."
            )
        detail = {"how": how_value, "cleared_at": at}
        _write(
            actor,
            record,
            K.CLEAR,
            now,
            reason,
            detail,
            new_status=S.CLEARED,
            fields={"validation_due_at": None},
        )
    return record


def cancel_record(
    actor: Actor,
    nic: str,
    *,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> MissingPersonRecord:
    """The record was entered in error: the originating agency withdraws it."""
    policy.require(actor, Permission.RECORDS_CANCEL, object_type=OBJECT_TYPE, object_id=nic)
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "say why the record was entered in error")
    with transaction.atomic():
        record = locked_for(K.CANCEL, actor, nic, expected_version)
        _write(
            actor,
            record,
            K.CANCEL,
            now,
            reason.strip(),
            {},
            new_status=S.CANCELLED,
            fields={"validation_due_at": None},
        )
    return record


def reopen_record(
    actor: Actor, nic: str, *, reverts_version: int, reason: str, now: datetime | None = None
) -> RecordTransaction:
    """Undo a locate or clear entered in error: the record returns to the status it had
    before. Only the latest transaction, and only by the agency that wrote it (with the
    permission it needed); both stay in the history. A reason is required."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationFailed.on("reason", "say why the entry is undone")
    with transaction.atomic():
        record = locked_for(K.REOPEN, actor, nic, None)
        kinds = list(
            RecordTransaction.objects.filter(record=record)
            .order_by("version")
            .values_list("kind", flat=True)
        )
        last = RecordTransaction.objects.filter(record=record).latest("version")
        if last.version != reverts_version or last.kind not in (K.LOCATE, K.CLEAR):
            raise IllegalTransition(
                f"Record {record.nic} changed after that entry (now at version "
                f"{record.version}): it can no longer be undone here. Nothing was changed."
            )
        needed = Permission.RECORDS_LOCATE if last.kind == K.LOCATE else Permission.RECORDS_CLEAR
        policy.require(actor, needed, object_type=OBJECT_TYPE, object_id=record.nic)
        if not actor.is_system and last.agency_id != actor.agency_id:
            raise IllegalTransition(
                f"Only the agency that made this {last.kind} may undo it. Nothing was changed."
            )
        status = derive_status([*kinds, K.REOPEN])
        fields: dict[str, Any] = {}
        if last.kind == K.CLEAR:  # the validation deadline the clear removed
            fields["validation_due_at"] = _validation_due(record)
        detail = {"reverts_version": last.version, "reverts_kind": last.kind}
        return _write(
            actor, record, K.REOPEN, now, reason.strip(), detail, new_status=status, fields=fields
        )


def _validation_due(record: MissingPersonRecord) -> datetime:
    history = RecordTransaction.objects.filter(record=record)
    validated = history.filter(kind=K.VALIDATE).order_by("-version").first()
    if validated is not None:
        return deadlines.next_validation_due_at(validated.at)
    return deadlines.first_validation_due_at(history.get(kind=K.ENTER).at)


def validate_record(
    actor: Actor,
    nic: str,
    *,
    expected_version: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> MissingPersonRecord:
    """The originating agency confirms the record is complete, accurate and still missing."""
    policy.require(actor, Permission.RECORDS_MODIFY, object_type=OBJECT_TYPE, object_id=nic)
    now = now or timezone.now()
    with transaction.atomic():
        record = locked_for(K.VALIDATE, actor, nic, expected_version)
        due = deadlines.next_validation_due_at(now)
        _write(
            actor,
            record,
            K.VALIDATE,
            now,
            reason,
            {"next_due_at": due},
            fields={"validation_due_at": due},
        )
    return record


# ---------------------------------------------------------------- reads


def show_record(actor: Actor, nic: str) -> MissingPersonRecord:
    """One record with its names and alias DOBs (the read is audited)."""
    policy.require(actor, Permission.RECORDS_VIEW, object_type=OBJECT_TYPE, object_id=nic)
    with transaction.atomic():
        record = (
            MissingPersonRecord.objects.visible_to(actor)
            .select_related("originating_agency", "jurisdiction_last_seen")
            .prefetch_related("names", "alias_dobs", "photos")
            .filter(nic=nic.strip().upper())
            .first()
        )
        if record is None:
            raise NotVisible()
        audit.record(
            actor,
            "records.read",
            object_type=OBJECT_TYPE,
            object_id=record.nic,
            detail={"fields": ["descriptors", "names", "alias_dobs"]},
        )
    return record


def history(actor: Actor, nic: str) -> list[RecordTransaction]:
    """The record's transactions, oldest first (the read is audited)."""
    policy.require(actor, Permission.RECORDS_VIEW, object_type=OBJECT_TYPE, object_id=nic)
    with transaction.atomic():
        record = MissingPersonRecord.objects.get_visible(actor, nic=nic.strip().upper())
        rows = list(
            RecordTransaction.objects.filter(record=record)
            .select_related("agency")
            .order_by("version")
        )
        audit.record(
            actor,
            "records.read",
            object_type=OBJECT_TYPE,
            object_id=record.nic,
            detail={"fields": ["history"]},
        )
    return rows


def derived_status(record: MissingPersonRecord) -> str:
    """The status the record's history leads to (the cached column must equal it)."""
    kinds = RecordTransaction.objects.filter(record=record).order_by("version")
    return derive_status(kinds.values_list("kind", flat=True))


def search_records(actor: Actor, query: SearchQuery) -> Hits:
    """Ranked hits among the records the actor may see (the inquiry is audited)."""
    policy.require(actor, Permission.RECORDS_SEARCH, object_type=OBJECT_TYPE)
    errors = Errors()
    if not searched_for(query):
        errors.add(
            "last_name",
            "give at least one of: last name, first name, date of birth (or its year), "
            "age range, sex, category, status",
        )
    if query.birth_year is not None and not 1900 <= query.birth_year <= 2100:
        errors.add("birth_year", "a year between 1900 and 2100")
    if query.birth_month is not None and not 1 <= query.birth_month <= 12:
        errors.add("birth_month", "between 1 and 12")
    if query.birth_month is not None and query.birth_year is None:
        errors.add("birth_year", "required with birth_month")
    if query.birth_year is not None and query.dob is not None:
        errors.add("birth_year", "give a full date of birth or its year, not both")
    if query.sex and query.sex not in codes.Sex.values:
        errors.add("sex", f"one of {', '.join(codes.Sex.values)}")
    if query.category and query.category not in codes.Category.values:
        errors.add("category", f"one of {', '.join(codes.Category.values)}")
    if query.status and query.status not in codes.Status.values:
        errors.add("status", f"one of {', '.join(codes.Status.values)}")
    if query.dob_years is not None and not 0 <= query.dob_years <= 20:
        errors.add("dob_years", "between 0 and 20")
    if query.dob_years is not None and query.dob is None:
        errors.add("dob", "required with dob_years")
    for name in ("age_min", "age_max"):
        value = getattr(query, name)
        if value is not None and not 0 <= value <= 125:
            errors.add(name, "between 0 and 125")
    if not 1 <= query.limit <= MAX_LIMIT:
        errors.add("limit", f"between 1 and {MAX_LIMIT}")
    errors.raise_if_any()
    # The search reads before the write transaction opens: on SQLite a transaction is
    # BEGIN IMMEDIATE, and holding the database's one write lock for the whole search
    # would queue every other search and writer behind it. The hits leave this function
    # only after the audit event naming each of them has committed, so no read of
    # personal data goes unaudited (a failed audit write raises, and nothing is returned).
    hits = find(compiled.visible(MissingPersonRecord, actor), query)
    with transaction.atomic():
        audit.record(
            actor,
            "records.search",
            object_type=OBJECT_TYPE,
            detail={
                "query": {k: _jsonable(v) for k, v in dataclasses.asdict(query).items() if v},
                "hits": [h.nic for h in hits],
            },
        )
    return hits


def due_records(actor: Actor, *, now: datetime | None = None, limit: int = 500) -> list[DueItem]:
    """What is overdue among the actor's visible active records, most overdue first.

    ``validation``: the record was not validated by its due date (90 days after entry,
    then yearly). ``entry``: a juvenile entered more than 2 hours after the report.
    """
    policy.require(actor, Permission.RECORDS_VIEW, object_type=OBJECT_TYPE)
    now = now or timezone.now()
    active = (
        MissingPersonRecord.objects.visible_to(actor)
        .filter(status=S.ACTIVE)
        .select_related("originating_agency")
    )
    items: list[DueItem] = []
    for r in active.filter(validation_due_at__lt=now).order_by("validation_due_at")[:limit]:
        assert r.validation_due_at is not None
        items.append(_due_item(r, "validation", r.validation_due_at, now - r.validation_due_at))
    late = active.filter(
        category=codes.Category.JUVENILE,
        entry_due_at__isnull=False,
        entry_due_at__lt=F("entered_at"),
    ).order_by("entry_due_at")[:limit]
    for r in late:
        assert r.entry_due_at is not None
        items.append(_due_item(r, "entry", r.entry_due_at, r.entered_at - r.entry_due_at))
    items.sort(key=lambda i: (-i.overdue_by, i.nic))
    with transaction.atomic():
        audit.record(
            actor,
            "records.read",
            object_type=OBJECT_TYPE,
            detail={"fields": ["due"], "records": len(items)},
        )
    return items[:limit]


def _due_item(r: MissingPersonRecord, rule: str, due_at: datetime, overdue_by: Any) -> DueItem:
    return DueItem(
        nic=r.nic,
        rule=rule,
        due_at=due_at,
        overdue_by=overdue_by,
        originating_ori=r.originating_agency.ori,
        last_name=r.last_name,
        first_name=r.first_name,
    )


def reindex_all(actor: Actor) -> int:
    """Recompute every record's search keys (after the name-variant table changed)."""
    from django.apps import apps

    policy.require(actor, Permission.RECORDS_IMPORT, object_type=OBJECT_TYPE)
    with transaction.atomic():
        from beacon.records import variants

        variants.forget()
        count = indexing.rebuild_all_keys(apps)
        audit.record(actor, "records.reindex", object_type=OBJECT_TYPE, detail={"keys": count})
    return count


def locked_for(
    kind: str, actor: Actor, nic: str, expected_version: int | None
) -> MissingPersonRecord:
    """The visible record, locked, at the expected version, that ``actor`` may apply
    ``kind`` to now (IllegalTransition saying why otherwise). Every change starts here."""
    record = _locked(actor, nic, expected_version)
    _refuse_status(kind, record)
    _refuse_other_agency(kind, actor, record)
    return record


def write_transaction(
    actor: Actor,
    record: MissingPersonRecord,
    kind: str,
    at: datetime,
    reason: str,
    detail: dict[str, Any],
) -> RecordTransaction:
    """Version bump, history row and audit event for a change made by another module."""
    return _write(actor, record, kind, at, reason, detail)
