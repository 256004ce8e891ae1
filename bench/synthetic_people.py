"""Seeded synthetic people with planted variants, for benchmarks and linkage tests.

Names come from several origins (Anglo-American, Hispanic, African-American,
Vietnamese, Chinese, Arabic, Navajo, French), drawn with a Zipf-like frequency so
common names are common, as in real registries. A *variant* is the same person as
another source (or a hurried officer) would write them: typos, a nickname for the
given name, day and month of birth swapped, given and family names transposed.

    from bench.synthetic_people import generate_people, make_variants, with_duplicates
    people = generate_people(50_000, seed=7)
    queries = make_variants(people, 1_000, seed=8)       # each knows its person's pid
    rows = with_duplicates(people, rate=0.2, seed=9)     # records + near-duplicates

Everything is deterministic for a given seed. No dependency beyond the standard library.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

VARIANT_FILE = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "beacon"
    / "records"
    / "data"
    / "name_variants.csv"
)


def _words(text: str) -> list[str]:
    return text.split()


ORIGINS: dict[str, dict[str, list[str]]] = {
    "anglo": {
        "last": _words(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
            "Moore Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen "
            "King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner "
            "Phillips Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook "
            "Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Cox Ward Richardson "
            "Wood Watson Brooks Bennett Gray Hughes Price Sanders Myers Long Ross Foster "
            "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes "
            "Fisher Graham Hamilton Wallace Gibson Kennedy Warren Dixon Burns Gordon Shaw "
            "Holmes Rice Hunt Black Daniels Palmer Mills Nichols Grant Knight Ferguson "
            "Stone Hawkins Dunn Perkins Hudson Spencer Stephens Pierce Hansen Schmidt "
            "Mueller Olson Larson Carlson Kowalski O'Brien McCarthy O'Connor Fitzgerald "
            "MacDonald"
        ),
        "male": _words(
            "James John Robert Michael William David Richard Joseph Thomas Charles "
            "Christopher Daniel Matthew Anthony Mark Donald Steven Andrew Joshua Kenneth "
            "Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan Jacob Gary "
            "Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel "
            "Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Henry "
            "Adam Nathan Zachary Kyle Noah Ethan Logan Mason Liam Wyatt Hunter Cody Dylan "
            "Austin Caleb Luke"
        ),
        "female": _words(
            "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa "
            "Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda "
            "Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy "
            "Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine "
            "Christine Debra Rachel Carolyn Janet Catherine Heather Diane Ruth Julie Olivia "
            "Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea "
            "Cheryl Hannah Jacqueline Madison Abigail Alexis Haley Brittany Taylor Kayla "
            "Chloe Alyssa"
        ),
    },
    "hispanic": {
        "last": _words(
            "Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez "
            "Torres Flores Rivera Gomez Diaz Cruz Morales Reyes Gutierrez Ortiz Chavez "
            "Ramos Ruiz Alvarez Mendoza Castillo Jimenez Moreno Romero Herrera Medina "
            "Aguilar Vargas Castro Guzman Fernandez Juarez Mendez Salazar Soto Delgado Pena "
            "Rios Alvarado Sandoval Contreras Valdez Guerrero Ortega Estrada Nunez Vasquez "
            "Dominguez Vega Maldonado Luna Cortez Campos Ibarra Acosta Espinoza Navarro "
            "Fuentes Carrillo Cabrera Miranda Trujillo Padilla Rojas Velasquez Cervantes "
            "Molina Salinas Zamora Villarreal Arellano Beltran Lucero Baca Montoya "
            "Archuleta Gallegos Quintana Tafoya Apodaca Villalobos Ochoa Barrera Rosales"
        ),
        "male": _words(
            "Jose Juan Luis Carlos Jesus Miguel Antonio Francisco Jorge Alejandro Manuel "
            "Pedro Ricardo Fernando Roberto Eduardo Javier Daniel Rafael Sergio Raul "
            "Alberto Arturo Enrique Guillermo Ramon Hector Oscar Ignacio Andres Diego "
            "Santiago Mateo Emiliano Angel Gabriel Adrian Cesar Ruben Alfredo Salvador "
            "Armando Gerardo Ernesto Julio Felipe Rodrigo Mauricio Gustavo Ivan"
        ),
        "female": _words(
            "Maria Guadalupe Juana Margarita Rosa Ana Veronica Leticia Elizabeth Patricia "
            "Gabriela Alejandra Adriana Claudia Mariana Daniela Fernanda Sofia Valentina "
            "Ximena Camila Isabel Lucia Teresa Dolores Rosario Consuelo Mercedes Carmen "
            "Esperanza Yolanda Araceli Lorena Silvia Beatriz Alicia Josefina Concepcion "
            "Angelica Karla Brenda Diana Monica Paola Andrea Natalia Jimena Renata"
        ),
    },
    "african_american": {
        "last": _words(
            "Washington Jefferson Jackson Banks Mosley Joseph Booker Freeman Gaines Dorsey "
            "Singleton Pierre Rivers Robinson Harris Coleman Simmons Bryant Hayes Battle "
            "Tate Mack Pugh Mayfield Person Ware Hairston Spears Wiggins Toussaint"
        ),
        "male": _words(
            "DeShawn Tyrone Jamal Malik Darnell Terrell DeAndre Jalen Marquis Andre Cedric "
            "Reginald Darius Rashad Lamar Kareem Devonte Jaylen Tremaine Isaiah Elijah "
            "Xavier Jermaine Antoine Demetrius"
        ),
        "female": _words(
            "Aaliyah Imani Keisha Latoya Shanice Tanisha Ebony Jasmine Destiny Kiara Tiana "
            "Aisha Monique Latasha Precious Nia Janelle Shaniqua Tamika Ayanna Brianna Jada "
            "Raven Deja Alexis"
        ),
    },
    "vietnamese": {
        "last": _words("Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly"),
        "male": _words(
            "Minh Anh Tuan Hung Duc Huy Quang Thanh Long Nam Khoa Bao Phuc Dung Hieu Khanh "
            "Trung Vinh"
        ),
        "female": _words(
            "Linh Lan Mai Hoa Huong Thu Trang Ngoc Thao Vy Nhung Phuong Hanh Yen Diep My Tuyet Hien"
        ),
    },
    "chinese": {
        "last": _words(
            "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao "
            "Luo Zheng Liang Xie Song Tang Wong Chan Leung Cheung Lau"
        ),
        "male": _words(
            "Wei Jun Hao Jie Lei Tao Ming Qiang Yong Jian Bo Peng Hui Bin Chao Kai Zhen Yi"
        ),
        "female": _words(
            "Fang Xiu Ying Jing Li Mei Yan Na Hong Xia Lan Juan Ping Qing Yun Hui Ling Xue"
        ),
    },
    "arabic": {
        "last": _words(
            "Hassan Hussein Ali Mohamed Ahmed Ibrahim Khalil Saleh Abdullah Mansour Haddad "
            "Nasser Aziz Farouk Rahman Karim Suleiman Othman Yousef Hamdan Khoury Najjar "
            "Darwish Shalabi"
        ),
        "male": _words(
            "Mohammed Ahmed Ali Omar Yusuf Ibrahim Khalid Hassan Mustafa Abdullah Tariq "
            "Karim Samir Walid Faisal Hamza Bilal Rami Ziad Nabil"
        ),
        "female": _words(
            "Fatima Aisha Mariam Layla Noor Huda Amina Yasmin Zainab Salma Rania Lina Hana "
            "Dina Rana Samira Leila Nadia"
        ),
    },
    "navajo": {
        "last": _words(
            "Begay Yazzie Benally Tsosie Nez Tso Becenti Etsitty Yellowhair Manygoats "
            "Bitsui Harvey Chee Todacheeny Silversmith Atcitty Descheenie Largo"
        ),
        "male": _words(
            "Tyrell Kyler Jaden Tristan Shandiin Kaden Nizhoni Ahiga Hastiin Tohee Bidziil "
            "Daniel Michael Joseph"
        ),
        "female": _words(
            "Shandiin Nizhoni Ahyoka Doli Kai Tallulah Winona Aiyana Sahkyo Dyani Kaya "
            "Cheyenne Destiny Jolene"
        ),
    },
    "french": {
        "last": _words(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
            "Laurent Lefebvre Michel Garnier Rousseau Fontaine Chevalier Gagnon Tremblay "
            "Bouchard Gauthier Pelletier Bélanger Lévesque Côté Joseph Pierre Jean-Baptiste "
            "Desrosiers"
        ),
        "male": _words(
            "Jean Pierre Michel Philippe Alain Nicolas Christophe Laurent Julien François "
            "Guillaume Mathieu Étienne Jacques Louis Antoine Olivier Benoît Rémi Théo"
        ),
        "female": _words(
            "Marie Nathalie Isabelle Sylvie Catherine Sophie Julie Émilie Camille Chloé Léa "
            "Manon Margaux Élodie Amélie Hélène Geneviève Josée Mireille Nadège"
        ),
    },
}
ORIGIN_WEIGHTS = {
    "anglo": 0.40,
    "hispanic": 0.27,
    "african_american": 0.10,
    "vietnamese": 0.05,
    "chinese": 0.05,
    "arabic": 0.04,
    "navajo": 0.04,
    "french": 0.05,
}
VARIANT_KINDS = ("typo", "nickname", "swap_day_month", "transpose")
_NEIGHBOURS = (
    "wa qes wrd etf ryg tuh yij uok ipl ol "  # q w e r t y u i o p
    "qsz adwx sfex dgrc fhtv gjyb hkun jlim kop "  # a s d f g h j k l
    "asx zcs xvd cbf vng bmh nj"  # z x c v b n m
)
KEYBOARD = dict(zip("qwertyuiopasdfghjklzxcvbnm", _words(_NEIGHBOURS), strict=True))


@dataclass(frozen=True)
class Person:
    pid: int
    first_name: str
    middle_name: str
    last_name: str
    sex: str  # M | F
    dob: date
    origin: str
    dlc: date
    category: str  # NCIC MKE: EMJ for juveniles, else EME/EMI/EMD/EMO


@dataclass(frozen=True)
class Variant:
    """A person as written elsewhere; ``pid`` is the person it stands for."""

    pid: int
    first_name: str
    last_name: str
    dob: date
    sex: str
    kinds: tuple[str, ...]


class _Zipf:
    def __init__(self, items: list[str], exponent: float = 0.7) -> None:
        self.items = items
        self.cum = list(accumulate(1.0 / (i + 1) ** exponent for i in range(len(items))))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


_SAMPLERS = {
    origin: {part: _Zipf(names) for part, names in lists.items()}
    for origin, lists in ORIGINS.items()
}
_ORIGIN_CUM = list(accumulate(ORIGIN_WEIGHTS.values()))


def _nicknames() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    with VARIANT_FILE.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if row and not row[0].startswith("#"):
                table.setdefault(row[0].lower(), []).extend(v for v in row[1:] if v)
    return table


NICKNAMES = _nicknames()
TODAY = date(2026, 11, 23)


def _person(pid: int, rng: random.Random) -> Person:
    origin = list(ORIGIN_WEIGHTS)[bisect(_ORIGIN_CUM, rng.random() * _ORIGIN_CUM[-1])]
    sampler = _SAMPLERS[origin]
    sex = "F" if rng.random() < 0.55 else "M"
    first = sampler["female" if sex == "F" else "male"].draw(rng)
    middle = sampler["female" if sex == "F" else "male"].draw(rng) if rng.random() < 0.4 else ""
    last = sampler["last"].draw(rng)
    if origin == "hispanic" and rng.random() < 0.25:
        last = f"{last} {sampler['last'].draw(rng)}"
    juvenile = rng.random() < 0.8
    age_days = rng.randint(5 * 365, 18 * 365) if juvenile else rng.randint(18 * 365, 70 * 365)
    dlc = TODAY - timedelta(days=rng.randint(1, 3 * 365))
    dob = dlc - timedelta(days=age_days)
    category = "EMJ" if juvenile else rng.choice(["EME", "EMI", "EMD", "EMO"])
    return Person(pid, first, middle, last, sex, dob, origin, dlc, category)


def generate_people(n: int, *, seed: int = 20210501) -> list[Person]:
    """``n`` distinct people (pid 0..n-1), the same list for the same seed."""
    rng = random.Random(seed)
    return [_person(pid, rng) for pid in range(n)]


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: drop, double, swap neighbours, or hit a neighbouring key."""
    if len(word) < 4:
        return word + rng.choice("aeiou")
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "neighbour"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    near = KEYBOARD.get(word[i].lower(), "e")
    return word[:i] + rng.choice(near) + word[i + 1 :]


def _apply(kind: str, v: Variant, person: Person, rng: random.Random) -> Variant | None:
    if kind == "typo":
        if rng.random() < 0.5:
            return replace(v, last_name=typo(v.last_name, rng))
        return replace(v, first_name=typo(v.first_name, rng))
    if kind == "nickname":
        options = [
            n for n in NICKNAMES.get(person.first_name.lower(), []) if n != person.first_name
        ]
        return replace(v, first_name=rng.choice(options)) if options else None
    if kind == "swap_day_month":
        d = v.dob
        if d.day > 12 or d.day == d.month:
            return None
        return replace(v, dob=date(d.year, d.day, d.month))
    if kind == "transpose":
        return replace(v, first_name=v.last_name, last_name=v.first_name)
    raise ValueError(kind)


def applicable(kind: str, person: Person) -> bool:
    """Whether a change of ``kind`` can be planted in ``person``."""
    if kind == "nickname":
        return any(n != person.first_name for n in NICKNAMES.get(person.first_name.lower(), []))
    if kind == "swap_day_month":
        return person.dob.day <= 12 and person.dob.day != person.dob.month
    return True


def make_variant(
    person: Person, rng: random.Random, *, changes: int = 1, kinds: tuple[str, ...] = ()
) -> Variant:
    """The person with planted variations: ``kinds`` if given, else ``changes`` at random."""
    if not kinds:
        pool = [k for k in VARIANT_KINDS if applicable(k, person)]
        kinds = tuple(rng.sample(pool, min(changes, len(pool))))
    v = Variant(person.pid, person.first_name, person.last_name, person.dob, person.sex, ())
    # Apply in a fixed order (transposition last) so each change hits the intended name.
    applied = tuple(k for k in VARIANT_KINDS if k in kinds)
    for kind in applied:
        v = _apply(kind, v, person, rng) or v
    return replace(v, kinds=applied)


def make_variants(
    people: list[Person], count: int, *, seed: int = 424242, two_change_share: float = 0.3
) -> list[Variant]:
    """``count`` queries, each a variant of a distinct random person.

    The first planted kind cycles through typo, nickname, day/month swap and
    transposition, so each is equally represented; a share of queries get a second
    change of another kind.
    """
    rng = random.Random(seed)
    order = list(range(len(people)))
    rng.shuffle(order)
    used: set[int] = set()
    out: list[Variant] = []
    cursor = 0
    while len(out) < min(count, len(people)) and cursor < len(order):
        kind = VARIANT_KINDS[len(out) % len(VARIANT_KINDS)]
        for _ in range(200):
            candidate = people[order[cursor % len(order)]]
            cursor += 1
            if candidate.pid not in used and applicable(kind, candidate):
                break
        else:
            continue
        used.add(candidate.pid)
        kinds = [kind]
        if rng.random() < two_change_share:
            others = [k for k in VARIANT_KINDS if k != kind and applicable(k, candidate)]
            if others:
                kinds.append(rng.choice(others))
        out.append(make_variant(candidate, rng, kinds=tuple(kinds)))
    return out


def with_duplicates(people: list[Person], *, rate: float = 0.1, seed: int = 99) -> list[Variant]:
    """Every person as a row, plus near-duplicate rows for a share ``rate`` of them.

    Rows of the same person share ``pid`` (the ground truth for linkage), shuffled.
    """
    rng = random.Random(seed)
    rows = [Variant(p.pid, p.first_name, p.last_name, p.dob, p.sex, ()) for p in people]
    for p in people:
        if rng.random() < rate:
            rows.append(make_variant(p, rng, changes=1 if rng.random() < 0.7 else 2))
    rng.shuffle(rows)
    return rows


# --- Queries with errors of named kinds (the registry benchmark's recall by error kind) ----

# One error each. A query with two errors carries two of these, of different kinds and,
# where they touch the same field, applied in this order.
ERROR_KINDS = (
    "typo_last",  # one keyboard slip in the surname
    "typo_first",  # one keyboard slip in the given name
    "typo_both",  # a slip in each name (the DOB right): one error per name field
    "phonetic",  # a name spelled as it sounds (ph/f, c/k, y/i, doubled letters)
    "nickname",  # another form of the given name
    "transliteration",  # another romanisation (Arabic, Vietnamese, Chinese)
    "double_surname",  # one part of a Spanish double surname, or a second one added
    "surname_changed",  # a different surname altogether (stepfather, marriage)
    "transpose",  # given and family names exchanged
    "swap_day_month",  # 2013-05-07 written 2013-07-05
    "dob_year",  # birth year off by one
    "dob_digit",  # two digits of the day or month exchanged, or the day off by one
    "first_missing",  # no given name given
)
# Romanisations of the same name (all forms of a row are one name).
TRANSLITERATIONS = [
    row.split()
    for row in (
        "Mohammed Muhammad Mohamed Mohammad Mohamad Muhammed",
        "Ahmed Ahmad Ahmet",
        "Hussein Husein Hussain Husain Husayn",
        "Hassan Hasan Hasen",
        "Yusuf Yousef Youssef Yusef",
        "Khalid Khaled",
        "Khalil Khaleel Halil",
        "Mustafa Mostafa Moustafa",
        "Abdullah Abdallah Abdulla",
        "Ibrahim Ebrahim Ibraheem",
        "Omar Umar Omer",
        "Karim Kareem",
        "Tariq Tarek Tarik",
        "Faisal Faysal Feisal",
        "Walid Waleed",
        "Nabil Nabeel",
        "Samir Sameer",
        "Hamza Hamzah",
        "Bilal Belal",
        "Ziad Ziyad Zeyad",
        "Fatima Fatma Fatemeh",
        "Aisha Aicha Ayesha",
        "Mariam Maryam Meriam",
        "Layla Leila Laila",
        "Noor Nour Nur",
        "Huda Houda",
        "Amina Aminah",
        "Yasmin Yasmine Jasmin",
        "Zainab Zeinab Zaynab",
        "Salma Selma",
        "Rania Ranya",
        "Mansour Mansur",
        "Saleh Salih",
        "Othman Uthman Osman",
        "Yousef Yusuf Youssef",
        "Suleiman Sulaiman Suleyman",
        "Khoury Khouri Khury",
        "Haddad Hadad",
        "Nasser Nasir Naser",
        "Farouk Faruq Farooq",
        "Rahman Rehman",
        "Najjar Nagar",
        "Darwish Darwich Dervish",
        "Hamdan Hamdane",
        "Shalabi Chalabi Shalaby",
        "Nguyen Nguyễn Ngyuen Nguen",
        "Tran Trần Chan",
        "Pham Phạm Fam",
        "Le Lê Lee",
        "Hoang Hoàng Huang",
        "Huynh Huỳnh Hyunh",
        "Phan Fan",
        "Vu Võ Vũ",
        "Dang Đặng Dan",
        "Bui Bùi Buoi",
        "Duong Dương Zuong",
        "Ngo Ngô",
        "Ho Hồ Hoa",
        "Zhang Chang Cheung",
        "Wang Wong",
        "Chen Chan Tan",
        "Liu Lau Lou",
        "Huang Wong Hwang",
        "Zhou Chow Chou",
        "Wu Woo Ng",
        "Li Lee Lai",
        "Xu Hsu Tsui",
        "Zhao Chiu Chao",
        "Minh Min",
        "Duc Đức Duk",
        "Huy Hui",
        "Thanh Tanh",
        "Phuong Phương Fuong",
        "Ngoc Ngọc Ngoek",
    )
]
_TRANSLIT: dict[str, list[str]] = {}
for _row in TRANSLITERATIONS:
    for _name in _row:
        _TRANSLIT.setdefault(_name.lower(), []).extend(n for n in _row if n != _name)
# Sound-alike spellings (from, to), tried in order; the first that applies is used.
_PHONETIC = (
    ("ph", "f"), ("f", "ph"), ("ck", "k"), ("c", "k"), ("k", "c"), ("z", "s"), ("s", "z"),
    ("y", "i"), ("i", "y"), ("ee", "i"), ("ie", "y"), ("ou", "u"), ("v", "b"), ("b", "v"),
    ("j", "h"), ("x", "ks"), ("th", "t"), ("gh", "g"), ("ll", "l"), ("rr", "r"), ("tt", "t"),
    ("ss", "s"), ("nn", "n"), ("mm", "m"), ("l", "ll"), ("r", "rr"), ("n", "nn"), ("t", "tt"),
)  # fmt: skip


def phonetic(word: str, rng: random.Random) -> str:
    """The word spelled as it sounds (one rewrite, at a random applicable place)."""
    lower = word.lower()
    options = [(a, b) for a, b in _PHONETIC if a in lower[1:]]
    if not options:
        return word + "h"
    a, b = rng.choice(options)
    at = [i for i in range(1, len(lower)) if lower.startswith(a, i)]
    i = rng.choice(at)
    return word[:i] + b + word[i + len(a) :]


def _translit(name: str, rng: random.Random) -> str | None:
    options = _TRANSLIT.get(name.lower())
    return rng.choice(options) if options else None


def _dob_digit(d: date, rng: random.Random) -> date:
    """Two digits of the day or month exchanged, or the day off by one (a valid date)."""
    tries: list[date] = []
    for day, month in (
        (int(f"{d.day:02d}"[::-1]), d.month),
        (d.day, int(f"{d.month:02d}"[::-1])),
        (d.day + 1, d.month),
        (d.day - 1, d.month),
    ):
        try:
            candidate = date(d.year, month, day)
        except ValueError:
            continue
        if candidate != d:
            tries.append(candidate)
    return rng.choice(tries[:2]) if tries[:2] and rng.random() < 0.6 else tries[-1]


def _error(kind: str, v: Variant, person: Person, rng: random.Random) -> Variant | None:
    if kind == "typo_last":
        return replace(v, last_name=typo(v.last_name, rng))
    if kind == "typo_first":
        return replace(v, first_name=typo(v.first_name, rng))
    if kind == "typo_both":
        return replace(v, last_name=typo(v.last_name, rng), first_name=typo(v.first_name, rng))
    if kind == "phonetic":
        if rng.random() < 0.5:
            return replace(v, last_name=phonetic(v.last_name, rng))
        return replace(v, first_name=phonetic(v.first_name, rng))
    if kind == "transliteration":
        options = [("last", t) for t in [_translit(v.last_name, rng)] if t] + [
            ("first", t) for t in [_translit(v.first_name, rng)] if t
        ]
        if not options:
            return None
        which, t = rng.choice(options)
        return replace(v, last_name=t) if which == "last" else replace(v, first_name=t)
    if kind == "double_surname":
        parts = v.last_name.split()
        if len(parts) > 1:
            return replace(v, last_name=rng.choice(parts))
        other = _SAMPLERS["hispanic"]["last"].draw(rng)
        joiner = rng.choice((" ", "-"))
        return replace(v, last_name=f"{v.last_name}{joiner}{other}")
    if kind == "surname_changed":
        origin = person.origin
        for _ in range(20):
            other = _SAMPLERS[origin]["last"].draw(rng)
            if other.split()[0] != v.last_name.split()[0]:
                return replace(v, last_name=other)
        return None
    if kind == "dob_year":
        try:
            return replace(v, dob=v.dob.replace(year=v.dob.year + rng.choice((-1, 1))))
        except ValueError:  # 29 February
            return None
    if kind == "dob_digit":
        return replace(v, dob=_dob_digit(v.dob, rng))
    if kind == "first_missing":
        return replace(v, first_name="")
    return _apply(kind, v, person, rng)


def error_applicable(kind: str, person: Person) -> bool:
    """Whether an error of ``kind`` can be planted in ``person``."""
    if kind == "transliteration":
        return bool(
            _TRANSLIT.get(person.last_name.lower()) or _TRANSLIT.get(person.first_name.lower())
        )
    if kind == "double_surname":
        return person.origin == "hispanic"
    if kind == "dob_year":
        return not (person.dob.month == 2 and person.dob.day == 29)
    if kind in VARIANT_KINDS:
        return applicable(kind, person)
    return True


# Kinds that cannot go together in one query (the second would undo or hide the first).
_CLASHES = {
    frozenset({"typo_both", "typo_last"}),
    frozenset({"typo_both", "typo_first"}),
    frozenset({"swap_day_month", "dob_digit"}),
    frozenset({"first_missing", "typo_first"}),
    frozenset({"first_missing", "typo_both"}),
    frozenset({"first_missing", "nickname"}),
    frozenset({"first_missing", "transpose"}),
    frozenset({"surname_changed", "double_surname"}),
    frozenset({"surname_changed", "typo_last"}),
    frozenset({"surname_changed", "typo_both"}),
}


def make_error_queries(
    people: list[Person], count: int, *, seed: int, errors: int = 1
) -> list[Variant]:
    """``count`` queries of distinct random people, each with ``errors`` planted errors.

    The (first) kind cycles through ERROR_KINDS, so each is equally represented; with two
    errors the second is a random other kind that can go with it. ``kinds`` names them.
    """
    rng = random.Random(seed)
    order = list(range(len(people)))
    rng.shuffle(order)
    used: set[int] = set()
    out: list[Variant] = []
    cursor = 0
    while len(out) < min(count, len(people)) and cursor < len(order) * 2:
        kind = ERROR_KINDS[len(out) % len(ERROR_KINDS)]
        person = people[order[cursor % len(order)]]
        cursor += 1
        if person.pid in used or not error_applicable(kind, person):
            continue
        kinds = [kind]
        if errors > 1:
            others = [
                k
                for k in ERROR_KINDS
                if k != kind
                and error_applicable(k, person)
                and frozenset({k, kind}) not in _CLASHES
            ]
            kinds.append(rng.choice(others))
        v = Variant(person.pid, person.first_name, person.last_name, person.dob, person.sex, ())
        ordered = tuple(k for k in ERROR_KINDS if k in kinds and k != "transpose")
        ordered += ("transpose",) if "transpose" in kinds else ()
        for k in ordered:
            changed = _error(k, v, person, rng)
            if changed is None:
                break
            v = changed
        else:
            used.add(person.pid)
            out.append(replace(v, kinds=tuple(kinds)))
    return out
