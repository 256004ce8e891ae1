"""Agency and jurisdiction rules; creating and changing agencies (administrators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import SYSTEM_ORI, Agency, Jurisdiction, validate_ori
from beacon.agencies.refs import find_jurisdiction
from beacon.agencies.refs import jurisdiction_ref as jurisdiction_ref  # the admin page's
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible, ValidationFailed


def load_jurisdictions() -> int:
    """Create any missing country, US state or county (the migration does this once)."""
    from django.apps import apps

    from beacon.agencies.jurisdiction_loader import load

    before = Jurisdiction.objects.count()
    with transaction.atomic():
        load(apps)
    return Jurisdiction.objects.count() - before


def country(code: str) -> Jurisdiction:
    """A country by ISO alpha-2 or alpha-3 code."""
    code = code.upper()
    field = "code" if len(code) == 2 else "abbreviation"
    return Jurisdiction.objects.get(kind="country", **{field: code})


def state(abbreviation: str) -> Jurisdiction:
    return Jurisdiction.objects.get(kind="state", abbreviation=abbreviation.upper())


def county(state_abbreviation: str, name: str) -> Jurisdiction:
    """A county by state and name, with or without the word County."""
    parent = state(state_abbreviation)
    if not name.endswith(" County"):
        name = f"{name} County"
    return Jurisdiction.objects.get(kind="county", parent=parent, name_en=name)


# --- Administration: creating and changing agencies (system administrators) -----------

AGENCY_FIELDS = ("ori", "name", "short_name", "kind", "parent", "jurisdiction")
REFUSED = gettext_lazy("The agency was not saved.")


def _require_admin(actor: Actor, ori: str) -> None:
    if not actor.is_system:
        policy.require(actor, Permission.AGENCIES_MANAGE, object_type="agency", object_id=ori)


def _jurisdiction(text: str, errors: dict[str, list[str]]) -> Jurisdiction | None:
    if not text:
        return None
    found = find_jurisdiction(text)
    if found is None:
        errors["jurisdiction"] = [
            _("Unknown jurisdiction %(ref)s: use country:MX, state:NM or county:35013.")
            % {"ref": text}
        ]
    return found


def _parent(agency: Agency | None, ori: str, errors: dict[str, list[str]]) -> Agency | None:
    """The agency this one is part of: an existing agency, never itself nor one of its own
    offices (no loops), never Beacon's system agency."""
    if not ori:
        return None
    parent = Agency.objects.exclude(kind=Agency.Kind.SYSTEM).filter(ori=ori).first()
    if parent is None:
        errors["parent"] = [_("No agency with ORI %(ori)s.") % {"ori": ori}]
        return None
    step: Agency | None = parent
    seen: set[int] = set()
    while step is not None and agency is not None and step.pk not in seen:
        if step.pk == agency.pk:
            errors["parent"] = [_("An agency cannot be part of itself or of its own offices.")]
            return None
        seen.add(step.pk)
        step = step.parent
    return parent


def _clean(agency: Agency | None, data: dict[str, str]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(AGENCY_FIELDS))
    for field in unknown:
        errors[field] = [_("This field cannot be set here.")]
    values: dict[str, Any] = {}
    if agency is None:
        ori = str(data.get("ori", "")).strip().upper()
        try:
            validate_ori(ori)
        except ValidationError as exc:
            errors["ori"] = list(exc.messages)
        else:
            if ori == SYSTEM_ORI or Agency.objects.filter(ori=ori).exists():
                errors["ori"] = [_("An agency with ORI %(ori)s already exists.") % {"ori": ori}]
        values["ori"] = ori
    elif "ori" in data and str(data["ori"]).strip().upper() != agency.ori:
        errors["ori"] = [_("The ORI of an existing agency cannot be changed.")]
    name = str(data.get("name", "")).strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Required, at most 200 characters.")]
    short_name = str(data.get("short_name", "")).strip()
    if len(short_name) > 40:
        errors["short_name"] = [_("At most 40 characters.")]
    kind = str(data.get("kind", "")).strip()
    if kind not in Agency.Kind.values or kind == Agency.Kind.SYSTEM:
        errors["kind"] = [_("Choose a kind of agency.")]
    values |= {"name": name, "short_name": short_name, "kind": kind}
    values["parent"] = _parent(agency, str(data.get("parent", "")).strip().upper(), errors)
    values["jurisdiction"] = _jurisdiction(str(data.get("jurisdiction", "")).strip(), errors)
    if errors:
        raise ValidationFailed(str(REFUSED), fields=errors)
    return values


def _shown(value: object) -> object:
    if isinstance(value, Agency):
        return value.ori
    if isinstance(value, Jurisdiction):
        return jurisdiction_ref(value)
    return value


def get_agency(actor: Actor, ori: str) -> Agency:
    """An agency an administrator may change; Beacon's own system agency is not one (404)."""
    _require_admin(actor, ori)
    found = (
        Agency.objects.exclude(kind=Agency.Kind.SYSTEM)
        .select_related("parent", "jurisdiction")
        .filter(ori=ori.strip().upper())
        .first()
    )
    if found is None:
        raise NotVisible()
    return found


def create_agency(actor: Actor, data: dict[str, str]) -> Agency:
    """A new agency (ORI, name, short name, kind, parent agency, jurisdiction); audited."""
    _require_admin(actor, str(data.get("ori", "")))
    values = _clean(None, data)
    try:
        with transaction.atomic():
            agency = Agency.objects.create(**values)
            audit.record(
                actor,
                "agency.created",
                object_type="agency",
                object_id=agency.ori,
                detail={field: _shown(value) for field, value in values.items()},
            )
    except IntegrityError:  # the same ORI created at the same moment
        raise ValidationFailed(
            str(REFUSED),
            fields={"ori": [_("An agency with ORI %(ori)s already exists.") % values]},
        ) from None
    return agency


def update_agency(actor: Actor, ori: str, data: dict[str, str]) -> Agency:
    """Change an agency's name, short name, kind, parent and jurisdiction (not its ORI);
    all or nothing, audited with before and after."""
    agency = get_agency(actor, ori)
    values = _clean(agency, data)
    values.pop("ori", None)
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        diff = {
            field: {"before": _shown(getattr(locked, field)), "after": _shown(value)}
            for field, value in values.items()
            if getattr(locked, field) != value
        }
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(values))
        audit.record(
            actor, "agency.modified", object_type="agency", object_id=locked.ori, detail=diff
        )
    return locked
