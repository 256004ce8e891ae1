"""Clusters from scored pairs, honouring reviewers' decisions, with a guard on chains.

Reviewer links (same person) are joined first; then scored pairs, strongest first.
Two groups are never joined when a reviewer said a member of one is not a member of the
other (a split), however strong the model's evidence: decisions outrank the model.

Chains: joining on single pairs alone lets A-B and B-C make one cluster of A, B and C
even when A and C score as different people, and on a long list one such chain can
swallow thousands of records. So two groups are joined only when every pair across them
was scored at or above the guard (complete linkage); a pair the blocking rules never
compared counts as a non-match. Each join refused this way is counted (``refused``).
One exception: a registry record with alias names or dates of birth (a *voucher*) may
hold two rows that differ from each other, one like its primary identity and one like
its alias: a pair across is accepted when both of its rows scored at or above the guard
against a voucher in the joined group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Clusterer:
    def __init__(
        self,
        cannot_link: Iterable[tuple[str, str]] = (),
        scores: Mapping[tuple[str, str], float] | None = None,
        guard: float = 0.0,
        vouchers: Iterable[str] = (),
    ) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}
        self.members: dict[str, list[str]] = {}
        # root -> nodes that may not share a cluster with any node of this root
        self.forbidden: dict[str, set[str]] = {}
        # (smaller key, larger key) -> match probability; None: no guard
        self.scores = scores
        self.guard = guard
        self.vouchers = frozenset(vouchers)
        self.refused = 0
        for a, b in cannot_link:
            self.forbidden.setdefault(self.find(a), set()).add(b)
            self.forbidden.setdefault(self.find(b), set()).add(a)

    def find(self, node: str) -> str:
        parent = self.parent
        if node not in parent:
            parent[node] = node
            self.size[node] = 1
            self.members[node] = [node]
            return node
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def _allowed(self, ra: str, rb: str) -> bool:
        fa, fb = self.forbidden.get(ra), self.forbidden.get(rb)
        if fa and any(self.find(x) == rb for x in fa):
            return False
        return not (fb and any(self.find(x) == ra for x in fb))

    def _join(self, ra: str, rb: str) -> None:
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.members[ra].extend(self.members.pop(rb))
        fb = self.forbidden.pop(rb, None)
        if fb:
            self.forbidden.setdefault(ra, set()).update(fb)

    def union(self, a: str, b: str) -> bool:
        """Join a's and b's groups unless a decision forbids it (reviewers' links: no
        guard); True when joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self._allowed(ra, rb):
            return False
        self._join(ra, rb)
        return True

    def link(self, a: str, b: str) -> bool:
        """Join on a scored pair: as ``union``, and only when every pair across the two
        groups scored at or above the guard."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self._allowed(ra, rb):
            return False
        if self.scores is not None and (self.size[ra] > 1 or self.size[rb] > 1):
            vouchers = [v for v in (*self.members[ra], *self.members[rb]) if v in self.vouchers]
            for x in self.members[ra]:
                for y in self.members[rb]:
                    if not self._sure(x, y, vouchers):
                        self.refused += 1
                        return False
        self._join(ra, rb)
        return True

    def _score(self, x: str, y: str) -> float:
        assert self.scores is not None
        return self.scores.get((x, y) if x < y else (y, x), -1.0)

    def _sure(self, x: str, y: str, vouchers: list[str]) -> bool:
        if self._score(x, y) >= self.guard:
            return True
        return any(
            self._score(x, v) >= self.guard and self._score(y, v) >= self.guard
            for v in vouchers
            if v not in (x, y)
        )

    def groups(self) -> list[list[str]]:
        """Groups of two or more nodes, each sorted, in a stable order."""
        found = [sorted(members) for members in self.members.values() if len(members) > 1]
        return sorted(found)


def cluster(
    edges: Iterable[tuple[str, str, float]],
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    guard: float | None = None,
) -> list[list[str]]:
    """Groups from ``edges`` (a, b, probability), strongest first; with ``guard``, no
    group holds a pair scored below it or never scored."""
    ordered = sorted(edges, key=lambda e: (-e[2], e[0], e[1]))
    scores = None
    if guard is not None:
        scores = {(min(a, b), max(a, b)): p for a, b, p in ordered}
    clusterer = Clusterer(cannot_link, scores, guard or 0.0)
    for a, b in must_link:
        clusterer.union(a, b)
    for a, b, _ in ordered:
        clusterer.link(a, b)
    return clusterer.groups()
