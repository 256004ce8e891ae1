"""Hostile files for the importers (records CSV/XLSX, operation bundles, PFIF XML) and a
corpus of nasty inputs kept as regression tests.

Every input either imports or is refused with a domain error that says where and why;
nothing crashes, and a refused file writes nothing. Bounded: a fixed number of
generated cases per importer, no shrinking database.
"""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from beacon.access import services as access
from beacon.access import tokens
from beacon.access.services import actor_of_user
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor, system_actor
from beacon.core.errors import DomainError
from beacon.interchange.pfif import import_pfif
from beacon.operations.bundles.importer import import_bundle, parse_json
from beacon.records.imports.importer import ImportFailed, import_records
from beacon.records.models import MissingPersonRecord

pytestmark = pytest.mark.django_db
BOUNDED = settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
HEADER = ["MKE", "last_name", "first_name", "sex", "dob", "dlc", "oca", "ori", "smt", "notes"]
GOOD_ROW = ["EMJ", "Martinez", "Lupe", "F", "2010-03-05", "2021-05-01", "LC-1", "NM0070100", "", ""]
NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "=cmd|' /C calc'!A0",
            "+1+1",
            "@SUM(A1)",
            "\ufeff",
            "\u202eevil",
            "'; DROP TABLE records_missingpersonrecord; --",
            "%s%s%n",
            "../../etc/passwd",
            "\U0001d518\U0001d52b\U0001d526 \U0001f642",  # Fraktur letters and an emoji
            "x" * 5000,
            "1e309",
            "-0",
            "2021-02-30",
            "9999-12-31",
            "NaN",
        ]
    ),
)


def _refused_cleanly(exc: DomainError) -> None:
    assert exc.message.strip()
    assert "Traceback" not in exc.message
    if isinstance(exc, ImportFailed):
        for field, messages in exc.fields.items():
            assert field.strip() and all(m.strip() for m in messages)


def _import(actor: Actor, path: Path) -> None:
    before = MissingPersonRecord.objects.count()
    try:
        import_records(actor, path)
    except DomainError as exc:
        _refused_cleanly(exc)
        assert MissingPersonRecord.objects.count() == before, "a refused file wrote rows"


def test_hostile_csv_files_import_or_are_refused_with_line_and_column(
    tmp_path: Path, agency_a: Agency
) -> None:
    actor = system_actor()

    @BOUNDED
    @given(
        header=st.one_of(st.just(HEADER), st.lists(NASTY_TEXT, max_size=12)),
        rows=st.lists(
            st.one_of(
                st.just(GOOD_ROW),
                st.lists(NASTY_TEXT, min_size=0, max_size=12),
                st.builds(
                    lambda i, v: [*GOOD_ROW[:i], v, *GOOD_ROW[i + 1 :]],
                    st.integers(0, len(GOOD_ROW) - 1),
                    NASTY_TEXT,
                ),
            ),
            max_size=6,
        ),
        sep=st.sampled_from([";", ",", "\t"]),
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]),
    )
    def run(header: list[str], rows: list[list[str]], sep: str, encoding: str) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=sep).writerows([header, *rows])
        path = tmp_path / "fuzz.csv"
        path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
        _import(actor, path)

    run()


def test_hostile_xlsx_files_import_or_are_refused(tmp_path: Path, agency_a: Agency) -> None:
    actor = system_actor()
    cell = st.one_of(
        NASTY_TEXT.map(lambda t: t.replace("\x00", "")),  # openpyxl refuses control chars itself
        st.integers(-(2**40), 2**40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.dates(),
        st.none(),
        st.just("=1+1"),
    )

    @BOUNDED
    @given(rows=st.lists(st.lists(cell, max_size=12), max_size=5), good_header=st.booleans())
    def run(rows: list[list[object]], good_header: bool) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        path = tmp_path / "fuzz.xlsx"
        try:
            for row in [HEADER if good_header else ["?"], *rows]:
                sheet.append(row)
            book.save(path)
        except (ValueError, IllegalCharacterError):  # openpyxl refuses these itself
            return
        _import(actor, path)

    run()


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04" + b"\x00" * 64, b"\xff\xfe\x00\x00garbage", b"not,a\nzip", b"\x00" * 4096],
    ids=["empty", "truncated-zip", "bom-garbage", "csv-named-xlsx", "nul-bytes"],
)
def test_a_broken_xlsx_is_refused_with_a_clear_error(
    tmp_path: Path, agency_a: Agency, content: bytes
) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(DomainError) as refused:
        import_records(system_actor(), path)
    _refused_cleanly(refused.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY_TEXT, inner, max_size=4),
    max_leaves=20,
)
SECTIONS = ["agencies", "operations", "people", "records", "targets", "outcomes", "arrests"]


def test_hostile_bundles_are_refused_with_a_path_and_reason(agency_a: Agency) -> None:
    actor = system_actor()

    @BOUNDED
    @given(
        data=st.one_of(
            JSON,
            st.dictionaries(
                st.sampled_from(["format", "version", *SECTIONS]),
                st.lists(st.dictionaries(NASTY_TEXT, JSON, max_size=5), max_size=3) | JSON,
                max_size=5,
            ),
        )
    )
    def run(data: object) -> None:
        try:
            import_bundle(actor, data)
        except DomainError as exc:
            _refused_cleanly(exc)

    run()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[1,2",
        "\x00",
        "1" * 100_000,
        "[" * 100_000,
    ],
    ids=["empty", "open", "unclosed", "nul", "huge-number", "deep"],
)
def test_broken_bundle_json_is_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_json(text)
    _refused_cleanly(refused.value)


@pytest.mark.parametrize(
    "text",
    ['{"operations": [{"code": NaN}]}', '{"people": [{"ref": "\\ud800", "last_name": "x"}]}'],
    ids=["nan", "lone-surrogate"],
)
def test_odd_but_parseable_bundle_json_is_imported_or_refused(agency_a: Agency, text: str) -> None:
    try:
        import_bundle(system_actor(), parse_json(text))
    except DomainError as exc:
        _refused_cleanly(exc)


XML_ATTACKS = {
    "billion-laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>&lol3;</pfif:person></pfif:pfif>""",
    "external-entity": b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>&xxe;</pfif:person></pfif:pfif>""",
    "not-xml": b"\x00\x01\x02 not xml at all",
    "truncated": b'<?xml version="1.0"?><pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:per',
    "wrong-root": b"<html><body>=cmd|' /C calc'!A0</body></html>",
}


@pytest.mark.parametrize("name", sorted(XML_ATTACKS))
def test_hostile_pfif_xml_is_refused_without_expanding_entities(name: str) -> None:
    before = MissingPersonRecord.objects.count()
    with pytest.raises(DomainError) as refused:
        import_pfif(system_actor(), "NO-SUCH-OP", XML_ATTACKS[name], source=f"{name}.xml")
    _refused_cleanly(refused.value)
    assert "root:" not in refused.value.message  # /etc/passwd never read
    assert MissingPersonRecord.objects.count() == before


def test_a_formula_in_the_audit_trail_is_neutralised_in_the_csv_export(agency_a: Agency) -> None:
    audit.record(system_actor(), "test.nasty", object_type="x", object_id="=cmd|' /C calc'!A0")
    user = access.create_user(
        system_actor(), "auditor-csv", "correct-horse-battery-9", agency_a, "system_admin"
    )
    _made, raw = tokens.create_token(actor_of_user(user), "csv")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/audit/events.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.mark.parametrize(
    ("field", "nasty"),
    [
        ("last_name", "ab\x00cd"),
        ("notes", "ab\x00cd"),
        ("oca", "\x00"),
        ("notes", "y" * 100_000),
        ("notes", "y" * 1_000_000),
        ("last_name", "y" * 1_000_000),
    ],
    ids=["nul-name", "nul-notes", "nul-oca", "100k-notes", "1m-notes", "1m-name"],
)
def test_huge_fields_and_nul_bytes_in_a_csv_are_refused_by_line_and_column(
    tmp_path: Path, agency_a: Agency, field: str, nasty: str
) -> None:
    row = dict(zip(HEADER, GOOD_ROW, strict=True))
    row[field] = nasty
    path = tmp_path / "nasty.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(row.values()) + "\n", encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        import_records(system_actor(), path)
    _refused_cleanly(refused.value)
    assert "line 2" in str(refused.value.as_dict())
    assert not MissingPersonRecord.objects.exists()


def test_a_csv_mixing_utf8_and_latin1_bytes_is_refused_or_read_without_mojibake(
    tmp_path: Path, agency_a: Agency
) -> None:
    path = tmp_path / "mixed.csv"
    good = ";".join(GOOD_ROW).replace("Martinez", "Martínez").encode("utf-8")
    bad = ";".join(GOOD_ROW).replace("Martinez", "Núñez").replace("LC-1", "LC-2").encode("latin-1")
    path.write_bytes(";".join(HEADER).encode() + b"\n" + good + b"\n" + bad + b"\n")
    try:
        import_records(system_actor(), path)
    except DomainError as exc:
        _refused_cleanly(exc)
        assert MissingPersonRecord.objects.count() == 0
        return
    names = set(MissingPersonRecord.objects.values_list("last_name", flat=True))
    assert "\ufffd" not in "".join(names)
    assert set(string.printable) | set("íúñ") >= set("".join(names))
