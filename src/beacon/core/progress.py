"""The CLI's progress bar for long imports: one bar per phase (validate, then write).

Every importer reports progress as ``progress(phase, done, total)``; the commands that
run them (``beacon import``, ``beacon interchange import``) show it the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

PHASE_LABELS = {"validate": "Validating", "write": "Writing"}

PhaseCallback = Callable[[str, int, int], None]


def phase_bar(*, quiet: bool = False) -> tuple[Progress, PhaseCallback]:
    """A transient bar (use it as a context manager) and the callback importers take.

    The bar disappears when the work ends, so the command's summary line is what stays on
    the terminal; ``quiet`` (``--quiet``) shows nothing.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        disable=quiet,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            label = PHASE_LABELS.get(phase, phase.capitalize())
            tasks[phase] = bar.add_task(label, total=total)
        bar.update(tasks[phase], completed=done, total=max(total, done))

    return bar, progress
