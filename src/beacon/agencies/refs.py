"""How a jurisdiction is typed and read back: ``country:MX``, ``state:NM``, ``county:35013``.

The one parser and formatter of jurisdiction references: agencies, the registry and its
imports use these (bundles read richer place references through beacon.geo.places).
"""

from __future__ import annotations

from beacon.agencies.models import Jurisdiction


def parse_jurisdiction_ref(ref: str) -> tuple[str, str, str] | None:
    """``country:MX`` -> (kind, lookup field, value); None when malformed."""
    kind, sep, code = ref.partition(":")
    kind, code = kind.strip().lower(), code.strip().upper()
    if not sep or not code:
        return None
    if kind == "country":
        return (kind, "code" if len(code) == 2 else "abbreviation", code)
    if kind == "state":
        return (kind, "code" if code.isdigit() else "abbreviation", code)
    if kind == "county" and code.isdigit() and len(code) == 5:
        return (kind, "code", code)
    return None


def jurisdiction_ref(place: Jurisdiction | None) -> str:
    """How a jurisdiction is typed: country:MX, state:NM, county:35013."""
    if place is None:
        return ""
    if place.kind == Jurisdiction.Kind.STATE:
        return f"state:{place.abbreviation}"
    return f"{place.kind}:{place.code}"


def find_jurisdiction(ref: str) -> Jurisdiction | None:
    """The jurisdiction ``ref`` names; None when malformed or unknown."""
    parsed = parse_jurisdiction_ref(ref)
    if parsed is None:
        return None
    kind, lookup, code = parsed
    return Jurisdiction.objects.filter(kind=kind, **{lookup: code}).first()
