"""IOM Human Trafficking Case Data Standard (HTCDS) v2: an operation's victims, services
and referrals as HTCDS cases for NGO partners, and the NGOs' referral updates back.

A victim is exported only with their consent to have personal data managed
(``con_Consent``, recorded on the victim's ``HtcdsCase``; consent to *services* is a
different consent and does not count); the others are only counted. Field names and
code lists are HTCDS 2.0's (``htcds_fields``). The case status is derived (see ``case_status``). An update file is the export
shape with referral statuses changed; it is applied whole or not at all.
Mapping: docs/formats/htcds.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.interchange import htcds_fields as fields
from beacon.interchange.errors import Collector, Progress
from beacon.interchange.models import HtcdsCase
from beacon.interchange.targets import ImportResult, digest
from beacon.operations import codes as op_codes
from beacon.operations.bundles.sharing import people_withheld
from beacon.operations.models import Operation, Referral, Service, Victim
from beacon.operations.services import get_operation

FORMAT = "htcds"
STANDARD = "HTCDS"
VERSION = "2.0"
ORG_TYPE: dict[str, str] = {
    Agency.Kind.NGO: "NGO",
    Agency.Kind.CHILD_WELFARE: "LocalGovernmentOrganisation",
    Agency.Kind.PROSECUTOR: "LegalService",
}
REFERRAL_STATUS: dict[str, str] = {
    op_codes.ReferralStatus.OFFERED: "Offered",
    op_codes.ReferralStatus.ACCEPTED: "Accepted",
    op_codes.ReferralStatus.DECLINED: "Declined",
}
STATUS_OF: dict[str, str] = {label: code for code, label in REFERRAL_STATUS.items()}


class CaseStatus:
    ACTIVE = "Active"
    FOLLOW_UP = "FollowUp"
    CLOSED = "Closed"
    CLOSED_REFERRED = "ClosedReferred"


def organisation(agency: Agency) -> dict[str, str]:
    return {
        "org_Name": agency.name,
        "org_Type": ORG_TYPE.get(agency.kind, "LawEnforcement"),
        "ori": agency.ori,
    }


def case_status(operation: Operation, services: list[Service], referrals: list[Referral]) -> str:
    """Accepted referral: ClosedReferred (the partner holds the case). A referral awaiting
    an answer or a service only offered: FollowUp. Otherwise Closed when the operation is
    closed, Active while it runs."""
    if any(r.status == op_codes.ReferralStatus.ACCEPTED for r in referrals):
        return CaseStatus.CLOSED_REFERRED
    if any(r.status == op_codes.ReferralStatus.OFFERED for r in referrals) or any(
        s.status == op_codes.ServiceStatus.OFFERED for s in services
    ):
        return CaseStatus.FOLLOW_UP
    if operation.status == op_codes.Status.CLOSED:
        return CaseStatus.CLOSED
    return CaseStatus.ACTIVE


def _victim(victim: Victim, case: HtcdsCase) -> dict[str, Any]:
    """The victim's HTCDS 2.0 person and victim fields: the partner's own as given (a
    case imported from HTCDS), Beacon's values over them."""
    person = victim.person
    citizenship = [victim.nationality.code] if victim.nationality else []
    given = {
        k: v
        for k, v in case.fields.items()
        if k in fields.FIELDS and k.startswith(("prs_", "vic_", "con_"))
    }
    return given | {
        "prs_FirstName": person.first_name or given.get("prs_FirstName", ""),
        "prs_SecondName": person.last_name or given.get("prs_SecondName", ""),
        "prs_Birthdate": person.dob.isoformat() if person.dob else given.get("prs_Birthdate"),
        "prs_Gender": (
            given.get("prs_Gender")
            if victim.sex == "U" and given.get("prs_Gender")
            else fields.GENDER_OF_SEX.get(victim.sex, "NonSpecifiedUnknown")
        ),
        "prs_Citizenship": citizenship or list(given.get("prs_Citizenship", [])),
        "con_Consent": True,
        "vic_TraffickingStatus": case.trafficking_status or None,
        "vic_TypeOfExploitation": list(case.exploitation),
        "ageMin": victim.age_min,
        "ageMax": victim.age_max,
        "ageGroup": victim.age_group,
        "selfIdentification": victim.self_identification,
    }


def _referral(referral: Referral, actor: Actor) -> dict[str, Any]:
    incoming = referral.to_agency_id == actor.agency_id
    day = referral.at.date().isoformat()
    row: dict[str, Any] = {
        "referralId": referral.ref,
        "direction": "Incoming" if incoming else "Outgoing",
        "cas_ReferringOrganisation": organisation(referral.agency),
        "cas_ReferredOrganisation": organisation(referral.to_agency),
        "status": REFERRAL_STATUS[referral.status],
    }
    if incoming:
        row |= {"cas_IncomingReferralDate": day, "cas_IncomingReferralDetails": referral.notes}
    else:
        row |= {
            "cas_OutgoingReferralDate": day,
            "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired",
            "cas_OutgoingReferralDetails": referral.notes,
        }
    return row


def _service(service: Service) -> dict[str, Any]:
    return {
        "serviceId": service.ref,
        "type": service.kind,
        "status": service.status,
        "date": service.at.date().isoformat(),
        "organisation": organisation(service.agency),
    }


def _data_consent(victim: Victim) -> bool:
    case = getattr(victim, "htcds_case", None)
    return case is not None and case.data_consent is True


def export_htcds(actor: Actor, operation: str) -> dict[str, Any]:
    """The operation's consenting victims as HTCDS cases, with services and referrals."""
    policy.require(
        actor, Permission.OPERATIONS_EXPORT, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    victims = list(
        Victim.objects.visible_to(actor)
        .filter(operation=op)
        .select_related("person", "nationality", "htcds_case")
        .order_by("at", "id")
    )
    consenting = [v for v in victims if _data_consent(v)]
    # A victim who is the subject of a registry record (in any operation) carries its TLP
    # marking: the export leaves the exporter's organisation (may_share_outside),
    # the same rule as bundles and NIBRS (operations.bundles.sharing).
    held = people_withheld(actor, [v.person_id for v in consenting])
    withheld_tlp = [v.ref for v in consenting if v.person_id in held]
    consenting = [v for v in consenting if v.person_id not in held]
    people = [v.person_id for v in consenting]
    services: dict[int, list[Service]] = {}
    for service in Service.objects.filter(operation=op, person_id__in=people).select_related(
        "agency"
    ):
        services.setdefault(service.person_id, []).append(service)
    referrals: dict[int, list[Referral]] = {}
    for referral in (
        Referral.objects.visible_to(actor)
        .filter(victim__in=consenting)
        .select_related("agency", "to_agency")
    ):
        referrals.setdefault(referral.victim_id, []).append(referral)
    cases = []
    for victim in consenting:
        mine_s = sorted(services.get(victim.person_id, []), key=lambda s: (s.at, s.pk))
        mine_r = sorted(referrals.get(victim.pk, []), key=lambda r: (r.at, r.pk))
        cases.append(
            {
                "caseId": f"{op.code}/{victim.ref}",
                "cas_Status": case_status(op, mine_s, mine_r),
                "victim": _victim(victim, victim.htcds_case),
                "services": [_service(s) for s in mine_s],
                "referrals": [_referral(r, actor) for r in mine_r],
            }
        )
    document = {
        "standard": STANDARD,
        "version": VERSION,
        "exportedAt": timezone.now().isoformat(),
        "exportedBy": organisation(actor.agency),
        "operation": {"code": op.code, "name": op.name},
        "cases": cases,
        "withheld": {
            "noDataConsent": len(victims) - len(consenting) - len(withheld_tlp),
            "tlp": len(withheld_tlp),
        },
    }
    with transaction.atomic():
        audit.record(
            actor,
            "interchange.export",
            object_type="operation",
            object_id=op.code,
            detail={
                "format": FORMAT,
                "victims": [v.ref for v in consenting],
                "withheld_no_data_consent": len(victims) - len(consenting) - len(withheld_tlp),
                "withheld_tlp": withheld_tlp,
            },
        )
    return document


# ------------------------------------------------------------------ referral updates


def _parse(data: bytes, errors: Collector) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        errors.add(1, "document", "not UTF-8 text")
    except json.JSONDecodeError as exc:
        errors.add(exc.lineno, f"column {exc.colno}", f"not valid JSON: {exc.msg}")
    return None


def _items(value: Any, path: str, errors: Collector) -> Iterable[tuple[str, dict[str, Any]]]:
    if not isinstance(value, list):
        errors.add(0, path, "must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append((f"{path}[{i}]", item))
        else:
            errors.add(0, f"{path}[{i}]", "must be an object")
    return out


def import_htcds_updates(
    actor: Actor, data: bytes, *, source: str = "htcds.json", progress: Progress | None = None
) -> ImportResult:
    """Apply an NGO's referral answers (Accepted / Declined), all or none.

    Only the agency a referral was sent to may answer it (the system actor may apply any);
    an answered referral keeps its answer (a different one is refused).
    """
    policy.require(actor, Permission.REFERRALS_RESPOND, object_type="referral")
    errors = Collector("HTCDS")
    document = _parse(data, errors)
    errors.raise_if_any()
    if not isinstance(document, dict):
        raise ValidationFailed.on("document", "an HTCDS document is a JSON object")
    if document.get("standard") != STANDARD:
        errors.add(0, "standard", f'must be "{STANDARD}"')
    if str(document.get("version", "")).split(".")[0] != VERSION.split(".")[0]:
        errors.add(0, "version", f"must be {VERSION}")
    visible = Referral.objects.visible_to(actor).select_related("to_agency")
    changes: list[tuple[str, Referral, str, dict[str, Any]]] = []
    unchanged = 0
    for case_path, case in _items(document.get("cases"), "cases", errors):
        code, _slash, _victim_ref = str(case.get("caseId", "")).partition("/")
        for path, row in _items(case.get("referrals", []), f"{case_path}.referrals", errors):
            referral = visible.filter(
                victim__operation__code=code, ref=row.get("referralId")
            ).first()
            status = STATUS_OF.get(str(row.get("status", "")))
            if referral is None:
                errors.add(0, f"{path}.referralId", "no such referral visible to you")
                continue
            if status is None:
                errors.add(0, f"{path}.status", f"one of {', '.join(STATUS_OF)}")
                continue
            if status == referral.status:
                unchanged += 1
                continue
            if not actor.is_system and referral.to_agency_id != actor.agency_id:
                errors.add(0, f"{path}.status", "only the agency it was sent to may answer it")
            elif referral.status != op_codes.ReferralStatus.OFFERED:
                errors.add(0, f"{path}.status", f"already {REFERRAL_STATUS[referral.status]}")
            elif status == op_codes.ReferralStatus.OFFERED:
                errors.add(0, f"{path}.status", "an answer is Accepted or Declined")
            else:
                changes.append((path, referral, status, row))
    errors.raise_if_any()
    result = ImportResult(FORMAT, source, digest(data))
    result.count("referrals_unchanged", unchanged)
    with transaction.atomic():
        for done, (_path, referral, status, row) in enumerate(changes, start=1):
            if progress:
                progress("write", done, len(changes))
            answered = Referral.objects.filter(
                pk=referral.pk, status=op_codes.ReferralStatus.OFFERED
            ).update(status=status)
            if answered != 1:
                raise ValidationFailed.on(
                    _path, "the referral changed meanwhile; nothing was applied"
                )
            audit.record(
                actor,
                "referrals.answered",
                object_type="referral",
                object_id=referral.ref,
                detail={
                    "format": FORMAT,
                    "source": source,
                    "status": status,
                    "incoming_referral_date": str(row.get("cas_IncomingReferralDate", "")),
                    "reason_for_case_closure": str(row.get("cas_ReasonForCaseClosure", ""))[:500],
                },
            )
            result.count(f"referrals_{status}")
        audit.record(
            actor,
            "interchange.import",
            object_type="referral",
            object_id=source,
            detail={k: v for k, v in result.as_dict().items() if k != "nics"},
        )
    return result
