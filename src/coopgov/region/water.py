"""Water transfer along a directed river network.

A river network is a list of edges *upstream city → downstream city*, each
with the river's name, a decay coefficient (share of the load lost on the
way: self-purification, retention in lakes and reservoirs) and the share of
the upstream city's load that enters this edge.  From it
:func:`water_transfer_matrix` builds ``W[i, j]``, the share of city *i*'s
load that reaches city *j*.
"""

from __future__ import annotations

import graphlib

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError

__all__ = ["water_transfer_matrix"]


def water_transfer_matrix(
    n: int,
    upstream: ArrayLike,
    downstream: ArrayLike,
    decay: ArrayLike,
    share: ArrayLike | None = None,
    *,
    include_self: bool = True,
) -> NDArray[np.float64]:
    r"""Share of each city's water-pollutant load reaching every other city.

    Parameters
    ----------
    n : int
        Number of cities [-].
    upstream, downstream : array_like of int, shape (E,)
        City indices (0-based) of each edge's ends.
    decay : array_like, shape (E,)
        Share of the load lost along each edge, 0–1 [-].
    share : array_like, shape (E,), optional
        Share of the upstream city's load entering each edge, 0–1 [-]; the
        shares leaving one city must sum to at most 1.  Default: the
        load splits equally among a city's outgoing edges.
    include_self : bool
        Put 1 on the diagonal for cities on the network (a city's own load
        pollutes its own reach); cities off the network keep 0.

    Returns
    -------
    ndarray, shape (n, n)
        ``W[i, j]`` [-].  Rows may sum to more than one: the same load
        passes (and is counted at) every city down the river.

    Raises
    ------
    InputError
        Indices out of range, shares or decays outside [0, 1], outgoing
        shares above 1, or a cycle (a river network must be acyclic).

    Notes
    -----
    With the one-step matrix :math:`M_{ij} = s_{ij}(1 - k_{ij})` over edges
    :math:`i \to j`, the load of *i* reaching *j* over all paths is

    .. math:: W = \sum_{m \ge 1} M^m = (I - M)^{-1} - I,

    finite because the network is acyclic (M is nilpotent).  This is the
    linear (first-order decay, complete mixing per city) river model used
    in river-sharing games, e.g. the downstream-incremental setting of
    Ambec and Sprumont (2002) and the upstream–downstream transfer of
    Ni and Wang (2007).

    References
    ----------
    .. [1] Ambec, S., Sprumont, Y. (2002). Sharing a river. J. Econ. Theory
       107, 453–462.
    .. [2] Ni, D., Wang, Y. (2007). Sharing a polluted river. Games Econ.
       Behav. 60, 176–186.
    """
    up = np.asarray(upstream, dtype=int).ravel()
    down = np.asarray(downstream, dtype=int).ravel()
    k = np.asarray(decay, dtype=float).ravel()
    if not (up.shape == down.shape == k.shape):
        raise InputError("upstream, downstream and decay must have the same length")
    if share is None:
        outdeg = np.bincount(up, minlength=n) if up.size else np.zeros(n, int)
        s = 1.0 / outdeg[up] if up.size else np.zeros(0)
    else:
        s = np.asarray(share, dtype=float).ravel()
        if s.shape != up.shape:
            raise InputError("share must have one value per edge")
    for name, arr in (("upstream", up), ("downstream", down)):
        bad = (arr < 0) | (arr >= n)
        if bad.any():
            e = int(np.flatnonzero(bad)[0])
            raise InputError("city index out of range", row=e + 1, field=name, value=int(arr[e]))
    for name, arr in (("decay", k), ("share", s)):
        bad = ~((arr >= 0) & (arr <= 1))
        if bad.any():
            e = int(np.flatnonzero(bad)[0])
            raise InputError("must lie in [0, 1]", row=e + 1, field=name, value=float(arr[e]))
    selfloop = up == down
    if selfloop.any():
        e = int(np.flatnonzero(selfloop)[0])
        raise InputError(
            "an edge must join two different cities",
            row=e + 1,
            field="downstream",
            value=int(down[e]),
        )
    m = np.zeros((n, n))
    np.add.at(m, (up, down), s * (1.0 - k))
    out = np.zeros(n)
    np.add.at(out, up, s)
    if np.any(out > 1 + 1e-9):
        i = int(np.flatnonzero(out > 1 + 1e-9)[0])
        raise InputError(
            "shares leaving one city sum to more than 1", field="share", value=float(out[i])
        )
    # a river network must be acyclic: a topological sort finds a cycle in O(n + E)
    graph: dict[int, set[int]] = {}
    for i, j in zip(up.tolist(), down.tolist(), strict=True):
        graph.setdefault(j, set()).add(i)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle = " -> ".join(str(c) for c in exc.args[1])  # upstream to downstream
        raise InputError(
            "the river network has a cycle (city indices)", field="downstream", value=cycle
        ) from None
    w = np.linalg.solve(np.eye(n) - m, np.eye(n)) - np.eye(n)
    w[np.abs(w) < 1e-15] = 0.0
    if include_self:
        on = np.union1d(up, down)
        w[on, on] = 1.0
    return w
