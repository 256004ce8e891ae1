"""NCIC code tables used by missing-person records (Missing Person File)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Missing-person category, stored as its NCIC message key (MKE)."""

    JUVENILE = "EMJ", _("Juvenile")
    ENDANGERED = "EME", _("Endangered")
    INVOLUNTARY = "EMI", _("Involuntary")
    DISABILITY = "EMD", _("Disability")
    CATASTROPHE_VICTIM = "EMV", _("Catastrophe victim")
    OTHER = "EMO", _("Other")


JUVENILE_AGE_LIMIT = 21  # NCIC: juvenile category is for persons under 21


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class Race(models.TextChoices):
    ASIAN = "A", _("Asian")
    BLACK = "B", _("Black")
    INDIGENOUS = "I", _("American Indian or Alaska Native")
    PACIFIC = "P", _("Native Hawaiian or Other Pacific Islander")
    WHITE = "W", _("White")
    UNKNOWN = "U", _("Unknown")


class Eyes(models.TextChoices):
    BLACK = "BLK", _("Black")
    BLUE = "BLU", _("Blue")
    BROWN = "BRO", _("Brown")
    GREEN = "GRN", _("Green")
    GRAY = "GRY", _("Gray")
    HAZEL = "HAZ", _("Hazel")
    MAROON = "MAR", _("Maroon")
    PINK = "PNK", _("Pink")
    MULTICOLOURED = "MUL", _("Multicoloured")
    UNKNOWN = "XXX", _("Unknown")


class Hair(models.TextChoices):
    BALD = "BAL", _("Bald")
    BLACK = "BLK", _("Black")
    BLOND = "BLN", _("Blond or strawberry")
    BLUE = "BLU", _("Blue")
    BROWN = "BRO", _("Brown")
    GRAY = "GRY", _("Gray or partially gray")
    GREEN = "GRN", _("Green")
    ORANGE = "ONG", _("Orange")
    PINK = "PNK", _("Pink")
    PURPLE = "PLE", _("Purple")
    RED = "RED", _("Red or auburn")
    SANDY = "SDY", _("Sandy")
    WHITE = "WHI", _("White")
    UNKNOWN = "XXX", _("Unknown")


class Circumstance(models.TextChoices):
    RUNAWAY = "runaway", _("Runaway")
    FAMILY_ABDUCTION = "family_abduction", _("Family abduction")
    NON_FAMILY_ABDUCTION = "non_family_abduction", _("Non-family abduction")
    LOST_INJURED = "lost_injured", _("Lost, injured or otherwise missing")
    UNKNOWN = "unknown", _("Unknown")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    LOCATED = "located", _("Located")
    CLEARED = "cleared", _("Cleared")
    CANCELLED = "cancelled", _("Cancelled")


class TransactionKind(models.TextChoices):
    ENTER = "enter", _("Enter")
    MODIFY = "modify", _("Modify")
    LOCATE = "locate", _("Locate")
    CLEAR = "clear", _("Clear")
    CANCEL = "cancel", _("Cancel")
    VALIDATE = "validate", _("Validate")
    # Undoes the latest locate or clear, entered in error (both stay in the history).
    REOPEN = "reopen", _("Reopen")


class ClearHow(models.TextChoices):
    RETURNED_TO_GUARDIAN = "returned_to_guardian", _("Returned to guardian")
    PLACED_WITH_CHILD_WELFARE = "placed_with_child_welfare", _("Placed with child welfare")
    LOCATED_BY_OTHER_AGENCY = "located_by_other_agency", _("Located by other agency")
    OTHER = "other", _("Other")


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0 marking."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"
