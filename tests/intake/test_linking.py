"""Linking three source lists of one intake: duplicates found, clustered and explained."""

from __future__ import annotations

from beacon.core.actor import Actor
from beacon.intake import services
from beacon.intake.explain import sentence
from beacon.intake.models import Cluster, Intake, SourceList

from .conftest import KeyOf


def groups_of(run_clusters: list[Cluster]) -> list[set[str]]:
    return [set(c.keys) for c in run_clusters]


def test_duplicates_across_three_lists_are_clustered(
    system: Actor, three_lists: tuple[Intake, dict[str, SourceList]], key_of: KeyOf
) -> None:
    intake, _ = three_lists
    run = services.link(system, intake)
    clusters = list(run.cluster_set.all())
    groups = groups_of(clusters)
    maria = {key_of("ncic", 61), key_of("agency", 51), key_of("ncmec", 41)}
    assert maria in groups
    assert {key_of("ncic", 62), key_of("agency", 52)} in groups  # William / Bill
    assert {key_of("ncic", 63), key_of("ncmec", 42)} in groups  # same NIC, new surname
    jose = {key_of("agency", 53), key_of("agency", 54), key_of("ncmec", 43)}
    assert jose in groups
    other_maria = key_of("ncmec", 44)
    assert all(other_maria not in g for g in groups)

    # Each pair is explained in words from its match weights.
    bill = next(c for c in clusters if key_of("agency", 52) in c.keys)
    (pair,) = bill.pairs
    words = sentence(pair, run.levels)
    assert "first name: a nickname of the same name (+" in words
    assert "date of birth: same (+" in words
    assert words.startswith("Match probability ")
