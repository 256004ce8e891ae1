"""A live server that shares the test's database connection (and its transaction).

The browser tests load the demo data once per module inside a transaction that is rolled
back at the end, so nothing is committed and no flush is needed (the audit table refuses
DELETE and TRUNCATE). The server thread uses the test's own connection — as Django does
for in-memory SQLite — and serves one request at a time so that connection is never used
by two requests at once.

The test thread keeps using that same connection while the server answers the browser,
so the two take turns: the server holds ``TURN`` for a whole request, and every
statement the test thread runs waits for it. Without the turn a request's savepoint could
be rolled back across a row the test thread had just written (seen on PostgreSQL in CI:
a session made for the next test vanished, "Forced update did not affect any rows").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


# Reentrant: the server thread runs many statements inside the request it holds it for.
TURN = threading.RLock()


class _SharedConnectionServer(WSGIServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, allow_reuse_address=False, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with TURN:
            super().process_request(request, client_address)


def _take_turn(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """Runs one statement of the test thread between two of the server's requests."""
    with TURN:
        return execute(sql, params, many, context)


class LiveServer:
    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.server = _SharedConnectionServer(("127.0.0.1", 0), _QuietHandler)
        self.server.set_app(WSGIHandler())
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        # Connections are per thread: this thread gets the test thread's one.
        connections["default"] = self.connection
        self.server.serve_forever(poll_interval=0.05)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def live_server_sharing_connection() -> Iterator[LiveServer]:
    """Serve the app in a thread that uses this thread's database connection."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    # Django's request signals would close the connection (it is inside a transaction,
    # so not in autocommit); the test client disconnects them for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    server = LiveServer(connection)
    connection.execute_wrappers.append(_take_turn)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        connection.execute_wrappers.remove(_take_turn)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        connection.dec_thread_sharing()
