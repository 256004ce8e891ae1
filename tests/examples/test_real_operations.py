"""Real published operations (examples/operations/*): imported, reported, checked.

Each example holds the operation's published figures as an oracle independent of
Beacon's format (``published.json``) and the bundle entered from them
(``bundle.json``). Every bundle goes through the real importer (``beacon bundle
import``); the report is rendered in English and French (``beacon report``: JSON,
Markdown and HTML). Every published figure must be in the JSON report with its
value, qualifier and source, and in the Markdown report on a line that gives its
value in the reader's number format with its qualifier in words, its label in that
language (from the catalogue, or the bundle's local metric), its breakdown and its
scope (the place or agency it is about); its value and source are in the HTML
report too. Nothing may be marked as disagreeing: these operations hold no records,
so no computed value exists to disagree with (except the known problems listed
in KNOWN_PROBLEMS, checked to still happen). Figures published by
different publishers for the same thing are marked as differing publishers.

A figure Beacon cannot hold is marked ``unrepresentable`` in published.json (with
its reason, also in examples/operations/UNREPRESENTABLE.md): it is reported as a
warning, not silently skipped; any other missing figure fails.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import tomllib
import unicodedata
import warnings
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "operations"
CATALOGUE = tomllib.loads((ROOT / "src/beacon/operations/data/metrics.toml").read_text("utf-8"))
SLUGS = sorted(p.parent.name for p in EXAMPLES.glob("*/published.json"))
LANGS = ("en", "fr")

# The words each qualifier is printed with, per language (any one of them).
QUALIFIER_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "more_than": ("more than", "over"),
        "at_least": ("at least",),
        "about": ("about", "approximately", "around", "some"),
        "nearly": ("nearly",),
        "almost": ("almost",),
    },
    "fr": {
        "more_than": ("plus de",),
        "at_least": ("au moins",),
        "about": ("environ", "quelque", "près de"),
        "nearly": ("près de", "presque"),
        "almost": ("presque", "près de"),
    },
}


# Problems Beacon is known to have with a figure, each with its reason (also in
# examples/operations/UNREPRESENTABLE.md, "Problems found in Beacon"). The figure's
# problems are reported as warnings and checked to still happen, so the entry must go
# once Beacon is fixed; any problem with any other figure fails. (Seven false
# disagreements on participating agencies were listed here until results 2ec6b75.)
# (Fixed at integration: the figures table printed percentages without %, and the prose
# gave a percentage's base but not what it counts, e.g. "within seven days".)
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {}


class _Rollback(Exception):
    pass


def _published(slug: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / slug / "published.json").read_text("utf-8"))
    return data


def _bundle(slug: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / slug / "bundle.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def imported(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """Every example bundle imported through the CLI, once, rolled back at the end.

    Yields the import error of each bundle the importer refused (each import is all
    or nothing, in its own savepoint). Several bundles share a series (We Will Find
    You, Global Chain, Liberterra, Northern Spotlight): importing the second one must
    reuse the first one's row.
    """
    refused: dict[str, str] = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                for slug in SLUGS:
                    try:
                        with transaction.atomic():
                            call_command("bundle", "import", str(EXAMPLES / slug / "bundle.json"))
                    except CommandError as exc:
                        refused[slug] = str(exc)
                yield refused
                raise _Rollback
        except _Rollback:
            pass


def _report(code: str, fmt: str, lang: str) -> str:
    out = StringIO()
    call_command("report", code, "--format", fmt, "--lang", lang, stdout=out)
    return out.getvalue()


def _entries(node: Any) -> Iterator[dict[str, Any]]:
    """Every reported-figure entry of a JSON report, wherever it is nested."""
    if isinstance(node, dict):
        if "ref" in node and "status" in node:
            yield node
        for value in node.values():
            yield from _entries(value)
    elif isinstance(node, list):
        for value in node:
            yield from _entries(value)


def _plain(text: str) -> str:
    """Typographic spaces as plain spaces (the French thousands separator is U+202F)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _number_pattern(value: Decimal, lang: str) -> re.Pattern[str]:
    """The value as the reader's locale writes it, not inside a longer number."""
    whole = int(abs(value))
    decimals = str(abs(value)).split(".")[1].rstrip("0") if "." in str(value) else ""
    sep, point = (",", ".") if lang == "en" else (" ", ",")
    grouped = f"{whole:,}".replace(",", sep)
    text = grouped + (point + decimals if decimals else "")
    # A million may be written "1.6 million" / "1,6 million".
    alternatives = [re.escape(text)]
    if whole >= 1_000_000 and not decimals and whole % 100_000 == 0:
        millions = Decimal(whole) / Decimal(1_000_000)
        short = str(millions.normalize()).replace(".", point)
        alternatives.append(re.escape(short) + r" million")
    return re.compile(r"(?<![\d.,])(?:" + "|".join(alternatives) + r")(?![\d]|[.,]\d)")


def _fold(text: str) -> str:
    """Lower case, typographic apostrophes as plain ones, for matching words."""
    return unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")


def _metric_words(metric: str, lang: str, bundle: dict[str, Any]) -> tuple[str, ...]:
    """The catalogue's (or the bundle's local) words for a metric in one language."""
    entry: dict[str, Any] | None = CATALOGUE["metrics"].get(metric)
    if entry is None:
        entry = next(m for m in bundle.get("metrics", []) if m["id"] == metric)
    words = entry[lang]
    return tuple(_fold(words[k]) for k in ("label", "one", "other") if words.get(k))


def _breakdown_stems(breakdown: dict[str, str], lang: str) -> list[tuple[str, ...]]:
    """Per breakdown value, the first five letters of each word of its label in that
    language (agreement changes endings: mineurs / mineures); any one must appear."""
    stems = []
    for dimension, value in breakdown.items():
        words = CATALOGUE["dimensions"][dimension]["values"][value][lang]
        stems.append(tuple(w[:5] for w in _fold(words).replace(",", " ").split() if len(w) > 3))
    return stems


def _lines_with(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [line for line in text.splitlines() if pattern.search(line)]


def _problems(slug: str, lang: str) -> tuple[list[str], list[str]]:
    """(problems, unrepresentable) for one example in one language."""
    published = _published(slug)
    bundle = _bundle(slug)
    code = bundle["operations"][0]["code"]
    report = json.loads(_report(code, "json", lang))
    markdown = _plain(_report(code, "md", lang))
    page = html.unescape(_plain(_report(code, "html", lang)))
    rows = {row["ref"]: row for row in bundle["reported_figures"]}
    entries = {e["ref"]: e for e in _entries(report)}
    sources = {s["id"]: s for s in published["sources"]}
    problems: list[str] = []
    unrepresentable: list[str] = []

    def check(fig: dict[str, Any], ref: str, where: str) -> list[str]:
        problems: list[str] = []
        entry = entries.get(ref)
        if entry is None:
            problems.append(f"{where}: not in the report")
            return problems
        value = Decimal(str(fig["value"]))
        if Decimal(str(entry["value"])) != value:
            problems.append(f"{where}: value {entry['value']} instead of {value}")
        if entry.get("qualifier", "exact") != fig["qualifier"]:
            problems.append(
                f"{where}: qualifier {entry.get('qualifier')} instead of {fig['qualifier']}"
            )
        if entry["status"] == "disagrees":
            problems.append(f"{where}: marked disagrees (computed {entry.get('computed')})")
        source = sources[fig["source"]]
        if source["publisher"] not in json.dumps(entry, ensure_ascii=False):
            problems.append(f"{where}: source {source['publisher']} not given with the figure")
        for name, text in (("Markdown", markdown), ("HTML", page)):
            if source["publisher"] not in text:
                problems.append(f"{where}: source {source['publisher']} not in the {name} report")
        if not _number_pattern(value, lang).search(page):
            problems.append(f"{where}: value {value} not written in the HTML report")
        lines = _lines_with(markdown, _number_pattern(value, lang))
        if not lines:
            problems.append(f"{where}: value {value} not written in the Markdown report")
            return problems
        if fig["unit"] == "percent":
            sign = re.compile(_number_pattern(value, lang).pattern + r" ?%")
            if not any(sign.search(line) for line in lines):
                problems.append(f"{where}: {value} not written as a percentage")
        if fig["qualifier"] != "exact":
            words = QUALIFIER_WORDS[lang][fig["qualifier"]]
            if not any(w in line.lower() for line in lines for w in words):
                problems.append(f"{where}: no line gives {value} with {' / '.join(words)}")
        row = rows[ref]
        words = _metric_words(row["metric"], lang, bundle)
        if not any(w in _fold(line) for line in lines for w in words):
            problems.append(f"{where}: no line gives {value} with its label {' / '.join(words)}")
        prose = [line for line in lines if not line.startswith(("|", "#"))]
        if not any(w in _fold(line) for line in prose for w in words):
            problems.append(f"{where}: the prose does not give {value} with {' / '.join(words)}")
        if fig["unit"] == "percent":
            cell = re.compile(r"^(?:[^\d]*\s)?" + _number_pattern(value, lang).pattern + r"( ?%)?$")
            for line in lines:
                if line.startswith("|"):
                    for text in line.strip("|").split("|"):
                        found = cell.match(text.strip())
                        if found and not found.group(1):
                            problems.append(f"{where}: table cell {text.strip()!r} without %")
        for stems in _breakdown_stems(row.get("breakdown") or {}, lang):
            if not any(stem in _fold(line) for line in lines for stem in stems):
                problems.append(f"{where}: no line gives {value} with its breakdown {stems}")
        scope_name = entry.get("jurisdiction") or entry.get("agency")
        if row.get("jurisdiction") or row.get("agency"):
            if not scope_name:
                problems.append(
                    f"{where}: scope {row.get('jurisdiction') or row.get('agency')} lost"
                )
            elif not any(_plain(str(scope_name)) in line for line in lines):
                problems.append(f"{where}: no line gives {value} with its scope {scope_name}")
        return problems

    for fig in published["figures"]:
        ref = f"{code}-{fig['id']}"
        where = f"{slug} {fig['id']} ({fig['concept']}) [{lang}]"
        if fig.get("unrepresentable"):
            unrepresentable.append(f"{where}: {fig['unrepresentable']}")
            if ref in rows:
                problems.append(f"{where}: marked unrepresentable but entered in the bundle")
            continue
        found = check(fig, ref, where)
        known = KNOWN_PROBLEMS.get((slug, fig["id"]))
        if known and not found:
            problems.append(f"{where}: reported right now: remove it from KNOWN_PROBLEMS")
        elif known:
            unrepresentable += [f"{line} (known: {known})" for line in found]
        else:
            problems += found
    for group in published.get("publishers_differ", []):
        same = {
            json.dumps(
                [
                    rows[f"{code}-{fid}"].get(k)
                    for k in ("metric", "breakdown", "scope", "jurisdiction", "agency")
                ]
            )
            for fid in group["figures"]
        }
        values = {Decimal(str(rows[f"{code}-{fid}"]["value"])) for fid in group["figures"]}
        if len(same) == 1 and len(values) > 1:
            for fid in group["figures"]:
                status = entries.get(f"{code}-{fid}", {}).get("status")
                if status != "publishers_differ":
                    problems.append(f"{slug} {fid} [{lang}]: {group['note']}: status {status}")
    listed = {d.get("ref") for d in report.get("disagreements", [])}
    expected = {f"{code}-{fid}" for (s, fid) in KNOWN_PROBLEMS if s == slug}
    if listed - expected:
        problems.append(f"{slug} [{lang}]: disagreements listed: {sorted(listed - expected)}")
    return problems, unrepresentable


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_published_figure_is_reported(imported: dict[str, str], slug: str) -> None:
    assert slug not in imported, f"the importer refused {slug}:\n{imported.get(slug)}"
    problems: list[str] = []
    for lang in LANGS:
        found, unrepresentable = _problems(slug, lang)
        problems += found
        for line in unrepresentable:
            warnings.warn(f"known: {line}", stacklevel=1)
    assert not problems, "\n".join(problems)


def test_the_examples_meet_the_acceptance_counts() -> None:
    """Issue #13: 12+ operations, 8+ publishers, 4+ countries, French, outside the US."""
    publishers: set[str] = set()
    countries: set[str] = set()
    french = outside_us = 0
    for slug in SLUGS:
        data = _published(slug)
        publishers |= {s["publisher"] for s in data["sources"]}
        if data.get("country"):
            countries.add(data["country"])
        for fig in data["figures"]:
            if fig["scope"]["level"] == "country":
                countries.add(fig["scope"]["code"])
        french += any(s["language"] == "fr" for s in data["sources"])
        outside_us += data.get("country") != "US"
    assert len(SLUGS) >= 12
    assert len(publishers) >= 8, publishers
    assert len(countries) >= 4, countries
    assert french >= 1
    assert outside_us >= 2


@pytest.mark.parametrize("slug", SLUGS)
def test_each_example_cites_its_sources(slug: str) -> None:
    """SOURCES.md is the one written from published.json; every figure has its quote;
    every bundle figure names its publisher, date and URL."""
    spec = importlib.util.spec_from_file_location("write_sources", EXAMPLES / "write_sources.py")
    assert spec is not None and spec.loader is not None
    write_sources = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(write_sources)
    data = _published(slug)
    assert (EXAMPLES / slug / "SOURCES.md").read_text("utf-8") == write_sources.render(data)
    sources = {s["id"]: s for s in data["sources"]}
    for fig in data["figures"]:
        assert fig["quote"].strip(), fig["id"]
        assert fig["source"] in sources, fig["id"]
    code = _bundle(slug)["operations"][0]["code"]
    for row in _bundle(slug)["reported_figures"]:
        fid = row["ref"].removeprefix(f"{code}-")
        source = sources[next(f["source"] for f in data["figures"] if f["id"] == fid)]
        assert (row["source_name"], row["source_date"], row["source_document"]) == (
            source["publisher"],
            source["date"],
            source["url"],
        )


def test_unrepresentable_figures_are_listed() -> None:
    """Every figure marked unrepresentable is named, with its reason, in UNREPRESENTABLE.md."""
    listing = (EXAMPLES / "UNREPRESENTABLE.md").read_text("utf-8")
    entries = listing.split("\n- ")
    for slug in SLUGS:
        for fig in _published(slug)["figures"]:
            if fig.get("unrepresentable"):
                assert any(
                    e.startswith(f"`{slug}` ") and re.search(rf"\b{fig['id']}\b", e.split(":")[0])
                    for e in entries
                ), (slug, fig["id"])
