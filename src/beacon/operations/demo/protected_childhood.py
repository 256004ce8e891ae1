"""Operation Protected Childhood 8 (June 8 to 11, 2021, six countries) and its series: seed 002."""

from __future__ import annotations

from datetime import date
from typing import Any

from beacon.operations.demo.builder import BundleBuilder, at

SERIES = "PROTECTED-CHILDHOOD"
CODE = "PROTECTED-CHILDHOOD-8"
START, END = date(2021, 6, 8), date(2021, 6, 11)
SOURCE = {
    "source_name": "U.S. Immigration and Customs Enforcement (via Fox News)",
    "source_date": "2021-06-17",
    "source_document": "Fox News, 17 June 2021: ICE HSI Operation Protected Childhood 8",
}
# Country: (agency ORI, agency name, arrests, search warrants, raids)
COUNTRIES = {
    "US": ("DCDEMO001", "Homeland Security Investigations", 20, 40, 24),
    "BR": ("BRDEMO001", "Brazilian federal police counterpart (synthetic name)", 40, 80, 48),
    "AR": ("ARDEMO001", "Argentine police counterpart (synthetic name)", 12, 24, 14),
    "PY": ("PYDEMO001", "Paraguayan police counterpart (synthetic name)", 5, 10, 7),
    "PA": ("PADEMO001", "Panamanian police counterpart (synthetic name)", 4, 8, 5),
    "EC": ("ECDEMO001", "Ecuadorian police counterpart (synthetic name)", 5, 10, 6),
}


def build() -> dict[str, Any]:
    b = BundleBuilder(seed=8, prefix="PC8")
    for country, (ori, name, *_counts) in COUNTRIES.items():
        kind = "federal" if country == "US" else "foreign"
        b.agency(ori, name, kind, jurisdiction=f"country:{country}")
    b.doc["series"].append(
        {
            "code": SERIES,
            "name": "Operation Protected Childhood",
            "description": "Series of operations against CSAM that began in Brazil in 2015.",
            "first_year": 2015,
            "origin": "country:BR",
        }
    )
    b.operation(
        code=CODE,
        name="Operation Protected Childhood 8",
        description=(
            "Near-simultaneous raids on suspected producers and distributors of child sexual "
            "abuse material (CSAM); most suspects used the Kik anonymous chat app."
        ),
        status="closed",
        start=START.isoformat(),
        end=END.isoformat(),
        announced="2021-06-17",
        focus=["csam"],
        series=SERIES,
        edition=8,
        jurisdictions=[f"country:{c}" for c in COUNTRIES],
        participants=[
            {"agency": ori, "role": "lead" if c == "US" else "foreign"}
            for c, (ori, *_rest) in COUNTRIES.items()
        ],
    )
    for country, (ori, _name, arrests, warrants, raids) in COUNTRIES.items():
        place = f"country:{country}"
        for index in range(arrests):
            where, extra = place, {}
            if country == "US" and index == 0:
                where = "state:TX"
                extra = {
                    "charges": "Distribution of CSAM; in the country illegally",
                    "warrants_served": 2,
                    "prior_registered_offender": True,
                    "notes": "Convicted sex offender with two outstanding arrest warrants.",
                }
            elif country == "US" and index == 1:
                where = "state:NY"
                extra = {
                    "charges": "Possession of CSAM (about 10,000 files); admitted abusing minors",
                    "role": "csam_producer",
                }
            person = b.person(sex="M", nationality=place)
            b.event(
                "arrests",
                CODE,
                agency=ori,
                jurisdiction=where,
                at=at(b.day_between(START, END), 6),
                people=[person],
                person=person,
                **({"role": "csam_distributor" if index % 4 else "csam_producer"} | extra),
            )
            if country == "US" and index == 1:
                b.event(
                    "seizures",
                    CODE,
                    agency=ori,
                    jurisdiction=where,
                    at=at(START, 7),
                    people=[person],
                    devices=3,
                    file_count=10000,
                    file_count_qualifier="about",
                )
        for index in range(warrants):
            rescued: list[str] = []
            day = b.day_between(START, END)
            if country == "AR" and index == 0:
                day = END
                rescued = [b.person(nationality="country:AR") for _ in range(15)]
            b.event(
                "search_warrants",
                CODE,
                agency=ori,
                jurisdiction=place,
                at=at(day, 6),
                people=rescued,
                place="Residence (synthetic address)",
            )
            for person in rescued:
                b.event(
                    "victims",
                    CODE,
                    agency=ori,
                    jurisdiction=place,
                    at=at(day, 8),
                    people=[person],
                    person=person,
                    age_group="minor",
                    sex=b.person_row(person)["sex"],
                    nationality=place,
                )
        for index in range(raids):
            b.event(
                "raids",
                CODE,
                agency=ori,
                jurisdiction=place,
                at=at(b.day_between(START, END), 6),
                kind="online_contact" if index % 6 == 5 else "residence",
            )
    op = {"operation": CODE, **SOURCE}
    b.figure("search_warrants", 170, qualifier="more_than", **op)
    b.figure("arrests", 86, **op)
    b.figure("raids", 100, qualifier="more_than", **op)
    b.figure("countries", 6, **op)
    b.figure("victims_rescued", 15, scope="jurisdiction", jurisdiction="country:AR", **op)
    series = {"series": SERIES, **SOURCE}
    previous = {"edition": 7, "period_start": "2020-01-01", "period_end": "2020-12-31"}
    b.figure("arrests", 113, note="Previous year's edition", **previous, **series)
    b.figure("countries", 5, note="Previous year's edition", **previous, **series)
    since = {"period_start": "2017-01-01", "period_end": END.isoformat()}
    b.figure("arrests", 861, note="Across the series since 2017", **since, **series)
    b.figure(
        "victims_rescued",
        24,
        qualifier="at_least",
        note="Dozens of children rescued across the series since 2017",
        **since,
        **series,
    )
    return b.doc
