"""People an operation deals with: one row per person, whatever their roles."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from beacon.access.scoping import ScopedQuerySet
from beacon.agencies.models import Jurisdiction
from beacon.core.actor import Actor
from beacon.operations import codes
from beacon.operations.refs import new_ref

# The rows that give a person a role (related names on Person), each with its own
# visibility: a person is visible through any role the actor may see.
ROLES = (("target", "target_roles"), ("victim", "victim_roles"), ("arrestee", "arrests"))


class PersonQuerySet(ScopedQuerySet["Person"]):
    def visible_to(self, actor: Actor) -> PersonQuerySet:
        if actor.is_system:
            return self
        visible = Q(pk__in=[])
        for related in (*(name for _, name in ROLES), "services"):
            rows: Any = self.model._meta.get_field(related).related_model
            visible |= Q(pk__in=rows._default_manager.visible_to(actor).values("person_id"))
        return self.filter(visible)


class Person(models.Model):
    """One person; their roles (target, victim, arrestee) are the rows that point here."""

    ref = models.CharField(max_length=40, unique=True, default=new_ref)
    last_name = models.CharField(max_length=60, blank=True)
    first_name = models.CharField(max_length=60, blank=True)
    sex = models.CharField(max_length=1, choices=codes.Sex.choices, default=codes.Sex.UNKNOWN)
    dob = models.DateField(null=True, blank=True)
    nationality = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}".strip(", ") or self.ref

    @property
    def roles(self) -> list[str]:
        """The roles this person has, read from the rows that point to them."""
        found = []
        for role, related in ROLES:
            if getattr(self, related).exists():
                found.append(role)
        return found
