"""Name sources, by origin, with frequencies from real lists.

The lists are Faker's (pinned in requirements.lock), read as data from its locale
providers; Faker's own random generator is not used, so a seed gives the same people
whatever Faker does with its state:

- ``us``: en_US, first names weighted by the SSA baby-name frequencies and surnames by
  the 2000 US Census surname frequencies that Faker ships with them.
- ``hispanic``: es_MX, each name weighted by its en_US (SSA / Census) frequency when it
  has one (Garcia, Rodriguez, Maria, Jose...), else by a floor weight; a share of double
  surnames (``Garcia Lopez``), some hyphenated.
- ``vietnamese``: vi_VN given and middle names, surnames weighted by the published shares
  of Vietnamese surnames (Nguyen about 38%...), written with or without diacritics.
- ``chinese``: zh_CN romanised (pinyin) given names and surnames, surnames weighted by
  their published shares; a share of two-syllable given names.
- ``arabic``: fr_DZ (Algerian names in French romanisation).
- ``french`` (fr_FR), ``brazilian`` (pt_BR, a share of double surnames),
  ``west_african`` (yo_NG, ig_NG), ``south_asian`` (en_IN).

Nothing here is shared with bench/synthetic_people.py (an independent generator).
"""

from __future__ import annotations

import importlib
import random
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

SPECIAL_FOLD = str.maketrans(
    {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "ł": "l"}
)


def fold(text: str) -> str:
    """``text`` without diacritics (Nguyễn -> Nguyen, Đặng -> Dang, José -> Jose)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(SPECIAL_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _provider(locale: str) -> type:
    return importlib.import_module(f"faker.providers.person.{locale}").Provider  # type: ignore[no-any-return]


def _attr(locale: str, name: str) -> list[str]:
    return [str(n) for n in getattr(_provider(locale), name)]


def _weights(locale: str, name: str) -> dict[str, float]:
    value = getattr(_provider(locale), name)
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    return {str(k): 1.0 for k in value}


class Weighted:
    """Draws from ``items`` with the given weights (cumulative, bisected)."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.items = list(weights)
        self.cum = list(accumulate(weights[i] for i in self.items))
        if not self.items:
            raise ValueError("no names")

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]

    def __contains__(self, item: object) -> bool:
        return item in set(self.items)


def _by_reference(names: Iterable[str], reference: Mapping[str, float]) -> dict[str, float]:
    """Each name weighted by its frequency in ``reference`` (accents ignored), or by the
    reference's 20th-percentile weight when it has none."""
    folded = {fold(k).lower(): v for k, v in reference.items()}
    ordered = sorted(reference.values())
    floor = ordered[len(ordered) // 5] if ordered else 1.0
    return {n: folded.get(fold(n).lower(), floor) for n in dict.fromkeys(names)}


# Published shares (percent) of the commonest Vietnamese surnames.
_VIETNAMESE_SURNAMES = {
    "Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 4.1, "Huỳnh": 2.5,
    "Phan": 4.5, "Vũ": 2.4, "Võ": 1.5, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3,
    "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5, "Mai": 0.5, "Trương": 0.5, "Đinh": 0.5,
    "Lâm": 0.4, "Tạ": 0.3, "Cao": 0.3,
}  # fmt: skip
# Published shares (percent) of the commonest Chinese surnames, in pinyin.
_CHINESE_SURNAMES = {
    "Wang": 7.1, "Li": 7.9, "Zhang": 7.1, "Liu": 5.4, "Chen": 4.5, "Yang": 3.1,
    "Huang": 2.2, "Zhao": 2.3, "Wu": 2.0, "Zhou": 1.9, "Xu": 1.5, "Sun": 1.4,
    "Ma": 1.3, "Zhu": 1.3, "Hu": 1.1, "Guo": 1.2, "He": 1.2, "Lin": 1.2, "Gao": 1.0,
    "Luo": 0.9, "Zheng": 0.9, "Liang": 0.8, "Xie": 0.8, "Song": 0.6, "Tang": 0.6,
    "Han": 0.5, "Feng": 0.5, "Deng": 0.5, "Cao": 0.5, "Peng": 0.5,
}  # fmt: skip
# Common syllables of Chinese given names (pinyin), for two-syllable given names.
_CHINESE_SYLLABLES_F = [
    "Mei",
    "Xiu",
    "Ying",
    "Hui",
    "Yan",
    "Jing",
    "Xin",
    "Yu",
    "Ting",
    "Xue",
    "Lan",
    "Hong",
    "Fang",
    "Li",
    "Na",
    "Qing",
    "Yue",
    "Zi",
    "Han",
    "Xia",
    "Min",
    "Ling",
]
_CHINESE_SYLLABLES_M = [
    "Wei",
    "Hao",
    "Jun",
    "Jie",
    "Ming",
    "Lei",
    "Tao",
    "Yi",
    "Qiang",
    "Bo",
    "Chen",
    "Yang",
    "Zhi",
    "Hua",
    "Kai",
    "Feng",
    "Rui",
    "Tian",
    "Long",
    "Jian",
    "Peng",
    "Xiang",
]

_US_FIRST_F = _weights("en_US", "first_names_female")
_US_FIRST_M = _weights("en_US", "first_names_male")
_US_LAST = _weights("en_US", "last_names")
_US_FIRST_ALL = {**_US_FIRST_M, **_US_FIRST_F}


@dataclass(frozen=True)
class Origin:
    """How people of one origin are named."""

    name: str
    weight: float  # share of the population
    female: Weighted
    male: Weighted
    last: Weighted
    middle_share: float  # people with a middle name
    double_surname: float  # people with two surnames (space), some hyphenated
    hyphen_share: float  # of the double surnames, those written with a hyphen
    diacritics: float  # people whose names keep their diacritics in the record
    middle_female: Weighted | None = None
    middle_male: Weighted | None = None


def _uniform(names: Iterable[str]) -> Weighted:
    return Weighted(dict.fromkeys(names, 1.0))


@cache
def origins() -> dict[str, Origin]:
    chinese_given_f = {n: 1.0 for n in _attr("zh_CN", "first_romanized_names")}
    chinese_given_m = dict(chinese_given_f)
    for a in _CHINESE_SYLLABLES_F:
        for b in _CHINESE_SYLLABLES_F:
            if a != b:
                chinese_given_f[a + b.lower()] = 0.15
    for a in _CHINESE_SYLLABLES_M:
        for b in _CHINESE_SYLLABLES_M:
            if a != b:
                chinese_given_m[a + b.lower()] = 0.15
    chinese_last = {n: 0.2 for n in _attr("zh_CN", "last_romanized_names")}
    chinese_last.update(_CHINESE_SURNAMES)
    vn_last = {n: 0.2 for n in _attr("vi_VN", "last_names")}
    vn_last.update(_VIETNAMESE_SURNAMES)
    vn_unisex = _attr("vi_VN", "first_names_unisex")
    vn_middle = _attr("vi_VN", "middle_names")
    table = [
        Origin(
            "us", 0.52, Weighted(_US_FIRST_F), Weighted(_US_FIRST_M), Weighted(_US_LAST),
            0.72, 0.0, 1.0, 0.0,
        ),
        Origin(
            "hispanic", 0.30,
            Weighted(_by_reference(_attr("es_MX", "first_names_female"), _US_FIRST_ALL)),
            Weighted(_by_reference(_attr("es_MX", "first_names_male"), _US_FIRST_ALL)),
            Weighted(_by_reference(_attr("es_MX", "last_names"), _US_LAST)),
            0.40, 0.35, 0.12, 0.35,
        ),
        Origin(
            "vietnamese", 0.035,
            _uniform(_attr("vi_VN", "first_names_female") + vn_unisex),
            _uniform(_attr("vi_VN", "first_names_male") + vn_unisex),
            Weighted(vn_last), 0.85, 0.0, 1.0, 0.25,
            middle_female=Weighted({"Thị": 6.0, **{m: 0.3 for m in vn_middle if m != "Văn"}}),
            middle_male=Weighted({"Văn": 5.0, **{m: 0.3 for m in vn_middle if m != "Thị"}}),
        ),
        Origin(
            "chinese", 0.035, Weighted(chinese_given_f), Weighted(chinese_given_m),
            Weighted(chinese_last), 0.06, 0.0, 1.0, 0.0,
        ),
        Origin(
            "arabic", 0.035, _uniform(_attr("fr_DZ", "first_names_female")),
            _uniform(_attr("fr_DZ", "first_names_male")), _uniform(_attr("fr_DZ", "last_names")),
            0.30, 0.0, 1.0, 0.0,
            middle_female=_uniform(_attr("fr_DZ", "first_names_male")),
            middle_male=_uniform(_attr("fr_DZ", "first_names_male")),
        ),
        Origin(
            "french", 0.02, _uniform(_attr("fr_FR", "first_names_female")),
            _uniform(_attr("fr_FR", "first_names_male")), _uniform(_attr("fr_FR", "last_names")),
            0.5, 0.0, 1.0, 0.5,
        ),
        Origin(
            "brazilian", 0.02, _uniform(_attr("pt_BR", "first_names_female")),
            _uniform(_attr("pt_BR", "first_names_male")), _uniform(_attr("pt_BR", "last_names")),
            0.3, 0.3, 0.05, 0.5,
        ),
        Origin(
            "west_african", 0.02,
            _uniform(_attr("yo_NG", "first_names_female") + _attr("ig_NG", "first_names_female")),
            _uniform(_attr("yo_NG", "first_names_male") + _attr("ig_NG", "first_names_male")),
            _uniform(_attr("yo_NG", "last_names") + _attr("ig_NG", "last_names")),
            0.5, 0.0, 1.0, 0.0,
        ),
        Origin(
            "south_asian", 0.015, _uniform(_attr("en_IN", "first_names_female")),
            _uniform(_attr("en_IN", "first_names_male")), _uniform(_attr("en_IN", "last_names")),
            0.2, 0.0, 1.0, 0.0,
        ),
    ]  # fmt: skip
    return {o.name: o for o in table}


@cache
def origin_sampler() -> Weighted:
    return Weighted({o.name: o.weight for o in origins().values()})


@cache
def accented_forms(origin: str) -> dict[str, str]:
    """Unaccented lower-case name -> its accented spelling in ``origin``'s lists
    (jose -> José, nguyen -> Nguyễn, hernandez -> Hernández)."""
    table: dict[str, str] = {}
    named = origins()[origin]
    for sampler in (named.female, named.male, named.last, named.middle_female, named.middle_male):
        for name in sampler.items if sampler else ():
            if fold(name) != name:
                table.setdefault(fold(name).lower(), name)
    return table
