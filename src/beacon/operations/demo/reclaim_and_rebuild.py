"""Operation Reclaim and Rebuild (January 22 to 28, 2021, nine California counties): seed 004."""

from __future__ import annotations

from datetime import date
from typing import Any

from beacon.operations.demo.builder import BundleBuilder, at

CODE = "RECLAIM-AND-REBUILD-2021"
START, END = date(2021, 1, 22), date(2021, 1, 28)
SOURCE = {
    "source_name": "Los Angeles Police Department (press conference)",
    "source_date": "2021-02-01",
    "source_document": "LAPD press conference, Elysian Park academy, 1 February 2021",
}
# County FIPS: (name, weight of arrests and victims)
COUNTIES = {
    "06037": ("Los Angeles", 40),
    "06059": ("Orange", 12),
    "06071": ("San Bernardino", 12),
    "06065": ("Riverside", 10),
    "06073": ("San Diego", 10),
    "06111": ("Ventura", 5),
    "06029": ("Kern", 5),
    "06067": ("Sacramento", 4),
    "06083": ("Santa Barbara", 2),
}
ARRESTS = 368
MINOR_AGES = (13, 14, 15, 16, 17, 17)
ADULTS = 125
ZOE, SAVING, JOURNEY = "CADEMO004", "CADEMO005", "CADEMO006"


def _spread(total: int) -> list[str]:
    """``total`` county codes in proportion to their weights (largest remainders first)."""
    weights = sum(w for _n, w in COUNTIES.values())
    shares = {c: total * w // weights for c, (_n, w) in COUNTIES.items()}
    for code in list(COUNTIES)[: total - sum(shares.values())]:
        shares[code] += 1
    return [code for code, n in shares.items() for _ in range(n)]


def build() -> dict[str, Any]:
    b = BundleBuilder(seed=4, prefix="RR")
    la = "county:06037"
    lapd = b.agency(
        "CADEMO001", "Los Angeles Police Department", "local", jurisdiction=la, short_name="LAPD"
    )
    lasd = b.agency(
        "CADEMO002",
        "Los Angeles County Sheriff's Department",
        "local",
        jurisdiction=la,
        short_name="LASD",
    )
    lada = b.agency(
        "CADEMO003", "Los Angeles County District Attorney's Office", "prosecutor", jurisdiction=la
    )
    b.agency(ZOE, "ZOE International", "ngo", jurisdiction=la)
    b.agency(SAVING, "Saving Innocents", "ngo", jurisdiction=la)
    b.agency(JOURNEY, "Journey Out", "ngo", jurisdiction=la)
    b.operation(
        code=CODE,
        name="Operation Reclaim and Rebuild",
        description=(
            "Seven-day multi-agency operation against sex trafficking: responding to online "
            "ads for sexual services and visiting massage parlours suspected of trafficking."
        ),
        status="closed",
        start=START.isoformat(),
        end=END.isoformat(),
        announced="2021-02-01",
        focus=["sex_trafficking"],
        jurisdictions=[f"county:{c}" for c in COUNTIES],
        participants=[
            {"agency": lapd, "role": "lead"},
            {"agency": lasd, "role": "partner"},
            {"agency": lada, "role": "prosecutor"},
            {"agency": ZOE, "role": "ngo"},
            {"agency": SAVING, "role": "ngo"},
            {"agency": JOURNEY, "role": "ngo"},
        ],
    )
    agencies = (lapd, lasd)
    for index, county in enumerate(_spread(ARRESTS)):
        role = ("buyer", "buyer", "pimp_panderer", "buyer", "trafficker")[index % 5]
        person = b.person(sex="M", nationality="country:US")
        b.event(
            "arrests",
            CODE,
            agency=agencies[index % 2],
            jurisdiction=f"county:{county}",
            at=at(b.day_between(START, END), 21),
            people=[person],
            person=person,
            role=role,
            nibrs={"buyer": "40C", "pimp_panderer": "40B", "trafficker": "64A"}[role],
            charges={
                "buyer": "Solicitation (purchasing prostitution)",
                "pimp_panderer": "Pimping and pandering",
                "trafficker": "Human trafficking",
            }[role],
        )
    ages = list(MINOR_AGES) + [52] + [b.rng.randint(18, 31) for _ in range(ADULTS - 1)]
    for index, (age, county) in enumerate(zip(ages, _spread(len(ages)), strict=True)):
        minor = age < 18
        person = b.person(sex="F" if index % 9 else "M", nationality="country:US")
        day = b.day_between(START, END)
        place = f"county:{county}"
        victim = b.event(
            "victims",
            CODE,
            agency=agencies[index % 2],
            jurisdiction=place,
            at=at(day, 22),
            people=[person],
            person=person,
            age_min=age,
            age_max=age,
            age_group="minor" if minor else "adult",
            sex=b.person_row(person)["sex"],
            self_identification="victim",
            consent="given" if index % 4 else "declined",
        )
        if minor:
            to = ZOE if index % 2 else SAVING
        elif index % 4:
            to = JOURNEY
        else:
            continue  # declined services: no referral
        b.event(
            "referrals",
            CODE,
            agency=agencies[index % 2],
            jurisdiction=place,
            at=at(day, 23),
            people=[person],
            victim=victim,
            to_agency=to,
            status="accepted" if index % 3 else "offered",
        )
        b.event(
            "raids",
            CODE,
            agency=agencies[index % 2],
            jurisdiction=place,
            at=at(day, 20),
            kind="massage_parlour" if index % 3 == 0 else "online_contact",
        )
    op = {"operation": CODE, **SOURCE}
    b.figure("arrests", ARRESTS, **op)
    victims = b.figure("victims_rescued", 131, **op)
    b.figure("victims_minor", 6, parent=victims, **op)
    b.figure("victim_age_min", 13, **op)
    b.figure("victim_age_max", 52, **op)
    b.figure("victim_age_mean", 25, qualifier="about", note="Mean age in the twenties", **op)
    context = {"operation": CODE, "scope": "agency", "context": True, **SOURCE}
    context |= {"period_start": "2020-01-01", "period_end": "2020-12-31"}
    b.figure(
        "young_victims_taken_in",
        489,
        agency=ZOE,
        note="ZOE International with Saving Innocents, the year before; some as young as 11",
        **context,
    )
    b.figure("adult_victims_taken_in", 256, agency=JOURNEY, note="The year before", **context)
    return b.doc
