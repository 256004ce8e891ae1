"""Corruptors: each plants one kind of error from the record-linkage literature
(Christen's GeCo and FEBRL generators) in a person's fields and says what it did.

A corruptor takes the current field values (a dict, changed in place), the person they
came from, the fields it may touch and a random generator; it returns an ``Error``
naming its kind, the field(s) it changed and the values before and after, or ``None``
when it cannot apply to this person (no nickname known, a day above 12 for a day/month
swap...). An applied corruptor always changes the value it names, and nothing else.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from functools import cache

from bench.peoplegen.names import accented_forms, fold, origins
from bench.peoplegen.people import REFERENCE_DATE, Person
from bench.peoplegen.places import draw_other_place, place_of
from bench.peoplegen.tables import (
    ARABIC_RULES,
    DIACRITIC_ORIGINS,
    DIGIT_CONFUSIONS,
    KEYBOARD_NEIGHBOURS,
    NICKNAMES,
    OCR_CONFUSIONS,
    PHONETIC_RULES,
    PINYIN_RULES,
    ROMANISATION_GROUPS,
)

NAME_FIELDS = ("first_name", "middle_name", "last_name")
FIELDS = ("first_name", "middle_name", "last_name", "sex", "dob", "city", "state", "zip")
Values = dict[str, object]


@dataclass(frozen=True)
class Error:
    """One planted error: its kind, the field(s) changed (``+``-joined), before, after."""

    kind: str
    field: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.field}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _recase(new: str, old: str) -> str:
    """``new`` with the capitalisation of ``old`` (Title, UPPER or lower)."""
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old.islower():
        return new.lower()
    out = []
    start = True
    for c in new.lower():
        out.append(c.upper() if start else c)
        start = not c.isalpha()
    return "".join(out)


_VALID_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")


def _valid(name: str) -> bool:
    return len(name) >= 2 and bool(_VALID_NAME.match(name))


def _name_field(
    values: Values,
    allowed: Collection[str],
    rng: random.Random,
    change: Callable[[str, str], str | None],
    weights: dict[str, float] | None = None,
) -> tuple[str, str, str] | None:
    """Try ``change(value, field)`` on the allowed, non-empty name fields in a random
    order weighted by ``weights`` (surname and given name before middle name); the
    first that gives a different valid name wins."""
    weights = weights or {"first_name": 0.45, "last_name": 0.45, "middle_name": 0.1}
    candidates = [f for f in NAME_FIELDS if f in allowed and values.get(f)]
    order: list[str] = []
    while candidates:
        pick = rng.choices(candidates, weights=[weights.get(f, 0.1) for f in candidates])[0]
        order.append(pick)
        candidates.remove(pick)
    for field in order:
        old = _text(values[field])
        for _ in range(6):
            new = change(old, field)
            if new is not None and new != old and _valid(new):
                values[field] = new
                return field, old, new
    return None


def _letter_positions(word: str, rng: random.Random) -> list[int]:
    """Letter positions in the order a slip is tried: GeCo's habit of sparing the first
    letter most of the time (it is rarely the one mistyped)."""
    positions = [i for i, c in enumerate(word) if c.isalpha()]
    rest = positions[1:]
    rng.shuffle(rest)
    if positions and rng.random() < 0.1:
        return [positions[0], *rest]
    return [*rest, *positions[:1]]


# ----------------------------------------------------------------------------- names


def keyboard_slip(word: str, rng: random.Random) -> str | None:
    """One typing slip: a neighbouring key hit instead (half the time), a neighbouring
    key hit as well, a letter left out, or two letters transposed."""
    for i in _letter_positions(word, rng)[:3]:
        c = word[i]
        near = KEYBOARD_NEIGHBOURS.get(c.lower(), "")
        op = rng.choices(("sub", "ins", "del", "swap"), weights=(0.5, 0.2, 0.15, 0.15))[0]
        if op in ("sub", "ins") and near:
            k = rng.choice(near)
            k = k.upper() if c.isupper() else k
            return (
                word[:i] + k + word[i + 1 :] if op == "sub" else word[: i + 1] + k + word[i + 1 :]
            )
        if op == "del" and len(word) > 2:
            return word[:i] + word[i + 1 :]
        if op == "swap" and i + 1 < len(word) and word[i + 1].isalpha() and word[i + 1] != c:
            return word[:i] + word[i + 1] + c + word[i + 2 :]
    return None


def _apply_rule(word: str, pattern: str, repl: str, rng: random.Random) -> str | None:
    """``word`` with one match of ``pattern`` (a regular expression on the lower-case
    word) replaced by ``repl``, in the word's capitalisation; None if none matches."""
    low = word.lower()
    spots = [m for m in re.finditer(pattern, low)]
    if not spots:
        return None
    m = rng.choice(spots)
    new = low[: m.start()] + repl + low[m.end() :]
    return _recase(new, word) if len(new) >= 2 else None


def phonetic_variant(word: str, rng: random.Random) -> str | None:
    """The word spelt as it sounds another way (ph/f, c/k, y/i, doubled letters...)."""
    rules = list(PHONETIC_RULES)
    rng.shuffle(rules)
    for pattern, repl in rules:
        new = _apply_rule(word, pattern, repl, rng)
        if new and new.lower() != word.lower() and len(new) >= 2:
            return new
    return None


def ocr_variant(word: str, rng: random.Random) -> str | None:
    """The word as a scanner misreads it (rn/m, cl/d, li/h, e/c...)."""
    pairs = list(OCR_CONFUSIONS)
    rng.shuffle(pairs)
    for pattern, repl in pairs:
        spots = [m.start() for m in re.finditer(f"(?={re.escape(pattern)})", word)]
        if spots:
            s = rng.choice(spots)
            return word[:s] + repl + word[s + len(pattern) :]
    return None


@cache
def _groups(origin: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in ROMANISATION_GROUPS.get(origin, ()):
        for name in group:
            table.setdefault(name.lower(), group)
    return table


@cache
def _chinese_syllables() -> frozenset[str]:
    from bench.peoplegen import names

    return frozenset(s.lower() for s in names._CHINESE_SYLLABLES_F + names._CHINESE_SYLLABLES_M)


def romanisation_variant(name: str, origin: str, rng: random.Random) -> str | None:
    """Another romanisation of ``name`` for a person of ``origin``: a known variant
    spelling of that origin (Mohamed / Muhammad, Zhang / Cheung, Nguyễn / Nguyen),
    diacritics dropped or restored (Jose / José), a rule of the origin's romanisation
    habits (Arabic ou / u, pinyin zh / ch), or a two-syllable Chinese given name split."""
    parts = re.split(r"([ \-])", name)
    words = [i for i in range(0, len(parts), 2) if parts[i]]
    rng.shuffle(words)
    for i in words:
        word = parts[i]
        options: list[str] = []
        group = _groups(origin).get(word.lower())
        if group:
            options += [g for g in group if g.lower() != word.lower()]
        if fold(word) != word:
            options.append(fold(word))
        elif origin in DIACRITIC_ORIGINS:
            accented = accented_forms(origin).get(word.lower())
            if accented and accented != word:
                options.append(accented)
        if not options:
            rules = (
                ARABIC_RULES if origin == "arabic" else PINYIN_RULES if origin == "chinese" else ()
            )
            shuffled = list(rules)
            rng.shuffle(shuffled)
            for pattern, repl in shuffled:
                new = _apply_rule(word, pattern, repl, rng)
                if new and new.lower() != word.lower():
                    options.append(new)
                    break
        if origin == "chinese":
            low = word.lower()
            for cut in range(2, len(low) - 1):
                if low[:cut] in _chinese_syllables() and low[cut:] in _chinese_syllables():
                    a, b = word[:cut], word[cut:]
                    options.append(rng.choice((f"{a} {b.title()}", f"{a}-{b.title()}", f"{a}-{b}")))
                    break
        if options:
            parts[i] = (
                _recase(rng.choice(options), word) if not word[0].isupper() else rng.choice(options)
            )
            return "".join(parts)
    return None


@cache
def _nicknames() -> dict[str, tuple[str, ...]]:
    """Name -> other forms: its nicknames, and for a nickname the names it stands for."""
    table: dict[str, list[str]] = {}
    for name, forms in NICKNAMES.items():
        for form in forms:
            table.setdefault(fold(name).lower(), []).append(form)
            table.setdefault(fold(form).lower(), []).append(name)
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


def nickname_of(name: str, rng: random.Random) -> str | None:
    forms = [
        f for f in _nicknames().get(fold(name).lower(), ()) if fold(f).lower() != fold(name).lower()
    ]
    return _recase(rng.choice(forms), name) if forms else None


# ----------------------------------------------------------------------------- kinds


def _simple(
    kind: str, change: Callable[[str, Person, random.Random], str | None]
) -> Callable[..., Error | None]:
    def corrupt(
        values: Values, person: Person, allowed: Collection[str], rng: random.Random
    ) -> Error | None:
        done = _name_field(values, allowed, rng, lambda old, _f: change(old, person, rng))
        return Error(kind, *done) if done else None

    corrupt.__name__ = kind
    return corrupt


keyboard = _simple("keyboard", lambda w, _p, rng: keyboard_slip(w, rng))
phonetic = _simple("phonetic", lambda w, _p, rng: phonetic_variant(w, rng))
ocr = _simple("ocr", lambda w, _p, rng: ocr_variant(w, rng))
transliteration = _simple(
    "transliteration", lambda w, p, rng: romanisation_variant(w, p.origin, rng)
)


def fmt(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """A name in capitals or lower case, or without its punctuation (O'Brien -> OBrien)."""

    def change(old: str, _field: str) -> str | None:
        if re.search(r"['.]", old) and rng.random() < 0.5:
            return re.sub(r"['.]", "", old)
        return old.upper() if rng.random() < 0.7 else old.lower()

    done = _name_field(values, allowed, rng, change)
    return Error("format", *done) if done else None


def nickname(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """The given name as a nickname (William -> Bill, Guadalupe -> Lupe) or the reverse."""
    if "first_name" not in allowed or not values.get("first_name"):
        return None
    old = _text(values["first_name"])
    new = nickname_of(old, rng)
    if new is None or new == old:
        return None
    values["first_name"] = new
    return Error("nickname", "first_name", old, new)


def name_swap(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """Given name and surname written in each other's place."""
    first, last = _text(values.get("first_name")), _text(values.get("last_name"))
    if not {"first_name", "last_name"} <= set(allowed) or not first or not last or first == last:
        return None
    values["first_name"], values["last_name"] = last, first
    return Error("name_swap", "first_name+last_name", f"{first} / {last}", f"{last} / {first}")


def middle_as_first(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """Known by the middle name: it is written as the given name (and the given name as
    the middle name)."""
    first, middle = _text(values.get("first_name")), _text(values.get("middle_name"))
    if (
        not {"first_name", "middle_name"} <= set(allowed)
        or not first
        or not middle
        or first == middle
    ):
        return None
    values["first_name"], values["middle_name"] = middle, first
    return Error(
        "middle_as_first", "first_name+middle_name", f"{first} / {middle}", f"{middle} / {first}"
    )


def compound_surname(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """A two-part surname (Garcia Lopez, Smith-Jones, de la Cruz) written with one part
    only, with the other separator, or run together."""
    old = _text(values.get("last_name"))
    parts = re.split(r"[ \-]", old)
    if "last_name" not in allowed or len(parts) < 2:
        return None
    options = [parts[0], parts[0], parts[-1], "".join(parts[:1] + [p.lower() for p in parts[1:]])]
    options.append(old.replace(" ", "-") if " " in old else old.replace("-", " "))
    for _ in range(5):
        new = rng.choice(options)
        if new != old and _valid(new):
            values["last_name"] = new
            return Error("compound_surname", "last_name", old, new)
    return None


def surname_change(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """A new surname (a parent's remarriage, an adoption, a marriage): another surname
    instead, or joined to the old one with a hyphen or a space."""
    old = _text(values.get("last_name"))
    if "last_name" not in allowed or not old:
        return None
    sampler = origins()[person.origin].last
    for _ in range(10):
        other = sampler.draw(rng)
        if fold(other).lower() not in fold(old).lower():
            break
    else:
        return None
    if fold(old) == old:
        other = fold(other)
    new = rng.choices(
        (other, f"{old}-{other}", f"{other}-{old}", f"{old} {other}"),
        weights=(0.5, 0.25, 0.1, 0.15),
    )[0]
    values["last_name"] = new
    return Error("surname_change", "last_name", old, new)


_MISSING_WEIGHTS = {
    "first_name": 0.25, "last_name": 0.1, "middle_name": 0.15, "dob": 0.25, "sex": 0.1,
    "city": 0.05, "zip": 0.1,
}  # fmt: skip


def missing(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """A field left empty (the sex as U, unknown)."""
    fields = [f for f in _MISSING_WEIGHTS if f in allowed and values.get(f) not in (None, "", "U")]
    if not fields:
        return None
    field = rng.choices(fields, weights=[_MISSING_WEIGHTS[f] for f in fields])[0]
    old = values[field]
    values[field] = None if field == "dob" else "U" if field == "sex" else ""
    return Error("missing", field, _text(old), _text(values[field]))


# ----------------------------------------------------------------------------- dates


def _dob(values: Values, allowed: Collection[str]) -> date | None:
    value = values.get("dob")
    return value if "dob" in allowed and isinstance(value, date) else None


def _set_dob(values: Values, kind: str, old: date, new: date) -> Error | None:
    if new == old or new > REFERENCE_DATE:
        return None
    values["dob"] = new
    return Error(kind, "dob", old.isoformat(), new.isoformat())


def dob_swap(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """Day and month of birth swapped (US / European order)."""
    d = _dob(values, allowed)
    if d is None or d.day > 12 or d.day == d.month:
        return None
    return _set_dob(values, "dob_swap", d, date(d.year, d.day, d.month))


def dob_year(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """Year of birth one off (age miscounted, year written wrong)."""
    d = _dob(values, allowed)
    if d is None:
        return None
    for step in rng.sample((1, -1), 2):
        try:
            new = d.replace(year=d.year + step)
        except ValueError:
            new = date(d.year + step, 2, 28)
        if new <= REFERENCE_DATE:
            return _set_dob(values, "dob_year", d, new)
    return None


def dob_digit(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """One digit of the date of birth misread or mistyped (year's last two digits, month
    or day), still a real date."""
    d = _dob(values, allowed)
    if d is None:
        return None
    text = d.strftime("%Y%m%d")
    positions = [2, 3, 4, 5, 6, 7]
    rng.shuffle(positions)
    for i in positions:
        options = [*list(DIGIT_CONFUSIONS[text[i]]), rng.choice("0123456789")]
        rng.shuffle(options)
        for digit in options:
            candidate = text[:i] + digit + text[i + 1 :]
            try:
                new = date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
            except ValueError:
                continue
            if new != d and new <= REFERENCE_DATE:
                return _set_dob(values, "dob_digit", d, new)
    return None


def dob_default(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """Only part of the date known, the rest defaulted: the 1st of the month, or the 1st
    of January."""
    d = _dob(values, allowed)
    if d is None or (d.month, d.day) == (1, 1):
        return None
    new = date(d.year, 1, 1) if d.day == 1 or rng.random() < 0.3 else date(d.year, d.month, 1)
    return _set_dob(values, "dob_default", d, new)


# ----------------------------------------------------------------------------- address


def moved(
    values: Values, person: Person, allowed: Collection[str], rng: random.Random
) -> Error | None:
    """Living elsewhere: another city (half the time in the same state) and its ZIP;
    the error names the fields that changed (``city+zip`` when the state is the same)."""
    if not {"city", "state", "zip"} <= set(allowed):
        return None
    current = place_of(_text(values.get("city")), _text(values.get("state")))
    if current is None:
        current = place_of(person.city, person.state)
    if current is None:
        return None
    place = draw_other_place(current, rng)
    old = {f: values.get(f) for f in ("city", "state", "zip")}
    before = f"{old['city']}, {old['state']} {old['zip']}"
    values["city"], values["state"], values["zip"] = place.city, place.state, place.draw_zip(rng)
    after = f"{values['city']}, {values['state']} {values['zip']}"
    changed = "+".join(f for f in ("city", "state", "zip") if values[f] != old[f])
    return Error("moved", changed, before, after)


Corruptor = Callable[[Values, Person, Collection[str], random.Random], Error | None]
CORRUPTORS: dict[str, Corruptor] = {
    "keyboard": keyboard,
    "phonetic": phonetic,
    "ocr": ocr,
    "transliteration": transliteration,
    "nickname": nickname,
    "name_swap": name_swap,
    "middle_as_first": middle_as_first,
    "compound_surname": compound_surname,
    "surname_change": surname_change,
    "format": fmt,
    "missing": missing,
    "dob_swap": dob_swap,
    "dob_year": dob_year,
    "dob_digit": dob_digit,
    "dob_default": dob_default,
    "moved": moved,
}
KINDS = tuple(CORRUPTORS)
NAME_KINDS = KINDS[:10]
DOB_KINDS = ("dob_swap", "dob_year", "dob_digit", "dob_default")


def values_of(person: Person) -> Values:
    return {f: getattr(person, f) for f in FIELDS}


def corrupt(
    kind: str,
    values: Values,
    person: Person,
    rng: random.Random,
    allowed: Collection[str] = FIELDS,
) -> Error | None:
    """Plant one error of ``kind`` in ``values`` (changed in place); None if it cannot."""
    return CORRUPTORS[kind](values, person, allowed, rng)
