"""Operation United Front (announced August 27, 2021): the Missouri hub and 12 state
operations, seed 003."""

from __future__ import annotations

from datetime import date
from typing import Any

from beacon.operations.demo.builder import BundleBuilder, at

CODE = "UNITED-FRONT"
DAY = date(2021, 8, 27)
SOURCE = {
    "source_name": "Missouri Attorney General's Office",
    "source_date": DAY.isoformat(),
    "source_document": "Press release: Operation United Front, 47 victims rescued, 102 arrests",
}
# State: (adult victims, minor victims, arrests, victims without medical services)
STATES = {
    "MO": (4, 0, 2, 0),
    "IL": (1, 0, 3, 0),
    "IA": (0, 0, 11, 0),
    "KY": (21, 2, 46, 2),
    "MN": (8, 0, 3, 2),
    "NE": (0, 0, 7, 0),
    "ND": (6, 0, 3, 1),
    "OK": (1, 0, 7, 0),
    "TN": (0, 0, 4, 0),
    "TX": (4, 0, 2, 1),
    "WI": (0, 0, 5, 0),
    "SD": (0, 0, 9, 0),
}
NAMES = {
    "MO": "Missouri",
    "IL": "Illinois",
    "IA": "Iowa",
    "KY": "Kentucky",
    "MN": "Minnesota",
    "NE": "Nebraska",
    "ND": "North Dakota",
    "OK": "Oklahoma",
    "TN": "Tennessee",
    "TX": "Texas",
    "WI": "Wisconsin",
    "SD": "South Dakota",
}
ROLES = ("buyer", "buyer", "trafficker", "pimp_panderer", "other")
NIBRS = {"buyer": "40C", "trafficker": "64A", "pimp_panderer": "40B", "other": ""}
IOWA_CASH = 28650


def build() -> dict[str, Any]:
    b = BundleBuilder(seed=3, prefix="UF")
    ago = b.agency(
        "MODEMO001", "Missouri Attorney General's Office", "prosecutor", jurisdiction="state:MO"
    )
    mshp = b.agency("MODEMO002", "Missouri State Highway Patrol", "state", jurisdiction="state:MO")
    hsi = b.agency(
        "DCDEMO001", "Homeland Security Investigations", "federal", jurisdiction="country:US"
    )
    fbi = b.agency(
        "DCDEMO002", "Federal Bureau of Investigation", "federal", jurisdiction="country:US"
    )
    b.operation(
        code=CODE,
        name="Operation United Front",
        description=(
            "Anti-trafficking operation focused on traffickers and victims. The Missouri "
            "Attorney General's Office and the Missouri State Highway Patrol were the central "
            "communication hub and trained the participating states; each of 12 states ran its "
            "own operation at the same time. Field dates were not published: the announcement "
            "date is used."
        ),
        status="closed",
        start=DAY.isoformat(),
        end=DAY.isoformat(),
        announced=DAY.isoformat(),
        focus=["sex_trafficking"],
        jurisdictions=[f"state:{s}" for s in STATES],
        participants=[
            {"agency": ago, "role": "lead"},
            {"agency": mshp, "role": "lead"},
            {"agency": hsi, "role": "partner"},
            {"agency": fbi, "role": "partner"},
        ],
    )
    op = {"operation": CODE, **SOURCE}
    victims_total = b.figure("victims_rescued", 47, **op)
    b.figure("medical_services", 41, parent=victims_total, **op)
    b.figure("arrests", 102, **op)
    for number, (state, (adults, minors, arrests, no_medical)) in enumerate(STATES.items(), 1):
        place = f"state:{state}"
        code = f"UNITED-FRONT-{state}"
        if state == "MO":
            agency = mshp
        else:
            agency = b.agency(
                f"{state}DEMO{number:03d}",
                f"{NAMES[state]} participating police agencies (United Front)",
                "state",
                jurisdiction=place,
            )
        b.operation(
            code=code,
            name=f"Operation United Front: {NAMES[state]}",
            status="closed",
            start=DAY.isoformat(),
            end=DAY.isoformat(),
            focus=["sex_trafficking"],
            parent=CODE,
            jurisdictions=[place],
            participants=[{"agency": agency, "role": "lead"}],
        )
        for index in range(adults + minors):
            minor = index >= adults
            age = b.rng.randint(15, 17) if minor else b.rng.randint(19, 44)
            person = b.person(sex="F" if index % 5 else "M", nationality="country:US")
            b.event(
                "victims",
                code,
                agency=agency,
                jurisdiction=place,
                at=at(DAY, 9),
                people=[person],
                person=person,
                age_min=age,
                age_max=age,
                age_group="minor" if minor else "adult",
                sex=b.person_row(person)["sex"],
                self_identification="sex_worker" if index % 3 == 2 else "victim",
                consent="given",
            )
            if index >= no_medical:
                b.event(
                    "services",
                    code,
                    agency=agency,
                    jurisdiction=place,
                    at=at(DAY, 11),
                    people=[person],
                    person=person,
                    kind="medical",
                    status="provided",
                )
        for index in range(arrests):
            role = ROLES[index % len(ROLES)]
            person = b.person(sex="M", nationality="country:US")
            b.event(
                "arrests",
                code,
                agency=agency,
                jurisdiction=place,
                at=at(DAY, 20),
                people=[person],
                person=person,
                role=role,
                nibrs=NIBRS[role],
                charges="Human trafficking related offence",
            )
        if state == "IA":
            b.event(
                "seizures",
                code,
                agency=agency,
                jurisdiction=place,
                at=at(DAY, 21),
                cash_amount=IOWA_CASH,
                currency="USD",
                notes="The press release says 'a large amount of cash'; the amount is synthetic.",
            )
        state_figure = {"scope": "jurisdiction", "jurisdiction": place, **op}
        victims = b.figure("victims_rescued", adults + minors, **state_figure)
        if minors:
            b.figure("victims_adult", adults, parent=victims, **state_figure)
            b.figure("victims_minor", minors, parent=victims, **state_figure)
        b.figure("arrests", arrests, **state_figure)
    fbi_source = {
        "operation": CODE,
        "scope": "jurisdiction",
        "jurisdiction": "country:US",
        "context": True,
        "period_start": "2019-01-01",
        "period_end": "2019-12-31",
        # The FBI's figures as the Attorney General's release cites them: the publisher is
        # the FBI, the document says where they were read (no English phrase of ours, such
        # as "as cited by", in a French report).
        "source_name": "FBI",
        "source_date": DAY.isoformat(),
        "source_document": "FBI crime data, 2019 — Missouri Attorney General's Office release",
    }
    offenses = b.figure("human_trafficking_offenses_reported", 1883, **fbi_source)
    cleared = b.figure(
        "human_trafficking_offenses_cleared",
        875,
        parent=offenses,
        note="Cleared: an arrest was made, suspects charged, the case turned over to court, "
        "or the offender identified.",
        **fbi_source,
    )
    b.figure(
        "human_trafficking_offenses_cleared_victims_under_18", 18, parent=cleared, **fbi_source
    )
    return b.doc
