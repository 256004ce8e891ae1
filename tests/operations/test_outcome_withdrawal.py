"""Withdrawing an outcome reopens the registry record to the status it had before; the
registry's status stays derived from its history."""

from __future__ import annotations

import pytest

from beacon.records.codes import Status
from beacon.records.status import HistoryError, derive_status


def test_reopen_returns_to_the_status_before_the_locate_or_clear() -> None:
    assert derive_status(["enter", "locate", "reopen"]) == Status.ACTIVE
    assert derive_status(["enter", "clear", "reopen"]) == Status.ACTIVE
    assert derive_status(["enter", "locate", "clear", "reopen"]) == Status.LOCATED
    assert derive_status(["enter", "locate", "reopen", "clear"]) == Status.CLEARED


def test_reopen_is_refused_where_nothing_was_located_or_cleared() -> None:
    with pytest.raises(HistoryError):
        derive_status(["enter", "reopen"])
    with pytest.raises(HistoryError):
        derive_status(["enter", "cancel", "reopen"])
