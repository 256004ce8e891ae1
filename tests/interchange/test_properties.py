"""Properties: an NCIC message reads back as written; every PFIF export passes the schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.interchange import ncic, pfif
from beacon.interchange.errors import Collector
from beacon.interchange.ncic_codes import MPC_OF_CIRCUMSTANCE
from beacon.interchange.ncic_message import parse_message
from beacon.interchange.pfif_read import read
from beacon.operations.models import Operation
from beacon.records import codes
from beacon.records.models import MissingPersonRecord

from .conftest import SAMPLES

word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)
smt = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=1, max_size=10).map(str.strip)
days = st.dates(min_value=date(1950, 1, 1), max_value=date(2021, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    last=word,
    first=word,
    middle=st.one_of(st.just(""), word),
    sex=st.sampled_from(codes.Sex.values),
    race=st.sampled_from(codes.Race.values),
    dob=st.one_of(st.none(), days),
    dlc=days,
    height=st.one_of(st.none(), st.integers(12, 107)),
    weight=st.one_of(st.none(), st.integers(1, 999)),
    eyes=st.sampled_from(codes.Eyes.values),
    hair=st.sampled_from(codes.Hair.values),
    marks=st.lists(smt.filter(bool), max_size=5),
    circumstances=st.sampled_from(codes.Circumstance.values),
    notes=st.text(alphabet="ABCDEFGHIJ KLMNOP.,-0123456789", max_size=500).map(
        lambda t: " ".join(t.split())
    ),
)
def test_an_ncic_message_reads_back_as_written(**values: Any) -> None:
    record = MissingPersonRecord(
        nic="M123456789",
        category="EMO",
        last_name=values["last"],
        first_name=values["first"],
        middle_name=values["middle"],
        sex=values["sex"],
        race=values["race"],
        dob=values["dob"],
        dlc=values["dlc"],
        height_in=values["height"],
        weight_lb=values["weight"],
        eyes=values["eyes"],
        hair=values["hair"],
        smt=values["marks"],
        circumstances=values["circumstances"],
        notes=values["notes"],
        oca="OCA-1",
        originating_agency=Agency(ori="NM0070100", name="LCPD", kind="local"),
    )
    line, problems = ncic.format_line(record)
    assert problems == []
    errors = Collector("NCIC")
    message = parse_message(line, 1, errors)
    assert errors.errors == []
    assert message is not None
    back = message.data
    assert (back.last_name, back.first_name, back.middle_name) == (
        values["last"],
        values["first"],
        values["middle"],
    )
    assert (back.sex, back.race, back.dob, back.dlc) == (
        values["sex"],
        values["race"],
        values["dob"],
        values["dlc"],
    )
    assert (back.height_in, back.weight_lb, back.eyes, back.hair) == (
        values["height"],
        values["weight"],
        values["eyes"],
        # NCIC has no code for bald: XXX is "unknown or completely bald".
        "XXX" if values["hair"] == codes.Hair.BALD else values["hair"],
    )
    assert list(back.smt) == values["marks"]
    # Lost/injured and unknown have no NCIC MPC code: both come back unknown.
    assert (back.circumstances, back.notes, back.nic, back.oca) == (
        values["circumstances"] if values["circumstances"] in MPC_OF_CIRCUMSTANCE else "unknown",
        values["notes"],
        "M123456789",
        "OCA-1",
    )


def test_every_pfif_export_passes_the_reader(
    system: Actor, hub_a: Actor, operation: Operation
) -> None:
    pfif.import_pfif(
        system, operation.code, (SAMPLES / "pfif-partner-feed.xml").read_bytes(), ori="NM0070100"
    )
    document, _counts = pfif.export_pfif(hub_a)
    _doc, problems = read(document)
    assert problems == []
