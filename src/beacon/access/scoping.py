"""Querysets that know who is looking: the base of every domain's ``visible_to``.

Each domain says who sees its rows next to its models, as a queryset method::

    class VictimQuerySet(ScopedQuerySet["Victim"]):
        def visible_to(self, actor: Actor) -> VictimQuerySet: ...

    class Victim(FieldEvent):
        objects = VictimQuerySet.as_manager()

and every read of personal data starts there: ``Victim.objects.visible_to(actor)``.
``get_visible`` turns "not there" and "not yours" into the same NotVisible (404).

Field-level rules live in the query too: ``showing(fields)`` loads only the fields an
actor may read, and the rows it yields refuse to load any other (``FieldNotShown``): a
caseworker's victim never carries its notes, whatever the page or export does with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Self, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Prefetch
from django.db.models.expressions import Combinable
from django.db.models.query import ModelIterable

from beacon.core.actor import Actor
from beacon.core.errors import NotVisible

M = TypeVar("M", bound=models.Model)


class FieldNotShown(AttributeError):
    """A field the query that loaded this row did not show to its actor.

    An AttributeError, so a template renders nothing in its place; Python code fails."""


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset with ``visible_to(actor)``; subclasses say the rule."""

    _shown: frozenset[str] | None = None
    _narrowed_relations: frozenset[str] = frozenset()

    def visible_to(self, actor: Actor) -> Self:
        raise NotImplementedError(f"{type(self).__name__} must say who sees its rows")

    def get_visible(self, actor: Actor, **lookup: Any) -> M:
        """The one row ``lookup`` names among those ``actor`` may see, or NotVisible (404)
        whether it is missing or hidden."""
        try:
            return self.visible_to(actor).get(**lookup)
        except ObjectDoesNotExist:
            raise NotVisible() from None

    def showing(self, fields: Iterable[str]) -> Self:
        """Only ``fields`` are loaded, and the rows refuse to load any other later."""
        shown = frozenset(fields) if self._shown is None else self._shown & frozenset(fields)
        # Never empty: only() with no field would load every one.
        shown |= {self.model._meta.pk.name}
        clone = super().only(*shown)
        clone._shown = shown
        clone._iterable_class = _ShownIterable
        return clone

    def showing_related(self, prefetch: Prefetch[Any]) -> Self:
        """Load the relation ``prefetch`` names through its (narrowed) queryset, and
        refuse to join it any other way (select_related, values across it)."""
        clone = self.prefetch_related(prefetch)
        clone._narrowed_relations = self._narrowed_relations | {prefetch.prefetch_through}
        return clone

    def select_related(self, *fields: Any) -> Self:
        narrowed = {str(f).split("__")[0] for f in fields if f is not None}
        narrowed &= self._narrowed_relations
        if narrowed:
            raise FieldNotShown(
                f"read only through the actor's view: {', '.join(sorted(narrowed))}"
            )
        return super().select_related(*fields)

    @property
    def shown_fields(self) -> frozenset[str] | None:
        """The fields this queryset shows, or None for every field."""
        return self._shown

    # A narrowed queryset stays narrowed: only(), values() and values_list() cannot reach
    # past the fields it shows, and it computes nothing (annotate, alias, aggregate,
    # extra) that could read a hidden one.
    def only(self, *fields: str) -> Self:
        if self._shown is None:
            return super().only(*fields)
        return self.showing(fields)

    def values(
        self, *fields: str | Combinable, **expressions: Any
    ) -> models.QuerySet[M, dict[str, Any]]:
        self._check_shown(fields, computes=bool(expressions))
        if self._shown is not None and not fields:
            fields = tuple(sorted(self._shown))
        return super().values(*fields, **expressions)

    def values_list(
        self, *fields: str | Combinable, flat: bool = False, named: bool = False
    ) -> models.QuerySet[M, Any]:
        self._check_shown(fields)
        if self._shown is not None and not fields:
            fields = tuple(sorted(self._shown))
        return super().values_list(*fields, flat=flat, named=named)

    def annotate(self, *args: Any, **kwargs: Any) -> Self:
        self._check_shown((), computes=True)
        return super().annotate(*args, **kwargs)

    def alias(self, *args: Any, **kwargs: Any) -> Self:
        self._check_shown((), computes=True)
        return super().alias(*args, **kwargs)

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_shown((), computes=True)
        return super().aggregate(*args, **kwargs)

    def extra(self, *args: Any, **kwargs: Any) -> Self:
        self._check_shown((), computes=True)
        return cast(Self, super().extra(*args, **kwargs))

    def _check_shown(self, given: Iterable[str | Combinable], *, computes: bool = False) -> None:
        asked = tuple(given)
        fields = [f for f in asked if isinstance(f, str)]
        if len(fields) < len(asked):
            computes = True  # an expression among the fields
        across = sorted(f for f in fields if f.split("__")[0] in self._narrowed_relations)
        if across:
            raise FieldNotShown(f"read only through the actor's view: {', '.join(across)}")
        if self._shown is None:
            return
        hidden = sorted(
            f for f in fields if f.split("__")[0].removesuffix("_id") not in self._shown | {"pk"}
        )
        if hidden:
            raise FieldNotShown(f"not shown to this actor: {', '.join(hidden)}")
        if computes:
            raise FieldNotShown("a query narrowed to the fields an actor may read computes nothing")

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._shown = self._shown
        clone._narrowed_relations = self._narrowed_relations
        return clone  # type: ignore[no-any-return]


class _ShownIterable(ModelIterable[M]):  # type: ignore[type-var]
    def __iter__(self) -> Iterator[M]:
        shown = getattr(self.queryset, "_shown", None)
        for row in super().__iter__():
            row._shown_fields = shown  # type: ignore[attr-defined]
            yield row


class ShownFields:
    """Mixed into a model whose rows may be loaded with ``showing()``: such a row never
    fetches a field it was not shown (Django would otherwise load it on first use)."""

    _shown_fields: frozenset[str] | None = None

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        if self._shown_fields is not None:
            fields = kwargs.get("fields") or (args[1] if len(args) > 1 else None) or ()
            raise FieldNotShown(f"not shown to this actor: {', '.join(fields) or 'the row'}")
        super().refresh_from_db(*args, **kwargs)  # type: ignore[misc]


class VisibleThrough(models.Manager[M]):
    """The manager of rows that belong to another (a record's names, an operation's
    targets): visible exactly when the row they belong to, ``through``, is visible."""

    def __init__(self, through: str = "") -> None:
        super().__init__()  # Django's related managers subclass this one, with no argument
        self.through = through

    def visible_to(self, actor: Actor) -> models.QuerySet[M]:
        default: Any = self.model._default_manager
        through = self.through or default.through
        owner: Any = self.model._meta.get_field(through).related_model
        visible = owner._default_manager.visible_to(actor)
        return self.get_queryset().filter(**{f"{through}__in": visible})
