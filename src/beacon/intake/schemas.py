"""API shapes of intakes, clusters and decisions (also what the review page renders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from beacon.intake.explain import evidence, sentence
from beacon.intake.models import Cluster, Intake, LinkRun, SourceList


class ListOut(Schema):
    id: int
    source: str
    filename: str
    rows: int
    quarantined: int
    quarantine: list[dict[str, Any]]
    imported_at: datetime
    imported_by: str

    @classmethod
    def of(cls, listed: SourceList) -> ListOut:
        return cls(
            id=listed.pk,
            source=listed.source,
            filename=listed.filename,
            rows=listed.rows,
            quarantined=listed.quarantined,
            quarantine=listed.quarantine,
            imported_at=listed.imported_at,
            imported_by=listed.imported_by,
        )


class RunOut(Schema):
    id: int
    engine: str
    threshold: float
    records: int
    registry_records: int
    pairs: int
    clusters: int
    chains_cut: int
    seconds: float
    run_at: datetime

    @classmethod
    def of(cls, run: LinkRun) -> RunOut:
        return cls(
            id=run.pk,
            engine=run.engine,
            threshold=run.threshold,
            records=run.records,
            registry_records=run.registry_records,
            pairs=run.pairs,
            clusters=run.clusters,
            chains_cut=run.chains_cut,
            seconds=run.seconds,
            run_at=run.run_at,
        )


class IntakeOut(Schema):
    id: int
    name: str
    status: str
    threshold: float
    created_at: datetime
    lists: list[ListOut]
    latest_run: RunOut | None
    to_review: int

    @classmethod
    def of(cls, intake: Intake, run: LinkRun | None) -> IntakeOut:
        pending = run.cluster_set.filter(status=Cluster.Status.PROPOSED).count() if run else 0
        return cls(
            id=intake.pk,
            name=intake.name,
            status=intake.status,
            threshold=intake.threshold,
            created_at=intake.created_at,
            lists=[ListOut.of(listed) for listed in intake.lists.order_by("pk")],
            latest_run=RunOut.of(run) if run else None,
            to_review=pending,
        )


class EvidenceOut(Schema):
    field: str
    finding: str
    weight: float
    stance: str


class PairOut(Schema):
    left: str
    right: str
    probability: float
    weight: float
    summary: str
    evidence: list[EvidenceOut]
    via_alias: bool = False  # compared with a registry record's alias name or DOB


class ClusterOut(Schema):
    id: int
    number: int
    run: int
    status: str
    probability: float
    members: list[dict[str, Any]]
    pairs: list[PairOut]
    decided_by: str
    decided_at: datetime | None

    @classmethod
    def of(cls, cluster: Cluster) -> ClusterOut:
        levels = cluster.run.levels
        return cls(
            id=cluster.pk,
            number=cluster.number,
            run=cluster.run_id,
            status=cluster.status,
            probability=cluster.probability,
            members=cluster.members,
            pairs=[
                PairOut(
                    left=pair["l"],
                    right=pair["r"],
                    probability=pair["p"],
                    weight=pair["w"],
                    summary=sentence(pair, levels),
                    via_alias=bool(pair.get("alias")),
                    evidence=[
                        EvidenceOut(
                            field=e.field, finding=e.finding, weight=e.weight, stance=e.stance
                        )
                        for e in evidence(pair, levels)
                    ],
                )
                for pair in cluster.pairs
            ],
            decided_by=cluster.decided_by,
            decided_at=cluster.decided_at,
        )


class ClusterPage(Schema):
    count: int
    items: list[ClusterOut]


class QueueQuery(Schema):
    status: Literal["proposed", "accepted", "split", "merged", "all"] = "proposed"
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DecisionIn(Schema):
    action: Literal["accept", "split", "merge"]
    groups: list[list[str]] | None = None
    merge_with: int | None = None
