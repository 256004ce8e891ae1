"""Blocking keys of the search index (table NameKey: record, 64-bit key).

Each key is a hash of a kind and a value. A record gets, for each of its names
(primary and aliases) and dates of birth:

- ``LF.N``  NYSIIS(surname) + NYSIIS(canonical given name)   typos that keep the sound
- ``LF.M``  Metaphone(surname) + NYSIIS(canonical given name) other sound slips
- ``LD``    NYSIIS(surname) + DOB                             unknown nickname, typo in given name
- ``FD``    NYSIIS(canonical given name) + DOB                typo in surname
- ``LY``    Soundex(surname) + Soundex(given) + birth year    typo in both names with a DOB slip

Canonical given names come from the name-variant table (Bill -> William). The query
side (beacon.records.search) builds the same keys from the query, also with first and
last names transposed and with day and month of birth swapped, so one lookup of a few
dozen keys in the (key, record) index finds the candidates: never a table scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import jellyfish

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


def name_keys(last: str, first: str, dobs: Iterable[date]) -> list[Key]:
    """The keys of one name with the given dates of birth."""
    out: list[Key] = []
    surnames = surname_forms(last)
    given = given_form(first)
    firsts = sorted(variants.canonicals(given)) if given else []
    first_codes = sorted({nysiis(f) for f in firsts})
    dob_list = sorted(set(dobs))
    for surname in surnames:
        ln, lm = nysiis(surname), metaphone(surname)
        for fc in first_codes:
            out.append(Key(key_hash("LF.N", ln, fc), "LF.N", "surname and given name sound alike"))
            out.append(Key(key_hash("LF.M", lm, fc), "LF.M", "surname and given name sound alike"))
        for d in dob_list:
            out.append(Key(key_hash("LD", ln, d.isoformat()), "LD", "surname sounds alike, DOB"))
        if given:
            ls, fs = soundex(surname), soundex(given)
            for d in dob_list:
                out.append(Key(key_hash("LY", ls, fs, str(d.year)), "LY", "names, birth year"))
    for fc in first_codes:
        for d in dob_list:
            out.append(Key(key_hash("FD", fc, d.isoformat()), "FD", "given name sounds alike, DOB"))
    return out


def record_key_values(names: Iterable[tuple[str, str]], dobs: Iterable[date]) -> set[int]:
    """Every distinct key of a record: each name with each date of birth."""
    dob_list = list(dobs)
    values: set[int] = set()
    for last, first in names:
        values.update(k.value for k in name_keys(last, first, dob_list))
    return values
