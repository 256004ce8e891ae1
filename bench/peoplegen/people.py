"""People: minors (most) and adults, as a missing-person registry holds them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from bench.peoplegen.names import Origin, fold, origin_sampler, origins
from bench.peoplegen.places import draw_place

# Every date is drawn relative to this day (never the clock), so a seed gives the same
# people on any day; no date of birth or of last contact is after it.
REFERENCE_DATE = date(2026, 10, 31)

# Age at last contact: most reported missing children are teenagers (runaways); some are
# young children (family abductions); some records are of adults.
_AGE_BANDS = ((0, 5, 0.09), (6, 11, 0.12), (12, 17, 0.64), (18, 20, 0.05), (21, 80, 0.10))
_RACES = {
    "us": (("W", 0.68), ("B", 0.24), ("I", 0.03), ("U", 0.05)),
    "hispanic": (("W", 0.83), ("I", 0.05), ("U", 0.12)),
    "vietnamese": (("A", 0.95), ("U", 0.05)),
    "chinese": (("A", 0.95), ("U", 0.05)),
    "arabic": (("W", 0.85), ("U", 0.15)),
    "french": (("W", 0.9), ("B", 0.05), ("U", 0.05)),
    "brazilian": (("W", 0.7), ("B", 0.2), ("U", 0.1)),
    "west_african": (("B", 0.95), ("U", 0.05)),
    "south_asian": (("A", 0.9), ("U", 0.1)),
}
_ADULT_CATEGORIES = (("EME", 0.4), ("EMI", 0.25), ("EMD", 0.2), ("EMO", 0.15))


@dataclass(frozen=True)
class Person:
    """One person as the registry holds them (the truth the errors are planted in)."""

    pid: int
    first_name: str
    middle_name: str
    last_name: str
    sex: str  # M | F
    dob: date
    city: str
    state: str
    zip: str
    origin: str  # a key of names.origins()
    race: str  # NCIC race code
    dlc: date  # date of last contact
    category: str  # NCIC MKE: EMJ under 21, else EME / EMI / EMD / EMO

    @property
    def age(self) -> int:
        """Age at last contact."""
        d, b = self.dlc, self.dob
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def _pick(pairs: tuple[tuple[str, float], ...], rng: random.Random) -> str:
    x = rng.random() * sum(w for _, w in pairs)
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _surname(origin: Origin, rng: random.Random) -> str:
    last = origin.last.draw(rng)
    if rng.random() < origin.double_surname:
        second = origin.last.draw(rng)
        if second != last:
            last = f"{last}-{second}" if rng.random() < origin.hyphen_share else f"{last} {second}"
    elif origin.name == "us" and rng.random() < 0.015:  # hyphenated family names
        second = origin.last.draw(rng)
        if second != last:
            last = f"{last}-{second}"
    return last


def _person(pid: int, rng: random.Random) -> Person:
    origin = origins()[origin_sampler().draw(rng)]
    sex = "F" if rng.random() < 0.56 else "M"
    given = origin.female if sex == "F" else origin.male
    first = given.draw(rng)
    middle = ""
    if rng.random() < origin.middle_share:
        pool = (origin.middle_female if sex == "F" else origin.middle_male) or given
        for _ in range(5):
            middle = pool.draw(rng)
            if middle != first:
                break
        else:
            middle = ""
    last = _surname(origin, rng)
    if rng.random() >= origin.diacritics:
        first, middle, last = fold(first), fold(middle), fold(last)
    low, high, _ = rng.choices(_AGE_BANDS, cum_weights=_cum_ages())[0]
    age = rng.randint(low, high)
    dlc = REFERENCE_DATE - timedelta(days=rng.randint(0, 6 * 365))
    # born between age+1 years and age years before the last contact
    latest = _years_before(dlc, age)
    earliest = _years_before(dlc, age + 1) + timedelta(days=1)
    dob = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
    place = draw_place(rng)
    category = "EMJ" if age < 21 else _pick(_ADULT_CATEGORIES, rng)
    return Person(
        pid, first, middle, last, sex, dob, place.city, place.state, place.draw_zip(rng),
        origin.name, _pick(_RACES[origin.name], rng), dlc, category,
    )  # fmt: skip


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


_AGE_CUM: list[float] = []


def _cum_ages() -> list[float]:
    if not _AGE_CUM:
        total = 0.0
        for _, _, w in _AGE_BANDS:
            total += w
            _AGE_CUM.append(total)
    return _AGE_CUM


def generate_people(n: int, seed: int) -> list[Person]:
    """``n`` people with pid 0..n-1, the same list for the same seed (and Faker pin)."""
    rng = random.Random(f"peoplegen-people-{seed}")
    return [_person(pid, rng) for pid in range(n)]
