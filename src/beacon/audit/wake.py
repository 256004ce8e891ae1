"""Running the chainer soon after an audited transaction commits, off the request path.

``settings.BEACON_AUDIT_CHAINER``:
- ``thread`` (served processes, the default): each process has one daemon thread;
  a commit that wrote events only sets an Event, the thread chains a moment later
  (batching whatever else committed meanwhile). At exit the process chains what it left.
- ``inline``: chain right after the commit, in the committing thread (the test suite,
  where no thread may outlive a test).
- ``off``: never after commit; ``beacon audit chain``, anchor, search and backup still
  chain (``verify`` never does: it only reads).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from beacon.audit.chainer import has_pending, try_chain
from beacon.core.stamp import SharedStamp, database_scoped_path

logger = logging.getLogger("beacon.audit")

COALESCE_SECONDS = 0.05  # commits of the next 50 ms join the pass
IDLE_CLOSE_SECONDS = 2.0  # the thread's database connection is closed when idle

_wake = threading.Event()
_last_commit_at = 0.0  # monotonic time of this process's latest commit that wrote events
_stamp: SharedStamp | None = None
_started_in: int | None = None  # pid: a forked worker starts its own thread
_start_lock = threading.Lock()


def after_commit() -> None:
    """on_commit hook of every transaction that recorded an event."""
    global _last_commit_at
    mode = getattr(settings, "BEACON_AUDIT_CHAINER", "thread")
    if mode == "inline":
        chain_until_clear()
    elif mode == "thread":
        _last_commit_at = time.monotonic()  # before the wake: the thread reads it after
        _ensure_thread()
        _wake.set()


def chain_until_clear(*, wait: bool = False) -> None:
    """Chain, and while we had the lock look again after releasing it.

    No event is left behind and no one polls: a committer that finds the lock taken gives
    up, because its commit came before the holder's release, and the holder looks again
    (with a fresh snapshot) after every release. Each completed pass records when it
    began in a stamp shared by this machine's processes: a process whose last commit is
    older than that has nothing to do (that pass saw its events).
    """
    while True:
        began = time.monotonic()
        if not _chain_quietly(wait=wait):
            return
        _advance_stamp(began)
        if not _pending_quietly():
            return


def _shared_stamp() -> SharedStamp:
    global _stamp
    path = database_scoped_path("audit-chained")
    if _stamp is None or _stamp.path != path:
        _stamp = SharedStamp(path)
    return _stamp


def _advance_stamp(began: float) -> None:
    try:
        _shared_stamp().advance(began)
    except OSError:
        logger.warning("audit chain stamp not written", exc_info=True)


def _covered(committed_at: float) -> bool:
    """Whether a pass that began after this commit has completed (on this machine)."""
    try:
        return _shared_stamp().read() >= committed_at
    except OSError:
        return False


def _chain_quietly(*, wait: bool) -> bool:
    """True when this call had the chain lock (and chained what it saw)."""
    try:
        had_lock, _count = try_chain(wait=wait)
        return had_lock
    except DatabaseError:
        # Never fails the request that already committed: the events stay unchained
        # and the next pass (or `beacon audit chain`) chains them.
        logger.warning("audit chaining deferred", exc_info=True)
        return False


def _pending_quietly() -> bool:
    try:
        return has_pending()
    except DatabaseError:
        return False


def _ensure_thread() -> None:
    global _started_in
    if _started_in == os.getpid():
        return
    with _start_lock:
        if _started_in == os.getpid():
            return
        _started_in = os.getpid()
        threading.Thread(target=_run, name="beacon-audit-chainer", daemon=True).start()
        atexit.register(_chain_at_exit)


def _run() -> None:
    while True:
        if not _wake.wait(IDLE_CLOSE_SECONDS):
            connection.close()
            continue
        time.sleep(COALESCE_SECONDS)
        _wake.clear()
        # Read after the clear: a commit after this point wakes the thread again.
        if _covered(_last_commit_at):
            continue
        close_old_connections()
        chain_until_clear()


def _chain_at_exit() -> None:
    chain_until_clear(wait=True)
