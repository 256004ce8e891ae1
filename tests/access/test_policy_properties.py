"""Property-based: over random agencies, operations, targets, victims and referrals, the
policy returns exactly what the rules allow, and no list, search, export (bundle, PFIF)
or report drill-down returns more."""

from __future__ import annotations

import re

import hypothesis.strategies as st
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from beacon.access import policy
from beacon.access.permissions import HUMAN_ROLES
from beacon.core.errors import Conflict
from beacon.interchange import pfif
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.models import Operation, Referral, Victim
from beacon.operations.reports.drilldown import drilldown
from beacon.records.models import MissingPersonRecord, may_share_outside
from beacon.records.search import SearchQuery
from beacon.records.services import search_records
from tests.access import world as w

N_AGENCIES = len(w.AGENCIES)
agency_index = st.integers(0, N_AGENCIES - 1)
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]


@st.composite
def specs(draw: st.DrawFn) -> w.Spec:
    records = draw(st.lists(st.tuples(agency_index, st.sampled_from(TLPS)), min_size=1, max_size=5))
    operations: list[tuple[frozenset[int], int | None]] = []
    for i in range(draw(st.integers(1, 4))):
        members = draw(st.frozensets(agency_index, min_size=1, max_size=3))
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        operations.append((members, parent))
    n_ops = len(operations)
    targets = draw(
        st.lists(
            st.tuples(st.integers(0, len(records) - 1), st.integers(0, n_ops - 1), agency_index),
            max_size=6,
        )
    )
    # One target per (operation, record): the first drawn wins, as in the database.
    seen: set[tuple[int, int]] = set()
    unique = []
    for rec, op, assigned in targets:
        if (rec, op) not in seen:
            seen.add((rec, op))
            unique.append((rec, op, assigned))
    victims = draw(st.lists(st.integers(0, n_ops - 1), max_size=4))
    referrals = (
        draw(st.lists(st.tuples(st.integers(0, len(victims) - 1), agency_index), max_size=4))
        if victims
        else []
    )
    return w.Spec(records, operations, unique, victims, referrals)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=specs(), agency=agency_index, role=st.sampled_from(HUMAN_ROLES))
def test_lists_and_searches_never_return_what_the_policy_denies(
    spec: w.Spec, agency: int, role: str
) -> None:
    with transaction.atomic():
        world = w.build(spec)
        who = w.actor(world, agency, role)

        def index(objects: list[object], found: object) -> set[int]:
            pks = {o.pk for o in found}  # type: ignore[attr-defined]
            return {i for i, o in enumerate(objects) if o.pk in pks}  # type: ignore[attr-defined]

        records = index(world.records, MissingPersonRecord.objects.visible_to(who))  # type: ignore[arg-type]
        assert records == w.records_expected(spec, agency, role)
        assert index(world.operations, Operation.objects.visible_to(who)) == (  # type: ignore[arg-type]
            w.operations_expected(spec, agency, role)
        )
        assert index(world.victims, Victim.objects.visible_to(who)) == (  # type: ignore[arg-type]
            w.victims_expected(spec, agency, role)
        )
        assert index(world.referrals, Referral.objects.visible_to(who)) == (  # type: ignore[arg-type]
            w.referrals_expected(spec, agency, role)
        )
        # RED never leaves the originating agency; PIOs and caseworkers never see a record.
        for i in records:
            origin, tlp = spec.records[i]
            assert tlp != "RED" or origin == agency
        assert role not in {"pio", "caseworker", "system_admin"} or records == set()
        # The search service returns only visible records, whatever it matches.
        if policy.has(who, policy.Permission.RECORDS_SEARCH):
            hits = search_records(who, SearchQuery(last_name="Doe", limit=50))
            visible_nics = {world.records[i].nic for i in records}
            assert {h.nic for h in hits} <= visible_nics
        visible_nics = {world.records[i].nic for i in records}
        # Exports (operation bundles) carry only records the exporter may see.
        if policy.has(who, policy.Permission.OPERATIONS_EXPORT):
            for operation in Operation.objects.visible_to(who):
                bundle = export_bundle(who, operation.code)
                assert {r["nic"] for r in bundle["records"]} <= visible_nics
            # The PFIF partner export: only visible records TLP 2.0 lets leave the agency.
            shareable = {
                world.records[i].nic
                for i in records
                if may_share_outside(who, world.records[i])  # type: ignore[arg-type]
            }
            try:
                document, _counts = pfif.export_pfif(who)
            except Conflict:  # every visible record withheld: refused, nothing sent
                assert not shareable and visible_nics
                document = b""
            sent = set(re.findall(rb"/(M\d{9})</pfif:person_record_id>", document))
            assert {nic.decode() for nic in sent} == shareable
        # Reports' drill-downs (the rows behind a figure) list only what the policy shows.
        if policy.has(who, policy.Permission.OPERATIONS_VIEW):
            victims = {world.victims[i].ref for i in w.victims_expected(spec, agency, role)}
            referrals = {world.referrals[i].ref for i in w.referrals_expected(spec, agency, role)}
            for operation in Operation.objects.visible_to(who):
                rows = drilldown(who, operation.code, "targets")["rows"]
                assert {r["nic"] for r in rows} <= visible_nics
                rows = drilldown(who, operation.code, "victims_rescued")["rows"]
                assert {r["ref"] for r in rows} <= victims
                rows = drilldown(who, operation.code, "referrals")["rows"]
                assert {r["ref"] for r in rows} <= referrals
        transaction.set_rollback(True)
