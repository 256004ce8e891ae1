"""Code tables of the interchange formats (PFIF note status, NIBRS offences, clearance)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# NIBRS offences and clearances are operations' facts; interchange reads and writes them.
from beacon.operations.codes import EXCEPTIONAL as EXCEPTIONAL
from beacon.operations.codes import Clearance as Clearance
from beacon.operations.codes import ExceptionalClearance as ExceptionalClearance
from beacon.operations.codes import NibrsOffense as NibrsOffense


class PfifStatus(models.TextChoices):
    """PFIF 1.4 note status values."""

    INFORMATION_SOUGHT = "information_sought", _("Information sought")
    IS_NOTE_AUTHOR = "is_note_author", _("The person wrote this note")
    BELIEVED_ALIVE = "believed_alive", _("Believed alive")
    BELIEVED_MISSING = "believed_missing", _("Believed missing")
    BELIEVED_DEAD = "believed_dead", _("Believed dead")


class LeadType(models.TextChoices):
    """What kind of lead a PFIF note is, read from its status."""

    INQUIRY = "inquiry", _("Inquiry (someone is looking for the person)")
    SELF_REPORT = "self_report", _("Contact from the person themself")
    SIGHTING = "sighting", _("Sighting (believed alive)")
    STILL_MISSING = "still_missing", _("Report that the person is still missing")
    DEATH_REPORT = "death_report", _("Report that the person is dead")
    INFORMATION = "information", _("Information")


LEAD_TYPE_OF_STATUS: dict[str, str] = {
    PfifStatus.INFORMATION_SOUGHT: LeadType.INQUIRY,
    PfifStatus.IS_NOTE_AUTHOR: LeadType.SELF_REPORT,
    PfifStatus.BELIEVED_ALIVE: LeadType.SIGHTING,
    PfifStatus.BELIEVED_MISSING: LeadType.STILL_MISSING,
    PfifStatus.BELIEVED_DEAD: LeadType.DEATH_REPORT,
    "": LeadType.INFORMATION,
}
