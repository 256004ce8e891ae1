"""Operations, their targets and outcomes, field events and reported figures."""

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
from beacon.operations.models.figures import ReportedFigure
from beacon.operations.models.operations import Operation, Participation, Series
from beacon.operations.models.people import Person
from beacon.operations.models.targets import HitConfirmation, Lead, Outcome, Target

__all__ = [
    "Arrest",
    "FieldEvent",
    "HitConfirmation",
    "Investigation",
    "Lead",
    "Operation",
    "Outcome",
    "Participation",
    "Person",
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
