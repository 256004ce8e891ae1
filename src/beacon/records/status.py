"""A record's status is derived from its transactions; the rules of which move is legal.

``derive_status`` is the truth; ``MissingPersonRecord.status`` is a cache written by
beacon.records.services with the transaction that changes it (tests check they agree).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from beacon.records.codes import Status, TransactionKind

if TYPE_CHECKING:
    from beacon.agencies.models import Agency
    from beacon.core.actor import Actor

K = TransactionKind

# status after each kind of transaction (None: the kind leaves the status as it is).
_RESULT: dict[str, Status | None] = {
    K.ENTER: Status.ACTIVE,
    K.MODIFY: None,
    K.VALIDATE: None,
    K.LOCATE: Status.LOCATED,
    K.CLEAR: Status.CLEARED,
    K.CANCEL: Status.CANCELLED,
    K.REOPEN: None,  # back to the status before the locate or clear it undoes
}

# from which statuses each kind is allowed
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    K.MODIFY: frozenset({Status.ACTIVE, Status.LOCATED}),
    K.VALIDATE: frozenset({Status.ACTIVE}),
    K.LOCATE: frozenset({Status.ACTIVE}),
    K.CLEAR: frozenset({Status.ACTIVE, Status.LOCATED}),
    K.CANCEL: frozenset({Status.ACTIVE, Status.LOCATED}),
    K.REOPEN: frozenset({Status.LOCATED, Status.CLEARED}),
}

_WHY: dict[Status, str] = {
    Status.CLEARED: "the record has been cleared; it is closed",
    Status.CANCELLED: "the record was cancelled (entered in error); it is closed",
    Status.LOCATED: "the record is already located",
    Status.ACTIVE: "the record is active",
}


class HistoryError(ValueError):
    """A history that could not have been written (a bug, never user input)."""


def derive_status(kinds: Iterable[str]) -> Status:
    """The status a history of transaction kinds (oldest first) leads to."""
    status: Status | None = None
    before: list[Status] = []  # the status before each locate or clear (reopen returns)
    for kind in kinds:
        if status is None:
            if kind != K.ENTER:
                raise HistoryError(f"a history starts with enter, not {kind}")
            status = Status.ACTIVE
            continue
        if kind == K.ENTER:
            raise HistoryError("enter appears twice in one history")
        if status not in ALLOWED_FROM[kind]:
            raise HistoryError(f"{kind} is not allowed from {status}")
        if kind == K.REOPEN:
            status = before.pop()
            continue
        if kind in (K.LOCATE, K.CLEAR):
            before.append(status)
        status = _RESULT[kind] or status
    if status is None:
        raise HistoryError("an empty history has no status")
    return status


def refusal(kind: str, status: Status) -> str | None:
    """Why ``kind`` may not be applied to a record in ``status`` (None when it may)."""
    if status in ALLOWED_FROM[kind]:
        return None
    return f"Cannot {kind} this record: {_WHY[status]}."


# Kinds only the originating agency may apply (the system actor acts for any agency).
ORIGINATING_AGENCY_ONLY = frozenset({K.MODIFY, K.VALIDATE, K.CLEAR, K.CANCEL})


def agency_refusal(kind: str, actor: Actor, originating: Agency) -> str | None:
    """Why ``actor``'s agency may not apply ``kind`` to a record ``originating`` entered."""
    if actor.is_system:
        return None
    own = actor.agency_id == originating.pk
    if kind in ORIGINATING_AGENCY_ONLY and not own:
        return (
            f"Cannot {kind} this record: only the originating agency "
            f"({originating.ori}) may {kind} it."
        )
    if kind == K.LOCATE and own:
        return (
            "Cannot locate this record: your agency originated it; "
            "the originating agency clears its own record instead."
        )
    return None
