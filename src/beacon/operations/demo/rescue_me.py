"""Operation Rescue Me (Dona Ana County, New Mexico, from May 1, 2021): seeds 000 and 001."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from beacon.operations.demo.builder import BundleBuilder, at

CODE = "RESCUE-ME-2021"
DONA_ANA = "county:35013"
START = date(2021, 5, 1)
REPORTED = date(2021, 7, 26)
SOURCE = {
    "source_name": "U.S. Immigration and Customs Enforcement (HSI Las Cruces, USMS)",
    "source_date": REPORTED.isoformat(),
    "source_document": "News release: Operation Rescue Me, 78 missing minors recovered or located",
}
LOCAL = ("NMDEMO004", "NMDEMO005", "NMDEMO006", "NMDEMO007")


def build() -> dict[str, Any]:
    b = BundleBuilder(seed=1, prefix="RM")
    b.agency("TXDEMO001", "HSI El Paso", "federal", jurisdiction="state:TX")
    hsi = b.agency(
        "NMDEMO001", "HSI Las Cruces", "federal", jurisdiction="state:NM", parent="TXDEMO001"
    )
    deming = b.agency(
        "NMDEMO012", "HSI Deming", "federal", jurisdiction="state:NM", parent="TXDEMO001"
    )
    usms = b.agency(
        "NMDEMO002",
        "U.S. Marshals Service, District of New Mexico",
        "federal",
        jurisdiction="state:NM",
        short_name="USMS",
    )
    agencies = [
        (hsi, "lead"),
        (usms, "lead"),
        (
            b.agency("NMDEMO003", "New Mexico State Police", "state", jurisdiction="state:NM"),
            "partner",
        ),
        (
            b.agency(LOCAL[0], "Las Cruces Police Department", "local", jurisdiction=DONA_ANA),
            "partner",
        ),
        (
            b.agency(LOCAL[1], "Dona Ana County Sheriff's Office", "local", jurisdiction=DONA_ANA),
            "partner",
        ),
        (
            b.agency(LOCAL[2], "Anthony Police Department", "local", jurisdiction=DONA_ANA),
            "partner",
        ),
        (
            b.agency(LOCAL[3], "Sunland Park Police Department", "local", jurisdiction=DONA_ANA),
            "partner",
        ),
        (
            b.agency(
                "NMDEMO008",
                "New Mexico Children, Youth and Families Department",
                "child_welfare",
                jurisdiction="state:NM",
                short_name="CYFD",
            ),
            "child_welfare",
        ),
        (
            b.agency(
                "VADEMO001",
                "National Center for Missing and Exploited Children",
                "ngo",
                jurisdiction="state:VA",
                short_name="NCMEC",
            ),
            "ngo",
        ),
        (
            b.agency(
                "NMDEMO009",
                "New Mexico Attorney General's Office",
                "prosecutor",
                jurisdiction="state:NM",
                short_name="NMAGO",
            ),
            "prosecutor",
        ),
        (b.agency("TXDEMO002", "Deliver Fund", "ngo", jurisdiction="state:TX"), "ngo"),
    ]
    b.operation(
        code=CODE,
        name="Operation Rescue Me",
        description=(
            "Enforcement action to locate and recover missing children in Dona Ana County, "
            "New Mexico, from a list of 80 missing minors."
        ),
        status="active",
        start=START.isoformat(),
        end=None,
        announced=REPORTED.isoformat(),
        focus=["missing_children"],
        jurisdictions=[DONA_ANA],
        participants=[{"agency": ori, "role": role} for ori, role in agencies],
    )
    # 80 targets aged 5 to 18 on May 1: the first is 5, the second 18, the rest 11 to 17.
    ages = [5, 18] + [b.rng.randint(11, 17) for _ in range(78)]
    targets = []
    for index, age in enumerate(ages, start=1):
        dob = date(START.year - age - 1, 1, 1) + timedelta(days=b.rng.randint(130, 360))
        sex = b.rng.choice("MF")
        person = b.person(sex=sex, dob=dob, nationality="country:US")
        names = b.person_row(person)
        agency = LOCAL[index % len(LOCAL)]
        oca = f"RM21-{index:04d}"
        dlc = START - timedelta(days=b.rng.randint(3, 300))
        b.doc["records"].append(
            {
                "originating_ori": agency,
                "oca": oca,
                "category": "EMJ",
                "last_name": names["last_name"],
                "first_name": names["first_name"],
                "sex": sex,
                "dob": dob.isoformat(),
                "dlc": dlc.isoformat(),
                "circumstances": "runaway" if index % 5 else "unknown",
                "jurisdiction_last_seen": DONA_ANA,
                "place_last_seen": "Dona Ana County, New Mexico",
                "notes": "Synthetic demo record (Beacon demo data).",
                # Every fourth record its agency marked TLP:GREEN (shareable with community
                # partners such as person finders): partner exports of the demo are not empty.
                **({"tlp": "GREEN"} if index % 4 == 0 else {}),
            }
        )
        ref = b.event(
            "targets",
            CODE,
            record=f"{agency}:{oca}",
            person=person,
            assigned_agency=agency,
            investigator="",
        )
        targets.append((ref, person, agency))
    end = date(2021, 7, 20)
    recovered_how = ["returned_to_guardian", "placed_with_child_welfare", "returned_to_guardian"]
    for index, (ref, person, agency) in enumerate(targets[:78]):
        day = b.day_between(START, end)
        outcome: dict[str, Any] = {"operation": CODE, "target": ref, "at": at(day, 15)}
        if index < 3:
            outcome |= {"kind": "recovered", "how": recovered_how[index], "agency": hsi}
            outcome |= {"place": "Las Cruces, New Mexico", "jurisdiction": DONA_ANA}
        elif index == 3:
            outcome |= {"kind": "located", "how": "other_jurisdiction", "agency": usms}
            outcome |= {"place": "Residing in Mexico", "jurisdiction": "country:MX"}
        else:
            how = "returned_voluntarily" if index % 2 else "with_friends_or_relatives"
            outcome |= {"kind": "located", "how": how, "agency": agency}
            outcome |= {"place": "Dona Ana County, New Mexico", "jurisdiction": DONA_ANA}
        b.doc["outcomes"].append(outcome)
        b.event(
            "services",
            CODE,
            agency=hsi,
            jurisdiction=DONA_ANA,
            at=at(day, 17),
            people=[person],
            person=person,
            kind="screening",
            status="offered",
        )
    # The two outstanding targets: open leads, one urgent hit confirmed in time.
    for ref, _person, _agency in targets[78:]:
        b.doc["leads"].append(
            {
                "ref": b.next_ref("lead"),
                "operation": CODE,
                "target": ref,
                "received_at": at(date(2021, 7, 2), 9),
                "source": "Tip line (synthetic)",
                "description": "Possible sighting near a bus station.",
                "place": "Las Cruces, New Mexico",
                "jurisdiction": DONA_ANA,
                "status": "open",
            }
        )
    b.doc["hit_confirmations"].append(
        {
            "ref": b.next_ref("hit"),
            "operation": CODE,
            "target": targets[79][0],
            "requesting_agency": usms,
            "priority": "urgent",
            "requested_at": at(date(2021, 7, 3), 11, 0),
            "confirmed_at": at(date(2021, 7, 3), 11, 7),
            "confirmed_by": "demo-dispatcher",
        }
    )
    for kind, agency, summary in (
        (
            "child_sexual_abuse",
            LOCAL[1],
            "Child sexual abuse by a relative of the immediate family",
        ),
        ("child_sexual_abuse", LOCAL[0], "Child sexual abuse by a friend of the immediate family"),
        ("human_trafficking", deming, "Human trafficking"),
    ):
        b.event(
            "investigations",
            CODE,
            agency=agency,
            jurisdiction=DONA_ANA,
            at=at(b.day_between(START, end), 12),
            type=kind,
            summary=summary,
        )
    op = {"operation": CODE, **SOURCE}
    for metric, value in (
        ("targets", 80),
        ("recovered", 3),
        ("located", 75),
        ("outstanding", 2),
        ("located_abroad", 1),
        ("target_age_min", 5),
        ("target_age_max", 18),
    ):
        b.figure(metric, value, **op)
    opened = b.figure("investigations_opened", 3, **op)
    b.figure("investigations_by_type.child_sexual_abuse", 2, parent=opened, **op)
    b.figure("investigations_by_type.human_trafficking", 1, parent=opened, **op)
    return b.doc
