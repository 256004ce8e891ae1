"""Reading a PFIF 1.1, 1.2, 1.3 or 1.4 document safely, into records with 1.4 field names.

The document is parsed with defusedxml (no DTD, no entities, no network), keeping the
line of every element. Each person and note is checked against the field list of the
document's own PFIF version (the spec's: child order is not significant; persons and
notes come in any order at the top level; each field at most once; the mandatory
fields; the formats of dates, sex, status, age, date of birth and record ids). Fields
renamed since (first_name, last_name, home_zip, found, other) are read under their 1.4
names, as Person Finder's own parser does (``pfif.RENAMED_FIELDS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from beacon.interchange.errors import LineError

NS = "http://zesty.ca/pfif/1.4"
VERSIONS = {f"http://zesty.ca/pfif/{v}": v for v in ("1.1", "1.2", "1.3", "1.4")}

# The 1.4 order of fields (Person Finder writes them in this order).
PERSON_ORDER = [
    "person_record_id",
    "entry_date",
    "expiry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_name",
    "source_date",
    "source_url",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "description",
    "sex",
    "date_of_birth",
    "age",
    "home_street",
    "home_neighborhood",
    "home_city",
    "home_state",
    "home_postal_code",
    "home_country",
    "photo_url",
    "profile_urls",
]
NOTE_ORDER = [
    "note_record_id",
    "person_record_id",
    "linked_person_record_id",
    "entry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_date",
    "author_made_contact",
    "status",
    "email_of_found_person",
    "phone_of_found_person",
    "last_known_location",
    "text",
    "photo_url",
]
_PERSON_12 = (
    "person_record_id entry_date author_name author_email author_phone source_name"
    " source_date source_url first_name last_name sex date_of_birth age home_street"
    " home_neighborhood home_city home_state home_postal_code home_country photo_url other"
)
PERSON_FIELDS: dict[str, frozenset[str]] = {
    "1.1": frozenset(
        [
            "person_record_id",
            "entry_date",
            "author_name",
            "author_email",
            "author_phone",
            "source_name",
            "source_date",
            "source_url",
            "first_name",
            "last_name",
            "home_city",
            "home_state",
            "home_neighborhood",
            "home_street",
            "home_zip",
            "photo_url",
            "other",
        ]
    ),
    "1.2": frozenset(_PERSON_12.split()),
    "1.3": frozenset(_PERSON_12.split()) | {"expiry_date", "full_name"},
    "1.4": frozenset(PERSON_ORDER),
}
_NOTE_12 = (
    "note_record_id person_record_id linked_person_record_id entry_date author_name"
    " author_email author_phone source_date found status email_of_found_person"
    " phone_of_found_person last_known_location text"
)
NOTE_FIELDS: dict[str, frozenset[str]] = {
    "1.1": frozenset(
        [
            "note_record_id",
            "entry_date",
            "author_name",
            "author_email",
            "author_phone",
            "source_date",
            "found",
            "email_of_found_person",
            "phone_of_found_person",
            "last_known_location",
            "text",
        ]
    ),
    "1.2": frozenset(_NOTE_12.split()),
    "1.3": frozenset(_NOTE_12.split()),
    "1.4": frozenset(NOTE_ORDER),
}
MANDATORY_PERSON = {
    "1.1": ("person_record_id", "first_name", "last_name"),
    "1.2": ("person_record_id", "first_name", "last_name"),
    "1.3": ("person_record_id", "source_date", "full_name"),
    "1.4": ("person_record_id", "source_date", "full_name"),
}
MANDATORY_NOTE = ("note_record_id", "author_name", "source_date", "text")
RENAMED = {
    "home_zip": "home_postal_code",
    "first_name": "given_name",
    "last_name": "family_name",
    "found": "author_made_contact",
    "other": "description",
}
# Fields whose line breaks mean something (several names, URLs, paragraphs).
MULTILINE = frozenset({"full_name", "alternate_names", "description", "text", "profile_urls"})
STATUSES = (
    "information_sought",
    "is_note_author",
    "believed_alive",
    "believed_missing",
    "believed_dead",
)
_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "record_id": (re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*/\S+"), "a record id (domain/local-id)"),
    "date": (
        re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"),
        "a UTC date and time (YYYY-MM-DDThh:mm:ssZ)",
    ),
    "date_of_birth": (re.compile(r"\d{4}(-\d{2}(-\d{2})?)?"), "YYYY, YYYY-MM or YYYY-MM-DD"),
    "age": (re.compile(r"\d{1,3}(-\d{1,3})?"), "a number or a range (35-45)"),
    "sex": (re.compile(r"female|male|other"), "female, male or other"),
    "status": (re.compile("|".join(STATUSES)), "one of " + ", ".join(STATUSES)),
    "boolean": (re.compile(r"true|false"), "true or false"),
}
FORMAT_OF = {
    "person_record_id": "record_id",
    "note_record_id": "record_id",
    "linked_person_record_id": "record_id",
    "entry_date": "date",
    "source_date": "date",
    "expiry_date": "date",
    "date_of_birth": "date_of_birth",
    "age": "age",
    "sex": "sex",
    "status": "status",
    "author_made_contact": "boolean",
}
MAX_LENGTH = 500


@dataclass
class Record:
    """A person or note with 1.4 field names; ``lines`` holds each field's line."""

    kind: str  # person | note
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    notes: list[Record] = field(default_factory=list)
    problems: list[LineError] = field(default_factory=list)  # its own, not its notes'

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)


@dataclass
class Document:
    version: str
    persons: list[Record]
    notes: list[Record]  # top-level notes


class _Builder(TreeBuilder):
    """A tree builder that remembers the line where each element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[int, int] = {}
        self.keep: list[Element] = []

    def start(self, tag: Any, attrs: Any) -> Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = int(self.parser.parser.CurrentLineNumber)
        self.keep.append(element)
        return element


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _value(name: str, text: str) -> str:
    if name in MULTILINE:
        return "\n".join(line.strip() for line in text.strip().splitlines())
    return " ".join(text.split())


def description_of_other(other: str) -> str:
    """PFIF 1.3 and earlier ``other``: the text of its ``description:`` part when that is
    all it holds (as Person Finder reads it), else the whole text."""
    lines, labelled = [], False
    for line in other.splitlines():
        if line.startswith("description:"):
            labelled = True
            line = line[len("description:") :]
            if not line.strip():
                continue
        elif re.match(r"\S+:", line):
            return other
        lines.append(line.strip())
    return "\n".join(lines) if labelled else other


def expired(value: str) -> bool:
    """Is this expiry_date a real UTC time already past (PFIF section 3.3)?"""
    if not _FORMATS["date"][0].fullmatch(value) or not _real("date", value):
        return False
    return datetime.fromisoformat(value.replace("Z", "+00:00")) <= datetime.now(UTC)


def _real(kind: str, value: str) -> bool:
    """A date that exists (the patterns let 1234-56-78 through)."""
    try:
        if kind == "date":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif kind == "date_of_birth":
            date.fromisoformat((value + "-01-01")[:10] if len(value) < 10 else value)
    except ValueError:
        return False
    return True


class _Reader:
    def __init__(self, version: str, lines: dict[int, int]) -> None:
        self.version = version
        self.ns = f"http://zesty.ca/pfif/{version}"
        self.element_lines = lines
        self.errors: list[LineError] = []

    def line(self, el: Element) -> int:
        return self.element_lines.get(id(el), 1)

    def error(self, line: int, name: str, message: str) -> None:
        self.errors.append(LineError(line, name, message))

    def record(self, el: Element, kind: str) -> Record:
        allowed = PERSON_FIELDS[self.version] if kind == "person" else NOTE_FIELDS[self.version]
        found = Record(kind, self.line(el))
        start = len(self.errors)
        for child in el:
            name, line = local(child.tag), self.line(child)
            if not child.tag.startswith(f"{{{self.ns}}}"):
                self.error(line, name, f"not in the document's namespace {self.ns}")
                continue
            if kind == "person" and name == "note":
                found.notes.append(self.record(child, "note"))
                continue
            if name not in allowed:
                self.error(line, name, f"not a field of a PFIF {self.version} {kind}")
                continue
            target = RENAMED.get(name, name)
            if target in found.lines:
                self.error(line, name, f"appears twice (first at line {found.lines[target]})")
                continue
            if len(child):
                self.error(line, name, "must hold text, not elements")
                continue
            value = _value(target, child.text or "")
            if name == "other":
                value = description_of_other(value)
            found.lines[target] = line
            if value:
                found.fields[target] = value
                self.check(line, name, target, value)
        if kind == "person" and expired(found.get("expiry_date")):
            # Section 3.3: an expired record's placeholder keeps person_record_id,
            # expiry_date, source_date and entry_date only, and its notes are emptied;
            # such a placeholder is what a partner sends to say a record expired.
            emptied = [n for n in found.notes if set(n.fields) <= {"person_record_id"}]
            gone = {id(p) for n in emptied for p in n.problems}
            self.errors[start:] = [e for e in self.errors[start:] if id(e) not in gone]
            found.notes = [n for n in found.notes if all(n is not e for e in emptied)]
            self.mandatory(found, kind, placeholder=True)
        else:
            self.mandatory(found, kind)
        nested = {id(p) for n in found.notes for p in n.problems}
        found.problems = [p for p in self.errors[start:] if id(p) not in nested]
        return found

    def check(self, line: int, name: str, target: str, value: str) -> None:
        kind = FORMAT_OF.get(target)
        if kind is not None:
            pattern, what = _FORMATS[kind]
            if not pattern.fullmatch(value):
                self.error(line, name, f"{value[:80]!r} is not {what}")
                return
            if not _real(kind, value):
                self.error(line, name, f"{value!r} is not a real date")
                return
        if target not in MULTILINE and len(value) > MAX_LENGTH:
            self.error(line, name, f"longer than {MAX_LENGTH} characters")

    def mandatory(self, record: Record, kind: str, *, placeholder: bool = False) -> None:
        names: tuple[str, ...] = (
            MANDATORY_PERSON[self.version] if kind == "person" else MANDATORY_NOTE
        )
        if placeholder:
            names = ("person_record_id", "source_date")
        for name in names:
            if not record.get(RENAMED.get(name, name)):
                where = record.line_of(RENAMED.get(name, name))
                self.error(
                    where, name, f"required in a PFIF {self.version} {kind}, missing or empty"
                )
        if kind == "person" and not record.get("full_name"):
            # PFIF 1.1 and 1.2 have no full_name: it is the given and family names.
            given, family = record.get("given_name"), record.get("family_name")
            if given or family:
                record.fields["full_name"] = " ".join(p for p in (given, family) if p)


def read(data: bytes) -> tuple[Document | None, list[LineError]]:
    """The document as 1.4 records, or every problem found (by line and field)."""
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position
        return None, [LineError(line, f"column {column + 1}", f"not well-formed XML: {exc}")]
    except DefusedXmlException as exc:
        return None, [LineError(1, "document", f"refused: {type(exc).__name__} ({exc})")]
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    version = VERSIONS.get(namespace)
    if version is None or local(root.tag) != "pfif":
        known = ", ".join(VERSIONS)
        return None, [
            LineError(
                builder.lines.get(id(root), 1),
                local(root.tag),
                f"not a PFIF document: the root must be pfif in one of {known}"
                f" (found {namespace or 'no namespace'})",
            )
        ]
    reader = _Reader(version, builder.lines)
    doc = Document(version, [], [])
    for child in root:
        name = local(child.tag)
        if child.tag == f"{{{reader.ns}}}person":
            doc.persons.append(reader.record(child, "person"))
        elif child.tag == f"{{{reader.ns}}}note":
            doc.notes.append(reader.record(child, "note"))
        else:
            reader.error(reader.line(child), name, f"not a PFIF {version} person or note")
    for note in doc.notes:
        if not note.get("person_record_id"):
            where = note.line_of("person_record_id")
            reader.error(where, "person_record_id", "a note outside a person must name its person")
            note.problems.append(reader.errors[-1])
    return doc, reader.errors
