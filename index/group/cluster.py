"""Complete-linkage clusters over the linked pairs of a graph: every pair in a cluster linked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


def complete_linkage(
    roots: Sequence[int], score: Mapping[tuple[int, int], float]
) -> list[list[int]]:
    """Complete-linkage clusters of ``roots``: every pair in a cluster is linked."""
    from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]
    from scipy.spatial.distance import squareform  # type: ignore[import-untyped]

    # Connected components first: complete linkage only has to run inside each of them.
    position = {root: place for place, root in enumerate(roots)}
    edges = [(position[left], position[right]) for left, right in score]
    rows = [left for left, _ in edges]
    cols = [right for _, right in edges]
    graph = coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(len(roots), len(roots)))
    _, component = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for root in roots:
        members[int(component[position[root]])].append(root)
    clusters: list[list[int]] = []
    for nodes in members.values():
        if len(nodes) <= 2:
            clusters.append(nodes)
            continue
        # Linked pairs sit at distance 1 - strength (< 1), unlinked ones at 2; cutting at 1
        # keeps only clusters whose every pair is linked.
        distance = np.full((len(nodes), len(nodes)), 2.0)
        np.fill_diagonal(distance, 0.0)
        for x, left in enumerate(nodes):
            for y, right in enumerate(nodes):
                strength = score.get((left, right), score.get((right, left)))
                if strength is not None:
                    distance[x, y] = 1.0 - strength
        labels = fcluster(
            linkage(squareform(distance, checks=False), method="complete"),
            t=1.0,
            criterion="distance",
        )
        by_label: dict[int, list[int]] = defaultdict(list)
        for node, label in zip(nodes, labels, strict=True):
            by_label[int(label)].append(node)
        clusters.extend(by_label.values())
    return clusters


def connected(count: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected components of nodes ``0 .. count - 1`` joined by ``pairs``."""
    root = list(range(count))

    def find(node: int) -> int:
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    for left, right in pairs:
        root[find(left)] = find(right)
    members: dict[int, list[int]] = defaultdict(list)
    for node in range(count):
        members[find(node)].append(node)
    return list(members.values())
