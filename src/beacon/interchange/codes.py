"""Code tables of the interchange formats (PFIF note status, NIBRS offences, clearance)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class NibrsOffense(models.TextChoices):
    """NIBRS offence codes met in trafficking, exploitation and missing-child cases."""

    KIDNAPPING = "100", _("Kidnapping/abduction")
    RAPE = "11A", _("Rape")
    SODOMY = "11B", _("Sodomy")
    SEXUAL_ASSAULT_WITH_OBJECT = "11C", _("Sexual assault with an object")
    FONDLING = "11D", _("Fondling")
    INCEST = "36A", _("Incest")
    STATUTORY_RAPE = "36B", _("Statutory rape")
    PORNOGRAPHY = "370", _("Pornography/obscene material")
    PROSTITUTION = "40A", _("Prostitution")
    ASSISTING_PROSTITUTION = "40B", _("Assisting or promoting prostitution")
    PURCHASING_PROSTITUTION = "40C", _("Purchasing prostitution")
    COMMERCIAL_SEX_ACTS = "64A", _("Human trafficking, commercial sex acts")
    INVOLUNTARY_SERVITUDE = "64B", _("Human trafficking, involuntary servitude")


class ExceptionalClearance(models.TextChoices):
    """NIBRS Data Element 4, Cleared Exceptionally, of an incident: A-E, or N (not
    applicable: the incident is open or cleared by arrest)."""

    NOT_APPLICABLE = "N", _("Not applicable")
    OFFENDER_DEAD = "A", _("Death of offender")
    PROSECUTION_DECLINED = "B", _("Prosecution declined")
    IN_CUSTODY_ELSEWHERE = "C", _("In custody of other jurisdiction")
    VICTIM_REFUSED = "D", _("Victim refused to cooperate")
    JUVENILE_NO_CUSTODY = "E", _("Juvenile, no custody")


class Clearance(models.TextChoices):
    """Whether an offence is cleared, derived from its incident: by arrest, or
    exceptionally (A-E); also the clearance values of version 1 documents."""

    NOT_CLEARED = "none", _("Not cleared")
    ARREST = "arrest", _("Cleared by arrest")
    OFFENDER_DEAD = "A", _("Exceptional: death of offender")
    PROSECUTION_DECLINED = "B", _("Exceptional: prosecution declined")
    IN_CUSTODY_ELSEWHERE = "C", _("Exceptional: in custody of other jurisdiction")
    VICTIM_REFUSED = "D", _("Exceptional: victim refused to cooperate")
    JUVENILE_NO_CUSTODY = "E", _("Exceptional: juvenile, no custody")


EXCEPTIONAL = frozenset({"A", "B", "C", "D", "E"})
