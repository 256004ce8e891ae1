"""Three source lists of one intake, as an operation receives them.

Each list has its own headers and date format. Planted among seeded background
children (distinct people):
- Maria Garcia in all three lists: exact, day/month swapped, one letter off;
- William Johnson in the NCIC list and "Bill" Johnson in the agency list;
- Ashley Brown (NCIC, NIC M000000123) and Ashley Miller (NCMEC, same NIC, new surname);
- Jose Hernandez twice in the agency list (two OCAs) and once in the NCMEC list;
- a different Maria Garcia (other date of birth, other town) in the NCMEC list.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from beacon.core.actor import Actor
from beacon.intake import services
from beacon.intake.fields import ColumnMapping
from beacon.intake.models import Intake, SourceList

FIRST = [
    "Olivia",
    "Emma",
    "Ava",
    "Sophia",
    "Isabella",
    "Mia",
    "Amelia",
    "Harper",
    "Evelyn",
    "Abigail",
    "Emily",
    "Ella",
    "Chloe",
    "Grace",
    "Lily",
    "Zoe",
    "Nora",
    "Riley",
    "Layla",
    "Hannah",
    "Liam",
    "Noah",
    "Oliver",
    "Elijah",
    "James",
    "Lucas",
    "Mason",
    "Ethan",
    "Logan",
    "Jacob",
    "Jackson",
    "Aiden",
    "Samuel",
    "Henry",
    "Owen",
    "Wyatt",
    "Caleb",
    "Isaac",
    "Dylan",
    "Nathan",
]
LAST = [
    "Smith",
    "Williams",
    "Jones",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
]
TOWNS = ("Las Cruces", "Anthony", "Sunland Park", "Mesilla", "Chaparral", "Hatch")

# (first, last, dob ISO, sex, town)
MARIA = ("Maria", "Garcia", "2010-03-04", "F", "Las Cruces")
WILLIAM = ("William", "Johnson", "2008-07-15", "M", "Anthony")
ASHLEY = ("Ashley", "Brown", "2009-11-20", "F", "Mesilla")
JOSE = ("Jose", "Hernandez", "2011-05-30", "M", "Sunland Park")
OTHER_MARIA = ("Maria", "Garcia", "2007-09-12", "F", "Hatch")


def background(seed: int, count: int) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        dob = f"{rng.randint(2004, 2016)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        people.append(
            (rng.choice(FIRST), rng.choice(LAST), dob, rng.choice("MF"), rng.choice(TOWNS))
        )
    return people


def us_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{m}/{d}/{y}"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    """Imported rows go to this test's own folder (not shared with other runs)."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def lists_dir(tmp_path: Path) -> dict[str, Path]:
    """ncic.csv, agency.csv, ncmec.csv: the three lists."""
    ncic = [
        [f, la, dob, s, t, f"M{100000 + i:09d}"]
        for i, (f, la, dob, s, t) in enumerate(background(1, 60))
    ]
    ncic += [
        [*MARIA, "M000000111"],
        [*WILLIAM, "M000000112"],
        [*ASHLEY, "M000000123"],
    ]
    agency = [
        [la, f, us_date(dob), s, t, f"LC-{i:05d}"]
        for i, (f, la, dob, s, t) in enumerate(background(2, 50))
    ]
    agency += [
        ["Garcia", "Maria", "04/03/2010", "F", "Las Cruces", "LC-90001"],  # day/month swapped
        ["Johnson", "Bill", us_date(WILLIAM[2]), "M", "Anthony", "LC-90002"],
        ["Hernandez", "Jose", us_date(JOSE[2]), "M", "Sunland Park", "LC-90003"],
        ["Hernandez", "José", us_date(JOSE[2]), "M", "Sunland Pk", "LC-90004"],
    ]
    ncmec = [
        [f"{f} {la}", dob.replace("-", ""), s, t, "", f"NCMEC-{i:06d}"]
        for i, (f, la, dob, s, t) in enumerate(background(3, 40))
    ]
    ncmec += [
        ["Maria Garsia", "20100304", "F", "Las Cruces", "", "NCMEC-900001"],
        ["Ashley Miller", "20091120", "F", "Mesilla", "M000000123", "NCMEC-900002"],
        ["Jose Hernandes", "20110530", "M", "Sunland Park", "", "NCMEC-900003"],
        ["Maria Garcia", "20070912", "F", "Hatch", "", "NCMEC-900004"],
    ]
    return {
        "ncic": write_csv(
            tmp_path / "ncic.csv", ["First Name", "Last Name", "DOB", "Sex", "City", "NIC"], ncic
        ),
        "agency": write_csv(
            tmp_path / "agency.csv",
            ["surname", "given name", "birth date", "gender", "town", "case number"],
            agency,
        ),
        "ncmec": write_csv(
            tmp_path / "ncmec.csv",
            ["Child", "Born", "Sex", "Last seen", "NIC", "NCMEC number"],
            ncmec,
        ),
    }


NCMEC_MAPPING = ColumnMapping(
    columns={
        "full_name": ["Child"],
        "sex": ["Sex"],
        "dob": ["Born"],
        "place": ["Last seen"],
        "nic": ["NIC"],
        "ncmec_number": ["NCMEC number"],
    },
    dob_format="compact",
)


@pytest.fixture
def three_lists(system: Actor, lists_dir: dict[str, Path]) -> tuple[Intake, dict[str, SourceList]]:
    intake = services.create_intake(system, "Operation Rescue Me targets")
    imported = {
        "ncic": services.import_list(system, intake, lists_dir["ncic"], source="NCIC"),
        "agency": services.import_list(system, intake, lists_dir["agency"], source="LCPD"),
        "ncmec": services.import_list(
            system, intake, lists_dir["ncmec"], source="NCMEC", mapping=NCMEC_MAPPING
        ),
    }
    return intake, imported


KeyOf = Callable[[str, int], str]


@pytest.fixture
def key_of(three_lists: tuple[Intake, dict[str, SourceList]]) -> KeyOf:
    """key_of("agency", 3) -> the row key of the 3rd data row of agency.csv."""
    _, imported = three_lists

    def key(name: str, row: int) -> str:
        return f"{imported[name].pk}:{row + 1}"

    return key
