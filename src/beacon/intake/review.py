"""The review queue: reviewers accept, split or merge proposed clusters; then the intake
is accepted as the list of people, each with every source's identifiers.

Every decision is stored as pair labels (same / not the same) that the next link run
applies before the model's scores, and that retrain the model.
"""

from __future__ import annotations

import datetime as dt
from itertools import combinations
from typing import Any

import duckdb
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, IllegalTransition, NotVisible, ValidationFailed
from beacon.intake import storage
from beacon.intake.fields import FIELDS, IDENTIFIER_FIELDS
from beacon.intake.models import (
    Cluster,
    Decision,
    Intake,
    LinkRun,
    PairLabel,
    ResolvedPerson,
)

REVIEWABLE = (Cluster.Status.PROPOSED, Cluster.Status.ACCEPTED)


def latest_run(intake: Intake) -> LinkRun | None:
    return intake.runs.order_by("-run_at", "-pk").first()


def clusters_visible_to(actor: Actor) -> QuerySet[Cluster]:
    return Cluster.objects.select_related("run", "run__intake").filter(
        run__intake__in=Intake.objects.visible_to(actor)
    )


def queue(
    actor: Actor, intake: Intake, *, status: str | None = Cluster.Status.PROPOSED
) -> QuerySet[Cluster]:
    """The latest run's clusters, least certain first."""
    policy.require(
        actor, Permission.INTAKE_MANAGE, object_type="intake.intake", object_id=intake.pk
    )
    intake = Intake.objects.get_visible(actor, pk=intake.pk)
    run = latest_run(intake)
    if run is None:
        return Cluster.objects.none()
    if status is not None and status not in Cluster.Status.values:
        raise ValidationFailed.on("status", f"must be one of {', '.join(Cluster.Status.values)}")
    found = clusters_visible_to(actor).filter(run=run)
    if status is not None:
        found = found.filter(status=status)
    with transaction.atomic():
        audit.record(
            actor,
            "intake.read",
            object_type="intake.intake",
            object_id=intake.pk,
            detail={"run": run.pk, "status": status or "all", "fields": "cluster members"},
        )
    return found.order_by("probability", "number")


def _find_cluster(actor: Actor, cluster_id: int) -> Cluster:
    policy.require(
        actor, Permission.INTAKE_MANAGE, object_type="intake.cluster", object_id=cluster_id
    )
    try:
        return clusters_visible_to(actor).get(pk=cluster_id)
    except Cluster.DoesNotExist:
        raise NotVisible() from None


def get_cluster(actor: Actor, cluster_id: int) -> Cluster:
    """One cluster (members and reasons); the read is audited."""
    cluster = _find_cluster(actor, cluster_id)
    with transaction.atomic():
        audit.record(
            actor,
            "intake.read",
            object_type="intake.cluster",
            object_id=cluster.pk,
            detail={"fields": "cluster members"},
        )
    return cluster


def _set_label(intake: Intake, decision: Decision, a: str, b: str, same: bool) -> None:
    left, right = sorted((a, b))
    PairLabel.objects.update_or_create(
        intake=intake, left=left, right=right, defaults={"same": same, "decision": decision}
    )


def _record_groups(intake: Intake, decision: Decision, groups: list[list[str]]) -> None:
    for group in groups:
        for a, b in combinations(group, 2):
            _set_label(intake, decision, a, b, True)
    for one, other in combinations(groups, 2):
        for a in one:
            for b in other:
                _set_label(intake, decision, a, b, False)


def _new_cluster(
    run: LinkRun,
    members: list[dict[str, Any]],
    pairs: list[dict[str, Any]],
    actor: Actor,
    at: dt.datetime,
) -> Cluster:
    keys = {m["key"] for m in members}
    kept = [p for p in pairs if p["l"] in keys and p["r"] in keys]
    number = (run.cluster_set.aggregate(top=Max("number"))["top"] or 0) + 1
    return Cluster.objects.create(
        run=run,
        number=number,
        status=Cluster.Status.ACCEPTED,
        probability=min((p["p"] for p in kept), default=1.0),
        members=sorted(members, key=lambda m: str(m["key"])),
        pairs=kept,
        decided_by=actor.name,
        decided_at=at,
    )


def _check_split(cluster: Cluster, groups: list[list[str]] | None) -> list[list[str]]:
    if not groups or len(groups) < 2 or any(not g for g in groups):
        raise ValidationFailed.on("groups", "a split needs two or more non-empty groups of keys")
    flat = [str(key) for group in groups for key in group]
    keys = set(cluster.keys)
    unknown = sorted(set(flat) - keys)
    if unknown:
        raise ValidationFailed.on("groups", f"not members of this cluster: {', '.join(unknown)}")
    if len(flat) != len(set(flat)) or set(flat) != keys:
        raise ValidationFailed.on("groups", "every member must be in exactly one group")
    return [[str(k) for k in group] for group in groups]


def decide(
    actor: Actor,
    cluster_id: int,
    action: str,
    *,
    groups: list[list[str]] | None = None,
    merge_with: int | None = None,
) -> Cluster:
    """Apply a reviewer's decision; returns the decided cluster (for a merge, the new one)."""
    cluster = _find_cluster(actor, cluster_id)
    intake = cluster.run.intake
    if action not in Decision.Action.values:
        raise ValidationFailed.on("action", f"must be one of {', '.join(Decision.Action.values)}")
    with transaction.atomic():
        cluster = (
            Cluster.objects.select_for_update().select_related("run__intake").get(pk=cluster.pk)
        )
        if intake.status != Intake.Status.OPEN:
            raise IllegalTransition("This intake was accepted; its decisions are final.")
        run = latest_run(intake)
        if run is None or run.pk != cluster.run_id:
            raise Conflict("A newer link run exists; decide on its clusters.")
        if cluster.status not in REVIEWABLE:
            raise IllegalTransition(f"This cluster was already {cluster.status}.")
        now = timezone.now()
        result = cluster
        others: list[int] = []
        if action == Decision.Action.ACCEPT:
            if cluster.status != Cluster.Status.PROPOSED:
                raise IllegalTransition("This cluster is already accepted.")
            decided = [cluster.keys]
            cluster.status = Cluster.Status.ACCEPTED
        elif action == Decision.Action.SPLIT:
            decided = _check_split(cluster, groups)
            cluster.status = Cluster.Status.SPLIT
            for group in decided:
                if len(group) > 1:
                    chosen = [m for m in cluster.members if m["key"] in set(group)]
                    others.append(_new_cluster(run, chosen, cluster.pairs, actor, now).pk)
        else:
            if merge_with is None or merge_with == cluster.pk:
                raise ValidationFailed.on("merge_with", "name another cluster of this run")
            try:
                other = (
                    Cluster.objects.select_for_update()
                    .filter(run=run, status__in=REVIEWABLE)
                    .get(pk=merge_with)
                )
            except Cluster.DoesNotExist:
                raise ValidationFailed.on(
                    "merge_with", "no undecided or accepted cluster of this run has that id"
                ) from None
            members = cluster.members + other.members
            decided = [[str(m["key"]) for m in members]]
            result = _new_cluster(run, members, cluster.pairs + other.pairs, actor, now)
            for merged in (cluster, other):
                merged.status = Cluster.Status.MERGED
                merged.merged_into = result
                merged.decided_by, merged.decided_at = actor.name, now
                merged.save(update_fields=["status", "merged_into", "decided_by", "decided_at"])
            others = [other.pk, result.pk]
        if action != Decision.Action.MERGE:
            cluster.decided_by, cluster.decided_at = actor.name, now
            cluster.save(update_fields=["status", "decided_by", "decided_at"])
        decision = Decision.objects.create(
            intake=intake, cluster=cluster, action=action, groups=decided, decided_by=actor.name
        )
        _record_groups(intake, decision, decided)
        audit.record(
            actor,
            f"intake.{action}",
            object_type="intake.cluster",
            object_id=cluster.pk,
            detail={"intake": intake.pk, "groups": decided, "clusters": others},
        )
    return result


def _identity(member: dict[str, Any]) -> dict[str, Any]:
    kept = {name: member.get(name) for name in ("source_id", *IDENTIFIER_FIELDS)}
    return {
        "key": member["key"],
        "source": member["source"],
        "list": member["list"],
        "file": member["file"],
        "line": member["line"],
        **{k: v for k, v in kept.items() if v},
    }


def _person(
    intake: Intake, number: int, members: list[dict[str, Any]], cluster: Cluster | None
) -> ResolvedPerson:
    ordered = sorted(
        members, key=lambda m: (m["source"] != "registry", m["list"] or 0, m["line"] or 0)
    )
    lead = ordered[0]
    return ResolvedPerson(
        intake=intake,
        number=number,
        last_name=(lead.get("last_name") or "")[:60],
        first_name=(lead.get("first_name") or "")[:60],
        dob=dt.date.fromisoformat(lead["dob"]) if lead.get("dob") else None,
        registry_nics=sorted(m["nic"] for m in members if m["source"] == "registry"),
        identities=[_identity(m) for m in ordered],
        cluster=cluster,
    )


def _unclustered_rows(intake: Intake, clustered: set[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    con = duckdb.connect()
    try:
        for listed in intake.lists.order_by("pk"):
            path = storage.rows_path(listed.data_file, listed.data_sha256)
            found = con.sql(
                f"SELECT line, {', '.join(FIELDS)} FROM read_parquet({storage.sql_literal(path)}) "
                "ORDER BY line"
            ).to_arrow_table()
            for row in found.to_pylist():
                key = f"{listed.pk}:{row['line']}"
                if key in clustered:
                    continue
                dob = row["dob"]
                rows.append(
                    {
                        **row,
                        "dob": dob.isoformat() if dob else None,
                        "key": key,
                        "source": listed.source,
                        "list": listed.pk,
                        "file": listed.filename,
                    }
                )
    finally:
        con.close()
    return rows


def accept_intake(actor: Actor, intake: Intake, *, accept_above: float | None = None) -> int:
    """Turn the reviewed clusters into the intake's people; returns how many."""
    policy.require(
        actor, Permission.INTAKE_MANAGE, object_type="intake.intake", object_id=intake.pk
    )
    intake = Intake.objects.get_visible(actor, pk=intake.pk)
    if accept_above is not None and not 0 < accept_above <= 1:
        raise ValidationFailed.on("accept_above", "must be between 0 and 1")
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if intake.status != Intake.Status.OPEN:
            raise IllegalTransition("This intake was already accepted.")
        run = latest_run(intake)
        if run is None:
            raise IllegalTransition("Link the lists before accepting the intake.")
        if set(run.list_ids) != set(intake.lists.values_list("pk", flat=True)):
            raise IllegalTransition("Lists were imported since the last link run; link again.")
        auto = 0
        if accept_above is not None:
            for cluster in run.cluster_set.filter(
                status=Cluster.Status.PROPOSED, probability__gte=accept_above
            ):
                decide(actor, cluster.pk, Decision.Action.ACCEPT)
                auto += 1
        pending = run.cluster_set.filter(status=Cluster.Status.PROPOSED).count()
        if pending:
            raise IllegalTransition(
                f"{pending} cluster(s) still need a decision (accept, split or merge)."
            )
        people: list[ResolvedPerson] = []
        clustered: set[str] = set()
        for cluster in run.cluster_set.filter(status=Cluster.Status.ACCEPTED).order_by("number"):
            listed_members = [m for m in cluster.members if m["source"] != "registry"]
            if not listed_members:
                continue
            clustered.update(str(m["key"]) for m in cluster.members)
            people.append(_person(intake, len(people) + 1, cluster.members, cluster))
        for row in _unclustered_rows(intake, clustered):
            people.append(_person(intake, len(people) + 1, [row], None))
        ResolvedPerson.objects.bulk_create(people, batch_size=2000)
        intake.status = Intake.Status.ACCEPTED
        intake.accepted_at = timezone.now()
        intake.save(update_fields=["status", "accepted_at"])
        audit.record(
            actor,
            "intake.accept",
            object_type="intake.intake",
            object_id=intake.pk,
            detail={"run": run.pk, "people": len(people), "auto_accepted": auto},
        )
    return len(people)
