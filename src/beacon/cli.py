"""The ``beacon`` console script: Django's management commands under one name.

``beacon records search ...``, ``beacon import records FILE``, ``beacon report ...``,
``beacon demo``, ``beacon migrate``: each domain ships its own management commands.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["beacon", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as exc:
        # Configuration errors are the operator's to fix: say what, without a traceback.
        print(f"beacon: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
