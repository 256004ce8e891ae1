"""The metric catalogue (data/metrics.toml) plus the local metrics users added.

Everything the reports need to know about a metric (unit, parent, parts, what computes
it, its words in English, French, Spanish and Portuguese) comes from here; see
docs/metrics.md. Spanish and Portuguese words are optional for a local metric: a metric
without them is said in English in those languages.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

UNITS = ("count", "percent", "money", "age", "duration", "number")
FAMILIES = (
    "effort",
    "missing_children",
    "victims",
    "justice",
    "seizures",
    "migration",
    "context",
    "local",
)
RECORD_TYPES = (
    "targets",
    "arrests",
    "victims",
    "services",
    "search_warrants",
    "raids",
    "seizures",
    "referrals",
    "investigations",
    "participants",
    "declared",
)
LOCAL_ID = re.compile(r"^local\.[a-z][a-z0-9_]{0,70}$")
# Older metric names of the form ``breakdown.key``: the metric with one dimension.
LEGACY = {
    "arrests_by_role": ("arrests", "role"),
    "investigations_by_type": ("investigations_opened", "type"),
}
VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"
# The languages a metric has words in; English is the fallback of the optional ones.
LANGS = ("en", "fr", "es", "pt")
OPTIONAL_LANGS = ("es", "pt")
GENDERED = ("fr", "es", "pt")  # languages whose words carry a gender (m or f)


def language(lang: str | None) -> str:
    """``lang`` cut to one of LANGS ("pt-br" -> "pt"); anything else is English."""
    code = (lang or "en").lower()[:2]
    return code if code in LANGS else "en"


@dataclass(frozen=True)
class Words:
    label: str
    one: str
    other: str
    gender: str = "m"
    elide: bool | None = None

    def noun(self, value: float | int) -> str:
        return self.one if value in (0, 1) else self.other

    def noun_in(self, value: float | int, lang: str) -> str:
        """The noun after ``value`` by ``lang``'s plural rule: French and Brazilian
        Portuguese say 0 and 1 in the singular, English and Spanish only 1."""
        if language(lang) in ("fr", "pt"):
            return self.noun(value)
        return self.one if value == 1 else self.other

    @property
    def elides(self) -> bool:
        """French: does "de" before it become "d'"?"""
        if self.elide is not None:
            return self.elide
        return bool(self.other) and self.other[0].lower() in VOWELS


@dataclass(frozen=True)
class Metric:
    id: str
    unit: str
    definition: str
    en: Words
    fr: Words
    family: str = "local"
    parent: str = ""
    sum_of: tuple[str, ...] = ()
    computed_from: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    local: bool = False
    es: Words | None = None
    pt: Words | None = None

    def words(self, lang: str) -> Words:
        """The words in ``lang`` (en, fr, es, pt; "pt-br" too), English when the metric
        has none in that language (a local metric declared in English and French)."""
        code = language(lang)
        found: Words | None = getattr(self, code)
        return found if found is not None else self.en

    def has_words(self, lang: str) -> bool:
        """Whether the metric has its own words in ``lang`` (not the English fallback)."""
        code = language(lang)
        return code == "en" or getattr(self, code) is not None

    @property
    def summable(self) -> bool:
        return self.unit in ("count", "money", "number")


@dataclass(frozen=True)
class Dimension:
    id: str
    en: str
    fr: str
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # value: (en, fr)
    es: str = ""
    pt: str = ""
    # value: {"es": ..., "pt": ...} (the optional languages; English when missing)
    more: dict[str, dict[str, str]] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        code = language(lang)
        return str(getattr(self, code)) or self.en

    def word(self, value: str, lang: str) -> str:
        pair = self.values.get(value)
        if pair is None:
            return value
        code = language(lang)
        if code in OPTIONAL_LANGS:
            return self.more.get(value, {}).get(code) or pair[0]
        return pair[1] if code == "fr" else pair[0]


@dataclass(frozen=True)
class Catalogue:
    version: int
    metrics: dict[str, Metric]
    dimensions: dict[str, Dimension]

    def get(self, metric_id: str) -> Metric | None:
        return self.metrics.get(metric_id)

    def resolve(
        self, name: str, breakdown: dict[str, str] | None = None
    ) -> tuple[str, dict[str, str]]:
        """The catalogue id and breakdown of a stored metric name (older dotted names too)."""
        crumbs = dict(breakdown or {})
        head, dot, key = name.partition(".")
        if dot and head in LEGACY:
            metric_id, dimension = LEGACY[head]
            crumbs.setdefault(dimension, key)
            return metric_id, crumbs
        return name, crumbs

    def problems(self, name: str, breakdown: dict[str, str] | None) -> list[str]:
        """Why a figure's metric and breakdown are not usable ([] when they are)."""
        metric_id, crumbs = self.resolve(name, breakdown)
        metric = self.get(metric_id)
        if metric is None:
            close = difflib.get_close_matches(metric_id, list(self.metrics), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            return [
                f"unknown metric {name}{hint}: use a catalogue id (docs/metrics.md) or "
                "declare a local. metric in the bundle's metrics section"
            ]
        out = []
        for dim, value in crumbs.items():
            if dim not in metric.dimensions and not (
                dim in ("role", "type") and name.partition(".")[0] in LEGACY
            ):
                allowed = ", ".join(metric.dimensions) or "none"
                out.append(f"{metric_id} has no breakdown by {dim} (allowed: {allowed})")
                continue
            known = self.dimensions.get(dim)
            if known is not None and known.values and value not in known.values:
                out.append(f"{dim} is one of {', '.join(known.values)}, not {value}")
            if dim == "nationality" and not re.fullmatch(r"[A-Z]{2}", str(value)):
                out.append("nationality is an ISO 3166-1 alpha-2 code")
        return out

    def label(self, name: str, lang: str) -> str:
        """The metric's table heading in ``lang`` (en, fr, es, pt; English fallback)."""
        metric_id, _crumbs = self.resolve(name)
        metric = self.get(metric_id)
        return metric.words(lang).label if metric else name.replace("_", " ")


def _words(data: dict[str, Any]) -> Words:
    return Words(
        label=str(data["label"]),
        one=str(data["one"]),
        other=str(data["other"]),
        gender=str(data.get("gender", "m")),
        elide=data.get("elide"),
    )


def metric_from_entry(metric_id: str, entry: dict[str, Any], *, local: bool = False) -> Metric:
    optional = {
        lang: _words(entry[lang]) if isinstance(entry.get(lang), dict) else None
        for lang in OPTIONAL_LANGS
    }
    return Metric(
        id=metric_id,
        unit=str(entry["unit"]),
        definition=str(entry.get("definition", "")),
        en=_words(entry["en"]),
        fr=_words(entry["fr"]),
        family=str(entry.get("family", "local")),
        parent=str(entry.get("parent", "")),
        sum_of=tuple(entry.get("sum_of", ())),
        computed_from=tuple(entry.get("computed_from", ())),
        dimensions=tuple(entry.get("dimensions", ())),
        local=local,
        es=optional["es"],
        pt=optional["pt"],
    )


def entry_problems(metric_id: str, entry: Any, known: Catalogue) -> list[tuple[str, str]]:
    """(field, reason) for every problem of a local metric's entry."""
    out: list[tuple[str, str]] = []
    if not LOCAL_ID.match(metric_id):
        out.append(("id", "a local metric's id is local. then lower-case snake_case"))
    if not isinstance(entry, dict):
        return [*out, ("", "must be an object")]
    allowed = {"id", "unit", "definition", "family", "parent", "sum_of", "dimensions", *LANGS}
    for key in sorted(set(entry) - allowed):
        out.append((key, "unknown field"))
    if entry.get("unit") not in UNITS:
        out.append(("unit", f"one of {', '.join(UNITS)}"))
    if not isinstance(entry.get("definition"), str) or not entry.get("definition", "").strip():
        out.append(("definition", "this field is required"))
    if "family" in entry and entry["family"] not in FAMILIES:
        out.append(("family", f"one of {', '.join(FAMILIES)}"))
    parent = entry.get("parent")
    if parent and not isinstance(parent, str):
        out.append(("parent", "a metric id"))
    for key in ("sum_of", "dimensions"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            out.append((key, "must be a list of strings"))
    for dim in entry.get("dimensions", []) or []:
        if isinstance(dim, str) and dim not in known.dimensions:
            out.append(("dimensions", f"unknown dimension {dim}"))
    for lang in LANGS:
        words = entry.get(lang)
        if lang in OPTIONAL_LANGS and words is None:
            continue  # said in English in that language
        if not isinstance(words, dict):
            out.append((lang, "needs label, one and other"))
            continue
        for key in ("label", "one", "other"):
            if not isinstance(words.get(key), str) or not words[key].strip():
                out.append((f"{lang}.{key}", "this field is required"))
        extra = set(words) - {"label", "one", "other", "gender", "elide"}
        for key in sorted(extra):
            out.append((f"{lang}.{key}", "unknown field"))
        if lang in GENDERED and words.get("gender") not in ("m", "f"):
            out.append((f"{lang}.gender", "m or f"))
        if "elide" in words and not isinstance(words["elide"], bool):
            out.append((f"{lang}.elide", "true or false"))
    return out


@cache
def builtin() -> Catalogue:
    text = (resources.files("beacon.operations") / "data" / "metrics.toml").read_text("utf-8")
    data = tomllib.loads(text)
    dimensions = {
        name: Dimension(
            id=name,
            en=str(d["en"]),
            fr=str(d["fr"]),
            values={k: (str(v["en"]), str(v["fr"])) for k, v in d.get("values", {}).items()},
            es=str(d.get("es", "")),
            pt=str(d.get("pt", "")),
            more={
                k: {lang: str(v[lang]) for lang in OPTIONAL_LANGS if v.get(lang)}
                for k, v in d.get("values", {}).items()
            },
        )
        for name, d in data.get("dimensions", {}).items()
    }
    metrics = {name: metric_from_entry(name, m) for name, m in data["metrics"].items()}
    return Catalogue(version=int(data["version"]), metrics=metrics, dimensions=dimensions)


def catalogue(extra: dict[str, dict[str, Any]] | None = None, *, stored: bool = True) -> Catalogue:
    """The built-in catalogue with every local metric stored in Beacon (unless not
    ``stored``) and ``extra`` (a bundle's not yet stored ones, or a report's)."""
    from beacon.operations.models import LocalMetric

    base = builtin()
    local = {row.code: row.entry for row in LocalMetric.objects.all()} if stored else {}
    local |= extra or {}
    if not local:
        return base
    metrics = dict(base.metrics)
    for code, entry in sorted(local.items()):
        try:
            metrics[code] = metric_from_entry(code, entry, local=True)
        except (KeyError, TypeError):
            continue  # refused by entry_problems before it can be stored
    return Catalogue(version=base.version, metrics=metrics, dimensions=base.dimensions)


def local_entries(known: Catalogue) -> dict[str, dict[str, Any]]:
    """The local metrics of a catalogue as entries (a report carries them, so that its
    rendering needs no query)."""
    from dataclasses import asdict

    out: dict[str, dict[str, Any]] = {}
    for metric in known.metrics.values():
        if metric.local:
            entry = asdict(metric)
            entry.pop("id")
            entry.pop("local")
            for lang in OPTIONAL_LANGS:
                if entry.get(lang) is None:
                    entry.pop(lang, None)
            out[metric.id] = entry
    return out
