"""Operations, their targets and outcomes, field events and reported figures."""

from beacon.operations.models.corrections import Correction
from beacon.operations.models.events import (
    Arrest,
    FieldEvent,
    Investigation,
    Raid,
    Referral,
    SearchWarrant,
    Seizure,
    Service,
    Victim,
)
from beacon.operations.models.figures import Amendment, Count, LocalMetric, ReportedFigure
from beacon.operations.models.nibrs import Incident, Offense
from beacon.operations.models.operations import (
    Operation,
    Participation,
    Publisher,
    Series,
)
from beacon.operations.models.people import Person
from beacon.operations.models.stamps import OperationStamp
from beacon.operations.models.targets import HitConfirmation, Lead, Outcome, Target

__all__ = [
    "Amendment",
    "Arrest",
    "Correction",
    "Count",
    "FieldEvent",
    "HitConfirmation",
    "Incident",
    "Investigation",
    "Lead",
    "LocalMetric",
    "Offense",
    "Operation",
    "OperationStamp",
    "Outcome",
    "Participation",
    "Person",
    "Publisher",
    "Raid",
    "Referral",
    "ReportedFigure",
    "SearchWarrant",
    "Seizure",
    "Series",
    "Service",
    "Target",
    "Victim",
]
