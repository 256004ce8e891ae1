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

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from rapidfuzz.distance import JaroWinkler

from beacon.records import variants
from beacon.records.keys import Key, name_keys, year_keys
from beacon.records.models import MissingPersonRecord, NameKey, RecordDob, RecordName
from beacon.records.normalize import fold, given_form, surname_forms
from beacon.records.validation import age_on

LOOSE_KEY_LIMIT = 200  # rows per key without a DOB in it (common names)
SPREAD_LIMIT = 400  # rows over all Soundex + year keys of a search without a DOB
MAX_AGE = 100
MAX_LIMIT = 100
NAME_WEIGHT, DOB_WEIGHT, SEX_WEIGHT = 0.6, 0.3, 0.1
TRANSPOSED_PENALTY = 0.02
LOOSE_KINDS = frozenset({"LF.N", "LF.M"})


@dataclass(frozen=True)
class SearchQuery:
    last_name: str = ""
    first_name: str = ""
    dob: date | None = None
    dob_years: int | None = None  # DOB within +/- N years (None: DOB only scores)
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


@dataclass
class _Probe:
    """Query keys with what each one means."""

    reasons: dict[int, set[str]] = field(default_factory=dict)
    tight: set[int] = field(default_factory=set)
    loose: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)  # Soundex + each plausible birth year

    def add(self, key: Key, *notes: str, spread: bool = False) -> None:
        self.reasons.setdefault(key.value, set()).add(
            key.reason + "".join(f" ({n})" for n in notes if n)
        )
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
        out.append((other, "day and month of birth swapped"))
    return out


def probe(q: SearchQuery) -> _Probe:
    p = _Probe()
    last, first = q.last_name.strip(), q.first_name.strip()
    orientations = [(last, first, "")]
    if first and last:
        orientations.append((first, last, "names transposed"))
    dobs = _query_dobs(q)
    for ln, fn, note in orientations:
        if not ln:
            continue
        for key in name_keys(ln, fn, []):
            p.add(key, note)
        for d, dob_note in dobs:
            for key in name_keys(ln, fn, [d]):
                if key.kind not in LOOSE_KINDS:
                    p.add(key, note, dob_note)
        if q.dob is not None and q.dob_years:
            years = range(q.dob.year - q.dob_years, q.dob.year + q.dob_years + 1)
            for key in year_keys(ln, fn, years):
                p.add(key, note, "birth year within range")
        elif q.dob is None:  # no DOB: Soundex of both names with every plausible year
            for key in year_keys(ln, fn, _plausible_years(q)):
                p.add(key, note, spread=True)
    return p


def _plausible_years(q: SearchQuery) -> range:
    this_year = timezone.localdate().year
    oldest = q.age_max if q.age_max is not None else MAX_AGE
    youngest = q.age_min if q.age_min is not None else 0
    return range(this_year - oldest - 1, this_year - youngest + 1)


def _key_rows(
    keys: Iterable[int], loose: Iterable[int], spread: Iterable[int] = ()
) -> list[tuple[int, int]]:
    """(record_id, key) for the keys: one indexed IN lookup, plus capped loose lookups."""
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
        params.extend([value, LOOSE_KEY_LIMIT])
    wide = sorted(spread)
    if wide:
        marks = ", ".join(["%s"] * len(wide))
        parts.append(
            f"SELECT * FROM (SELECT record_id, key FROM {table} WHERE key IN ({marks}) "
            f"LIMIT %s) AS s{len(parts)}"
        )
        params.extend([*wide, SPREAD_LIMIT])
    if not parts:
        return []
    sql = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(r), int(k)) for r, k in cursor.fetchall()]


def key_lookup_sql(keys: list[int]) -> tuple[str, list[int]]:
    """The candidate lookup for ``keys`` (used by tests to EXPLAIN it)."""
    marks = ", ".join(["%s"] * len(keys))
    return f"SELECT record_id, key FROM {NameKey._meta.db_table} WHERE key IN ({marks})", keys


def _dob_score(q_dob: date | None, dobs: list[date]) -> tuple[float, str]:
    if q_dob is None or not dobs:
        return 0.5, ""
    best, why = 0.0, ""
    swap = swapped(q_dob)
    for d in dobs:
        if d == q_dob:
            return 1.0, "DOB exact"
        if swap is not None and d == swap and best < 0.85:
            best, why = 0.85, "DOB with day and month swapped"
        gap = abs((d - q_dob).days)
        if gap <= 31 and best < 0.6:
            best, why = 0.6, "DOB within a month"
        elif d.year == q_dob.year and best < 0.45:
            best, why = 0.45, "same birth year"
        elif abs(d.year - q_dob.year) <= 1 and best < 0.3:
            best, why = 0.3, "birth year within one year"
    return best, why


def _given_score(q_first: str, r_first: str) -> tuple[float, str]:
    if not q_first or not r_first:
        return 0.5, ""
    raw = JaroWinkler.similarity(q_first, r_first)
    if raw >= 0.999:
        return 1.0, ""
    if variants.canonicals(q_first) & variants.canonicals(r_first):
        return max(raw, 0.95), f"{q_first.title()} is a form of {r_first.title()}"
    return raw, ""


def _surname_score(q_last: str, r_last: str) -> float:
    q_forms, r_forms = surname_forms(q_last), surname_forms(r_last)
    if not q_forms or not r_forms:
        return 0.0
    whole = JaroWinkler.similarity(q_forms[0], r_forms[0])
    parts = max(JaroWinkler.similarity(a, b) for a in q_forms for b in r_forms)
    return max(whole, parts * 0.97)


def _name_score(q: SearchQuery, names: list[tuple[str, str, str]]) -> tuple[float, list[str]]:
    best, why = 0.0, []
    q_last, q_first = q.last_name, given_form(q.first_name)
    orientations = [(q_last, q_first, 0.0, "")]
    if q.first_name and q.last_name:
        orientations.append(
            (q.first_name, given_form(q.last_name), TRANSPOSED_PENALTY, "names transposed")
        )
    for r_last, r_first, kind in names:
        rf = given_form(r_first)
        for ql, qf, penalty, note in orientations:
            last_score = _surname_score(ql, r_last)
            first_score, given_note = _given_score(qf, rf)
            score = 0.55 * last_score + 0.45 * first_score - penalty
            if score > best:
                notes = [n for n in (note, given_note) if n]
                if kind != RecordName.Kind.PRIMARY:
                    notes.append(f"{kind} name {r_first} {r_last}".strip())
                best, why = score, notes
    return best, why


def _filtered(
    records: QuerySet[MissingPersonRecord], q: SearchQuery
) -> QuerySet[MissingPersonRecord]:
    if q.category:
        records = records.filter(category=q.category)
    if q.status:
        records = records.filter(status=q.status)
    return records


def _passes(q: SearchQuery, row: dict[str, Any], dobs: list[date], today: date) -> bool:
    if q.sex and q.sex != "U" and row["sex"] not in (q.sex, "U"):
        return False
    if q.age_min is not None or q.age_max is not None:
        if row["dob"] is None:
            return False
        age = age_on(row["dob"], today)
        if q.age_min is not None and age < q.age_min:
            return False
        if q.age_max is not None and age > q.age_max:
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
    "originating_agency__ori",
)


def _in_rows(sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (with two ``IN ({ids})`` slots) for already-visible record ids."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=marks), ids + ids)
        return list(cursor.fetchall())


def _score(
    visible: QuerySet[MissingPersonRecord],
    q: SearchQuery,
    p: _Probe,
    matched: dict[int, set[int]],
) -> list[Hit]:
    rows = list(_filtered(visible, q).filter(id__in=list(matched)).values(*FIELDS))
    ids = [int(r["id"]) for r in rows]
    names: dict[int, list[tuple[str, str, str]]] = {}
    alias_dobs: dict[int, list[date]] = {}
    for rid, last, first, kind in _in_rows(NAMES_AND_DOBS_SQL, ids):
        if kind == "dob":  # an alias DOB, as ISO text in ``last``
            alias_dobs.setdefault(rid, []).append(date.fromisoformat(last))
        else:
            names.setdefault(rid, []).append((last, first, kind))
    today = timezone.localdate()
    hits: list[Hit] = []
    for row in rows:
        rid = row["id"]
        dobs = ([row["dob"]] if row["dob"] else []) + alias_dobs.get(rid, [])
        if not _passes(q, row, dobs, today):
            continue
        own = names.get(rid) or [(row["last_name"], row["first_name"], RecordName.Kind.PRIMARY)]
        name_score, name_why = _name_score(q, own) if q.last_name else (0.5, [])
        dob_score, dob_why = _dob_score(q.dob, dobs)
        sex_score = 0.5 if not q.sex or "U" in (q.sex, row["sex"]) else float(q.sex == row["sex"])
        score = NAME_WEIGHT * name_score + DOB_WEIGHT * dob_score + SEX_WEIGHT * sex_score
        reasons = sorted({r for key in matched[rid] for r in p.reasons.get(key, ())})
        reasons += name_why + ([dob_why] if dob_why else [])
        hits.append(
            Hit(
                nic=row["nic"],
                score=round(score, 4),
                reasons=reasons,
                last_name=row["last_name"],
                first_name=row["first_name"],
                middle_name=row["middle_name"],
                dob=row["dob"],
                sex=row["sex"],
                category=row["category"],
                status=row["status"],
                originating_ori=row["originating_agency__ori"],
                version=row["version"],
            )
        )
    return hits


# Names and alias DOBs of the candidates in one round trip.
NAMES_AND_DOBS_SQL = (
    f"SELECT record_id, last_name, first_name, kind FROM {RecordName._meta.db_table} "
    "WHERE record_id IN ({ids}) UNION ALL "
    f"SELECT record_id, CAST(dob AS TEXT), '', 'dob' FROM {RecordDob._meta.db_table} "
    "WHERE record_id IN ({ids})"
)
STRONG = 0.85  # a hit this good from the DOB-bearing keys ends the search there


def find(visible: QuerySet[MissingPersonRecord], q: SearchQuery) -> list[Hit]:
    """Ranked hits among ``visible`` records (no audit: see services.search_records).

    Keys that carry the DOB are looked up first; the looser name-only keys (capped per
    key) only when the query has no DOB or the first round found no strong hit.
    """
    limit = max(1, min(q.limit, MAX_LIMIT))
    q = dataclasses.replace(q, last_name=fold(q.last_name), first_name=fold(q.first_name))
    p = probe(q)
    matched: dict[int, set[int]] = {}
    hits: list[Hit] = []
    if q.last_name:
        for record_id, key in _key_rows(p.tight, ()):
            matched.setdefault(record_id, set()).add(key)
        hits = _score(visible, q, p, matched) if matched else []
        if q.dob is None or not hits or max(h.score for h in hits) < STRONG:
            seen = set(matched)
            more: dict[int, set[int]] = {}
            for record_id, key in _key_rows((), p.loose, p.years):
                (matched if record_id in seen else more).setdefault(record_id, set()).add(key)
            if more:
                hits += _score(visible, q, p, more)
    elif q.dob is not None:
        dobs = [d for d, _ in _query_dobs(q)]
        by_dob = visible.filter(dob__in=dobs).values_list("id", flat=True)
        matched = {int(i): set() for i in by_dob[: LOOSE_KEY_LIMIT * 2]}
        hits = _score(visible, q, p, matched) if matched else []
    hits.sort(key=lambda h: (-h.score, h.nic))
    return hits[:limit]


def explain_key_lookup(keys: list[int]) -> list[str]:
    """The database's plan for the candidate lookup (proof it uses the key index)."""
    sql, params = key_lookup_sql(keys)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]
