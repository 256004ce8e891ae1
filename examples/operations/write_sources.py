"""Write each example's SOURCES.md from its published.json (the oracle).

Run from anywhere: ``python examples/operations/write_sources.py``. The test
checks that every SOURCES.md is the one this script writes.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUALIFIER_WORDS = {
    "exact": "exact",
    "more_than": "more than",
    "at_least": "at least",
    "about": "about",
    "nearly": "nearly",
    "almost": "almost",
    "several_thousand": "several thousand (no number)",
    "most": "most (no number)",
}


def _scope(scope: dict[str, object]) -> str:
    parts = [str(scope["level"])]
    for key in ("code", "name"):
        if scope.get(key):
            parts.append(str(scope[key]))
    return ": ".join([parts[0], " ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def _period(period: dict[str, object] | None) -> str:
    if not period:
        return "the operation's period"
    if "ranges" in period:
        return ", ".join(f"{a} to {b}" for a, b in period["ranges"])  # type: ignore[union-attr]
    text = f"{period.get('start')} to {period.get('end')}"
    if period.get("wording"):
        text += f" (\u201c{period['wording']}\u201d)"
    return text


def render(data: dict[str, object]) -> str:
    lines = [f"# {data['operation']} \u2014 sources", ""]
    lines.append(
        "Every figure below is quoted from the stored public page named with it; "
        "`published.json` beside this file is the machine-readable list (the oracle "
        "the test checks the report against). Written by `write_sources.py`."
    )
    lines.append("")
    lines.append(f"Operation period: {_period(data.get('period'))}.")  # type: ignore[arg-type]
    lines += ["", "## Sources", ""]
    for s in data["sources"]:  # type: ignore[union-attr]
        via = f", as published by {s['via']}" if s.get("via") else ""
        lines.append(
            f"- **{s['id']}** \u2014 {s['publisher']}{via}: \u201c{s['title']}\u201d, {s['date']}, "
            f"language `{s['language']}`, {s['release']} release. <{s['url']}>"
        )
    lines += ["", "## Figures", ""]
    for f in data["figures"]:  # type: ignore[union-attr]
        value = "\u2014" if f["value"] is None else f["value"]
        unit = f["unit"] + (f" of {f['base']}" if f.get("base") else "")
        head = (
            f"- **{f['id']}** {f['concept']}: **{value}** ({unit}), qualifier "
            f"{QUALIFIER_WORDS[f['qualifier']]}"
        )
        if f.get("wording"):
            head += f" (\u201c{f['wording']}\u201d)"
        head += (
            f"; scope {_scope(f['scope'])}; period {_period(f.get('period') or data.get('period'))}"
        )
        if f.get("parent"):
            head += f"; part of {f['parent']}"
        head += f"; source {f['source']}."
        lines.append(head)
        lines.append(f"  > {f['quote']}")
        if f.get("unrepresentable"):
            lines.append(f"  Not representable: {f['unrepresentable']}.")
    for a in data.get("attributes", []):  # type: ignore[union-attr]
        lines.append(f"- Attribute: {a['concept']} = {a['value']}; source {a['source']}.")
        lines.append(f"  > {a['quote']}")
    return "\n".join(lines) + "\n"


def main() -> None:
    for path in sorted(HERE.glob("*/published.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        (path.parent / "SOURCES.md").write_text(render(data), encoding="utf-8")


if __name__ == "__main__":
    main()
