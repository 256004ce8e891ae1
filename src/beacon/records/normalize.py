"""Folding names for matching: accents removed, upper case, letters and single spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_LETTER = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")
_PARTICLES = frozenset(
    {"DE", "DEL", "LA", "LOS", "LAS", "Y", "VAN", "VON", "DA", "DOS", "AL", "EL"}
)


# Letters Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {"Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "ß": "ss", "Æ": "AE",
     "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th", "\u0131": "i", "Ħ": "H", "ħ": "h"}
)  # fmt: skip


@lru_cache(maxsize=100_000)
def fold(name: str) -> str:
    """'José-María  O'Neil' -> 'JOSE MARIA ONEIL'; 'Đặng' -> 'DANG'."""
    text = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    text = text.replace("'", "").replace("-", " ").replace(".", " ")
    text = _NOT_LETTER.sub("", text)
    return _SPACES.sub(" ", text).strip()


def surname_forms(last: str) -> list[str]:
    """The whole folded surname (spaces removed) and each main part of a compound one.

    'Garcia Lopez' -> ['GARCIALOPEZ', 'GARCIA', 'LOPEZ']; 'de la Cruz' -> ['DELACRUZ', 'CRUZ'].
    """
    return list(_surname_forms(last))


@lru_cache(maxsize=100_000)
def _surname_forms(last: str) -> tuple[str, ...]:
    """surname_forms, cached (the rerank asks for every candidate's surname)."""
    folded = fold(last)
    if not folded:
        return ()
    forms = [folded.replace(" ", "")]
    parts = [p for p in folded.split(" ") if p not in _PARTICLES and len(p) > 1]
    if len(parts) > 1 or (parts and parts[0] != forms[0]):
        forms.extend(p for p in parts if p not in forms)
    return tuple(forms)


@lru_cache(maxsize=100_000)
def given_form(first: str) -> str:
    """The first given name, folded ('Mary Ann' -> 'MARY')."""
    folded = fold(first)
    return folded.split(" ")[0] if folded else ""
