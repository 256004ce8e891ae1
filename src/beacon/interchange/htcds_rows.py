"""HTCDS 2.0 case rows: IOM's Excel template (XLSX) out and in, and flat JSON rows in.

Out: one row per exported case (``export_htcds``: only victims who consented to have
their personal data managed), in the template's columns (``htcds_fields.COLUMNS``),
names in row 1 and labels in row 2 as IOM's template has them. In: an XLSX workbook
(first sheet, names in row 1, an optional labels row) or JSON (a list of rows, or a
document whose ``cases`` are rows). Each row is matched to a victim of the operation by
``caseId`` (``OPERATION/victim-ref``, as Beacon writes it) or by first name, second
name and birthdate; its consent to data management, trafficking status and types of
exploitation are recorded on the victim's case, and every other HTCDS field is kept
as given and reported (never silently dropped). Unknown field names, values outside
the code lists and rows that match no victim refuse the file, by line (Excel row, or
JSON row number).
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from typing import Any

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.interchange import htcds_fields as F
from beacon.interchange.errors import Collector
from beacon.interchange.htcds import export_htcds
from beacon.interchange.models import HtcdsCase
from beacon.interchange.targets import ImportResult, digest
from beacon.operations.models import Victim
from beacon.operations.services import get_operation

FORMAT = "htcds"
XLSX_MAGIC = b"PK\x03\x04"
LABELS = {
    "caseId": "Case ID (Beacon)",
    "prs_MiddleName": "Middle Name",
    "cas_ReasonForOutgoingReferral": "Reason for Outgoing Referral",
}
COUNTRY = re.compile(r"[A-Z]{2}")
MAX_ROWS = 100_000


def _label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    bare = name.split("_", 1)[1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", bare)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return value.get("org_Name", "")
    return value


def case_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The export's cases as flat rows of the template's columns."""
    rows = []
    for case in document["cases"]:
        row: dict[str, Any] = {"caseId": case["caseId"], "cas_Status": case["cas_Status"]}
        row |= {k: v for k, v in case["victim"].items() if k in F.FIELDS}
        for referral in case["referrals"][:1]:
            row |= {k: v for k, v in referral.items() if k in F.FIELDS}
        rows.append(row)
    return rows


def export_htcds_xlsx(actor: Actor, operation: str) -> bytes:
    """The operation's HTCDS cases as an Excel workbook shaped like IOM's template."""
    from openpyxl import Workbook

    document = export_htcds(actor, operation)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(list(F.COLUMNS))
    sheet.append([_label(name) for name in F.COLUMNS])
    for row in case_rows(document):
        sheet.append([_cell(row.get(name)) for name in F.COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ rows in


def _xlsx_rows(data: bytes, errors: Collector) -> list[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        errors.add(1, "document", f"not a readable Excel workbook ({type(exc).__name__})")
        return []
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        cells = {h: v for h, v in zip(header, values, strict=False) if h and v not in (None, "")}
        if not cells:
            continue
        if number == 2 and _labels(cells):
            continue  # the template's labels row
        if len(out) >= MAX_ROWS:
            errors.add(number, "document", f"more than {MAX_ROWS} rows")
            break
        out.append((number, cells))
    book.close()
    return out


def _labels(cells: dict[str, Any]) -> bool:
    """Is this the template's second row, the fields' labels ("Case Owner")?"""

    def like(name: str, value: Any) -> bool:
        bare = name.split("_", 1)[-1].lower()
        return str(value).replace(" ", "").lower()[:6] == bare[:6]

    return sum(like(h, v) for h, v in cells.items()) * 2 > len(cells)


def _json_rows(data: bytes, errors: Collector) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        errors.add(1, "document", "neither an Excel workbook nor UTF-8 JSON")
        return []
    except json.JSONDecodeError as exc:
        errors.add(exc.lineno, f"column {exc.colno}", f"not valid JSON: {exc.msg}")
        return []
    rows = document.get("cases") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        errors.add(1, "document", "a list of HTCDS rows, or an object with a list 'cases'")
        return []
    out = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.add(number, "row", "must be an object of HTCDS fields")
            continue
        flat = dict(row)
        if isinstance(flat.get("victim"), dict):  # Beacon's own export: fields nested
            flat |= flat.pop("victim")
        out.append((number, flat))
    return out


def _values(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[;,]", str(value)) if v.strip()]


def _boolean(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if isinstance(value, bool) or text in ("true", "false", "1", "0", "yes", "no"):
        return text in ("true", "1", "yes")
    return None


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value).strip()[:10]).isoformat()


class _Row:
    def __init__(self, line: int, values: dict[str, Any]) -> None:
        self.line = line
        self.values = values
        self.kept: dict[str, Any] = {}
        self.notes: list[str] = []


def _check(row: _Row, errors: Collector) -> None:
    for raw, value in list(row.values.items()):
        name = F.TEMPLATE_ALIASES.get(raw, raw)
        if raw != name:
            row.notes.append(f"{raw} read as {name} (IOM template spelling)")
        if name in F.DEPRECATED:
            new = F.DEPRECATED[name]
            row.notes.append(
                f"{name} is deprecated in HTCDS 2.0" + (f", read as {new}" if new else ", kept")
            )
            name = new or name
        elif name not in F.FIELDS and name not in F.USED and name not in _BEACON_KEYS:
            errors.add(row.line, raw, "not an HTCDS 2.0 field")
            continue
        if name in F.PICKLISTS:
            allowed = F.PICKLISTS[name]
            values = _values(value)
            bad = [v for v in values if v not in allowed]
            if bad:
                errors.add(row.line, raw, f"{bad[0]!r} is not one of {', '.join(allowed)}")
                continue
            value = values if name in F.MULTI else (values[0] if values else "")
        elif name == "prs_Citizenship":
            value = [v.upper() for v in _values(value)]
            if not all(COUNTRY.fullmatch(v) for v in value):
                errors.add(row.line, raw, "ISO 3166 two-letter country codes, ; between them")
                continue
        elif name == "con_Consent":
            value = _boolean(value)
            if value is None:
                errors.add(row.line, raw, "TRUE or FALSE")
                continue
        elif name.endswith(("Date", "Birthdate")) and value not in (None, ""):
            try:
                value = _day(value)
            except ValueError:
                errors.add(row.line, raw, f"{value!r} is not a date (YYYY-MM-DD)")
                continue
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        row.kept[name] = value


# Keys of Beacon's own JSON export besides HTCDS fields (read back, not kept).
_BEACON_KEYS = frozenset(
    {"ageMin", "ageMax", "ageGroup", "selfIdentification", "services", "referrals"}
)


def _match(row: _Row, code: str, victims: list[Victim], errors: Collector) -> Victim | None:
    case_id = str(row.kept.get("caseId", ""))
    if case_id:
        op_code, _slash, ref = case_id.partition("/")
        found = [v for v in victims if v.ref == ref and op_code == code]
        if not found:
            errors.add(row.line, "caseId", f"no victim {case_id} in operation {code}")
        return found[0] if found else None
    first = str(row.kept.get("prs_FirstName", "")).strip().casefold()
    second = str(row.kept.get("prs_SecondName", "")).strip().casefold()
    born = row.kept.get("prs_Birthdate")
    found = [
        v
        for v in victims
        if v.person.first_name.casefold() == first
        and v.person.last_name.casefold() == second
        and (v.person.dob.isoformat() if v.person.dob else None) == born
    ]
    if len(found) != 1:
        why = "no victim" if not found else f"{len(found)} victims"
        errors.add(
            row.line,
            "caseId",
            f"{why} of {code} with this prs_FirstName, prs_SecondName and prs_Birthdate; "
            "give caseId (Beacon records victims, it does not create them from HTCDS rows)",
        )
        return None
    return found[0]


def import_htcds_cases(
    actor: Actor, operation: str, data: bytes, *, source: str = "htcds.xlsx"
) -> ImportResult:
    """An HTCDS 2.0 workbook or JSON rows into the operation's victims' cases, all or none."""
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="operation", object_id=operation)
    policy.require(
        actor, Permission.OPERATIONS_MANAGE, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    errors = Collector("HTCDS")
    raw = _xlsx_rows(data, errors) if data.startswith(XLSX_MAGIC) else _json_rows(data, errors)
    rows = [_Row(line, values) for line, values in raw]
    for row in rows:
        _check(row, errors)
    victims = list(Victim.objects.visible_to(actor).filter(operation=op).select_related("person"))
    matched = [(row, _match(row, op.code, victims, errors)) for row in rows]
    errors.raise_if_any()
    result = ImportResult(FORMAT, source, digest(data))
    with transaction.atomic():
        for row, victim in matched:
            assert victim is not None
            _apply(row, victim, source, result)
        audit.record(
            actor,
            "interchange.import",
            object_type="operation",
            object_id=op.code,
            detail={k: v for k, v in result.as_dict().items() if k != "nics"},
        )
    return result


def _apply(row: _Row, victim: Victim, source: str, result: ImportResult) -> None:
    kept = {k: v for k, v in row.kept.items() if k not in F.USED and k not in _BEACON_KEYS}
    case, _new = HtcdsCase.objects.get_or_create(victim=victim)
    if "con_Consent" in row.kept:
        case.data_consent = row.kept["con_Consent"]
    if "vic_TraffickingStatus" in row.kept:
        case.trafficking_status = row.kept["vic_TraffickingStatus"] or ""
    if "vic_TypeOfExploitation" in row.kept:
        case.exploitation = list(row.kept["vic_TypeOfExploitation"])
    case.fields = {**case.fields, **kept}
    case.source = source
    case.save()
    result.count("cases_updated")
    derived = {"cas_Status", "prs_Gender", "prs_Citizenship"} & kept.keys()
    unused = sorted(kept.keys() - derived)
    for note in row.notes:
        result.skipped.append(f"line {row.line}: {note}")
    if unused:
        result.skipped.append(
            f"line {row.line}: kept as given, not used by Beacon: {', '.join(unused)}"
        )
        result.count("fields_kept_not_used", len(unused))
    if derived:
        result.skipped.append(
            f"line {row.line}: Beacon derives {', '.join(sorted(derived))} from its own "
            "records; the given values are kept and exported only where Beacon has none"
        )
