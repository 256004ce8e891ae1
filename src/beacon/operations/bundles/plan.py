"""What the importer works with: the validated plan, its report, and the refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beacon.core.errors import ValidationFailed
from beacon.operations.bundles.reader import Problem, Row


class BundleRejected(ValidationFailed):
    """The bundle was refused whole; ``problems`` lists every path and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.path, []).append(problem.reason)
        super().__init__(
            f"The bundle was refused ({len(problems)} problem(s)); nothing was imported.",
            fields=fields,
        )
        self.problems = problems


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    operations: list[str] = field(default_factory=list)

    def count(self, section: str, *, new: bool) -> None:
        target = self.created if new else self.unchanged
        target[section] = target.get(section, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"operations": self.operations, "created": self.created, "unchanged": self.unchanged}


@dataclass
class Plan:
    """The validated bundle: typed rows with their paths, in write order."""

    metrics: dict[str, Row] = field(default_factory=dict)  # local metrics by id
    metric_paths: dict[str, str] = field(default_factory=dict)
    places: list[tuple[str, Row]] = field(default_factory=list)
    agencies: list[tuple[str, Row]] = field(default_factory=list)
    operations: list[tuple[str, Row]] = field(default_factory=list)
    records: list[tuple[str, Row]] = field(default_factory=list)
    sections: dict[str, list[tuple[str, Row]]] = field(default_factory=dict)
