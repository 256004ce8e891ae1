"""A scored pair in words: which fields agree or disagree, and how much each weighed.

Splink gives each comparison a Bayes factor; its log2 is the match weight. Positive
weights are evidence for the same person, negative against, zero means not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NEUTRAL = 0.05


@dataclass(frozen=True)
class Evidence:
    field: str
    finding: str
    weight: float

    @property
    def stance(self) -> str:
        if self.weight > NEUTRAL:
            return "agrees"
        if self.weight < -NEUTRAL:
            return "disagrees"
        return "not compared"

    def words(self) -> str:
        return f"{self.field}: {self.finding} ({self.weight:+.1f})"


def evidence(pair: dict[str, Any], levels: dict[str, Any]) -> list[Evidence]:
    """One line per comparison, strongest evidence first."""
    found = []
    for name, gamma in pair["g"].items():
        described = levels.get(name, {})
        label = described.get("levels", {}).get(str(gamma), f"level {gamma}")
        found.append(Evidence(described.get("description", name), label, pair["b"][name]))
    return sorted(found, key=lambda e: (-abs(e.weight), e.field))


def sentence(pair: dict[str, Any], levels: dict[str, Any]) -> str:
    """'Agrees on date of birth: same (+10.2); ... Disagrees on sex: different (-4.1).'"""
    found = evidence(pair, levels)
    parts = []
    for stance, title in (("agrees", "Agrees on"), ("disagrees", "Disagrees on")):
        chosen = [e.words() for e in found if e.stance == stance]
        if chosen:
            parts.append(f"{title} {'; '.join(chosen)}.")
    missing = [e.field for e in found if e.stance == "not compared"]
    if missing:
        parts.append(f"Not compared: {', '.join(missing)}.")
    if pair.get("alias"):
        parts.append("Compared with the registry record's alias name or date of birth.")
    return f"Match probability {pair['p']:.1%} (weight {pair['w']:+.1f}). " + " ".join(parts)
