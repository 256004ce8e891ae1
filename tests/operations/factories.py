"""A small bundle, imported through the production importer, for focused tests."""

from __future__ import annotations

import copy
from typing import Any

from beacon.core.actor import system_actor
from beacon.operations.bundles import FORMAT, VERSION
from beacon.operations.bundles.importer import ImportReport, import_bundle

LEAD, PARTNER, NGO, OTHER = "NMTEST001", "NMTEST002", "NMTEST003", "TXTEST009"
CODE = "OP-TEST"

_BASE: dict[str, Any] = {
    "format": FORMAT,
    "version": VERSION,
    "agencies": [
        {"ori": LEAD, "name": "Test Lead Agency", "kind": "federal", "jurisdiction": "state:NM"},
        {
            "ori": PARTNER,
            "name": "Test Partner PD",
            "kind": "local",
            "jurisdiction": "county:35013",
        },
        {"ori": NGO, "name": "Test Shelter NGO", "kind": "ngo"},
        {"ori": OTHER, "name": "Uninvolved Agency", "kind": "local"},
    ],
    "operations": [
        {
            "code": CODE,
            "name": "Operation Test",
            "status": "active",
            "start": "2021-05-01",
            "focus": ["missing_children"],
            "jurisdictions": ["county:35013"],
            "participants": [
                {"agency": LEAD, "role": "lead"},
                {"agency": PARTNER, "role": "partner"},
            ],
        }
    ],
    "people": [
        {
            "ref": "T-P1",
            "last_name": "Testperson",
            "first_name": "Alex",
            "sex": "F",
            "dob": "2006-03-01",
        },
        {
            "ref": "T-P2",
            "last_name": "Sampleton",
            "first_name": "Sam",
            "sex": "M",
            "dob": "2008-07-01",
        },
        {"ref": "T-P3", "last_name": "Demoson", "first_name": "Drew", "sex": "M"},
    ],
    "records": [
        {
            "originating_ori": PARTNER,
            "oca": f"T-{n}",
            "category": "EMJ",
            "last_name": last,
            "first_name": first,
            "sex": sex,
            "dob": dob,
            "dlc": "2021-04-01",
            "jurisdiction_last_seen": "county:35013",
        }
        for n, last, first, sex, dob in (
            (1, "Testperson", "Alex", "F", "2006-03-01"),
            (2, "Sampleton", "Sam", "M", "2008-07-01"),
        )
    ],
    "targets": [
        {
            "ref": "T1",
            "operation": CODE,
            "record": f"{PARTNER}:T-1",
            "person": "T-P1",
            "assigned_agency": PARTNER,
        },
        {
            "ref": "T2",
            "operation": CODE,
            "record": f"{PARTNER}:T-2",
            "person": "T-P2",
            "assigned_agency": PARTNER,
        },
    ],
    "arrests": [
        {
            "ref": "A1",
            "operation": CODE,
            "agency": LEAD,
            "jurisdiction": "county:35013",
            "at": "2021-05-10T20:00:00Z",
            "people": ["T-P3"],
            "person": "T-P3",
            "role": "trafficker",
            "nibrs": "64A",
        }
    ],
    "victims": [
        {
            "ref": "V1",
            "operation": CODE,
            "agency": LEAD,
            "jurisdiction": "county:35013",
            "at": "2021-05-10T21:00:00Z",
            "people": ["T-P1"],
            "person": "T-P1",
            "age_min": 15,
            "age_max": 15,
            "age_group": "minor",
        }
    ],
    "referrals": [
        {
            "ref": "R1",
            "operation": CODE,
            "agency": LEAD,
            "jurisdiction": "county:35013",
            "at": "2021-05-10T22:00:00Z",
            "victim": "V1",
            "to_agency": NGO,
            "status": "accepted",
        }
    ],
    "reported_figures": [
        {
            "ref": "F1",
            "operation": CODE,
            "metric": "arrests",
            "value": 1,
            "scope": "operation",
            "source_name": "Test press release",
            "source_date": "2021-06-01",
        }
    ],
}


def tiny_bundle() -> dict[str, Any]:
    return copy.deepcopy(_BASE)


def load_tiny(bundle: dict[str, Any] | None = None) -> ImportReport:
    return import_bundle(system_actor(), bundle if bundle is not None else tiny_bundle())
