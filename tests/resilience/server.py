"""A gunicorn launcher for the crash tests that imports Django once and forks per trial.

Reads commands on stdin, one per line, and answers on stdout:
    serve PORT  -> forks a new session running gunicorn (2 gthread workers) on
                   127.0.0.1:PORT; answers the arbiter's pid (its process group id)
    reap PID    -> waits for that (killed) server; answers "ok"
Killing a server is the test's job: os.killpg(pid, SIGKILL) kills the arbiter and its
workers at once, as a power cut or an OOM kill of the container would.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _serve(application: Any, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": 2,
                "worker_class": "gthread",
                "threads": 4,
                "timeout": 30,
                "loglevel": "critical",
                "accesslog": None,
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

    Server().run()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.resilience.server_settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "serve":
            pid = os.fork()
            if pid == 0:
                os.setsid()
                devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
                try:
                    _serve(application, int(argument))
                finally:
                    os._exit(0)
            print(pid, flush=True)
        elif command == "reap":
            os.waitpid(int(argument), 0)
            print("ok", flush=True)


if __name__ == "__main__":
    main()
