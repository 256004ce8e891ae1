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
    """A place at any level: country, subdivision, US state and county, city, US judicial
    district, FBI field office, named group of countries or other named area.

    ``parent`` is the one place that contains it (a county's state, a city's subdivision);
    ``members`` are the places a named area consists of (a group's countries, a field
    office's states). Reports roll up only through these (docs/bundle.md, "Places")."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        STATE = "state", _("State")
        COUNTY = "county", _("County")
        SUBDIVISION = "subdivision", _("Subdivision")
        CITY = "city", _("City")
        DISTRICT = "district", _("Judicial district")
        FIELD_OFFICE = "field_office", _("FBI field office")
        GROUP = "group", _("Group of countries")
        AREA = "area", _("Area")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # ISO 3166-1 alpha-2 for countries, 2-digit FIPS for states, 5-digit FIPS for counties,
    # ISO 3166-2 for subdivisions, the bundle code for the others (docs/bundle.md).
    code = models.CharField(max_length=160)
    # ISO alpha-3 for countries, USPS abbreviation for states (used on maps and in input).
    abbreviation = models.CharField(max_length=8, blank=True)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="member_of"
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
        """Name in the active language (English, French, Spanish or Portuguese)."""
        return self.name_in(get_language() or "en")

    def name_in(self, lang: str) -> str:
        """Name in ``lang``: Spanish and Portuguese are derived (agencies.codes.place_name)."""
        return codes.place_name(self.kind, self.code, self.name_en, self.name_fr, lang)


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
        INTERNATIONAL = "international", _("International organisation")
        SYSTEM = "system", _("Beacon system")

    # Blank for an agency that has no ORI (a foreign force, INTERPOL, an NGO): it is then
    # identified by country + name, or by its international identifier.
    ori = models.CharField("ORI", max_length=9, blank=True, validators=[validate_ori])
    name = models.CharField(max_length=200)
    # ISO 3166-1 alpha-2 of the agency's country; ZZ for an international organisation.
    country = models.CharField(max_length=2, blank=True)
    international_id = models.CharField(max_length=60, blank=True)
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
        constraints = [
            models.UniqueConstraint(
                fields=["ori"], condition=~models.Q(ori=""), name="agency_unique_ori"
            ),
            models.UniqueConstraint(
                fields=["country", "name"], condition=models.Q(ori=""), name="agency_unique_no_ori"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """How a bundle refers to it: the ORI, else ``XX:Name``."""
        return self.ori or f"{self.country}:{self.name}"

    @classmethod
    def system(cls) -> Agency:
        """Beacon's own agency, under which the system actor acts."""
        agency, _created = cls.objects.get_or_create(
            ori=SYSTEM_ORI, defaults={"name": "Beacon system", "kind": cls.Kind.SYSTEM}
        )
        return agency
