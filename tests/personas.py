"""Who Beacon's tests act as: one cast for every domain (Healthchecks' ``hc/test.py`` has
Alice, Bob and Charlie; a task force needs a few more).

=======  ===================================  ==========================================
name     role                                 agency
=======  ===================================  ==========================================
alice    investigator                         A: NM0070100 Las Cruces Police Department
bob      investigator                         B: NM0070200 Sunland Park Police Department
carol    investigator                         C: TX0710000 El Paso Police Department
                                              (an agency outside the others' operations)
sam      supervisor                           A
hannah   hub coordinator                      hub: NM0000500 New Mexico Attorney General
carmen   caseworker                           NGO: NM0000600 Casa Esperanza (an NGO)
pat      public information officer (pio)     A
ada      system administrator                 A
=======  ===================================  ==========================================

Each is a pytest fixture of the same name as its role (``investigator_a``,
``investigator_b``, ``investigator_c``, ``supervisor_a``, ``hub_coordinator``, ``caseworker``, ``pio``,
``administrator``) and all of them together are ``cast`` (``cast.alice``, ...). The
agencies are created only when a test asks for a persona of theirs; nothing else is.
Anyone else: ``acting(agency_or_ori, role)``. Loaded for every test by tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from beacon.agencies.models import Agency
from beacon.core.actor import Actor

AGENCY_A = ("NM0070100", "Las Cruces Police Department", Agency.Kind.LOCAL)
AGENCY_B = ("NM0070200", "Sunland Park Police Department", Agency.Kind.LOCAL)
AGENCY_C = ("TX0710000", "El Paso Police Department", Agency.Kind.LOCAL)
HUB = ("NM0000500", "New Mexico Office of the Attorney General", Agency.Kind.STATE)
NGO = ("NM0000600", "Casa Esperanza", Agency.Kind.NGO)


def agency(ori: str, name: str, kind: str) -> Agency:
    """The agency with this ORI, created on first use."""
    return Agency.objects.get_or_create(ori=ori, defaults={"name": name, "kind": kind})[0]


def acting(where: Agency | str, role: str, name: str = "", *, via: str = "api") -> Actor:
    """An actor of ``role`` for an agency (or its ORI), without an account: the services
    take the actor as given, as they do from the API once the token is checked."""
    place = where if isinstance(where, Agency) else Agency.objects.get(ori=where.upper())
    return Actor(name=name or f"{role}@{place.ori}", agency=place, role=role, via=via)


@dataclass(frozen=True)
class Cast:
    alice: Actor  # investigator, agency A
    bob: Actor  # investigator, agency B
    sam: Actor  # supervisor, agency A
    hannah: Actor  # hub coordinator, the hub agency
    carmen: Actor  # caseworker, the NGO
    pat: Actor  # public information officer, agency A
    ada: Actor  # system administrator, agency A


@pytest.fixture
def agency_a(db: None) -> Agency:
    return agency(*AGENCY_A)


@pytest.fixture
def agency_b(db: None) -> Agency:
    return agency(*AGENCY_B)


@pytest.fixture
def agency_c(db: None) -> Agency:
    return agency(*AGENCY_C)


@pytest.fixture
def hub_agency(db: None) -> Agency:
    return agency(*HUB)


@pytest.fixture
def ngo_agency(db: None) -> Agency:
    return agency(*NGO)


@pytest.fixture
def investigator_a(agency_a: Agency) -> Actor:
    return acting(agency_a, "investigator", "alice")


@pytest.fixture
def investigator_b(agency_b: Agency) -> Actor:
    return acting(agency_b, "investigator", "bob")


@pytest.fixture
def investigator_c(agency_c: Agency) -> Actor:
    return acting(agency_c, "investigator", "carol")


@pytest.fixture
def supervisor_a(agency_a: Agency) -> Actor:
    return acting(agency_a, "supervisor", "sam")


@pytest.fixture
def hub_coordinator(hub_agency: Agency) -> Actor:
    return acting(hub_agency, "hub_coordinator", "hannah")


@pytest.fixture
def caseworker(ngo_agency: Agency) -> Actor:
    return acting(ngo_agency, "caseworker", "carmen")


@pytest.fixture
def pio(agency_a: Agency) -> Actor:
    return acting(agency_a, "pio", "pat")


@pytest.fixture
def administrator(agency_a: Agency) -> Actor:
    return acting(agency_a, "system_admin", "ada", via="web")


@pytest.fixture
def cast(
    investigator_a: Actor,
    investigator_b: Actor,
    supervisor_a: Actor,
    hub_coordinator: Actor,
    caseworker: Actor,
    pio: Actor,
    administrator: Actor,
) -> Cast:
    return Cast(
        alice=investigator_a,
        bob=investigator_b,
        sam=supervisor_a,
        hannah=hub_coordinator,
        carmen=caseworker,
        pat=pio,
        ada=administrator,
    )
