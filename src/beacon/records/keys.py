"""Blocking keys of the search index (table NameKey: record, 64-bit key).

Each key is a hash of a kind and a value. A record gets, for each of its names
(primary and aliases) and dates of birth:

- ``LF.N``  NYSIIS(surname) + NYSIIS(canonical given name)   typos that keep the sound
- ``LF.M``  Metaphone(surname) + NYSIIS(canonical given name) other sound slips
- ``LD``    NYSIIS(surname) + DOB                             unknown nickname, typo in given name
- ``FD``    NYSIIS(canonical given name) + DOB                typo in surname
- ``LY``    Soundex(surname) + Soundex(given) + birth year    typo in both names with a DOB slip
- ``NMD``   NYSIIS(surname) + NYSIIS(given) + month and day   the birth year wrong
- ``L``     NYSIIS(surname)                                   a search by surname alone
- ``F``     NYSIIS(canonical given name)                      a search by given name alone

(A typo in every name with the DOB right needs no key: the search reads the records born
that day through the DOB index, see beacon.records.search.)

Canonical given names come from the name-variant table (Bill -> William). The query
side (beacon.records.search) builds the same keys from the query, also with first and
last names transposed and with day and month of birth swapped, so one lookup of a few
dozen keys in the (key, record) index finds the candidates: never a table scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jellyfish
from django.utils.translation import gettext_noop

from beacon.records import variants
from beacon.records.normalize import given_form, surname_forms


def key_hash(kind: str, *parts: str) -> int:
    """Signed 64-bit hash (fits a BIGINT on SQLite and PostgreSQL)."""
    digest = hashlib.blake2b("|".join((kind, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True)
class Key:
    value: int
    kind: str
    reason: str


def nysiis(text: str) -> str:
    return jellyfish.nysiis(text) if text else ""


def metaphone(text: str) -> str:
    return jellyfish.metaphone(text) if text else ""


def soundex(text: str) -> str:
    return jellyfish.soundex(text) if text else ""


@lru_cache(maxsize=200_000)
def surname_codes(last: str) -> tuple[tuple[str, str, str], ...]:
    """(NYSIIS, Metaphone, Soundex) of each form of a surname (names repeat: cached)."""
    return tuple((nysiis(f), metaphone(f), soundex(f)) for f in surname_forms(last))


@lru_cache(maxsize=200_000)
def given_codes(first: str) -> tuple[tuple[str, ...], str]:
    """(NYSIIS of each canonical form, Soundex) of a given name."""
    given = given_form(first)
    if not given:
        return (), ""
    return tuple(sorted({nysiis(f) for f in variants.canonicals(given)})), soundex(given)


def forget() -> None:
    """Drop cached codes (after the name-variant table changes: variants.forget calls it)."""
    given_codes.cache_clear()
    _name_plan.cache_clear()


variants.on_forget(forget)


# (kind, reason) of each key kind: English message ids, translated where a search shows
# them (beacon.records.search), in the language of the request
REASONS = {
    "LF.N": gettext_noop("surname and given name sound alike"),
    "LF.M": gettext_noop("surname and given name sound alike"),
    "LD": gettext_noop("surname sounds alike, DOB"),
    "FD": gettext_noop("given name sounds alike, DOB"),
    "LY": gettext_noop("names, birth year"),
    "NMD": gettext_noop("surname and given name sound alike, day and month of birth"),
    "L": gettext_noop("surname sounds alike"),
    "F": gettext_noop("given name sounds alike"),
}
SOUNDEX_YEAR = gettext_noop("names sound alike (Soundex), birth year")


def key_specs(last: str, first: str, dobs: Iterable[date]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(kind, parts) of every key of one name with the given dates of birth."""
    first_codes, given_sx = given_codes(first)
    dob_list = sorted(set(dobs))
    isos = [d.isoformat() for d in dob_list]
    for ln, lm, ls in surname_codes(last):
        yield "L", (ln,)
        for fc in first_codes:
            yield "LF.N", (ln, fc)
            yield "LF.M", (lm, fc)
            for iso in isos:
                yield "NMD", (ln, fc, iso[5:])
        for iso in isos:
            yield "LD", (ln, iso)
        if given_sx:
            for d in dob_list:
                yield "LY", (ls, given_sx, str(d.year))
    for fc in first_codes:
        yield "F", (fc,)
        for iso in isos:
            yield "FD", (fc, iso)


def name_keys(
    last: str, first: str, dobs: Iterable[date], kinds: Container[str] | None = None
) -> list[Key]:
    """The keys of one name with the given dates of birth, with what each means (only
    those of ``kinds`` if given)."""
    return [
        Key(key_hash(kind, *parts), kind, REASONS[kind])
        for kind, parts in key_specs(last, first, dobs)
        if kinds is None or kind in kinds
    ]


def record_key_values(names: Iterable[tuple[str, str]], dobs: Iterable[date]) -> set[int]:
    """Every distinct key of a record: each name with each date of birth.

    The same set as hashing every ``key_specs`` of each name (a test holds them equal),
    built from per-name parts computed once per distinct name: names repeat heavily, so
    an import of a million records hashes only the two or three keys that carry a DOB.
    """
    isos = [(d.isoformat(), d.year) for d in set(dobs)]
    out: set[int] = set()
    for last, first in names:
        fixed, surnames, given, years = _name_plan(last, first)
        out |= fixed
        for iso, year in isos:
            _add_dob_keys(out, surnames, given, years, iso, year)
    return out


def one_name_key_values(last: str, first: str, dob: date | None) -> set[int] | frozenset[int]:
    """``record_key_values([(last, first)], [dob] or [])`` for the import's common record,
    one name and at most one date of birth (a test holds the two equal)."""
    fixed, surnames, given, years = _name_plan(last, first)
    if dob is None:
        return fixed
    out = set(fixed)
    _add_dob_keys(out, surnames, given, years, dob.isoformat(), dob.year)
    return out


def _add_dob_keys(
    out: set[int],
    surnames: tuple[str, ...],
    given: tuple[str, ...],
    years: tuple[tuple[str, str], ...],
    iso: str,
    year: int,
) -> None:
    """The keys that carry a DOB: ``key_hash`` of LD, NMD, LY and FD, inlined (a million
    records make four million of them)."""
    blake, from_bytes = hashlib.blake2b, int.from_bytes
    month_day = iso[5:]
    for ln in surnames:  # key_hash("LD", ln, iso)
        out.add(
            from_bytes(blake(f"LD|{ln}|{iso}".encode(), digest_size=8).digest(), "big", signed=True)
        )
        for fc in given:  # key_hash("NMD", ln, fc, month_day)
            digest = blake(f"NMD|{ln}|{fc}|{month_day}".encode(), digest_size=8).digest()
            out.add(from_bytes(digest, "big", signed=True))
    for ls, given_sx in years:  # key_hash("LY", ls, given_sx, str(year))
        digest = blake(f"LY|{ls}|{given_sx}|{year}".encode(), digest_size=8).digest()
        out.add(from_bytes(digest, "big", signed=True))
    for fc in given:  # key_hash("FD", fc, iso)
        out.add(
            from_bytes(blake(f"FD|{fc}|{iso}".encode(), digest_size=8).digest(), "big", signed=True)
        )


@lru_cache(maxsize=200_000)
def _name_plan(
    last: str, first: str
) -> tuple[frozenset[int], tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """A name's keys without a DOB (L, F, LF.N, LF.M), and the codes its DOB-bearing keys
    use: NYSIIS of each surname form (LD, NMD), of each canonical given name (FD, NMD),
    and (Soundex of each surname form, Soundex of the given name) (LY)."""
    first_codes, given_sx = given_codes(first)
    fixed: set[int] = set()
    surnames: list[str] = []
    years: list[tuple[str, str]] = []
    for fc in first_codes:
        fixed.add(key_hash("F", fc))
    for ln, lm, ls in surname_codes(last):
        fixed.add(key_hash("L", ln))
        for fc in first_codes:
            fixed.add(key_hash("LF.N", ln, fc))
            fixed.add(key_hash("LF.M", lm, fc))
        surnames.append(ln)
        if given_sx:
            years.append((ls, given_sx))
    return frozenset(fixed), tuple(surnames), first_codes, tuple(years)


def dob_keys(last: str, first: str, d: date) -> list[Key]:
    """The ``LD`` and ``FD`` keys of a name with one date of birth (the query's DOB
    variants: the same keys as ``name_keys(last, first, [d], {"LD", "FD"})``)."""
    iso = d.isoformat()
    first_codes, _sx = given_codes(first)
    out = [
        Key(key_hash("LD", ln, iso), "LD", REASONS["LD"]) for ln, _lm, _ls in surname_codes(last)
    ]
    out.extend(Key(key_hash("FD", fc, iso), "FD", REASONS["FD"]) for fc in first_codes)
    return out


def year_keys(last: str, first: str, years: Iterable[int]) -> list[Key]:
    """The ``LY`` keys of a name for each birth year (a search without a DOB)."""
    _codes, given_sx = given_codes(first)
    if not given_sx:
        return []
    return [
        Key(key_hash("LY", ls, given_sx, str(y)), "LY", SOUNDEX_YEAR)
        for _ln, _lm, ls in surname_codes(last)
        for y in years
    ]
