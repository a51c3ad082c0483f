"""Regional heavy-pollution episodes and the linked action of upwind contributors.

An *episode* is a set of neighbouring cities in warning on the same day: a
connected component, with at least two cities, of the adjacency graph
restricted to the cities whose warning level is at least ``min_level``.
Regional early-warning linkage asks the cities that send pollution into an
episode to act with it; who sends how much is read from the region's
source-receptor (transfer) matrix T, where T[i, j] is the share of city i's
emissions that reaches city j.

References
----------
.. [1] Ministry of Ecology and Environment, Notice on unifying heavy-pollution
   warning levels (环办大气函〔2017〕1842号), regional warning linkage.
.. [2] Yangtze River Delta regional air-pollution prevention cooperation
   mechanism (2014): joint warning and emergency linkage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["Episode", "find_episodes", "upwind_contributions", "MIN_CONTRIBUTOR_SHARE"]

#: Smallest share of the episode's imported pollution for which a city outside the
#: episode is asked to act (assumption, configurable).
MIN_CONTRIBUTOR_SHARE = 0.05


@dataclass
class Episode:
    """One regional episode on one day.

    Attributes
    ----------
    day_index : int
        Index of the day in the input.
    members : list of int
        City indices in warning, connected by adjacency.
    max_level : int
        Highest warning level among the members (1 blue .. 4 red).
    contributors : list of (int, float)
        Cities outside the episode and their share of the pollution the
        episode imports, largest first, those at or above the threshold.
    """

    day_index: int
    members: list[int]
    max_level: int
    contributors: list[tuple[int, float]] = field(default_factory=list)


def upwind_contributions(
    transfer: np.ndarray, members: np.ndarray, emissions: np.ndarray | None = None
) -> np.ndarray:
    r"""Share of the pollution an episode imports that comes from each outside city.

    Parameters
    ----------
    transfer : ndarray, shape (N, N)
        Source-receptor matrix, T[i, j] = share of i's emissions reaching j
        [dimensionless].
    members : ndarray of bool, shape (N,)
        Cities of the episode.
    emissions : ndarray, shape (N,), optional
        Emissions of each city [any consistent unit, e.g. t/yr]; equal
        emissions when omitted (assumption).

    Returns
    -------
    ndarray, shape (N,)
        Share in [0, 1] of the imported pollution from each city outside the
        episode (0 for members); sums to 1 unless nothing is imported.

    Notes
    -----
    .. math:: s_i = \frac{E_i \sum_{j \in M} T_{ij}}{\sum_{k \notin M} E_k \sum_{j \in M} T_{kj}},
              \quad i \notin M
    """
    t = np.asarray(transfer, dtype=float)
    m = np.asarray(members, dtype=bool)
    e = np.ones(len(t)) if emissions is None else np.asarray(emissions, dtype=float)
    inflow = e * t[:, m].sum(axis=1)
    inflow[m] = 0.0
    total = inflow.sum()
    return inflow / total if total > 0 else np.zeros_like(inflow)


def find_episodes(
    levels: np.ndarray,
    adjacency: np.ndarray,
    transfer: np.ndarray,
    *,
    min_level: int = 1,
    min_share: float = MIN_CONTRIBUTOR_SHARE,
    emissions: np.ndarray | None = None,
) -> list[Episode]:
    """Episodes of neighbouring cities in warning, day by day.

    Parameters
    ----------
    levels : ndarray of int, shape (n_days, N)
        Warning level of each city each day (0 none, 1 blue .. 4 red).
    adjacency : ndarray of bool, shape (N, N)
        True where two cities share a border.
    transfer : ndarray, shape (N, N)
        Source-receptor matrix (see :func:`upwind_contributions`).
    min_level : int
        Lowest level that counts as "in warning".
    min_share : float
        Threshold of :data:`MIN_CONTRIBUTOR_SHARE`.
    emissions : ndarray, shape (N,), optional
        City emissions for weighting T.

    Returns
    -------
    list of Episode
        Ordered by day, then by first member.
    """
    lv = np.atleast_2d(np.asarray(levels, dtype=int))
    adj = np.asarray(adjacency, dtype=bool)
    out: list[Episode] = []
    for d, row in enumerate(lv):
        warn = np.flatnonzero(row >= min_level)
        if len(warn) < 2:
            continue
        sub = adj[np.ix_(warn, warn)]
        n_comp, label = connected_components(csr_matrix(sub), directed=False)
        for c in range(n_comp):
            idx = warn[label == c]
            if len(idx) < 2:
                continue
            mask = np.zeros(len(row), dtype=bool)
            mask[idx] = True
            share = upwind_contributions(transfer, mask, emissions)
            order = np.argsort(-share, kind="stable")
            contrib = [
                (int(i), float(share[i])) for i in order if share[i] >= min_share and share[i] > 0
            ]
            out.append(Episode(d, sorted(int(i) for i in idx), int(row[idx].max()), contrib))
    return out
