"""Agencies (identified by ORI) and the jurisdictions they and operations cover."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from beacon.agencies import codes

ORI_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")
SYSTEM_ORI = "ZZBEACON0"


def validate_ori(value: str) -> None:
    """An ORI is 9 characters: a 2-letter state or country code, then 7 alphanumerics."""
    if not ORI_PATTERN.match(value or ""):
        raise ValidationError(
            _(
                "ORI must be 9 characters: a 2-letter state or country code and 7 letters or digits."
            ),
            code="ori_format",
        )
    if value != SYSTEM_ORI and not codes.is_state_or_country_code(value[:2]):
        raise ValidationError(
            _("ORI must start with a US state or ISO 3166 country code, not %(prefix)s."),
            params={"prefix": value[:2]},
            code="ori_prefix",
        )


class Jurisdiction(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        STATE = "state", _("State")
        COUNTY = "county", _("County")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # ISO 3166-1 alpha-2 for countries, 2-digit FIPS for states, 5-digit FIPS for counties.
    code = models.CharField(max_length=8)
    # ISO alpha-3 for countries, USPS abbreviation for states (used on maps and in input).
    abbreviation = models.CharField(max_length=8, blank=True)
    name_en = models.CharField(max_length=120)
    name_fr = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="jurisdiction_kind_code")
        ]
        indexes = [models.Index(fields=["kind", "abbreviation"])]
        ordering = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language (French or English)."""
        lang = (get_language() or "en")[:2]
        return self.name_fr if lang == "fr" else self.name_en


class Agency(models.Model):
    class Kind(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        STATE = "state", _("State")
        LOCAL = "local", _("Local")
        TRIBAL = "tribal", _("Tribal")
        CHILD_WELFARE = "child_welfare", _("Child welfare")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        NGO = "ngo", _("Non-governmental organisation")
        FOREIGN = "foreign", _("Foreign agency")
        SYSTEM = "system", _("Beacon system")

    ori = models.CharField("ORI", max_length=9, unique=True, validators=[validate_ori])
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def system(cls) -> Agency:
        """Beacon's own agency, under which the system actor acts."""
        agency, _created = cls.objects.get_or_create(
            ori=SYSTEM_ORI, defaults={"name": "Beacon system", "kind": cls.Kind.SYSTEM}
        )
        return agency
