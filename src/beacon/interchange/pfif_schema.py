"""Reading a PFIF document safely and validating it against Beacon's PFIF 1.4 schema.

The document is parsed with defusedxml (no DTD, no entities, no network), keeping the
line of every element. It is then validated against ``data/pfif-1.4.xsd``: with lxml's
XMLSchema when lxml is installed, otherwise by a pure-Python check that reads the same
XSD (sequences with minOccurs/maxOccurs, patterns, enumerations, maxLength, booleans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from beacon.interchange.errors import LineError

NS = "http://zesty.ca/pfif/1.4"
XS = "{http://www.w3.org/2001/XMLSchema}"
SCHEMA_PATH = Path(__file__).with_name("data") / "pfif-1.4.xsd"


@dataclass
class Document:
    root: Element
    lines: dict[int, int]  # id(element) -> line

    def line(self, element: Element) -> int:
        return self.lines.get(id(element), 1)


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


def read(data: bytes) -> tuple[Document | None, list[LineError]]:
    """The parsed document, or the syntax problem (DTDs and entities are refused)."""
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
    return Document(root, builder.lines), []


# ------------------------------------------------------------------ the schema, read once


@dataclass
class Simple:
    base: str
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    values: list[str] | None = None
    max_length: int | None = None


@dataclass
class Child:
    name: str
    type: str
    min: int
    max: int | None  # None: unbounded


@dataclass
class Schema:
    simple: dict[str, Simple]
    complex: dict[str, list[Child]]
    root: str


def _occurs(value: str | None, default: int) -> int | None:
    if value == "unbounded":
        return None
    return int(value) if value is not None else default


def _sequence(node: Element) -> list[Child]:
    children = []
    for el in node.iter(f"{XS}element"):
        if el is node:
            continue
        children.append(
            Child(
                el.get("name", ""),
                el.get("type", "xs:string").split(":")[-1],
                _occurs(el.get("minOccurs"), 1) or 0,
                _occurs(el.get("maxOccurs"), 1),
            )
        )
    return children


@cache
def schema() -> Schema:
    import defusedxml.ElementTree as SafeET

    xsd = SafeET.parse(SCHEMA_PATH).getroot()
    simple: dict[str, Simple] = {}
    for node in xsd.findall(f"{XS}simpleType"):
        restriction = node.find(f"{XS}restriction")
        assert restriction is not None
        spec = Simple(restriction.get("base", "xs:string").split(":")[-1])
        for facet in restriction:
            value = facet.get("value", "")
            if facet.tag == f"{XS}pattern":
                spec.patterns.append(re.compile(value))
            elif facet.tag == f"{XS}enumeration":
                spec.values = [*(spec.values or []), value]
            elif facet.tag == f"{XS}maxLength":
                spec.max_length = int(value)
        simple[node.get("name", "")] = spec
    complex_types = {
        node.get("name", ""): _sequence(node) for node in xsd.findall(f"{XS}complexType")
    }
    (root,) = xsd.findall(f"{XS}element")
    complex_types[root.get("name", "")] = _sequence(root)
    return Schema(simple, complex_types, root.get("name", ""))


# ------------------------------------------------------------------ validation


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_value(doc: Document, el: Element, type_name: str, out: list[LineError]) -> None:
    name, text = local(el.tag), (el.text or "").strip()
    if len(el):
        out.append(LineError(doc.line(el), name, "must hold text, not elements"))
        return
    if type_name == "boolean":
        if text not in ("true", "false", "1", "0"):
            out.append(LineError(doc.line(el), name, f"{text!r} is not true or false"))
        return
    spec = schema().simple.get(type_name)
    if spec is None:
        return
    if spec.values is not None and text not in spec.values:
        allowed = ", ".join(v for v in spec.values if v)
        out.append(LineError(doc.line(el), name, f"{text!r} is not one of {allowed}"))
    elif spec.patterns and not any(p.fullmatch(text) for p in spec.patterns):
        out.append(LineError(doc.line(el), name, f"{text!r} is not a valid {type_name}"))
    elif spec.max_length is not None and len(text) > spec.max_length:
        out.append(LineError(doc.line(el), name, f"longer than {spec.max_length} characters"))


def _check_children(doc: Document, el: Element, seq: list[Child], out: list[LineError]) -> None:
    counts = [0] * len(seq)
    at = 0
    for child in el:
        name = local(child.tag)
        if not child.tag.startswith(f"{{{NS}}}"):
            out.append(LineError(doc.line(child), name, f"not in the PFIF 1.4 namespace {NS}"))
            continue
        index = next((i for i in range(at, len(seq)) if seq[i].name == name), None)
        if index is None:
            where = "out of order" if any(c.name == name for c in seq) else "not a PFIF field"
            out.append(LineError(doc.line(child), name, f"unexpected element ({where})"))
            continue
        at = index
        counts[index] += 1
        limit = seq[index].max
        if limit is not None and counts[index] > limit:
            out.append(LineError(doc.line(child), name, "appears more than once"))
        _check(doc, child, seq[index].type, out)
    for spec, count in zip(seq, counts, strict=True):
        if count < spec.min:
            out.append(LineError(doc.line(el), spec.name, "required, missing"))


def _check(doc: Document, el: Element, type_name: str, out: list[LineError]) -> None:
    sequence = schema().complex.get(type_name)
    if sequence is None:
        _check_value(doc, el, type_name, out)
    else:
        _check_children(doc, el, sequence, out)


def python_problems(doc: Document) -> list[LineError]:
    out: list[LineError] = []
    if doc.root.tag != f"{{{NS}}}{schema().root}":
        return [
            LineError(doc.line(doc.root), local(doc.root.tag), f"the root must be pfif in {NS}")
        ]
    _check(doc, doc.root, schema().root, out)
    return out


_LXML_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([\w]+)'")


def lxml_problems(data: bytes) -> list[LineError]:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    xsd = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(data, parser=parser)
    if xsd.validate(document):
        return []
    out = []
    for entry in list(xsd.error_log):  # type: ignore[call-overload,unused-ignore]
        found = _LXML_ELEMENT.search(entry.message)
        out.append(LineError(entry.line, found.group(1) if found else "document", entry.message))
    return out


def lxml_available() -> bool:
    try:
        import lxml.etree  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def validate(
    data: bytes, *, use_lxml: bool | None = None
) -> tuple[Document | None, list[LineError]]:
    """The document and its schema problems (lxml's XMLSchema, or the pure-Python check)."""
    doc, problems = read(data)
    if doc is None:
        return None, problems
    if use_lxml is None:
        use_lxml = lxml_available()
    return doc, lxml_problems(data) if use_lxml else python_problems(doc)
