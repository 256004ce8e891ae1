"""Creating an intake and importing a source list into it (bad cells quarantined)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.db import IntegrityError, transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, IllegalTransition, ValidationFailed
from beacon.intake import readers, storage
from beacon.intake.fields import ColumnMapping, propose_mapping
from beacon.intake.models import Intake, SourceList, SourceMapping
from beacon.intake.normalise import map_rows

SOURCE_MAX = 100
QUARANTINE_KEPT = 10_000  # quarantine entries stored with a list (all are counted)


def create_intake(actor: Actor, name: str) -> Intake:
    policy.require(actor, Permission.INTAKE_MANAGE, object_type="intake.intake")
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed.on("name", "give a name of 1 to 200 characters")
    try:
        with transaction.atomic():
            intake = Intake.objects.create(name=name, agency=actor.agency, created_by=actor.name)
            audit.record(
                actor,
                "intake.create",
                object_type="intake.intake",
                object_id=intake.pk,
                detail={"name": name},
            )
    except IntegrityError:
        raise Conflict(f"Your agency already has an intake named {name!r}.") from None
    return intake


def find_or_create_intake(actor: Actor, name: str) -> tuple[Intake, bool]:
    found = Intake.objects.visible_to(actor).filter(name=name.strip(), agency=actor.agency).first()
    if found is not None:
        return found, False
    return create_intake(actor, name), True


def remembered_mapping(actor: Actor, source: str) -> ColumnMapping | None:
    saved = SourceMapping.objects.filter(agency=actor.agency, source=source).first()
    return ColumnMapping.from_dict(saved.mapping) if saved else None


def preview(actor: Actor, path: Path, source: str) -> tuple[list[str], ColumnMapping, bool]:
    """Headers, the mapping that would be used, and whether it was remembered."""
    policy.require(actor, Permission.INTAKE_MANAGE, object_type="intake.list")
    headers = readers.headers_of(path)
    remembered = remembered_mapping(actor, source)
    if remembered is not None:
        return headers, remembered, True
    return headers, propose_mapping(headers), False


def _check_source(source: str) -> str:
    source = source.strip()
    if not source or len(source) > SOURCE_MAX:
        raise ValidationFailed.on("source", f"name the source in 1 to {SOURCE_MAX} characters")
    return source


def import_list(
    actor: Actor,
    intake: Intake,
    path: Path,
    *,
    source: str,
    mapping: ColumnMapping | None = None,
    filename: str | None = None,
) -> SourceList:
    """Validate every row of ``path``; store the list and remember the mapping.

    Bad cells are emptied and rows with nothing to link on left out, each reported in
    ``SourceList.quarantine``; the rest of the list is stored. A file that cannot be read,
    a mapping that does not fit, or a list with no row left is refused whole.

    Without ``mapping`` the source's remembered mapping is used, else one proposed from
    the headers (which must then cover what the file needs).
    """
    policy.require(
        actor, Permission.INTAKE_MANAGE, object_type="intake.intake", object_id=intake.pk
    )
    intake = Intake.objects.get_visible(actor, pk=intake.pk)
    if intake.status != Intake.Status.OPEN:
        raise IllegalTransition("This intake was accepted; start a new intake for new lists.")
    source = _check_source(source)
    name = filename or path.name
    con = duckdb.connect()
    try:
        headers = readers.load(con, path, "raw")
        if mapping is None:
            mapping = remembered_mapping(actor, source) or propose_mapping(headers)
        mapping.check(headers)
        rows, quarantine = map_rows(con, "raw", mapping, "mapped", name)
        if rows == 0:
            reason = "no row has a name, date of birth or identifier" if quarantine else "no rows"
            raise ValidationFailed.on("file", f"{name}: {reason}")
        relative, data_sha = storage.write_rows(con, "mapped", intake.pk)
    finally:
        con.close()
    try:
        with transaction.atomic():
            listed = SourceList.objects.create(
                intake=intake,
                source=source,
                filename=name[:255],
                sha256=storage.sha256_of(path),
                rows=rows,
                mapping=mapping.as_dict(),
                data_file=relative,
                data_sha256=data_sha,
                quarantine=quarantine[:QUARANTINE_KEPT],
                quarantined=len(quarantine),
                imported_by=actor.name,
            )
            SourceMapping.objects.update_or_create(
                agency=actor.agency,
                source=source,
                defaults={"mapping": mapping.as_dict(), "updated_by": actor.name},
            )
            audit.record(
                actor,
                "intake.import",
                object_type="intake.list",
                object_id=listed.pk,
                detail={
                    "intake": intake.pk,
                    "source": source,
                    "file": name,
                    "sha256": listed.sha256,
                    "rows": rows,
                    "quarantined": len(quarantine),
                    "mapping": mapping.as_dict(),
                },
            )
    except BaseException:
        storage.remove(relative)
        raise
    return listed
