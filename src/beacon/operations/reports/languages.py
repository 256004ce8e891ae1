"""The languages a report is written in: those of ``settings.LANGUAGES`` (one list for
the pages and the reports). Each must have the report's grammar (a test checks it)."""

from __future__ import annotations

from django.conf import settings


def base(code: str) -> str:
    """The report language of a locale code ("pt-br" -> "pt")."""
    return code.split("-")[0].lower()


def report_languages() -> tuple[str, ...]:
    out: list[str] = []
    for code, _name in settings.LANGUAGES:
        if base(code) not in out:
            out.append(base(code))
    return tuple(out)


def language_names() -> list[tuple[str, str]]:
    """(code, the language's own name) for the report's language toggle."""
    seen: dict[str, str] = {}
    for code, name in settings.LANGUAGES:
        seen.setdefault(base(code), str(name))
    return list(seen.items())
