"""Person search (NCIC-style inquiry, better): key lookups, then a fuzzy rerank.

1. Candidates: the query's blocking keys (beacon.records.keys), built for the names
   as given and transposed, and for the DOB as given and with day and month swapped,
   are looked up in the (key, record) index of NameKey. Keys that carry no DOB are
   capped per key, so a common name cannot flood the rerank. Never a table scan.
2. Rerank: Jaro-Winkler on surname and given name (a nickname of the same canonical
   name counts as a near match), DOB agreement (exact, swapped, near) and sex.
3. Filters (sex, age range, category, status, DOB +/- N years) apply to candidates,
   which come from the actor's visible records only (beacon.access.policy).
"""

from __future__ import annotations

import calendar
import dataclasses
import heapq
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from rapidfuzz.distance import JaroWinkler

from beacon.agencies.models import Agency
from beacon.core.errors import ValidationFailed
from beacon.records import variants
from beacon.records.keys import (
    REASONS,
    Key,
    dob_keys,
    given_codes,
    key_hash,
    metaphone,
    name_keys,
    nysiis,
    surname_codes,
    year_keys,
)
from beacon.records.models import MissingPersonRecord, NameKey, RecordDob, RecordName
from beacon.records.normalize import fold, given_form, surname_forms
from beacon.records.validation import age_on

LOOSE_KEY_LIMIT = 200  # rows per key without a DOB in it (common names)
# The same keys in the second round of a search with a DOB (the names right, the DOB
# beyond every slip the other keys cover): a common name's namesakes are many, and
# which 50 of them are read is the index's order, so more would cost time, not recall.
LOOSE_WITH_DOB_LIMIT = 50
SPREAD_LIMIT = 400  # rows over all Soundex + year keys of a search without a DOB
MAX_AGE = 100
MAX_LIMIT = 100
NAME_WEIGHT, DOB_WEIGHT, SEX_WEIGHT = 0.6, 0.3, 0.1
TRANSPOSED_PENALTY = 0.02
TRANSPOSED = gettext_noop("names transposed")
SLIP = gettext_noop("one digit of the DOB differs")
# The given name weighs a little more than the surname in the name score: a child's
# surname changes (a stepfather's, the mother's, one part of a double surname dropped)
# more often than the given name does, so with the DOB right, "given name right, another
# surname" outranks "surname right, another given name".
SURNAME_SHARE = 0.45
LOOSE_KINDS = frozenset({"LF.N", "LF.M"})
SINGLE_KINDS = frozenset({"L", "F"})  # one name alone: capped like the loose keys
DOB_KINDS = frozenset({"LD", "FD", "LY", "NMD"})
# A DOB in another year and month altogether counts against: no one slip of the pen makes
# it, and a namesake born years away must not outrank the child whose given name and
# DOB are nearly right under a changed surname (two errors, each of a common kind).
FAR_DOB = -0.2
DOB_ROUND_LIMIT = 3000
# DOB scores of a record born in the month (year) of a query's DOB on the 1st (of January):
# above a slip of one digit (0.75), below the year off by one (0.8) for the 1st of January
DEFAULT_DAY, DEFAULT_DATE = (
    0.82,
    0.78,
)  # records born on the query's DOB (or its swap) read in one round


@dataclass(frozen=True)
class SearchQuery:
    last_name: str = ""
    first_name: str = ""
    dob: date | None = None
    dob_years: int | None = None  # DOB within +/- N years (None: DOB only scores)
    birth_year: int | None = None  # a partial DOB: the year, or the year and month
    birth_month: int | None = None
    sex: str = ""  # M | F | U; empty for any
    age_min: int | None = None
    age_max: int | None = None
    category: str = ""
    status: str = ""
    limit: int = 10


@dataclass
class Hit:
    nic: str
    score: float
    reasons: list[str]
    last_name: str
    first_name: str
    middle_name: str
    dob: date | None
    sex: str
    category: str
    status: str
    originating_ori: str
    version: int


@lru_cache(maxsize=1024)
def _suffix(notes: tuple[str, ...]) -> str:
    return "".join(f" ({n})" for n in notes if n)


_CATALOGUE: dict[tuple[str, str], str] = {}


def translator() -> Callable[[str], str]:
    """gettext in the active language, each message translated once per process: a search
    says the same few dozen reasons for each of its keys and candidates, and Django's
    gettext (a thread-local lookup per call) took a sixth of a search's time."""
    lang = get_language() or ""

    def tr(msgid: str) -> str:
        text = _CATALOGUE.get((lang, msgid))
        if text is None:
            text = _CATALOGUE[(lang, msgid)] = _(msgid)
        return text

    return tr


# Why a key was looked up: the English message ids of its reason and of its notes,
# translated only for the keys of the hits shown (a search looks up dozens of keys, and
# a second round hundreds, of which a few explain the first ten hits).
Why = tuple[str, tuple[str, ...]]


@dataclass
class _Probe:
    """Query keys with what each one means."""

    why: dict[int, set[Why]] = field(default_factory=dict)
    tight: set[int] = field(default_factory=set)
    loose: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)  # Soundex + each plausible birth year

    single: set[int] = field(default_factory=set)  # surname alone, given name alone
    tr: Callable[[str], str] = field(default_factory=translator)

    def add_reason(self, key: Key, *notes: str) -> None:
        """Why ``key`` was looked up (the reason and the notes are English message ids)."""
        self.why.setdefault(key.value, set()).add((key.reason, notes))

    def texts(self, key: int) -> set[str]:
        """Why ``key`` was looked up, in the active language."""
        tr = self.tr
        return {
            tr(reason) + _suffix(tuple(tr(n) for n in notes if n))
            for reason, notes in self.why.get(key, ())
        }

    def add(self, key: Key, *notes: str, spread: bool = False) -> None:
        self.add_reason(key, *notes)
        bucket = self.years if spread else self.loose if key.kind in LOOSE_KINDS else self.tight
        bucket.add(key.value)


def swapped(d: date | None) -> date | None:
    if d is None or d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def _query_dobs(q: SearchQuery) -> list[tuple[date, str]]:
    if q.dob is None:
        return []
    out = [(q.dob, "")]
    other = swapped(q.dob)
    if other:
        out.append((other, gettext_noop("day and month of birth swapped")))
    return out


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dob_variants(d: date) -> list[tuple[date, str]]:
    """The dates a hurried hand makes of ``d`` (besides the day/month swap): the year off
    by one, the two digits of the day or of the month exchanged, the day off by one, the
    last two digits of the year exchanged."""
    this_year = timezone.localdate().year
    y2 = f"{d.year % 100:02d}"
    options = [
        (_valid(d.year - 1, d.month, d.day), gettext_noop("birth year off by one")),
        (_valid(d.year + 1, d.month, d.day), gettext_noop("birth year off by one")),
        (
            _valid(d.year, d.month, int(f"{d.day:02d}"[::-1])),
            gettext_noop("digits of the day exchanged"),
        ),
        (
            _valid(d.year, int(f"{d.month:02d}"[::-1]), d.day),
            gettext_noop("digits of the month exchanged"),
        ),
        (_valid(d.year, d.month, d.day - 1), gettext_noop("day of birth off by one")),
        (_valid(d.year, d.month, d.day + 1), gettext_noop("day of birth off by one")),
        (
            _valid(d.year - d.year % 100 + int(y2[::-1]), d.month, d.day),
            gettext_noop("digits of the year exchanged"),
        ),
    ]
    seen = {d, swapped(d)}
    out: list[tuple[date, str]] = []
    for v, why in options:
        if v is not None and v not in seen and v.year <= this_year:
            seen.add(v)
            out.append((v, why))
    return out


def dob_slips(d: date) -> list[date]:
    """Every date one misread digit away from ``d`` (the year's last two digits, the
    month's, the day's), and, when ``d`` is the 1st of a month (a default written for an
    unknown day), every day of that month: the second round's DOB variants."""
    return list(_dob_slips(d, timezone.localdate().year))


@lru_cache(maxsize=4096)
def _dob_slips(d: date, this_year: int) -> tuple[date, ...]:
    text = d.strftime("%Y%m%d")
    out: set[date] = set()
    for i in (2, 3, 4, 5, 6, 7):
        for digit in "0123456789":
            if digit == text[i]:
                continue
            t = text[:i] + digit + text[i + 1 :]
            v = _valid(int(t[:4]), int(t[4:6]), int(t[6:]))
            if v is not None and 1900 <= v.year <= this_year:
                out.add(v)
    if d.day == 1:
        last = calendar.monthrange(d.year, d.month)[1]
        out.update(date(d.year, d.month, day) for day in range(2, last + 1))
    out.discard(d)
    return tuple(sorted(out))


def slip_keys(q: SearchQuery, p: _Probe) -> set[int]:
    """The ``LD`` and ``FD`` keys of the query's names with every DOB one misread digit
    away (``dob_slips``), and the Soundex keys of the neighbouring birth years, their
    reasons added to ``p``: built only for a second round."""
    if q.dob is None:
        return set()
    out: set[int] = set()
    slips = dob_slips(q.dob)
    around = [q.dob.year - 1, q.dob.year + 1]
    isos = [d.isoformat() for d in slips]
    for ln, fn, note in _orientations(q):
        if not ln:
            continue
        # dob_keys(ln, fn, d) for each slip, with the codes and reasons made once: a
        # slip round has a hundred or more of them
        parts = [("LD", code) for code, _m, _s in surname_codes(ln)]
        parts += [("FD", code) for code in given_codes(fn)[0]]
        for kind, code in parts:
            why = (REASONS[kind], (note, SLIP))
            for iso in isos:
                value = key_hash(kind, code, iso)
                out.add(value)
                p.why.setdefault(value, set()).add(why)
        for key in year_keys(ln, fn, around):
            out.add(key.value)
            p.add_reason(key, note, gettext_noop("birth year off by one"))
    return out


def _days(q: SearchQuery) -> list[date]:
    """Every day of a partial DOB (a year, or a year and month)."""
    assert q.birth_year is not None
    months = [q.birth_month] if q.birth_month else list(range(1, 13))
    return [
        date(q.birth_year, m, day)
        for m in months
        for day in range(1, calendar.monthrange(q.birth_year, m)[1] + 1)
    ]


def _orientations(q: SearchQuery) -> list[tuple[str, str, str]]:
    last, first = q.last_name.strip(), q.first_name.strip()
    out = [(last, first, "")]
    if first and last:
        out.append((first, last, TRANSPOSED))
    return out


def probe(q: SearchQuery) -> _Probe:
    p = _Probe()
    last, first = q.last_name.strip(), q.first_name.strip()
    dobs = _query_dobs(q)
    for ln, fn, note in _orientations(q):
        if not ln:
            continue
        for key in name_keys(ln, fn, []):
            if key.kind in LOOSE_KINDS:
                p.add(key, note)
            elif key.kind in SINGLE_KINDS:
                p.single.add(key.value)
                p.add_reason(key, note)
        for d, dob_note in dobs:
            for key in name_keys(ln, fn, [d], DOB_KINDS):
                p.add(key, note, dob_note)
        if q.dob is not None:
            for d, dob_note in dob_variants(q.dob):
                for key in dob_keys(ln, fn, d):
                    p.add(key, note, dob_note)
        if q.dob is not None and q.dob_years:
            years = range(q.dob.year - q.dob_years, q.dob.year + q.dob_years + 1)
            for key in year_keys(ln, fn, years):
                p.add(key, note, gettext_noop("birth year within range"))
        elif q.dob is None and q.birth_year is not None:
            for key in year_keys(ln, fn, [q.birth_year]):
                p.add(key, note, gettext_noop("birth year"))
        elif q.dob is None:  # no DOB: Soundex of both names with every plausible year
            for key in year_keys(ln, fn, _plausible_years(q)):
                p.add(key, note, spread=True)
    if not last and first:  # a given name alone
        for key in name_keys("", first, []):
            if key.kind == "F":
                p.single.add(key.value)
                p.add_reason(key)
    if q.dob is None and q.birth_year is not None and not (last and first):
        # one name and a year (or year and month): the name with each day of it (the
        # name-alone key is capped, and a common name's 200 rows may miss the year)
        for d in _days(q):
            for key in dob_keys(last, first, d):
                p.add(key, gettext_noop("born in the year or month given"))
    return p


def _plausible_years(q: SearchQuery) -> range:
    this_year = timezone.localdate().year
    oldest = q.age_max if q.age_max is not None else MAX_AGE
    youngest = q.age_min if q.age_min is not None else 0
    return range(this_year - oldest - 1, this_year - youngest + 1)


def _key_rows_sql(
    keys: Iterable[int],
    loose: Iterable[int],
    spread: Iterable[int] = (),
    loose_limit: int = LOOSE_KEY_LIMIT,
) -> tuple[str, list[Any]]:
    """(record_id, key) rows for the keys: one indexed IN lookup, plus capped loose lookups."""
    table = NameKey._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    tight = sorted(keys)
    if tight:
        marks = ", ".join(["%s"] * len(tight))
        parts.append(f"SELECT record_id, key FROM {table} WHERE key IN ({marks})")
        params.extend(tight)
    for value in sorted(loose):
        parts.append(
            f"SELECT * FROM (SELECT record_id, key FROM {table} WHERE key = %s LIMIT %s) AS l{len(parts)}"
        )
        params.extend([value, loose_limit])
    wide = sorted(spread)
    if wide:
        marks = ", ".join(["%s"] * len(wide))
        parts.append(
            f"SELECT * FROM (SELECT record_id, key FROM {table} WHERE key IN ({marks}) "
            f"LIMIT %s) AS s{len(parts)}"
        )
        params.extend([*wide, SPREAD_LIMIT])
    return " UNION ALL ".join(parts), params


def _key_rows(
    keys: Iterable[int],
    loose: Iterable[int],
    spread: Iterable[int] = (),
    loose_limit: int = LOOSE_KEY_LIMIT,
) -> list[tuple[int, int]]:
    """(record_id, key) for the keys, whoever may see the records (tests use it)."""
    sql, params = _key_rows_sql(keys, loose, spread, loose_limit)
    if not sql:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(r), int(k)) for r, k in cursor.fetchall()]


def key_lookup_sql(keys: list[int]) -> tuple[str, list[int]]:
    """The candidate lookup for ``keys`` (used by tests to EXPLAIN it)."""
    marks = ", ".join(["%s"] * len(keys))
    return f"SELECT record_id, key FROM {NameKey._meta.db_table} WHERE key IN ({marks})", keys


def _one_dob_score(q_dob: date, d: date) -> tuple[float, str]:
    """How well one of the record's DOBs agrees with the query's (1 exact, 0 unrelated),
    and why (an English message id: the caller translates it)."""
    if d == q_dob:
        return 1.0, gettext_noop("DOB exact")
    if d == swapped(q_dob):
        return 0.85, gettext_noop("DOB with day and month swapped")
    a, b = q_dob.strftime("%Y%m%d"), d.strftime("%Y%m%d")
    differ = [i for i in range(8) if a[i] != b[i]]
    exchanged = (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and (a[differ[0]], a[differ[1]]) == (b[differ[1]], b[differ[0]])
    )
    if abs(d.year - q_dob.year) == 1 and (d.month, d.day) == (q_dob.month, q_dob.day):
        return 0.8, gettext_noop("DOB with the birth year off by one")
    # A DOB on the 1st (of a month, of January) is often a default written for a day (a
    # month) not known: any day of that month (year) agrees with it better than a slip
    # of one digit does (a slip makes one date of some forty, a default any date).
    if q_dob.day == 1 and (d.year, d.month) == (q_dob.year, q_dob.month):
        return DEFAULT_DAY, gettext_noop(
            "DOB in the month given (the 1st, often written for an unknown day)"
        )
    if (q_dob.month, q_dob.day) == (1, 1) and d.year == q_dob.year:
        return DEFAULT_DATE, gettext_noop(
            "DOB in the year given (1 January, often written for an unknown date)"
        )
    if (d.year, d.month) == (q_dob.year, q_dob.month) and abs(d.day - q_dob.day) == 1:
        return 0.8, gettext_noop("DOB with the day off by one")
    if len(differ) == 1:
        return 0.75, gettext_noop("one digit of the DOB differs")
    if exchanged:
        return 0.75, gettext_noop("two digits of the DOB exchanged")
    # Beyond a slip: a DOB this far off is rarely the same person (one error of writing
    # gives a swap, a year off by one, one digit, a default day), so it counts against,
    # nearly as much as a DOB years away: a namesake born in the same month or year must
    # not outrank the child whose surname changed and whose DOB is a slip away (two
    # errors, each common; a common name has dozens of namesakes born in any one year).
    same = (d.year == q_dob.year) + (d.month == q_dob.month) + (d.day == q_dob.day)
    if same == 2:  # one of year, month and day differs, by more than a slip
        return FAR_DOB + 0.03, gettext_noop("DOB with one of year, month and day different")
    gap = abs((d - q_dob).days)
    if gap <= 31:
        return FAR_DOB + 0.02, gettext_noop("DOB within a month")
    if d.year == q_dob.year:
        return FAR_DOB + 0.01, gettext_noop("same birth year")
    return FAR_DOB, ""


def _dob_score(q_dob: date | None, dobs: list[date]) -> tuple[float, str]:
    if q_dob is None or not dobs:
        return 0.5, ""
    # the best of the record's DOBs; a DOB beyond any slip counts against (FAR_DOB is
    # below 0: before, the best started at 0 and a far DOB counted as none)
    best, why = FAR_DOB, ""
    for d in dobs:
        score, reason = _one_dob_score(q_dob, d)
        if score > best:
            best, why = score, reason
    return best, why


def _partial_dob_score(q: SearchQuery, dobs: list[date]) -> tuple[float, str]:
    """A query's partial DOB (year, or year and month) is a filter: a record passes with a
    DOB in it, and the year (and month) then agree."""
    if q.birth_month is not None:
        return 1.0, gettext_noop("born in that month")
    return 1.0, gettext_noop("born in that year")


def closeness(a: str, b: str) -> float:
    """How alike two folded names are, as evidence that they are one name written twice:
    1 the same; Jaro-Winkler for a slip (a typo, a letter doubled or dropped); falling to
    0 below the similarity that unrelated names reach (Herrera / Hernandez 0.79,
    Laurent / Williams 0.6): an unrelated name is no evidence at all, whatever its
    letters share by chance."""
    if a == b:
        return 1.0
    raw = JaroWinkler.similarity(a, b)
    if raw < CLOSE and _sounds_alike(a, b):  # Ly / Li, Cheung / Chung: spelt as it sounds
        return CLOSE
    if raw >= CLOSE:
        return raw
    if raw <= FAR:
        return 0.0
    return CLOSE * (raw - FAR) / (CLOSE - FAR)


CLOSE, FAR = 0.88, 0.78  # Jaro-Winkler: a slip at or above CLOSE, unrelated at or below FAR


@lru_cache(maxsize=100_000)
def sound(name: str) -> tuple[str, str]:
    """The NYSIIS and Metaphone codes of a folded name (the codes its keys are built on)."""
    return nysiis(name), metaphone(name)


def _sounds_alike(a: str, b: str) -> bool:
    (a_nysiis, a_metaphone), (b_nysiis, b_metaphone) = sound(a), sound(b)
    return a_nysiis == b_nysiis or a_metaphone == b_metaphone


def _given_score(q_first: str, r_first: str) -> tuple[float, str]:
    if not q_first or not r_first:
        return 0.5, ""
    raw = closeness(q_first, r_first)
    if raw >= 0.999:
        return 1.0, ""
    if variants.canonicals(q_first) & variants.canonicals(r_first):
        return max(raw, 0.95), _("%(given)s is a form of %(other)s") % {
            "given": q_first.title(),
            "other": r_first.title(),
        }
    return raw, ""


def _surname_score(q_last: str, r_last: str) -> float:
    q_forms, r_forms = surname_forms(q_last), surname_forms(r_last)
    if not q_forms or not r_forms:
        return 0.0
    whole = closeness(q_forms[0], r_forms[0])
    parts = max(closeness(a, b) for a in q_forms for b in r_forms)
    return max(whole, parts * 0.97)


def _name_score(
    q: SearchQuery,
    names: Iterable[tuple[str, str, str]],
    surname_score: Callable[[str, str], float] = _surname_score,
    given_score: Callable[[str, str], tuple[float, str]] = _given_score,
) -> tuple[float, list[str]]:
    best, why = 0.0, []
    q_last, q_first = q.last_name, given_form(q.first_name)
    orientations = [(q_last, q_first, 0.0, "")]
    if q.first_name and q.last_name:
        orientations.append(
            (q.first_name, given_form(q.last_name), TRANSPOSED_PENALTY, _(TRANSPOSED))
        )
    for r_last, r_first, kind in names:
        rf = given_form(r_first)
        for ql, qf, penalty, note in orientations:
            last_score = surname_score(ql, r_last)
            first_score, given_note = given_score(qf, rf)
            score = SURNAME_SHARE * last_score + (1 - SURNAME_SHARE) * first_score - penalty
            if score > best:
                notes = [n for n in (note, given_note) if n]
                if kind != RecordName.Kind.PRIMARY:
                    name = f"{r_first} {r_last}".strip()
                    notes.append(
                        _("nickname %(name)s") % {"name": name}
                        if kind == RecordName.Kind.NICKNAME
                        else _("alias name %(name)s") % {"name": name}
                    )
                best, why = score, notes
    return best, why


Names = tuple[tuple[str, str, str], ...]
_T = TypeVar("_T")


def _remembered(score: Callable[[str, str], _T]) -> Callable[[str, str], _T]:
    """``score`` computed once per pair of names (for one query's candidates)."""
    seen: dict[tuple[str, str], _T] = {}

    def remembered(a: str, b: str) -> _T:
        pair = (a, b)
        if pair not in seen:
            seen[pair] = score(a, b)
        return seen[pair]

    return remembered


class _NameScores:
    """One query's name scores: each distinct set of names scored once, and within them
    each distinct (query name, candidate name) pair. The candidates of a common name
    share their names and surnames (a hundred "Garcia ..." born in 2013 who sound like
    the query), and a score depends only on the names and the query."""

    def __init__(self, q: SearchQuery) -> None:
        self.q = q
        self.surname = _remembered(_surname_score)
        self.given = _remembered(_given_score)
        self.by_names: dict[Names, tuple[float, list[str]]] = {}

    def __call__(self, names: Names) -> tuple[float, list[str]]:
        if names not in self.by_names:
            self.by_names[names] = _name_score(self.q, names, self.surname, self.given)
        return self.by_names[names]


def _filtered(
    records: QuerySet[MissingPersonRecord], q: SearchQuery
) -> QuerySet[MissingPersonRecord]:
    if q.category:
        records = records.filter(category=q.category)
    if q.status:
        records = records.filter(status=q.status)
    if q.sex and q.sex != "U":  # also a filter (_passes): applied in the statement, the
        # other sex's records never leave the database (half the candidates of a round)
        records = records.filter(sex__in=[q.sex, "U"])
    return records


def _passes(q: SearchQuery, sex: str, dob: date | None, dobs: list[date], today: date) -> bool:
    if q.sex and q.sex != "U" and sex not in (q.sex, "U"):
        return False
    if q.age_min is not None or q.age_max is not None:
        if dob is None:
            return False
        age = age_on(dob, today)
        if q.age_min is not None and age < q.age_min:
            return False
        if q.age_max is not None and age > q.age_max:
            return False
    if q.birth_year is not None and not any(
        d.year == q.birth_year and q.birth_month in (None, d.month) for d in dobs
    ):
        return False
    if q.dob is not None and q.dob_years is not None:
        span = q.dob_years
        targets = [q.dob] + ([swapped(q.dob)] if swapped(q.dob) else [])
        if not any(abs(d.year - t.year) <= span for d in dobs for t in targets if t):
            return False
    return True


FIELDS = (
    "id",
    "nic",
    "last_name",
    "first_name",
    "middle_name",
    "dob",
    "sex",
    "category",
    "status",
    "version",
    "originating_agency_id",
)
# Positions in a candidate row: the FIELDS, the agency's ORI, then one of the record's
# matched keys, one of
# its names and one of its alias DOBs.
_ID, _NIC, _LAST, _FIRST, _MIDDLE, _DOB, _SEX, _CAT, _STATUS, _VERSION, _AGENCY = range(11)
_ORI, _KEY, _N_ID, _N_LAST, _N_FIRST, _N_KIND, _D_ID, _D_DOB = range(11, 19)


@dataclass
class _Scored:
    """A candidate with its score; shown (a Hit) only if it makes the first ``limit``."""

    row: tuple[Any, ...]
    score: float
    why: list[str]

    @property
    def rank(self) -> tuple[float, str]:
        return -self.score, self.row[_NIC]

    def hit(self, reasons: list[str]) -> Hit:
        row = self.row
        return Hit(
            nic=row[_NIC],
            score=self.score,
            reasons=reasons + self.why,
            last_name=row[_LAST],
            first_name=row[_FIRST],
            middle_name=row[_MIDDLE],
            dob=row[_DOB],
            sex=row[_SEX],
            category=row[_CAT],
            status=row[_STATUS],
            originating_ori=row[_ORI],
            version=row[_VERSION],
        )


def _as_date(value: date | str) -> date:
    """A DATE column read by a raw cursor (SQLite gives its ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


NO_KEY = "CAST(NULL AS BIGINT)"  # a candidate row not found by a key (typed for a UNION)
KEYS_CTE = "search_keys"  # the statement's key rows, named for the candidates' filter


class _AmongKeyRows(Func):
    """The record is one of the key rows' records (a filter on ``visible``)."""

    output_field = BooleanField()

    def __init__(self) -> None:
        super().__init__(F("id"))

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} IN (SELECT record_id FROM {KEYS_CTE})", tuple(params)


class _Candidates:
    """The statement that reads the visible candidates of a round's key rows, each with
    each of its keys, names and alias DOBs.

    The key rows (a round's SQL) are a CTE; ``visible`` (with the query's filters and
    "its id is among the key rows'") is compiled by the ORM, once per search (a hub
    coordinator's visibility is three levels of sub-queries: compiling it took longer
    than running a round), and is the subquery the keys, names and DOBs are joined to,
    so a hidden record's row, keys, names and DOBs never leave the database. A record
    comes back once per (key, name, alias DOB); LEFT JOINs: also without name rows or
    alias DOBs. The agency's ORI is a scalar sub-query, not a join: one join fewer
    halved PostgreSQL's planning of the statement (1.0 -> 0.5 ms).
    """

    def __init__(self, visible: QuerySet[MissingPersonRecord], q: SearchQuery) -> None:
        self.db = visible.db
        self._records = (
            _filtered(visible, q).filter(_AmongKeyRows()).order_by().values_list(*FIELDS)
        )
        self._compiled: tuple[str, tuple[Any, ...]] | None = None

    def rows(self, keys_sql: str, keys_params: list[Any]) -> list[tuple[Any, ...]]:
        if self._compiled is None:
            self._compiled = self._records.query.get_compiler(using=self.db).as_sql()
        sql, params = self._compiled
        statement = (
            f"WITH {KEYS_CTE} (record_id, key) AS ({keys_sql}) "
            f"SELECT v.*, (SELECT a.ori FROM {Agency._meta.db_table} a "
            f"WHERE a.id = v.originating_agency_id), "
            f"k.key, n.id, n.last_name, n.first_name, n.kind, d.id, d.dob "
            f"FROM ({sql}) v JOIN {KEYS_CTE} k ON k.record_id = v.id "
            f"LEFT JOIN {RecordName._meta.db_table} n ON n.record_id = v.id "
            f"LEFT JOIN {RecordDob._meta.db_table} d ON d.record_id = v.id"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(statement, [*keys_params, *params])
            return list(cursor.fetchall())


def _score(
    candidates: _Candidates,
    q: SearchQuery,
    key_rows: tuple[str, list[Any]],
    name_scores: _NameScores,
    skip: Container[int] = (),
    tr: Callable[[str], str] = _,
) -> tuple[list[_Scored], dict[int, set[int]]]:
    """Score the visible candidates of the key rows (those passing the query's filters);
    also every visible candidate's matched keys (records in ``skip`` left out)."""
    rows: dict[int, tuple[Any, ...]] = {}
    keys: dict[int, set[int]] = {}
    names: dict[int, dict[int, tuple[str, str, str]]] = {}
    alias_dobs: dict[int, dict[int, date]] = {}
    for r in candidates.rows(*key_rows):
        rid = r[_ID]
        if rid in skip:
            continue
        if rid not in rows:  # the display row, its DOB as a date
            dob = None if r[_DOB] is None else _as_date(r[_DOB])
            rows[rid] = (*r[:_DOB], dob, *r[_DOB + 1 : _KEY])
            keys[rid] = set()
        if r[_KEY] is not None:
            keys[rid].add(int(r[_KEY]))
        if r[_N_ID] is not None:
            names.setdefault(rid, {})[r[_N_ID]] = (r[_N_LAST], r[_N_FIRST], r[_N_KIND])
        if r[_D_ID] is not None:
            alias_dobs.setdefault(rid, {})[r[_D_ID]] = _as_date(r[_D_DOB])
    today = timezone.localdate()
    scored: list[_Scored] = []
    for rid, row in rows.items():
        r_dob, r_sex = row[_DOB], row[_SEX]
        aliases = alias_dobs.get(rid, {})
        dobs = ([r_dob] if r_dob else []) + [aliases[i] for i in sorted(aliases)]
        if not _passes(q, r_sex, r_dob, dobs, today):
            continue
        own: Names = (
            tuple(names[rid][i] for i in sorted(names[rid]))  # in the order they were given
            if rid in names
            else ((row[_LAST], row[_FIRST], RecordName.Kind.PRIMARY),)
        )
        name_score, name_why = name_scores(own) if q.last_name or q.first_name else (0.5, [])
        if q.dob is None and q.birth_year is not None:
            dob_score, dob_why = _partial_dob_score(q, dobs)
        else:
            dob_score, dob_why = _dob_score(q.dob, dobs)
        sex_score = 0.5 if not q.sex or "U" in (q.sex, r_sex) else float(q.sex == r_sex)
        score = NAME_WEIGHT * name_score + DOB_WEIGHT * dob_score + SEX_WEIGHT * sex_score
        scored.append(_Scored(row, round(score, 4), name_why + ([tr(dob_why)] if dob_why else [])))
    return scored, keys


STRONG = 0.85  # a hit this good from the DOB-bearing keys ends the search there
# Without a DOB in the query: a hit whose names agree this well ends it.
STRONG_NAMES = NAME_WEIGHT * 0.93 + DOB_WEIGHT * 0.5


class Hits(list[Hit]):
    """The ranked hits, and what was searched (said when nothing is found)."""

    searched: list[str]
    suggestions: list[str]


def _dob_rows_sql(dobs: list[date]) -> tuple[str, list[Any]]:
    """(record_id, NULL) of the records born on one of ``dobs`` (their DOB or an alias
    DOB), through the DOB indexes: the candidates that survive an error in every name.
    Capped (a placeholder DOB such as 1 January can gather thousands); the statement that
    reads them keeps only the visible ones."""
    marks = ", ".join(["%s"] * len(dobs))
    own = MissingPersonRecord._meta.db_table
    alias = RecordDob._meta.db_table
    return (
        f"SELECT * FROM (SELECT id, {NO_KEY} FROM {own} WHERE dob IN ({marks}) LIMIT %s) "
        f"AS dd0 UNION ALL SELECT * FROM (SELECT record_id, {NO_KEY} FROM {alias} "
        f"WHERE dob IN ({marks}) LIMIT %s) AS dd1",
        [*dobs, DOB_ROUND_LIMIT, *dobs, LOOSE_KEY_LIMIT],
    )


def _browse_rows_sql(
    visible: QuerySet[MissingPersonRecord], q: SearchQuery, limit: int
) -> tuple[str, list[Any]]:
    """(record_id, NULL) of the first ``limit`` visible records that pass the query's
    filters, in DOB order (a search by year, month, age range, sex, category or status
    alone: no names to rank by)."""
    records = _filtered(visible, q)
    low, high = _dob_bounds(q)
    if low is not None:
        records = records.filter(dob__gte=low)
    if high is not None:
        records = records.filter(dob__lte=high)
    ids = records.order_by("dob", "id").values_list("id")[:limit]
    sql, params = ids.query.get_compiler(using=visible.db).as_sql()
    return f"SELECT b.id, {NO_KEY} FROM ({sql}) b", list(params)


def _dob_bounds(q: SearchQuery) -> tuple[date | None, date | None]:
    """The DOB range a partial DOB or an age range allows (None: open)."""
    low: date | None = None
    high: date | None = None
    if q.birth_year is not None:
        first_month, last_month = (q.birth_month, q.birth_month) if q.birth_month else (1, 12)
        low = date(q.birth_year, first_month, 1)
        high = date(q.birth_year, last_month, calendar.monthrange(q.birth_year, last_month)[1])
    today = timezone.localdate()
    if q.age_max is not None:  # born after this day: younger than age_max + 1
        after = date.fromordinal(_years_before(today, q.age_max + 1).toordinal() + 1)
        low = max(low, after) if low else after
    if q.age_min is not None:  # born on or before this day: at least age_min
        before = _years_before(today, q.age_min)
        high = min(high, before) if high else before
    return low, high


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _best_possible(q: SearchQuery, name_scores: _NameScores) -> float:
    """The score of a record that agrees with every field the query gives: 1 when it gives
    both names, the DOB and the sex; less for a field left out (it scores as unknown).
    A search with a DOB and without a given name (or a surname) ends after its first
    round on a hit this good: the person sought, surname and DOB exact, scored 0.835,
    under STRONG, and always read a second round that could add only hits scoring less
    (a record that agrees as well shares the first round's surname + DOB key)."""
    own = ((q.last_name, q.first_name, RecordName.Kind.PRIMARY),)
    name = name_scores(own)[0]
    dob = 1.0 if q.dob is not None else 0.5
    sex = 1.0 if q.sex and q.sex != "U" else 0.5
    return round(NAME_WEIGHT * name + DOB_WEIGHT * dob + SEX_WEIGHT * sex, 4)


def _best(scored: list[_Scored]) -> float:
    return max((s.score for s in scored), default=0.0)


def find(visible: QuerySet[MissingPersonRecord], q: SearchQuery) -> Hits:
    """Ranked hits among ``visible`` records (no audit: see services.search_records).

    Rounds, each one statement (the key lookup or DOB read, the visible candidates, their
    names and DOBs), the next only while no strong hit is found:

    1. names and DOB: the keys that carry the DOB, its swap and its usual slips (year off
       by one, digits exchanged, day off by one), and the names with the day and month
       (the year wrong); names without a DOB: the name keys (capped per key) and the
       Soundex keys of the plausible birth years; a DOB alone: the records born that day;
       no name and no DOB: the records that pass the filters.
    2. names and DOB: the name keys without the DOB (capped per key), the records born
       that day or on its swap (an error in every name), and Soundex keys of the
       neighbouring birth years; names alone: each name alone (capped per key).

    Every candidate is scored; only the first ``limit`` become hits.
    """
    limit = max(1, min(q.limit, MAX_LIMIT))
    q = dataclasses.replace(q, last_name=fold(q.last_name), first_name=fold(q.first_name))
    p = probe(q)
    name_scores = _NameScores(q)
    named = bool(q.last_name or q.first_name)
    query_dobs = [d for d, _ in _query_dobs(q)]
    rounds: list[Callable[[], tuple[str, list[Any]]]] = []
    if named and q.dob is not None:
        rounds.append(lambda: _key_rows_sql(p.tight, ()))
        rounds.append(
            lambda: _union(
                _key_rows_sql(slip_keys(q, p), p.loose, loose_limit=LOOSE_WITH_DOB_LIMIT),
                _dob_rows_sql(query_dobs),
            )
        )
        strong = min(STRONG, _best_possible(q, name_scores))
    elif named:
        alone = p.single if not (q.last_name and q.first_name) else set()
        rounds.append(lambda: _key_rows_sql(p.tight, p.loose | alone, p.years))
        if q.last_name and q.first_name:
            rounds.append(lambda: _key_rows_sql((), p.single))
        strong = STRONG_NAMES
    elif q.dob is not None:
        rounds.append(lambda: _dob_rows_sql(query_dobs))
        strong = 0.0
    else:
        rounds.append(lambda: _browse_rows_sql(visible, q, limit))
        strong = 0.0
    scored: list[_Scored] = []
    matched: dict[int, set[int]] = {}
    candidates = _Candidates(visible, q)
    for i, key_rows in enumerate(rounds):
        if i and scored and _best(scored) >= strong:
            break
        sql, params = key_rows()
        if not sql:
            continue
        more, more_keys = _score(candidates, q, (sql, params), name_scores, matched, p.tr)
        scored += more
        matched.update(more_keys)
    top = heapq.nsmallest(limit, scored, key=lambda s: s.rank)
    hits = Hits(
        s.hit(sorted({r for key in matched[s.row[_ID]] for r in p.texts(key)})) for s in top
    )
    hits.searched = described(q)
    hits.suggestions = [] if hits else suggestions(q)
    return hits


def _union(*parts: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    sqls = [sql for sql, _ in parts if sql]
    return " UNION ALL ".join(sqls), [x for sql, params in parts if sql for x in params]


_PARTIAL_DOB = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_dob(text: str) -> tuple[date | None, int | None, int | None]:
    """(DOB, birth year, birth month) of "YYYY-MM-DD", "YYYY-MM", "YYYY" or ""."""
    text = text.strip()
    if not text:
        return None, None, None
    found = _PARTIAL_DOB.match(text)
    year, month, day = (int(g) if g else None for g in found.groups()) if found else (0, 0, 0)
    if not found or year is None or (month is not None and not 1 <= month <= 12):
        raise ValidationFailed.on("dob", "give YYYY-MM-DD, YYYY-MM or YYYY")
    if day is None:
        return None, year, month
    assert month is not None
    try:
        return date(year, month, day), None, None
    except ValueError:
        raise ValidationFailed.on("dob", f"{text} is not a date") from None


def searched_for(q: SearchQuery) -> bool:
    """Whether the query gives anything to search by (a field or a filter)."""
    return bool(
        q.last_name.strip()
        or q.first_name.strip()
        or q.dob is not None
        or q.birth_year is not None
        or q.age_min is not None
        or q.age_max is not None
        or q.sex
        or q.category
        or q.status
    )


def described(q: SearchQuery) -> list[str]:
    """What a search looked for, in words (shown with its hits, and when there are none),
    in the active language."""
    out: list[str] = []
    if q.last_name:
        out.append(
            _(
                "surname %(name)s: as spelled, spellings that sound alike (NYSIIS, "
                "Metaphone, Soundex) and each part of a compound surname"
            )
            % {"name": q.last_name}
        )
    if q.first_name:
        forms = sorted(variants.canonicals(given_form(q.first_name)) - {given_form(q.first_name)})
        if forms:
            out.append(
                _(
                    "given name %(name)s: as spelled and spellings that sound alike, "
                    "and as a form of %(forms)s"
                )
                % {"name": q.first_name, "forms": ", ".join(forms)}
            )
        else:
            out.append(
                _("given name %(name)s: as spelled and spellings that sound alike")
                % {"name": q.first_name}
            )
    if q.last_name and q.first_name:
        out.append(_("the two names also exchanged"))
    if q.dob is not None:
        what = {"dob": q.dob.isoformat(), "years": q.dob_years}
        out.append(
            (
                _(
                    "date of birth %(dob)s (and within %(years)s years): exact, day and "
                    "month swapped, the year off by one, digits exchanged, the day off by "
                    "one; also any record born that day whatever its names"
                )
                if q.dob_years
                else _(
                    "date of birth %(dob)s: exact, day and month swapped, the year off by "
                    "one, digits exchanged, the day off by one; also any record born that "
                    "day whatever its names"
                )
            )
            % what
        )
    elif q.birth_year is not None:
        month = f"-{q.birth_month:02d}" if q.birth_month else ""
        out.append(_("born in %(when)s") % {"when": f"{q.birth_year}{month}"})
    if q.age_min is not None or q.age_max is not None:
        out.append(
            _("age %(low)s to %(high)s")
            % {
                "low": q.age_min if q.age_min is not None else 0,
                "high": q.age_max if q.age_max is not None else MAX_AGE,
            }
        )
    for label, value in (
        (_("sex %(value)s"), q.sex),
        (_("category %(value)s"), q.category),
        (_("status %(value)s"), q.status),
    ):
        if value:
            out.append(label % {"value": value})
    out.append(_("among the records you may see"))
    return out


def suggestions(q: SearchQuery) -> list[str]:
    """What to try when nothing matched, in the active language."""
    out: list[str] = []
    if q.dob is not None and not q.dob_years:
        out.append(
            _("Widen the date of birth: give only the year, or a range in years (dob_years).")
        )
    if q.dob is not None and (q.last_name or q.first_name):
        out.append(_("Search by the names alone, without the date of birth."))
    if q.last_name and q.first_name:
        out.append(_("Search by one name alone, or by the date of birth alone."))
    if q.sex or q.category or q.status or q.age_min is not None or q.age_max is not None:
        out.append(_("Remove a filter (sex, age range, category, status)."))
    if q.last_name or q.first_name:
        out.append(
            _(
                "Try another spelling or romanisation, a former or other surname, "
                "or one part of a double surname."
            )
        )
    out.append(
        _(
            "The record may belong to an agency whose records you may not see: "
            "ask its agency or your coordinator."
        )
    )
    return out


def explain_key_lookup(keys: list[int]) -> list[str]:
    """The database's plan for the candidate lookup (proof it uses the key index)."""
    sql, params = key_lookup_sql(keys)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]
