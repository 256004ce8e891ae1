"""The import commands' progress bar: one bar per phase, never behind what was done."""

from __future__ import annotations

from beacon.core.progress import phase_bar


def test_each_phase_gets_its_own_labelled_bar() -> None:
    bar, progress = phase_bar(quiet=True)
    progress("validate", 10, 100)
    progress("validate", 100, 100)
    progress("write", 5, 100)
    tasks = {task.description: task for task in bar.tasks}
    assert set(tasks) == {"Validating", "Writing"}
    assert (tasks["Validating"].completed, tasks["Validating"].total) == (100, 100)
    assert (tasks["Writing"].completed, tasks["Writing"].total) == (5, 100)


def test_total_grows_when_a_phase_does_more_than_it_announced() -> None:
    # A streamed file's row count is an estimate until it is read to the end.
    bar, progress = phase_bar(quiet=True)
    progress("validate", 150, 100)
    (task,) = bar.tasks
    assert task.total == 150 and task.completed == 150


def test_an_unknown_phase_is_named_after_itself() -> None:
    bar, progress = phase_bar(quiet=True)
    progress("index", 1, 2)
    assert [task.description for task in bar.tasks] == ["Index"]
