"""Every model holding personal data says who sees it, and interfaces read it only so.

Two checks, so that a new model or a new view cannot slip past need-to-know:

- every Beacon model is either personal data, with ``Model.objects.visible_to(actor)``
  declared next to it in its domain, or listed in ``NOT_PERSONAL`` with the reason;
- the interface layers (pages, API handlers, CLI commands) never touch a personal-data
  model's manager except through ``visible_to`` / ``get_visible`` / ``served_by``: a new
  view that writes ``Victim.objects.filter(...)`` fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.db import models

SRC = Path(__file__).resolve().parents[2] / "src" / "beacon"

# Models that hold no personal data of a case (or that only administrators reach, by a
# named permission rather than by rows), each with the reason.
NOT_PERSONAL: dict[str, str] = {
    # access: accounts, their tokens and sign-in attempts: accounts:manage, tokens:own.
    "access.Membership": "accounts: administrators (accounts:manage), not case files",
    "access.ApiToken": "an account's tokens: their owner (tokens:own) and administrators",
    "access.SignInAttempt": "sign-in throttling counters",
    "access.RoleRequest": "accounts: two administrators approve a role",
    "access.ApiRateWindow": "request counters",
    "audit.AuditEvent": "the audit trail: audit:view, sealed values only (vault)",
    "audit.ChainHead": "the audit chain's head",
    "vault.AgencyKey": "wrapped keys, no personal data",
    "resilience.IdempotencyRecord": "stored answers, sealed per agency (vault)",
    "agencies.Agency": "agencies, public",
    "agencies.Jurisdiction": "places, public",
    "records.NameVariant": "a dictionary of given names (Bill -> William)",
    "operations.Series": "a recurring operation's name",
    # Operation has visible_to (lists of operations use it), but it names no person: a
    # page may look an operation's name up by a code it already holds.
    "operations.Operation": "an operation's name, dates and places: no person",
    "operations.Participation": "which agency takes part in which operation",
    "operations.Publisher": "who may publish an operation's aggregate report",
    "operations.ReportedFigure": "published aggregate figures",
    "operations.Count": "aggregate counts",
    "operations.LocalMetric": "metric definitions",
    "operations.Amendment": "amendments to published figures",
    "operations.Offense": "NIBRS offence codes and counts of an incident",
    "operations.OperationStamp": "change stamps (a counter per operation)",
    "intake.SourceMapping": "an agency's column mapping for a source",
    "intake.LinkModel": "trained linkage parameters (m, u, prior)",
}
# Not Beacon's (Django's own apps, their users and sessions are accounts).
OTHER_APPS = {"auth", "contenttypes", "sessions", "admin", "otp_totp", "otp_static"}

READS = ("visible_to", "get_visible", "served_by")
# Reviewed exceptions in interface files, with the reason each is safe.
ALLOWED = {
    # Counts and a status list hashed into a change fingerprint: no row leaves the function.
    ("web/results.py", "Outcome"): "counts hashed into the live pages' fingerprint",
    ("web/results.py", "Referral"): "statuses hashed into the live pages' fingerprint",
}


def _beacon_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("beacon.")]


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def personal_models() -> list[type[models.Model]]:
    return [m for m in _beacon_models() if _label(m) not in NOT_PERSONAL]


def test_every_personal_data_model_says_who_sees_it() -> None:
    missing = [
        _label(m)
        for m in personal_models()
        if not callable(getattr(m._default_manager, "visible_to", None))
    ]
    assert not missing, (
        "give these models Model.objects.visible_to(actor) next to them, or list them in "
        "NOT_PERSONAL with the reason:\n" + "\n".join(sorted(missing))
    )


def test_the_not_personal_list_names_real_models() -> None:
    labels = {_label(m) for m in _beacon_models()}
    assert set(NOT_PERSONAL) <= labels, set(NOT_PERSONAL) - labels


def _interface_files() -> list[Path]:
    files = list((SRC / "web").rglob("*.py"))
    files += list(SRC.glob("*/api.py")) + list(SRC.glob("*/views.py"))
    files += list(SRC.glob("*/management/commands/*.py"))
    return sorted(files)


def _unscoped_pattern() -> re.Pattern[str]:
    names = "|".join(sorted(m.__name__ for m in personal_models()))
    reads = "|".join(READS)
    # Model.objects not followed by .visible_to( / .get_visible( / .served_by(, and the
    # managers Django keeps behind it.
    return re.compile(
        rf"\b({names})\.(?:objects\b(?!\.(?:{reads})\b)|_default_manager\b|_base_manager\b)"
    )


def test_interfaces_read_personal_data_only_through_visible_to() -> None:
    unscoped = _unscoped_pattern()
    found = []
    for path in _interface_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in unscoped.finditer(line):
                if (str(path.relative_to(SRC)), match.group(1)) in ALLOWED:
                    continue
                found.append(f"{path.relative_to(SRC)}:{number}: {match.group(0)}: {line.strip()}")
    assert not found, "read personal data through Model.objects.visible_to(actor):\n" + (
        "\n".join(found)
    )


def test_the_lint_sees_the_interface_files_and_the_models() -> None:
    names = {str(p.relative_to(SRC)) for p in _interface_files()}
    assert "records/api.py" in names and "web/views/inbox.py" in names
    assert any(n.startswith("records/management/commands/") for n in names)
    labels = {_label(m) for m in personal_models()}
    for label in ("records.MissingPersonRecord", "operations.Victim", "operations.Person"):
        assert label in labels
    unscoped = _unscoped_pattern()
    assert unscoped.search("Victim.objects.filter(ref=ref)")
    assert unscoped.search("rows = Person.objects.all()")
    assert unscoped.search("Referral._default_manager.all()")
    assert not unscoped.search("Victim.objects.visible_to(actor).filter(ref=ref)")
    assert not unscoped.search("Intake.objects.get_visible(actor, pk=1)")
