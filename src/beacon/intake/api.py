"""JSON API of the intake review queue (django-ninja); mounted at /api/intake."""

from django.http import HttpRequest
from ninja import Query, Router

from beacon.access.permissions import Permission
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.intake import services
from beacon.intake.models import Intake
from beacon.intake.schemas import ClusterOut, ClusterPage, DecisionIn, IntakeOut, QueueQuery

router = Router()


@router.get("/intakes", response=list[IntakeOut])
@requires(Permission.INTAKE_MANAGE)
def list_intakes(request: HttpRequest) -> list[IntakeOut]:
    actor = actor_for(request)
    intakes = Intake.objects.visible_to(actor).prefetch_related("lists").order_by("-created_at")
    return [IntakeOut.of(intake, services.latest_run(intake)) for intake in intakes]


@router.get("/intakes/{intake_id}", response=IntakeOut)
@requires(Permission.INTAKE_MANAGE)
def show_intake(request: HttpRequest, intake_id: int) -> IntakeOut:
    intake = Intake.objects.get_visible(actor_for(request), pk=intake_id)
    return IntakeOut.of(intake, services.latest_run(intake))


@router.get("/intakes/{intake_id}/clusters", response=ClusterPage)
@requires(Permission.INTAKE_MANAGE)
def review_queue(request: HttpRequest, intake_id: int, query: Query[QueueQuery]) -> ClusterPage:
    actor = actor_for(request)
    intake = Intake.objects.get_visible(actor, pk=intake_id)
    status = None if query.status == "all" else query.status
    clusters = services.queue(actor, intake, status=status)
    page = clusters[query.offset : query.offset + query.limit]
    return ClusterPage(count=clusters.count(), items=[ClusterOut.of(c) for c in page])


@router.get("/clusters/{cluster_id}", response=ClusterOut)
@requires(Permission.INTAKE_MANAGE)
def show_cluster(request: HttpRequest, cluster_id: int) -> ClusterOut:
    return ClusterOut.of(services.get_cluster(actor_for(request), cluster_id))


@router.post("/clusters/{cluster_id}/decision", response=ClusterOut)
@requires(Permission.INTAKE_MANAGE)
def decide(request: HttpRequest, cluster_id: int, body: DecisionIn) -> ClusterOut:
    cluster = services.decide(
        actor_for(request),
        cluster_id,
        body.action,
        groups=body.groups,
        merge_with=body.merge_with,
    )
    return ClusterOut.of(cluster)
