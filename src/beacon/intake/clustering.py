"""Clusters from scored pairs, honouring reviewers' decisions.

Reviewer links (same person) are joined first; then scored pairs, strongest first.
Two groups are never joined when a reviewer said a member of one is not a member of the
other (a split), however strong the model's evidence: decisions outrank the model.
"""

from __future__ import annotations

from collections.abc import Iterable


class Clusterer:
    def __init__(self, cannot_link: Iterable[tuple[str, str]] = ()) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}
        # root -> nodes that may not share a cluster with any node of this root
        self.forbidden: dict[str, set[str]] = {}
        for a, b in cannot_link:
            self.forbidden.setdefault(self.find(a), set()).add(b)
            self.forbidden.setdefault(self.find(b), set()).add(a)

    def find(self, node: str) -> str:
        parent = self.parent
        if node not in parent:
            parent[node] = node
            self.size[node] = 1
            return node
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def union(self, a: str, b: str) -> bool:
        """Join a's and b's groups unless a decision forbids it; True when joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        fa, fb = self.forbidden.get(ra), self.forbidden.get(rb)
        if fa and any(self.find(x) == rb for x in fa):
            return False
        if fb and any(self.find(x) == ra for x in fb):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        if fb:
            self.forbidden.setdefault(ra, set()).update(fb)
            del self.forbidden[rb]
        return True

    def groups(self) -> list[list[str]]:
        """Groups of two or more nodes, each sorted, in a stable order."""
        by_root: dict[str, list[str]] = {}
        for node in self.parent:
            by_root.setdefault(self.find(node), []).append(node)
        found = [sorted(members) for members in by_root.values() if len(members) > 1]
        return sorted(found)


def cluster(
    edges: Iterable[tuple[str, str, float]],
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
) -> list[list[str]]:
    clusterer = Clusterer(cannot_link)
    for a, b in must_link:
        clusterer.union(a, b)
    for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        clusterer.union(a, b)
    return clusterer.groups()
