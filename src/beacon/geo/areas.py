"""Built-in named areas: US federal judicial districts, FBI field offices, groups of countries.

Only what is known for certain is given as containment: a district lies in its state
(a one-district state is its district); a field office's members are listed where it
covers whole states, and left for the bundle to give where it covers parts of states.
"""

from __future__ import annotations

from dataclasses import dataclass

# States with more than one federal judicial district, and their districts' letters.
SPLIT_DISTRICTS: dict[str, str] = {
    "AL": "NMS",
    "AR": "EW",
    "CA": "NECS",
    "FL": "NMS",
    "GA": "NMS",
    "IL": "NCS",
    "IN": "NS",
    "IA": "NS",
    "KY": "EW",
    "LA": "EMW",
    "MI": "EW",
    "MS": "NS",
    "MO": "EW",
    "NY": "NSEW",
    "NC": "EMW",
    "OH": "NS",
    "OK": "NEW",
    "PA": "EMW",
    "TN": "EMW",
    "TX": "NSEW",
    "VA": "EW",
    "WA": "EW",
    "WV": "NS",
    "WI": "EW",
}
# One district each: the other states, DC and the territories with a district court.
WHOLE_DISTRICTS = [
    "AK",
    "AZ",
    "CO",
    "CT",
    "DE",
    "DC",
    "HI",
    "ID",
    "KS",
    "ME",
    "MD",
    "MA",
    "MN",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "ND",
    "OR",
    "RI",
    "SC",
    "SD",
    "UT",
    "VT",
    "WY",
    "PR",
    "VI",
    "GU",
    "MP",
]
DIRECTIONS = {
    "N": ("Northern", "Nord"),
    "S": ("Southern", "Sud"),
    "E": ("Eastern", "Est"),
    "W": ("Western", "Ouest"),
    "C": ("Central", "Centre"),
    "M": ("Middle", "Centre-Est"),
}


@dataclass(frozen=True)
class Area:
    kind: str
    code: str
    name_en: str
    name_fr: str
    within: str = ""  # a place ref
    members: tuple[str, ...] = ()


def _state_names(abbr: str) -> tuple[str, str]:
    import us

    from beacon.agencies.codes import _french_state_name

    state = us.states.lookup(abbr)
    name = state.name if state is not None else abbr
    return name, _french_state_name(name)


def districts() -> dict[str, Area]:
    out: dict[str, Area] = {}
    for state, letters in SPLIT_DISTRICTS.items():
        en_state, fr_state = _state_names(state)
        for letter in letters:
            en, fr = DIRECTIONS[letter]
            code = f"{state}-{letter}"
            out[code] = Area(
                "district",
                code,
                f"{en} District of {en_state}",
                f"District fédéral {fr} ({fr_state})",
                f"state:{state}",
            )
    for state in WHOLE_DISTRICTS:
        en_state, fr_state = _state_names(state)
        out[state] = Area(
            "district",
            state,
            f"District of {en_state}",
            f"District fédéral ({fr_state})",
            f"state:{state}",
            (f"state:{state}",),
        )
    return out


# FBI field offices: (home state, states wholly in their territory, where known).
FIELD_OFFICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ALBANY": ("NY", ()),
    "ALBUQUERQUE": ("NM", ("NM",)),
    "ANCHORAGE": ("AK", ("AK",)),
    "ATLANTA": ("GA", ()),
    "BALTIMORE": ("MD", ("MD", "DE")),
    "BIRMINGHAM": ("AL", ()),
    "BOSTON": ("MA", ("MA", "ME", "NH", "RI")),
    "BUFFALO": ("NY", ()),
    "CHARLOTTE": ("NC", ("NC",)),
    "CHICAGO": ("IL", ()),
    "CINCINNATI": ("OH", ()),
    "CLEVELAND": ("OH", ()),
    "COLUMBIA": ("SC", ("SC",)),
    "DALLAS": ("TX", ()),
    "DENVER": ("CO", ("CO", "WY")),
    "DETROIT": ("MI", ("MI",)),
    "EL-PASO": ("TX", ()),
    "HONOLULU": ("HI", ("HI", "GU", "AS", "MP")),
    "HOUSTON": ("TX", ()),
    "INDIANAPOLIS": ("IN", ("IN",)),
    "JACKSON": ("MS", ("MS",)),
    "JACKSONVILLE": ("FL", ()),
    "KANSAS-CITY": ("MO", ()),
    "KNOXVILLE": ("TN", ()),
    "LAS-VEGAS": ("NV", ("NV",)),
    "LITTLE-ROCK": ("AR", ("AR",)),
    "LOS-ANGELES": ("CA", ()),
    "LOUISVILLE": ("KY", ("KY",)),
    "MEMPHIS": ("TN", ()),
    "MIAMI": ("FL", ()),
    "MILWAUKEE": ("WI", ("WI",)),
    "MINNEAPOLIS": ("MN", ("MN", "ND", "SD")),
    "MOBILE": ("AL", ()),
    "NEW-HAVEN": ("CT", ("CT",)),
    "NEW-ORLEANS": ("LA", ("LA",)),
    "NEW-YORK": ("NY", ()),
    "NEWARK": ("NJ", ("NJ",)),
    "NORFOLK": ("VA", ()),
    "OKLAHOMA-CITY": ("OK", ("OK",)),
    "OMAHA": ("NE", ("NE", "IA")),
    "PHILADELPHIA": ("PA", ()),
    "PHOENIX": ("AZ", ("AZ",)),
    "PITTSBURGH": ("PA", ()),
    "PORTLAND": ("OR", ("OR",)),
    "RICHMOND": ("VA", ()),
    "SACRAMENTO": ("CA", ()),
    "SALT-LAKE-CITY": ("UT", ("UT", "ID", "MT")),
    "SAN-ANTONIO": ("TX", ()),
    "SAN-DIEGO": ("CA", ()),
    "SAN-FRANCISCO": ("CA", ()),
    "SAN-JUAN": ("PR", ("PR", "VI")),
    "SEATTLE": ("WA", ("WA",)),
    "SPRINGFIELD": ("IL", ()),
    "ST-LOUIS": ("MO", ()),
    "TAMPA": ("FL", ()),
    "WASHINGTON": ("DC", ()),
}


def field_offices() -> dict[str, Area]:
    out = {}
    for code, (_home, whole) in FIELD_OFFICES.items():
        city = code.replace("-", " ").title().replace("St ", "St. ")
        out[code] = Area(
            "field_office",
            code,
            f"FBI {city} Field Office",
            f"Bureau extérieur du FBI à {city}",
            "",
            tuple(f"state:{s}" for s in whole),
        )
    return out


EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]


def groups() -> dict[str, Area]:
    return {
        "EU": Area(
            "group",
            "EU",
            "European Union",
            "Union européenne",
            "",
            tuple(f"country:{c}" for c in EU),
        )
    }


def builtin(kind: str, code: str) -> Area | None:
    table = {"district": districts, "field_office": field_offices, "group": groups}.get(kind)
    return table().get(code) if table else None
