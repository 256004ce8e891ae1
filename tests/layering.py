"""Beacon's floors: which module may import which (issue #19).

Every module of ``src/beacon`` sits on one floor of ``LAYERS``. A module may import its own
floor and the floors below it, never a floor above, and no chain of imports may come back
to where it started (a loop). Imports inside functions count as much as those at the top of
a file: they only postpone the loop to run time. ``ALLOWED_UPWARD`` and ``ALLOWED_LOOPS``
list, with one line of why each, the exceptions that exist today; tests/test_layering.py
fails on any other. Fix one, and the test asks you to strike it from the list.

Before and after, on any checkout::

    python -m tests.layering                      # this tree
    python -m tests.layering --src ../main/src    # another one (e.g. main)
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Bottom to top. Names are module paths under ``beacon.``; the longest match places a
# module, so ``agencies.models`` can sit below ``agencies``.
LAYERS: tuple[tuple[str, ...], ...] = (
    # The kernel: who acts (Actor), domain errors, database checks, shared utilities, and
    # the agency an actor acts for (every table below needs Agency; Agency needs nothing).
    ("core", "agencies.models", "agencies.codes", "agencies.jurisdiction_loader"),
    # The append-only audit chain: every change of every floor above writes an event.
    ("audit",),
    # Sealed personal data (field encryption); it audits its key changes.
    ("vault",),
    # Idempotent writes, outage answers, backups (backups verify the audit chain).
    ("resilience",),
    # Permissions, roles, accounts, tokens, sign-in, the need-to-know kernel and the base
    # of every domain's visible_to (access.scoping). The audit trail's reader sits here
    # too: it reads the log as audit:view allows (only pages, the API and commands use it).
    ("access", "audit.search"),
    # Administering agencies (a permission), geography of jurisdictions.
    ("agencies", "geo"),
    # The NCIC-style registry.
    ("records",),
    # Operations (targets, outcomes, field events, reports, bundles) and intake.
    ("operations", "intake"),
    # Exchange formats (NIBRS, NCIC, PFIF, HTCDS): they read operations and records.
    ("interchange",),
    # Interfaces: pages, API, CLI, wiring. Nothing below imports them.
    ("web", "api", "cli", "urls", "wsgi", "settings", "test_settings"),
)

# A module with one of these names, or under one of these folders, is an interface of its
# app (a route, a page, a command, wiring): it sits on the top floor, with the web app.
INTERFACE_NAMES = frozenset({"api", "apps", "views", "admin", "urls", "middleware"})
INTERFACE_FOLDERS = frozenset({"management", "templatetags", "migrations"})

# (importer, imported) -> why it is allowed today. Each is a debt with an issue to pay it.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}

# Loops, each as the sorted tuple of its modules -> why it is allowed today.
ALLOWED_LOOPS: dict[tuple[str, ...], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str  # module path under beacon., e.g. "records.services"
    imported: str
    line: int
    in_function: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(root: Path) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def _targets(node: ast.AST, known: set[str]) -> Iterator[str]:
    """The beacon modules an import statement loads (a submodule when it names one)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("beacon."):
                yield alias.name.removeprefix("beacon.")
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module != "beacon" and not node.module.startswith("beacon."):
            return
        base = node.module.removeprefix("beacon").removeprefix(".")
        for alias in node.names:
            sub = f"{base}.{alias.name}" if base else alias.name
            if sub in known:
                yield sub
            elif base:
                yield base


def imports(root: Path) -> list[Import]:
    """Every import of one beacon module by another, at module level or in a function."""
    modules = _modules(root)
    known = set(modules)
    found: list[Import] = []
    for name, path in modules.items():
        if ".migrations" in f".{name}":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, in_function in _walk(tree, False):
            for target in _targets(node, known):
                if target != name and target in known:
                    found.append(Import(name, target, node.lineno, in_function))  # type: ignore[attr-defined]
    return found


def _walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        yield child, in_function
        yield from _walk(child, inside)


def layer_of(module: str) -> int:
    parts = module.split(".")
    if parts[-1] in INTERFACE_NAMES or INTERFACE_FOLDERS & set(parts[1:]):
        return len(LAYERS) - 1
    best, best_len = -1, -1
    for index, floor in enumerate(LAYERS):
        for prefix in floor:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best < 0:
        raise LookupError(f"beacon.{module} is on no floor: add its app to LAYERS")
    return best


def upward(found: Iterable[Import]) -> dict[tuple[str, str], list[Import]]:
    """Imports of a higher floor, by (importer, imported)."""
    out: dict[tuple[str, str], list[Import]] = {}
    for imp in found:
        if layer_of(imp.imported) > layer_of(imp.importer):
            out.setdefault((imp.importer, imp.imported), []).append(imp)
    return out


def loops(found: Iterable[Import]) -> list[tuple[str, ...]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.importer, set()).add(imp.imported)
        graph.setdefault(imp.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(tuple(sorted(group)))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def report(root: Path) -> str:
    found = imports(root)
    up = upward(found)
    cycles = loops(found)
    allowed_up = [key for key in up if key in ALLOWED_UPWARD]
    allowed_loops = [group for group in cycles if group in ALLOWED_LOOPS]
    lines = [
        f"Beacon layering of {root}",
        f"  modules: {len(_modules(root))}, imports between them: {len(found)}",
        f"  upward imports: {len(up)} (allowed {len(allowed_up)}, new {len(up) - len(allowed_up)})",
        f"  import loops: {len(cycles)} (allowed {len(allowed_loops)}, "
        f"new {len(cycles) - len(allowed_loops)})",
    ]
    for (importer, imported), where in sorted(up.items()):
        mark = "allowed" if (importer, imported) in ALLOWED_UPWARD else "NEW"
        how = "in a function" if all(imp.in_function for imp in where) else "at module level"
        lines.append(
            f"  up   [{mark}] beacon.{importer} -> beacon.{imported} (line {where[0].line}, {how})"
        )
    for group in cycles:
        mark = "allowed" if group in ALLOWED_LOOPS else "NEW"
        lines.append(f"  loop [{mark}] " + " <-> ".join(f"beacon.{m}" for m in group))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=SRC, help="a checkout's src directory")
    args = parser.parse_args(argv)
    try:
        print(report(args.src / "beacon"))
    except BrokenPipeError:  # piped into head
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
