"""Places at any level, written ``kind:code`` (docs/bundle.md, "Places"), and containment.

Countries, US states and counties are loaded by the agencies app's migration; ISO 3166-2
subdivisions, cities, judicial districts, FBI field offices and groups are created on
first use (from pycountry, geo.areas or the bundle's ``places`` rows). Reports roll up
only through ``Containment``: a place's parent and the areas it is a member of.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import pycountry

from beacon.agencies.models import Jurisdiction
from beacon.geo import areas

KINDS = (
    "country",
    "state",
    "subdivision",
    "county",
    "city",
    "district",
    "field_office",
    "group",
    "area",
)
NAMED = ("district", "field_office", "group", "area")
# Kinds that lie in the United States by definition.
US_KINDS = ("state", "county", "district", "field_office")
FORMS = (
    "use country:XX, subdivision:XX-YYY, state:XX, county:NNNNN, city:XX-YYY:Name, "
    "district:XX-W, field_office:NAME, group:NAME or area:NAME"
)
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,59}$")


@cache
def _french_subdivisions() -> gettext.NullTranslations:
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)


@cache
def _subdivisions() -> dict[str, str]:
    """ISO 3166-2 code -> name, from pycountry."""
    return {str(s.code): str(s.name) for s in pycountry.subdivisions}


def _us_states() -> set[str]:
    import us

    return {s.abbr for s in [*us.states.STATES_AND_TERRITORIES, us.states.DC]}


def normalise(text: str) -> tuple[str, str] | str:
    """(kind, code) of a place reference, or why it is not one."""
    kind, sep, code = text.strip().partition(":")
    kind = kind.lower()
    if not sep or kind not in KINDS or not code.strip():
        return FORMS
    code = code.strip()
    if kind == "city":
        where, sep2, name = code.partition(":")
        name = " ".join(name.split())
        if not sep2 or not name:
            return "a city is city:XX-YYY:Name (its subdivision or country, then its name)"
        inner = _where(where.strip().upper())
        if isinstance(inner, str):
            return inner
        return "city", f"{inner[1] if inner[0] != 'state' else 'US-' + inner[1]}:{name}"
    code = code.upper()
    if kind == "county":
        return ("county", code) if re.fullmatch(r"\d{5}", code) else "a county is county:NNNNN"
    if kind in ("country", "state", "subdivision"):
        return _where(code, kind)
    if not _CODE.match(code):
        return f"{kind}:{code} is not a code (letters, digits and -)"
    return kind, code


def _where(code: str, kind: str = "") -> tuple[str, str] | str:
    """A country (alpha-2), US state (``state:``) or ISO 3166-2 subdivision code."""
    if kind == "state":
        return ("state", code) if code in _us_states() else f"unknown US state {code}"
    if "-" not in code:
        if kind == "subdivision":
            return f"{code} is not an ISO 3166-2 code (XX-YYY)"
        if pycountry.countries.get(alpha_2=code) is None:
            return f"unknown country {code}"
        return "country", code
    if kind == "country":
        return f"unknown country {code}"
    if code.startswith("US-") and code[3:] in _us_states():
        return "state", code[3:]
    if code not in _subdivisions():
        return f"unknown ISO 3166-2 subdivision {code}"
    return "subdivision", code


def ref_of(place: Jurisdiction | None) -> str:
    if place is None:
        return ""
    if place.kind == Jurisdiction.Kind.STATE:
        return f"state:{place.abbreviation}"
    return f"{place.kind}:{place.code}"


_found: ContextVar[dict[tuple[str, str], Jurisdiction] | None] = ContextVar(
    "beacon_places_found", default=None
)


@contextmanager
def remembered() -> Iterator[None]:
    """Within: ``find`` reads each place once (a field entry's check and its writing
    looked its place up twice). Only places found are kept; one not found yet is read
    again (``ensure`` may create it meanwhile)."""
    token = _found.set({})
    try:
        yield
    finally:
        _found.reset(token)


def find(kind: str, code: str) -> Jurisdiction | None:
    memo = _found.get()
    if memo is not None and (kind, code) in memo:
        return memo[(kind, code)]
    if kind == "state":
        found = Jurisdiction.objects.filter(kind="state", abbreviation=code).first()
    else:
        found = Jurisdiction.objects.filter(kind=kind, code=code).first()
    if memo is not None and found is not None:
        memo[(kind, code)] = found
    return found


def known(kind: str, code: str) -> bool:
    """Whether Beacon has the place or can create it without the bundle naming it."""
    if kind in ("subdivision", "city"):
        return True  # checked by normalise (pycountry)
    if kind in ("district", "field_office", "group"):
        return areas.builtin(kind, code) is not None or find(kind, code) is not None
    return find(kind, code) is not None


def ensure(
    kind: str,
    code: str,
    *,
    name_en: str = "",
    name_fr: str = "",
    within: Jurisdiction | None = None,
) -> Jurisdiction:
    """The place, created on first use from what Beacon knows (or the names given)."""
    found = find(kind, code)
    if found is not None:
        return found
    if kind == "subdivision":
        country = ensure("country", code.split("-")[0])
        name = _subdivisions().get(code, code)
        return Jurisdiction.objects.create(
            kind=kind,
            code=code,
            name_en=name,
            name_fr=_french_subdivisions().gettext(name),
            parent=country,
        )
    if kind == "city":
        where, _sep, name = code.partition(":")
        inner = _where(where)
        assert not isinstance(inner, str)
        parent = ensure(*inner)
        return Jurisdiction.objects.create(
            kind=kind, code=code, name_en=name, name_fr=name, parent=within or parent
        )
    area = areas.builtin(kind, code)
    if area is not None:
        place = Jurisdiction.objects.create(
            kind=kind,
            code=code,
            name_en=name_en or area.name_en,
            name_fr=name_fr or area.name_fr,
            parent=within or _parent_of(area.within),
        )
        add_members(place, area.members)
        return place
    if kind in ("country", "state", "county"):
        raise Jurisdiction.DoesNotExist(f"{kind}:{code}")
    return Jurisdiction.objects.create(
        kind=kind,
        code=code,
        name_en=name_en or code,
        name_fr=name_fr or name_en or code,
        parent=within,
    )


def _parent_of(ref: str) -> Jurisdiction | None:
    if not ref:
        return None
    parsed = normalise(ref)
    return None if isinstance(parsed, str) else ensure(*parsed)


def add_members(place: Jurisdiction, refs: Iterable[str]) -> None:
    for ref in refs:
        parsed = normalise(ref)
        if not isinstance(parsed, str):
            place.members.add(ensure(*parsed))


def resolve(text: str) -> Jurisdiction | None:
    """The place a reference names, created on first use where Beacon knows it."""
    parsed = normalise(text)
    if isinstance(parsed, str):
        return None
    found = find(*parsed)  # nearly always there: one read, not known()'s and ensure()'s
    if found is not None:
        return found
    if not known(*parsed) and parsed[0] not in ("subdivision", "city"):
        return None
    try:
        return ensure(*parsed)
    except Jurisdiction.DoesNotExist:
        return None


class Containment:
    """Which places contain which, from parents and memberships, loaded for a set of
    places in a few queries (one pair per level of nesting)."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.kind: dict[int, str] = {}
        self.code: dict[int, str] = {}
        self.up: dict[int, set[int]] = {}
        self._ids = {i for i in ids if i is not None}
        self._loaded = False
        self._within: dict[int, set[int]] = {}
        self._members_known: dict[int, bool] = {}
        self.us: int | None = None

    def _load(self) -> None:
        """Loaded on the first question (a report without place figures asks none): the
        places, their parents and grandparents and the United States in one statement,
        the areas they are members of in another; again only for areas found there."""
        from django.db.models import Q

        self._loaded = True
        todo = set(self._ids) - set(self.kind)
        through = Jurisdiction.members.through
        first = True
        while todo:
            here = Jurisdiction.objects.filter(pk__in=todo)
            wanted = (
                Q(pk__in=todo)
                | Q(pk__in=here.values("parent_id"))
                | Q(pk__in=here.values("parent__parent_id"))
            )
            if first:
                wanted |= Q(kind="country", code="US")
            rows = list(
                Jurisdiction.objects.filter(wanted).values_list("pk", "kind", "code", "parent_id")
            )
            if first:
                self.us = next((pk for pk, k, c, _p in rows if k == "country" and c == "US"), None)
                first = False
            for pk, kind, code, parent in rows:
                self.kind[pk], self.code[pk] = kind, code
                ups = self.up.setdefault(pk, set())
                if parent:
                    ups.add(parent)
                if kind in US_KINDS and self.us is not None:
                    ups.add(self.us)
            loaded = {pk for pk, *_rest in rows}
            for group, member in through.objects.filter(to_jurisdiction_id__in=loaded).values_list(
                "from_jurisdiction_id", "to_jurisdiction_id"
            ):
                self.up.setdefault(member, set()).add(group)
            todo = {u for ups in self.up.values() for u in ups if u not in self.kind}

    def within(self, place: int | None) -> set[int]:
        """Every place that contains ``place``, itself included."""
        if place is None:
            return set()
        if place in self._within:
            return self._within[place]
        if not self._loaded:
            self._load()
        if place not in self.kind and place not in self.up:
            self._ids.add(place)
            self._load()
        seen = {place}
        stack = [place]
        while stack:
            for up in self.up.get(stack.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        self._within[place] = seen
        return seen

    def territory_known(self, place: int) -> bool:
        """Whether Beacon knows what lies in ``place``: a country, subdivision, state,
        county or city by definition; a named area only through its members."""
        if not self._loaded:
            self._load()
        if place not in self.kind:
            self._ids.add(place)
            self._load()
        if self.kind.get(place) not in NAMED:
            return True
        if place not in self._members_known:
            through = Jurisdiction.members.through
            self._members_known[place] = (
                through.objects.filter(from_jurisdiction_id=place).exists()
                or Jurisdiction.objects.filter(parent_id=place).exists()
            )
        return self._members_known[place]

    def contains(self, outer: int, inner: int | None) -> bool:
        if inner is not None and outer == inner:
            return True
        return outer in self.within(inner)

    def country(self, place: int) -> str | None:
        for p in self.within(place):
            if self.kind.get(p) == "country":
                return self.code[p]
        return None
