"""Agent networks in compressed sparse row (CSR) form, built with NumPy.

A network of M agents is ``(indptr, indices)``: the neighbours of agent a
are ``indices[indptr[a]:indptr[a + 1]]``.  Undirected networks list each
link in both directions.  No Python object per agent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AgentNetwork", "from_edges", "watts_strogatz", "city_agent_network"]


@dataclass(frozen=True)
class AgentNetwork:
    """Agents, their city and their links.

    Attributes
    ----------
    indptr : ndarray of int64, shape (M + 1,)
    indices : ndarray of int64, shape (nnz,)
    agent_city : ndarray of int64, shape (M,)
        City index (0..N-1) of each agent.
    n_cities : int
    """

    indptr: np.ndarray
    indices: np.ndarray
    agent_city: np.ndarray
    n_cities: int

    @property
    def n_agents(self) -> int:
        """M."""
        return int(self.agent_city.shape[0])

    @property
    def degree(self) -> np.ndarray:
        """Number of neighbours of each agent."""
        return np.diff(self.indptr)


def from_edges(m: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the undirected graph with edges (src, dst); duplicates and loops removed."""
    src = np.asarray(src, np.int64)
    dst = np.asarray(dst, np.int64)
    keep = src != dst
    a = np.concatenate([src[keep], dst[keep]])
    b = np.concatenate([dst[keep], src[keep]])
    key = np.unique(a * m + b)
    a, b = key // m, key % m
    indptr = np.zeros(m + 1, np.int64)
    np.add.at(indptr, a + 1, 1)
    return np.cumsum(indptr), b


def watts_strogatz(
    m: int, k: int = 4, p: float = 0.1, seed: int = 0, n_cities: int = 1
) -> AgentNetwork:
    """Watts–Strogatz small-world network of ``m`` agents.

    Ring lattice with ``k`` nearest neighbours (k even), each link's far end
    rewired with probability ``p`` (Watts & Strogatz 1998, Nature 393:440).
    Agents are assigned to ``n_cities`` contiguous blocks of the ring.
    """
    rng = np.random.default_rng(seed)
    a = np.repeat(np.arange(m), k // 2)
    b = (a + np.tile(np.arange(1, k // 2 + 1), m)) % m
    rewire = np.asarray(rng.random(b.shape[0]) < p)
    b[rewire] = rng.integers(0, m, int(np.count_nonzero(rewire)))
    indptr, indices = from_edges(m, a, b)
    city = (np.arange(m) * n_cities) // m
    return AgentNetwork(indptr, indices, city.astype(np.int64), n_cities)


def city_agent_network(
    adjacency: np.ndarray,
    agents_per_city: int = 50,
    k_within: int = 6,
    k_between: int = 2,
    seed: int = 0,
) -> AgentNetwork:
    """A finer network under the city network: e.g. counties or departments.

    Each city holds ``agents_per_city`` agents (synthetic subdivision), each
    linked to about ``k_within`` random agents of its own city and
    ``k_between`` random agents of each neighbouring city.
    """
    rng = np.random.default_rng(seed)
    n = adjacency.shape[0]
    g = agents_per_city
    m = n * g
    city = np.repeat(np.arange(n), g)
    src = [np.repeat(np.arange(m), k_within // 2 + 1)]
    dst = [city[src[0]] * g + rng.integers(0, g, src[0].shape[0])]
    ci, cj = np.nonzero(np.triu(adjacency, 1))
    if ci.size and k_between:
        pairs = np.repeat(np.arange(ci.size), g * k_between // 2 + 1)
        src.append(ci[pairs] * g + rng.integers(0, g, pairs.size))
        dst.append(cj[pairs] * g + rng.integers(0, g, pairs.size))
    indptr, indices = from_edges(m, np.concatenate(src), np.concatenate(dst))
    return AgentNetwork(indptr, indices, city.astype(np.int64), n)
