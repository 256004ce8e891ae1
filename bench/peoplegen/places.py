"""Real US places: city, state and a range of the city's own ZIP codes, weighted.

Weights are rough populations in thousands, with the Southwest (New Mexico, Texas,
Arizona, where the registry bench's agencies are) counted three times: a missing child
is most often reported near where they live. ZIP codes are drawn from each city's range
(the ranges are the cities' own prefixes; not every number in a range is a delivery ZIP).
Written for this package; shares nothing with bench/synthetic_people.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

# city, state, first zip, last zip, weight
_PLACES: tuple[tuple[str, str, int, int, float], ...] = (
    ("Albuquerque", "NM", 87101, 87123, 560),
    ("Las Cruces", "NM", 88001, 88012, 112),
    ("Santa Fe", "NM", 87501, 87508, 88),
    ("Rio Rancho", "NM", 87124, 87124, 104),
    ("Roswell", "NM", 88201, 88203, 48),
    ("Farmington", "NM", 87401, 87402, 46),
    ("Gallup", "NM", 87301, 87301, 22),
    ("Sunland Park", "NM", 88063, 88063, 17),
    ("Anthony", "NM", 88021, 88021, 9),
    ("Hobbs", "NM", 88240, 88242, 40),
    ("Clovis", "NM", 88101, 88101, 38),
    ("Deming", "NM", 88030, 88030, 14),
    ("Española", "NM", 87532, 87532, 10),
    ("Carlsbad", "NM", 88220, 88220, 32),
    ("Alamogordo", "NM", 88310, 88311, 31),
    ("Shiprock", "NM", 87420, 87420, 8),
    ("El Paso", "TX", 79901, 79938, 680),
    ("Houston", "TX", 77002, 77099, 2300),
    ("San Antonio", "TX", 78201, 78260, 1450),
    ("Dallas", "TX", 75201, 75254, 1300),
    ("Austin", "TX", 78701, 78759, 960),
    ("Fort Worth", "TX", 76102, 76140, 920),
    ("Laredo", "TX", 78040, 78046, 255),
    ("Brownsville", "TX", 78520, 78526, 186),
    ("McAllen", "TX", 78501, 78504, 143),
    ("Lubbock", "TX", 79401, 79424, 260),
    ("Amarillo", "TX", 79101, 79124, 200),
    ("Odessa", "TX", 79761, 79766, 114),
    ("Phoenix", "AZ", 85003, 85054, 1600),
    ("Tucson", "AZ", 85701, 85750, 540),
    ("Mesa", "AZ", 85201, 85215, 500),
    ("Yuma", "AZ", 85364, 85367, 96),
    ("Nogales", "AZ", 85621, 85621, 20),
    ("Window Rock", "AZ", 86515, 86515, 3),
    ("Los Angeles", "CA", 90001, 90089, 3900),
    ("San Diego", "CA", 92101, 92139, 1380),
    ("San Jose", "CA", 95110, 95139, 1000),
    ("Fresno", "CA", 93701, 93728, 540),
    ("Sacramento", "CA", 95811, 95838, 520),
    ("Santa Ana", "CA", 92701, 92707, 310),
    ("Westminster", "CA", 92683, 92683, 90),
    ("Garden Grove", "CA", 92840, 92845, 170),
    ("San Francisco", "CA", 94102, 94134, 810),
    ("Oakland", "CA", 94601, 94621, 430),
    ("Chula Vista", "CA", 91910, 91915, 275),
    ("Denver", "CO", 80202, 80239, 710),
    ("Colorado Springs", "CO", 80903, 80920, 480),
    ("Pueblo", "CO", 81001, 81008, 111),
    ("Las Vegas", "NV", 89101, 89149, 650),
    ("Salt Lake City", "UT", 84101, 84121, 200),
    ("Chicago", "IL", 60601, 60661, 2700),
    ("New York", "NY", 10001, 10040, 1600),
    ("Brooklyn", "NY", 11201, 11239, 2600),
    ("Bronx", "NY", 10451, 10475, 1400),
    ("Flushing", "NY", 11354, 11358, 250),
    ("Miami", "FL", 33125, 33157, 450),
    ("Orlando", "FL", 32801, 32839, 310),
    ("Atlanta", "GA", 30303, 30350, 500),
    ("Dearborn", "MI", 48120, 48128, 108),
    ("Detroit", "MI", 48201, 48235, 630),
    ("Seattle", "WA", 98101, 98199, 740),
    ("Portland", "OR", 97201, 97236, 640),
    ("Oklahoma City", "OK", 73102, 73170, 690),
    ("Tulsa", "OK", 74103, 74137, 410),
    ("Kansas City", "MO", 64101, 64157, 510),
    ("Minneapolis", "MN", 55401, 55488, 430),
    ("Boston", "MA", 2108, 2136, 650),
    ("Philadelphia", "PA", 19102, 19154, 1580),
    ("Washington", "DC", 20001, 20020, 690),
    ("Charlotte", "NC", 28202, 28277, 880),
    ("Nashville", "TN", 37201, 37221, 690),
    ("New Orleans", "LA", 70112, 70131, 380),
)
_SOUTHWEST = {"NM", "TX", "AZ"}


@dataclass(frozen=True)
class Place:
    city: str
    state: str
    first_zip: int
    last_zip: int

    def draw_zip(self, rng: random.Random) -> str:
        return f"{rng.randint(self.first_zip, self.last_zip):05d}"


PLACES = tuple(Place(c, s, a, b) for c, s, a, b, _ in _PLACES)
_CUM = list(accumulate(w * (3 if s in _SOUTHWEST else 1) for _, s, _, _, w in _PLACES))
STATES = tuple(sorted({p.state for p in PLACES}))


def draw_place(rng: random.Random) -> Place:
    return rng.choices(PLACES, cum_weights=_CUM)[0]


def draw_other_place(current: Place, rng: random.Random, *, same_state: float = 0.5) -> Place:
    """Another place than ``current``: in the same state with probability ``same_state``
    when the state has another city, else anywhere."""
    if rng.random() < same_state:
        nearby = [p for p in PLACES if p.state == current.state and p.city != current.city]
        if nearby:
            return rng.choice(nearby)
    while True:
        place = draw_place(rng)
        if place.city != current.city or place.state != current.state:
            return place


def place_of(city: str, state: str) -> Place | None:
    for place in PLACES:
        if place.city == city and place.state == state:
            return place
    return None
