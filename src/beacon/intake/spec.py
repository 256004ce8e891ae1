"""The person-linkage model's shape: Splink comparisons and blocking rules.

Written once with Splink's level creators so the same model compiles to DuckDB SQL and
to Spark SQL. Columns are the normalised ones built by ``beacon.intake.normalise``.
Each level carries a plain-words label; ``beacon.intake.explain`` shows it to reviewers.
Identifiers (NIC, NCMEC number, OCA) are near-certain evidence: their probabilities are
fixed here, never re-estimated.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.blocking_rule_library import CustomRule
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

SPEC_VERSION = 3  # 2: swaps weighed once, street level, name-similarity blocking;
# 3: a first name written as the other's middle name weighed once (by the first name)
UNIQUE_ID = "unique_id"

# Columns every linkage input table carries (see normalise.LINK_COLUMNS).
RETAINED = ["source"]


def _level(sql: str, label: str) -> ComparisonLevelCreator:
    return cll.CustomLevel(sql, label_for_charts=label)


def _null(column: str, label: str) -> ComparisonLevelCreator:
    return cll.NullLevel(column).configure(label_for_charts=label)


def _else(label: str) -> ComparisonLevelCreator:
    return cll.ElseLevel().configure(label_for_charts=label)


def _jw(column: str, threshold: float, label: str) -> ComparisonLevelCreator:
    return cll.JaroWinklerLevel(column, threshold).configure(label_for_charts=label)


def _neutral(level: ComparisonLevelCreator) -> ComparisonLevelCreator:
    """A level that is no evidence either way (its fact is weighed by another comparison)."""
    # m = u: a Bayes factor of one; both tiny, so that the comparison's learnt m and u
    # still make (almost exactly) a distribution
    return level.configure(
        m_probability=1e-9, u_probability=1e-9, fix_m_probability=True, fix_u_probability=True
    )


def _crosswise(name: str, other: str) -> str:
    """SQL: one record's ``name`` is spelt like (or is the nickname of the same name as)
    the other's ``other`` (Jaro-Winkler 0.8: a typo in a short name stays in)."""
    canon = {"first_name": "first_canon", "last_name": "last_canon"}
    return (
        f"({name} = {other} OR {canon[name[:-2]]}{name[-2:]} = {canon[other[:-2]]}{other[-2:]}"
        f" OR jaro_winkler_similarity({name}, {other}) >= 0.8)"
    )


# Given and family names written the other way round, both crosswise: "KIM KELLEY" and
# "REBECCA KIM" share one name in different places, which is not a swap (one fact, not
# two). One name the same crosswise and the other similar; or both similar.
SWAPPED_ONE_EXACT = (
    f"(first_name_l = last_name_r AND {_crosswise('last_name_l', 'first_name_r')})"
    f" OR (last_name_l = first_name_r AND {_crosswise('first_name_l', 'last_name_r')})"
)
SWAPPED_BOTH_SIMILAR = (
    f"{_crosswise('first_name_l', 'last_name_r')} AND {_crosswise('last_name_l', 'first_name_r')}"
)

# One name the same crosswise, the other not alike (a swap with a nickname or a new
# name, or two people sharing a name in different places): its own, weaker level.
HALF_SWAPPED = "first_name_l = last_name_r OR last_name_l = first_name_r"


def first_name() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="first name",
        comparison_levels=[
            _null("first_name", "missing on one side"),
            cll.ExactMatchLevel("first_name").configure(
                label_for_charts="same", tf_adjustment_column="first_name"
            ),
            _level("first_canon_l = first_canon_r", "a nickname of the same name"),
            # known by the middle name: both names written the other way round is one
            # fact, weighed here once (the middle name's level for it is neutral)
            _level(
                "first_name_l = middle_name_r AND middle_name_l = first_name_r",
                "first and middle names written the other way round",
            ).configure(m_probability=0.02),
            _level(
                "first_name_l = middle_name_r OR middle_name_l = first_name_r",
                "first name is the other's middle name",
            ),
            # weighed here once (the last name's levels for the same swap are neutral);
            # starting m values say a swap is a usual error, so that EM does not
            # converge on swaps being impossible
            _level(SWAPPED_ONE_EXACT, "swapped with the last name").configure(m_probability=0.03),
            _level(SWAPPED_BOTH_SIMILAR, "swapped with the last name, spelt differently").configure(
                m_probability=0.01
            ),
            _level(HALF_SWAPPED, "one name written in the other's place").configure(
                m_probability=0.01
            ),
            _jw("first_name", 0.92, "spelt almost the same"),
            _jw("first_name", 0.80, "spelt similarly"),
            _else("different"),
        ],
    )


def last_name() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="last_name",
        comparison_description="last name",
        comparison_levels=[
            _null("last_name", "missing on one side"),
            cll.ExactMatchLevel("last_name").configure(
                label_for_charts="same", tf_adjustment_column="last_name"
            ),
            # the swap is weighed once, by the first name's levels (which read both
            # names); here it only keeps the names from counting as different
            _neutral(_level(SWAPPED_ONE_EXACT, "swapped with the first name (weighed there)")),
            _neutral(
                _level(
                    SWAPPED_BOTH_SIMILAR,
                    "swapped with the first name, spelt differently (weighed there)",
                )
            ),
            _neutral(_level(HALF_SWAPPED, "one name in the other's place (weighed there)")),
            _jw("last_name", 0.92, "spelt almost the same"),
            _jw("last_name", 0.80, "spelt similarly"),
            _else("different (perhaps a new surname)"),
        ],
    )


def _digit(x: str, k: int) -> str:
    return f"(floor({x} / {10**k}) % 10)" if k else f"({x} % 10)"


def one_edit_apart(a: str, b: str, width: int) -> str:
    """SQL: the different integers ``a`` and ``b``, written with ``width`` digits, are one
    digit substitution or one swap of adjacent digits apart (Damerau-Levenshtein 1)."""
    same = [f"{_digit(a, k)} = {_digit(b, k)}" for k in range(width)]
    agreeing = " + ".join(f"(CASE WHEN {e} THEN 1 ELSE 0 END)" for e in same)
    options = [f"({agreeing}) = {width - 1}"]
    for k in range(width - 1):
        others = [same[j] for j in range(width) if j not in (k, k + 1)]
        swapped = [f"{_digit(a, k)} = {_digit(b, k + 1)}", f"{_digit(a, k + 1)} = {_digit(b, k)}"]
        options.append("(" + " AND ".join([*others, *swapped]) + ")")
    return "(" + " OR ".join(options) + ")"


# Damerau-Levenshtein distance 1 between two different YYYY-MM-DD dates, from their parts:
# one edit changes one part only (the dashes stay put), so two parts are equal and the
# third is one edit away. The same levels as damerau_levenshtein(dob_l, dob_r) <= 1 at a
# fraction of the cost (half of all scoring time at a million records went there).
ONE_DIGIT_DIFFERENT = " OR ".join(
    [
        f"(dob_y_l = dob_y_r AND dob_m_l = dob_m_r AND {one_edit_apart('dob_d_l', 'dob_d_r', 2)})",
        f"(dob_y_l = dob_y_r AND dob_d_l = dob_d_r AND {one_edit_apart('dob_m_l', 'dob_m_r', 2)})",
        f"(dob_m_l = dob_m_r AND dob_d_l = dob_d_r AND {one_edit_apart('dob_y_l', 'dob_y_r', 4)})",
    ]
)


def date_of_birth() -> ComparisonCreator:
    """Starting m values say what a matching pair usually looks like (mostly the same
    date), so that EM converges on people rather than on common-name coincidences."""

    def start(level: ComparisonLevelCreator, m: float) -> ComparisonLevelCreator:
        return level.configure(m_probability=m)

    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth",
        comparison_levels=[
            _null("dob", "missing on one side"),
            start(cll.ExactMatchLevel("dob").configure(label_for_charts="same"), 0.8),
            start(
                _level(
                    "dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r",
                    "day and month swapped",
                ),
                0.04,
            ),
            start(
                _level(
                    "abs(dob_y_l - dob_y_r) <= 1 AND dob_m_l = dob_m_r AND dob_d_l = dob_d_r",
                    "same day and month, year one apart",
                ),
                0.02,
            ),
            start(_level(ONE_DIGIT_DIFFERENT, "one digit different"), 0.05),
            start(
                _level(
                    "dob_y_l = dob_y_r AND ((dob_d_l = 1 AND (dob_m_l = 1 OR dob_m_l = dob_m_r))"
                    " OR (dob_d_r = 1 AND (dob_m_r = 1 OR dob_m_l = dob_m_r)))",
                    "one date only the year or month (the 1st filled in)",
                ),
                0.02,
            ),
            start(_level("dob_y_l = dob_y_r AND dob_m_l = dob_m_r", "same year and month"), 0.03),
            start(_level("abs(dob_y_l - dob_y_r) <= 2", "within two years"), 0.03),
            start(_else("different"), 0.03),
        ],
    )


def _simple_text(column: str, description: str, fuzzy: float | None) -> ComparisonCreator:
    levels: list[ComparisonLevelCreator | dict[str, Any]] = [
        _null(column, "missing on one side"),
        cll.ExactMatchLevel(column).configure(label_for_charts="same"),
    ]
    if fuzzy is not None:
        levels.append(_jw(column, fuzzy, "spelt almost the same"))
    levels.append(_else("different"))
    return cl.CustomComparison(
        output_column_name=column, comparison_description=description, comparison_levels=levels
    )


def address() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="address",
        comparison_levels=[
            _null("address", "missing on one side"),
            cll.ExactMatchLevel("address").configure(label_for_charts="same"),
            _jw("address", 0.9, "spelt almost the same"),
            _level("house_l = house_r", "same house number, street written differently"),
            _level(
                "jaro_winkler_similarity(street_l, street_r) >= 0.9",
                "same street, house number missing or different",
            ),
            _else("different"),
        ],
    )


def location() -> ComparisonCreator:
    """Town, state and postcode as one comparison: they move together (a child who moved
    has another town, postcode and often state), so three separate comparisons would
    count one fact three times and, under EM, make "lives in the same town" outweigh
    the names. Levels from the most specific agreement down; "elsewhere" is evidence
    against (a child does move, so it is a few bits, not a veto)."""

    def same_or_missing(column: str) -> str:
        return f"({column}_l = {column}_r OR {column}_l IS NULL OR {column}_r IS NULL)"

    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="town, state and postcode",
        comparison_levels=[
            _level(
                "(place_l IS NULL AND postcode_l IS NULL AND state_l IS NULL)"
                " OR (place_r IS NULL AND postcode_r IS NULL AND state_r IS NULL)",
                "missing on one side",
            ).configure(is_null_level=True),
            _level(
                f"postcode_l = postcode_r AND {same_or_missing('place')}",
                "same postcode and town",
            ),
            _level(
                f"place_l = place_r AND {same_or_missing('state')}",
                "same town, another or no postcode",
            ),
            _level("postcode_l = postcode_r", "same postcode, town written differently"),
            _level(
                f"jaro_winkler_similarity(place_l, place_r) >= 0.9 AND {same_or_missing('state')}",
                "town spelt almost the same",
            ),
            _level("state_l = state_r", "same state, another town"),
            _else("elsewhere"),
        ],
    )


def middle_name() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="middle_name",
        comparison_description="middle name",
        comparison_levels=[
            _null("middle_name", "missing on one side"),
            cll.ExactMatchLevel("middle_name").configure(
                label_for_charts="same", tf_adjustment_column="middle_name"
            ),
            _level(
                "left(middle_name_l, 1) = left(middle_name_r, 1)"
                " AND (length(middle_name_l) = 1 OR length(middle_name_r) = 1)",
                "an initial of the same name",
            ),
            # the first name's levels weigh this (both ways round or one way)
            _neutral(
                _level(
                    "middle_name_l = first_name_r OR first_name_l = middle_name_r",
                    "the other's first name (weighed there)",
                )
            ),
            _jw("middle_name", 0.88, "spelt similarly"),
            _else("different"),
        ],
    )


def identifiers() -> ComparisonCreator:
    """NIC / NCMEC number / OCA: fixed, near-certain evidence (not learnt)."""

    def fixed(level: ComparisonLevelCreator, m: float, u: float) -> ComparisonLevelCreator:
        return level.configure(
            m_probability=m, u_probability=u, fix_m_probability=True, fix_u_probability=True
        )

    return cl.CustomComparison(
        output_column_name="identifiers",
        comparison_description="identifiers (NIC, NCMEC number, OCA)",
        comparison_levels=[
            _level(
                "(nic_l IS NULL OR nic_r IS NULL) AND (ncmec_l IS NULL OR ncmec_r IS NULL)"
                " AND (oca_l IS NULL OR oca_r IS NULL)",
                "none to compare",
            ).configure(is_null_level=True),
            fixed(
                _level("nic_l = nic_r OR ncmec_l = ncmec_r", "same NIC or NCMEC number"),
                0.98,
                1e-7,
            ),
            fixed(_level("oca_l = oca_r", "same agency case number (OCA)"), 0.9, 1e-5),
            fixed(
                _level("nic_l <> nic_r OR ncmec_l <> ncmec_r", "different NIC or NCMEC number"),
                0.1,
                0.9,
            ),
            fixed(_else("different agency case numbers"), 0.5, 0.5),
        ],
    )


# What each comparison is called when a pair is explained to a reviewer.
DESCRIPTIONS = {
    "identifiers": "identifiers",
    "first_name": "first name",
    "last_name": "last name",
    "dob": "date of birth",
    "sex": "sex",
    "address": "address",
    "middle_name": "middle name",
    "location": "town, state and postcode",
}


# The linkage columns each comparison reads: a comparison whose columns are empty in
# every record of a run is left out of that run (nothing to learn, time to save).
COMPARISON_COLUMNS: dict[str, tuple[str, ...]] = {
    "identifiers": ("nic", "ncmec", "oca"),
    "first_name": ("first_name",),
    "middle_name": ("middle_name",),
    "last_name": ("last_name",),
    "dob": ("dob",),
    "sex": ("sex",),
    "address": ("address", "house", "street"),
    "location": ("place", "state", "postcode"),
}
ALL_COLUMNS = frozenset(c for cols in COMPARISON_COLUMNS.values() for c in cols) | {
    "first_key",
    "first_name_key",
    "last_key",
    "middle_key",
    "first_initial",
    "last_initial",
    "dob_key",
    "dob_y",
    "dob_m",
    "dob_d",
    "birth_year",
}


def comparison_names(present: frozenset[str] = ALL_COLUMNS) -> list[str]:
    return [n for n, cols in COMPARISON_COLUMNS.items() if present & set(cols)]


def comparisons(present: frozenset[str] = ALL_COLUMNS) -> list[ComparisonCreator | dict[str, Any]]:
    built: dict[str, ComparisonCreator] = {
        "identifiers": identifiers(),
        "first_name": first_name(),
        "last_name": last_name(),
        "dob": date_of_birth(),
        "sex": _simple_text("sex", "sex", None),
        "address": address(),
        "middle_name": middle_name(),
        "location": location(),
    }
    return [built[name] for name in comparison_names(present)]


# Blocking: which pairs are compared at all. Several rules, each catching what the others
# miss, so that no single changed field hides a pair: phonetic names with the birth year,
# each name with the date of birth (day and month in either order), the date of birth
# with both initials (a typo in each name), names written the other way round, place,
# postcode, address and identifiers. ``bench/linkage.py`` reports the share of true pairs
# they reach (blocking recall). A town with one name alone is not a rule: a city's
# children with a common first name make millions of pairs at a million records (see
# NAME_SIMILARITY_RULES for the town with one name and the other similar).
BLOCKING_KEYS: list[tuple[str, ...]] = [
    ("first_key", "last_key", "birth_year"),  # typos, day/month swapped
    ("last_key", "dob_key"),  # another first name (nickname, typo), day/month swapped
    ("first_key", "dob_key"),  # another last name
    ("dob", "first_initial", "last_initial"),  # a typo in both names
    ("first_key", "last_key", "dob_m", "dob_d"),  # the year of birth wrong
    ("first_key", "dob_m", "dob_d", "sex"),  # another last name and the year wrong
    ("last_key", "dob_y", "dob_m", "sex"),  # another first name and the day wrong
    ("last_key", "dob_m", "dob_d", "sex"),  # another or no first name and the year wrong
    ("middle_key", "last_key", "birth_year"),  # first name replaced by the middle name
    ("first_key", "last_key", "place"),  # no or wrong date of birth
    ("postcode", "first_initial", "last_initial"),  # typos in both names, no or wrong DOB
    ("postcode", "first_key"),  # a name and the date of birth wrong
    ("postcode", "last_key"),
    ("dob", "place"),
    ("dob", "postcode"),
    ("address",),
    ("postcode", "house"),  # the street written differently
    ("nic",),
    ("ncmec",),
    ("oca",),
]
# Given and family names written the other way round (the raw first name's key: the
# nickname-canonical key of a family name is meaningless).
# No date of birth on one side: the names alone (only pairs with a row missing its date).
MISSING_DOB_RULES = [
    "l.first_key = r.first_key AND l.last_key = r.last_key AND (l.dob IS NULL OR r.dob IS NULL)",
]
SWAPPED = "l.first_name_key = r.last_key AND l.last_key = r.first_name_key"
SWAPPED_NAMES_RULES = [
    "l.first_name_key = r.last_key AND l.dob_key = r.dob_key",
    "l.last_key = r.first_name_key AND l.dob_key = r.dob_key",
    f"{SWAPPED} AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d",  # and the year wrong
    f"{SWAPPED} AND (l.dob IS NULL OR r.dob IS NULL)",
] + [f"{SWAPPED} AND l.{key} = r.{key}" for key in ("birth_year", "place", "postcode")]


def _similar(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity(l.{column}, r.{column}) >= {threshold}"


# A name and a date of birth both wrong: one name's phonetic key and the year of birth,
# the other name spelt similarly (a new or misspelt surname, a misread first name, with
# the day or month of birth wrong); or the date of birth (day and month in either order)
# with either name spelt similarly or missing. The equal keys make the join, the
# similarity filters its pairs.
NAME_SIMILARITY_RULES = [
    f"l.first_key = r.first_key AND l.dob_y = r.dob_y AND {_similar('last_name', 0.75)}",
    f"l.last_key = r.last_key AND l.dob_y = r.dob_y AND {_similar('first_name', 0.75)}",
    # the town and one name's key, the other name similar (no or a wrong DOB): a town
    # and one name alone would pair a city's children with a common name
    f"l.place = r.place AND l.first_key = r.first_key AND {_similar('last_name', 0.8)}",
    f"l.place = r.place AND l.last_key = r.last_key AND {_similar('first_name', 0.8)}",
    f"l.dob_key = r.dob_key AND ({_similar('first_name', 0.8)} OR {_similar('last_name', 0.8)}"
    " OR l.first_name IS NULL OR r.first_name IS NULL"
    " OR l.last_name IS NULL OR r.last_name IS NULL)",
]


# A value missing on one side (a left-out date of birth, first or last name) and another
# error: the join is on the keys, the side without the value is the few rows missing it
# (``x.dob IS NULL`` with x one side only, each rule once for each side, so that the
# database filters that side before the join instead of pairing every row with the key).
def _one_side_missing(side: str) -> list[str]:
    return [
        f"{side}.dob IS NULL AND l.first_key = r.first_key"
        f" AND l.last_initial = r.last_initial AND {_similar('last_name', 0.8)}",
        f"{side}.dob IS NULL AND l.last_key = r.last_key"
        f" AND l.first_initial = r.first_initial AND {_similar('first_name', 0.8)}",
        f"{side}.first_name IS NULL AND l.last_key = r.last_key AND l.dob_y = r.dob_y",
        f"{side}.last_name IS NULL AND l.first_key = r.first_key AND l.dob_y = r.dob_y",
    ]


ONE_SIDE_MISSING_RULES = _one_side_missing("l") + _one_side_missing("r")
# The same house number and the last name (or the town) with the street spelt alike,
# missing on one side, or the town the same: a name and the date of birth wrong where the
# address was kept (FEBRL's duplicates); the house number is the join key, never alone.
_STREET_ALIKE = (
    f"({_similar('street', 0.8)} OR l.street IS NULL OR r.street IS NULL OR l.place = r.place)"
)
ADDRESS_RULES = [
    f"l.last_key = r.last_key AND l.house = r.house AND {_STREET_ALIKE}",
    f"l.house = r.house AND l.place = r.place AND {_similar('street', 0.8)}",
]
# Registry records are not linked to each other here (that is the registry's own work).
NOT_BOTH_REGISTRY = "NOT (l.source = 'registry' AND r.source = 'registry')"


def blocking_sql(keys: tuple[str, ...]) -> str:
    return " AND ".join(f"l.{k} = r.{k}" for k in keys)


def columns_of(sql: str) -> set[str]:
    """The columns a rule reads (``l.<column>`` or ``r.<column>``)."""
    return set(re.findall(r"\b[lr]\.([a-z_]+)", sql))


def _uses_only(sql: str, present: frozenset[str]) -> bool:
    return columns_of(sql) <= present


def blocking_rule_sql(
    present: frozenset[str] = ALL_COLUMNS, *, skip_registry_pairs: bool = True
) -> list[str]:
    """The blocking rules that can fire on the columns present, as SQL conditions."""
    rules = [blocking_sql(keys) for keys in BLOCKING_KEYS]
    rules += MISSING_DOB_RULES + SWAPPED_NAMES_RULES + NAME_SIMILARITY_RULES
    rules += ONE_SIDE_MISSING_RULES + ADDRESS_RULES
    rules = [rule for rule in rules if _uses_only(rule, present)]
    if skip_registry_pairs:
        rules = [f"({rule}) AND {NOT_BOTH_REGISTRY}" for rule in rules]
    return rules


def _split(condition: str, word: str) -> list[str]:
    """``condition``'s parts joined by ``word`` (AND, OR) outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(condition):
        depth += (char == "(") - (char == ")")
        if depth == 0 and condition.startswith(f" {word} ", i):
            parts.append(condition[start:i])
            start = i + len(word) + 2
    parts.append(condition[start:])
    return [part.strip() for part in parts]


_SIMILAR = re.compile(r"^jaro_winkler_similarity\(([^,()]+), ([^,()]+)\)( .*)$")


def _canonical(term: str) -> str:
    """One condition in a form that does not depend on which side is which: equalities
    and similarities with their sides in order, OR-ed and AND-ed parts as sets."""
    while term.startswith("(") and term.endswith(")") and _balanced(term[1:-1]):
        term = term[1:-1].strip()
    if term.startswith("NOT "):
        return f"NOT({_canonical(term[4:])})"
    for word in ("AND", "OR"):
        parts = _split(term, word)
        if len(parts) > 1:
            return f"{word}(" + ", ".join(sorted(_canonical(part) for part in parts)) + ")"
    similar = _SIMILAR.match(term)
    if similar:
        left, right, rest = similar.groups()
        return f"jaro_winkler_similarity({', '.join(sorted((left, right)))}){rest}"
    sides = term.split(" = ")
    return " = ".join(sorted(sides)) if len(sides) == 2 else term


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def symmetric(rule: str) -> bool:
    """Whether a blocking rule reads the same with ``l`` and ``r`` swapped (then one
    join finds its pairs in either order)."""
    return same_rule(rule, mirror(rule))


def mirror(rule: str) -> str:
    """The rule with its sides swapped (``l`` read as ``r`` and ``r`` as ``l``)."""
    return rule.replace("l.", "\0.").replace("r.", "l.").replace("\0.", "r.")


def same_rule(a: str, b: str) -> bool:
    """Whether two rules are the same conditions, written in another order."""
    return _canonical(a) == _canonical(b)


def blocking_rules(
    present: frozenset[str] = ALL_COLUMNS, *, skip_registry_pairs: bool = True
) -> list[BlockingRuleCreator | dict[str, Any]]:
    return [
        CustomRule(rule)
        for rule in blocking_rule_sql(present, skip_registry_pairs=skip_registry_pairs)
    ]


# EM training sessions: each blocks on some fields and learns the others.
TRAINING_RULES: list[str] = [
    "l.dob = r.dob",
    # Phonetic names and birth year: teaches the name levels from pairs that differ by a
    # typo. It reads dob_y, so Splink leaves the DOB levels out of this session: within
    # one name and year, EM would take common-name coincidences for matches. DOB's m
    # values start from the priors in date_of_birth() and are learnt where an address
    # or postcode session can (below).
    "l.first_key = r.first_key AND l.last_key = r.last_key AND l.dob_y = r.dob_y",
    "l.postcode = r.postcode AND l.address = r.address",
]
# Pairs that are almost surely the same person: estimates the prior.
DETERMINISTIC_RULES: list[str] = [
    "l.first_name = r.first_name AND l.last_name = r.last_name AND l.dob = r.dob",
    "l.nic = r.nic",
    "l.ncmec = r.ncmec",
]


def training_rules(present: frozenset[str] = ALL_COLUMNS) -> list[str]:
    return [rule for rule in TRAINING_RULES if _uses_only(rule, present)]


def deterministic_rules(present: frozenset[str] = ALL_COLUMNS) -> list[str]:
    return [rule for rule in DETERMINISTIC_RULES if _uses_only(rule, present)]


def settings(
    present: frozenset[str] = ALL_COLUMNS, *, retain_explanations: bool = True
) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=comparisons(present),
        blocking_rules_to_generate_predictions=blocking_rules(present),
        additional_columns_to_retain=RETAINED,
        retain_matching_columns=retain_explanations,  # gives gamma_* (the level of each)
        retain_intermediate_calculation_columns=retain_explanations,
    )


@functools.lru_cache(maxsize=32)
def _settings_dict(dialect: str, present: frozenset[str]) -> dict[str, Any]:
    # Splink builds each level's SQL through sqlglot: a few hundred parses, built once
    # per process for each dialect and set of columns (an incremental run's fixed cost)
    return settings(present).create_settings_dict(dialect)


def settings_dict(
    dialect: str, params: dict[str, Any] | None, present: frozenset[str] = ALL_COLUMNS
) -> dict[str, Any]:
    """The settings for one SQL dialect, with trained parameters filled in when given."""
    built = copy.deepcopy(_settings_dict(dialect, present))
    if params:
        apply_params(built, params)
    return built


def extract_params(model_dict: dict[str, Any]) -> dict[str, Any]:
    """The trained numbers of a Splink model dict, independent of SQL dialect."""
    out: dict[str, Any] = {
        "spec_version": SPEC_VERSION,
        "probability_two_random_records_match": model_dict["probability_two_random_records_match"],
        "comparisons": {},
    }
    for comparison in model_dict["comparisons"]:
        out["comparisons"][comparison["output_column_name"]] = [
            {
                "label": level.get("label_for_charts", ""),
                "m": level.get("m_probability"),
                "u": level.get("u_probability"),
            }
            for level in comparison["comparison_levels"]
        ]
    return out


def apply_params(built: dict[str, Any], params: dict[str, Any]) -> None:
    built["probability_two_random_records_match"] = params["probability_two_random_records_match"]
    for comparison in built["comparisons"]:
        levels = params["comparisons"].get(comparison["output_column_name"], [])
        for level, trained in zip(comparison["comparison_levels"], levels, strict=False):
            if level.get("is_null_level") or level.get("fix_m_probability"):
                continue
            if trained["m"] is not None:
                level["m_probability"] = trained["m"]
            if trained["u"] is not None:
                level["u_probability"] = trained["u"]
