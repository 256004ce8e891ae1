"""A fingerprint of the whole database: every table's rows, the audit chain, the reports.

``take()`` in the test process describes the test database; ``python -m
tests.resilience.snapshot`` prints the same description of whatever database the
environment points at (used on a restored copy).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any


def _table_digest(model: Any) -> dict[str, Any]:
    rows = list(model._base_manager.order_by("pk").values_list())
    encoded = json.dumps(rows, default=str, sort_keys=True).encode()
    return {"rows": len(rows), "sha256": hashlib.sha256(encoded).hexdigest()}


def take() -> dict[str, Any]:
    from django.apps import apps

    from beacon.audit.verify import verify

    tables = {
        model._meta.label: _table_digest(model)
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label)
        if model._meta.app_label not in {"sessions", "admin"} and model._meta.managed
    }
    chain = verify()
    return {
        "tables": tables,
        "chain": {"ok": chain.ok, "events": chain.checked, "head": chain.last_hash},
        "reports": reports(),
    }


def reports() -> dict[str, Any]:
    """Every operation's results report, in English and French, as the operations service
    computes it from record-level data (computed last: reading a report is audited)."""
    from beacon.core.actor import system_actor
    from beacon.operations.models import Operation
    from beacon.operations.reports.compute import build_report

    actor = system_actor()
    codes = Operation.objects.order_by("code").values_list("code", flat=True)
    return {
        f"{code}/{lang}": json.loads(
            json.dumps(build_report(actor, code, lang=lang).as_dict(), default=str)
        )
        for code in codes
        for lang in ("en", "fr")
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
    import django

    django.setup()
    json.dump(take(), sys.stdout, sort_keys=True, default=str)
