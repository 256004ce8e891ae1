"""Code tables of operations: statuses, roles, outcomes, event kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ADULT_AGE = 18


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Focus(models.TextChoices):
    MISSING_CHILDREN = "missing_children", _("Missing children")
    SEX_TRAFFICKING = "sex_trafficking", _("Sex trafficking")
    LABOUR_TRAFFICKING = "labour_trafficking", _("Labour trafficking")
    CSAM = "csam", _("Child sexual abuse material")
    MIGRANT_SMUGGLING = "migrant_smuggling", _("Migrant smuggling")
    OTHER = "other", _("Other")


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    NGO = "ngo", _("NGO")
    FOREIGN = "foreign", _("Foreign counterpart")


class OutcomeKind(models.TextChoices):
    LOCATED = "located", _("Located")
    RECOVERED = "recovered", _("Recovered")


class OutcomeHow(models.TextChoices):
    # located
    RETURNED_VOLUNTARILY = "returned_voluntarily", _("Returned voluntarily to guardian")
    WITH_FRIENDS_OR_RELATIVES = "with_friends_or_relatives", _("Found with friends or relatives")
    OTHER_JURISDICTION = "other_jurisdiction", _("Found in another jurisdiction or country")
    WELFARE_CHECK = "welfare_check", _("Welfare check")
    # recovered
    RETURNED_TO_GUARDIAN = "returned_to_guardian", _("Returned to guardian")
    PLACED_WITH_CHILD_WELFARE = "placed_with_child_welfare", _("Placed with child welfare")


LOCATED_HOWS = frozenset(
    {
        OutcomeHow.RETURNED_VOLUNTARILY,
        OutcomeHow.WITH_FRIENDS_OR_RELATIVES,
        OutcomeHow.OTHER_JURISDICTION,
        OutcomeHow.WELFARE_CHECK,
    }
)
RECOVERED_HOWS = frozenset({OutcomeHow.RETURNED_TO_GUARDIAN, OutcomeHow.PLACED_WITH_CHILD_WELFARE})


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent (10 minutes)")
    ROUTINE = "routine", _("Routine (1 hour)")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FOLLOWED_UP = "followed_up", _("Followed up")
    DISCARDED = "discarded", _("Discarded")


class ArrestRole(models.TextChoices):
    TRAFFICKER = "trafficker", _("Trafficker")
    PIMP_PANDERER = "pimp_panderer", _("Pimp or panderer")
    BUYER = "buyer", _("Buyer")
    BUYER_SEEKING_MINOR = "buyer_seeking_minor", _("Buyer seeking a minor")
    SELLER = "seller", _("Seller")
    FACILITATOR = "facilitator", _("Facilitator")
    SMUGGLER = "smuggler", _("Smuggler")
    CSAM_PRODUCER = "csam_producer", _("CSAM producer")
    CSAM_DISTRIBUTOR = "csam_distributor", _("CSAM distributor")
    CHILD_PREDATOR = "child_predator", _("Child predator")
    FUGITIVE = "fugitive", _("Fugitive")
    OTHER = "other", _("Other")


class Nibrs(models.TextChoices):
    """NIBRS offence codes that fit trafficking and exploitation charges."""

    COMMERCIAL_SEX_ACTS = "64A", _("Human trafficking, commercial sex acts")
    INVOLUNTARY_SERVITUDE = "64B", _("Human trafficking, involuntary servitude")
    PROSTITUTION = "40A", _("Prostitution")
    ASSISTING_PROSTITUTION = "40B", _("Assisting or promoting prostitution")
    PURCHASING_PROSTITUTION = "40C", _("Purchasing prostitution")


class AgeGroup(models.TextChoices):
    MINOR = "minor", _("Minor")
    ADULT = "adult", _("Adult")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class SelfIdentification(models.TextChoices):
    VICTIM = "victim", _("Victim")
    SEX_WORKER = "sex_worker", _("Sex worker")
    NOT_STATED = "not_stated", _("Not stated")


class Consent(models.TextChoices):
    GIVEN = "given", _("Consented to services")
    DECLINED = "declined", _("Declined services")
    NOT_ASKED = "not_asked", _("Not asked")


class RaidKind(models.TextChoices):
    RESIDENCE = "residence", _("Residence")
    MASSAGE_PARLOUR = "massage_parlour", _("Massage parlour")
    HOTEL = "hotel", _("Hotel")
    ONLINE_CONTACT = "online_contact", _("Online contact")
    OTHER = "other", _("Other site")


class ServiceKind(models.TextChoices):
    SCREENING = "screening", _("Screening for exploitation")
    MEDICAL = "medical", _("Medical")
    SHELTER = "shelter", _("Shelter")
    ADVOCACY = "advocacy", _("Advocacy")
    LEGAL = "legal", _("Legal")


class ServiceStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    PROVIDED = "provided", _("Provided")


class ReferralStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class InvestigationType(models.TextChoices):
    CHILD_SEXUAL_ABUSE = "child_sexual_abuse", _("Child sexual abuse")
    HUMAN_TRAFFICKING = "human_trafficking", _("Human trafficking")
    CSAM = "csam", _("Child sexual abuse material")
    OTHER = "other", _("Other")


class Qualifier(models.TextChoices):
    """How a publisher qualified a number, kept as published."""

    EXACT = "exact", _("exactly")
    AT_LEAST = "at_least", _("at least")
    MORE_THAN = "more_than", _("more than")
    OVER = "over", _("over")
    ABOUT = "about", _("about")
    NEARLY = "nearly", _("nearly")
    ALMOST = "almost", _("almost")
    UP_TO = "up_to", _("up to")
    FEWER_THAN = "fewer_than", _("fewer than")


class FigureStatus(models.TextChoices):
    FINAL = "final", _("Final")
    INTERIM = "interim", _("Interim")
    PRELIMINARY = "preliminary", _("Preliminary")


class Precision(models.TextChoices):
    """How much of a date the source gave: 2019, June 2021, 11 June 2021."""

    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


class EditionNaming(models.TextChoices):
    NUMBER = "number", _("By number")
    YEAR = "year", _("By year")


FIGURE_UNITS = ("percent", "years", "months", "hours", "days", "weeks")


class FigureScope(models.TextChoices):
    OPERATION = "operation", _("Operation")
    SERIES = "series", _("Series")
    JURISDICTION = "jurisdiction", _("Jurisdiction")
    AGENCY = "agency", _("Agency")


# NIBRS incidents and offences (models/nibrs.py): offence codes and clearances.
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
