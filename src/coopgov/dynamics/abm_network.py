"""Agent-level network variant of the ABM: imitation (Fermi rule) or logit response.

This is coopgov's earlier agent-based rule, kept for the comparison with
Mesa (``benchmarks/mesa_model.py``) and for studies of agent-level networks.
Its large-population limit is *not* the mean-field equation of
:mod:`coopgov.dynamics.replicator`; the model's agent-based engine is
:mod:`coopgov.dynamics.abm`, whose limit is.

Every agent (a government, or a county or department within one) holds a
strategy s ∈ {0 = defect, 1 = cooperate}.  Each step, with probability
``revision`` an agent revises:

* with probability ``imitation`` (the lateral thrust) it looks at a random
  neighbour b and adopts b's strategy with the Fermi probability
  ``1 / (1 + exp(−(π_b − π_a)/K))`` (Szabó & Tőke 1998; Traulsen, Nowak &
  Pacheco 2006), payoffs ``π = s · Δ_city`` relative to defecting;
* otherwise it responds to its own city's force field with the logit rule
  ``P(C) = 1 / (1 + exp(−Δ_city/K))`` (Blume 1993; McKelvey & Palfrey 1995);

then a cooperator's agreement lapses with probability ``lapse`` (the
immature-mechanism decay of the mean-field model, ``1 − exp(−λ(1−m)/steps)``),
and with probability ``mutation`` it picks a strategy at random.  Δ is the
same affine force field as the mean-field model, evaluated on the cities'
current cooperation shares, without the mean-field lateral term (lateral
thrust acts through imitation).  State lives in arrays; the kernel is
compiled with Numba and draws from a NumPy ``Generator`` per replication,
seeded from :class:`numpy.random.SeedSequence`, so runs are reproducible.

References
----------
.. [1] Szabó, G., & Tőke, C. (1998). Evolutionary prisoner's dilemma game on
   a square lattice. Physical Review E, 58(1), 69.
.. [2] Traulsen, A., Nowak, M. A., & Pacheco, J. M. (2006). Stochastic
   dynamics of invasion and fixation. Physical Review E, 74(1), 011909.
.. [3] Blume, L. E. (1993). The statistical mechanics of strategic
   interaction. Games and Economic Behavior, 5(3), 387-424.
.. [4] Devroye, L. (1986). Non-Uniform Random Variate Generation. Springer,
   ch. II (a uniform conditioned on a subinterval and rescaled is uniform:
   the recycling of uniforms).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from coopgov.dynamics.networks import AgentNetwork

__all__ = ["NetworkABMConfig", "ABMResult", "run_network_abm", "abm_step_kernel"]


@dataclass(frozen=True)
class NetworkABMConfig:
    """Behavioural rule of the agent-based model (all **assumptions**, coopgov 2026).

    Attributes
    ----------
    imitation : float
        Probability that a revising agent imitates a neighbour rather than
        responding to its own force field [1].
    temperature : float
        Noise K of the Fermi and logit rules [c0].
    revision : float
        Probability that an agent revises in one step [1/step].
    mutation : float
        Probability of a random strategy in one step [1/step].
    steps_per_year : int
    """

    imitation: float = 0.3
    temperature: float = 0.2
    revision: float = 0.1
    mutation: float = 0.002
    steps_per_year: int = 12


@numba.njit(cache=True)
def _next_event(pos, log_q, rng):
    # Next agent index with an event of probability p, skipping a geometric gap
    # (inverse transform: gap = floor(ln(1 - U) / ln(1 - p))); log_q = ln(1 - p) < 0.
    return pos + 1 + int(np.log(1.0 - rng.random()) / log_q)


@numba.njit(cache=True)
def abm_step_kernel(
    state,
    new_state,
    agent_city,
    indptr,
    indices,
    p_coop,
    p_defect,
    imitation,
    revision,
    lapse,
    mutation,
    rng,
    ones,
):
    """One synchronous step for all agents, into ``new_state``.

    Decisions read the old ``state`` only.  Both rules reduce to per-city
    probabilities, computed once per step by the caller: the logit response
    cooperates with ``p_coop[c] = 1 / (1 + exp(−Δ_c/K))``; under the Fermi
    rule a defector copying a cooperator b has ``π_b − π_a = Δ_{c(b)}``, so
    adopts with ``p_coop[c(b)]``, and a cooperator copying a defector has
    ``π_b − π_a = −Δ_{c(a)}``, so adopts with ``p_defect[c(a)] =
    1 / (1 + exp(Δ_c/K))``.  Agents that revise, lapse or mutate in this step
    are found by geometric skipping (each agent has the event independently
    with its probability), so the cost is proportional to the number of
    events, not of agents; a revising agent's choices share one uniform draw
    (recycled, Devroye 1986, ch. II); the per-city count of cooperators
    ``ones`` is updated with every change.
    """
    m = state.shape[0]
    new_state[:] = state
    # reciprocals for the recycling of uniforms (multiplications, not divisions)
    inv_revision = 1.0 / revision if revision > 0.0 else 0.0
    inv_imitation = 1.0 / imitation if imitation > 0.0 else 0.0
    inv_rest = 1.0 / (1.0 - imitation) if imitation < 1.0 else 0.0
    if revision > 0.0:
        # frequent revisions: visit every agent (one draw each, none when certain);
        # rare ones: jump between revising agents (one draw and one log per event)
        dense = revision >= 0.25
        log_q = np.log(1.0 - revision) if revision < 1.0 else -np.inf
        a = 0 if dense else _next_event(-1, log_q, rng)
        while a < m:
            # one uniform per revising agent, recycled: a uniform found below a
            # threshold t, divided by t, is again uniform on [0, 1) (and one found
            # above it, (u − t)/(1 − t)), so each choice uses the residual of the
            # last one; 53 random bits leave more than 45 for the final comparison
            u = rng.random()
            if dense and revision < 1.0:
                if u >= revision:
                    a += 1
                    continue
                u = u * inv_revision
            s = state[a]
            c = agent_city[a]
            deg = indptr[a + 1] - indptr[a]
            if deg > 0 and u < imitation:
                v = u * inv_imitation * deg  # uniform on [0, deg): neighbour and residual
                k = min(int(v), deg - 1)
                b = indices[indptr[a] + k]
                sb = state[b]
                if sb != s:
                    p = p_coop[agent_city[b]] if sb == 1 else p_defect[c]
                    if v - k < p:
                        s = sb
            else:
                if deg > 0:
                    u = (u - imitation) * inv_rest
                s = 1 if u < p_coop[c] else 0
            ones[c] += s - new_state[a]
            new_state[a] = s
            a = a + 1 if dense else _next_event(a, log_q, rng)
    if lapse > 0.0:
        log_q = np.log(1.0 - lapse) if lapse < 1.0 else -np.inf
        a = _next_event(-1, log_q, rng)
        while a < m:
            if new_state[a] == 1:
                new_state[a] = 0
                ones[agent_city[a]] -= 1
            a = _next_event(a, log_q, rng)
    if mutation > 0.0:
        log_q = np.log(1.0 - mutation) if mutation < 1.0 else -np.inf
        a = _next_event(-1, log_q, rng)
        while a < m:
            s = 1 if rng.random() < 0.5 else 0
            ones[agent_city[a]] += s - new_state[a]
            new_state[a] = s
            a = _next_event(a, log_q, rng)


@numba.njit(cache=True)
def _run(
    state,
    agent_city,
    indptr,
    indices,
    n,
    coef,
    couple_t,
    steps_per_year,
    imitation,
    inv_temp,
    revision,
    lapse,
    mutation,
    rng,
    out,
):
    y_n = coef.shape[1]
    counts = np.zeros(n)
    ones = np.zeros(n, dtype=np.int64)
    for a in range(agent_city.shape[0]):
        counts[agent_city[a]] += 1.0
        ones[agent_city[a]] += state[a]
    share = np.zeros(n)
    new_state = state.copy()
    p_coop = np.zeros(n)
    p_defect = np.zeros(n)
    for i in range(n):
        share[i] = ones[i] / counts[i] if counts[i] > 0 else 0.0
    out[0] = share
    feats = np.zeros(couple_t.shape[1])
    for y in range(y_n):
        for _k in range(steps_per_year):
            feats[:] = 0.0
            for i in range(n):
                si = share[i]
                for j in range(couple_t.shape[1]):
                    feats[j] += si * couple_t[i, j]
            xbar = share.sum() / n
            for i in range(n):
                delta = (
                    coef[0, y, i]
                    + coef[1, y, i] * share[i]
                    + coef[2, y, i] * feats[i]
                    + coef[3, y, i] * feats[n + i]
                    + coef[4, y, i] * xbar
                )
                # logit / Fermi probabilities of the city, for both directions
                # (one exponential: 1 / (1 + e^z) = e^{-z} / (1 + e^{-z}))
                e = np.exp(-min(max(delta * inv_temp, -700.0), 700.0))
                p_coop[i] = 1.0 / (1.0 + e)
                p_defect[i] = e / (1.0 + e)
            abm_step_kernel(
                state,
                new_state,
                agent_city,
                indptr,
                indices,
                p_coop,
                p_defect,
                imitation,
                revision,
                lapse[y],
                mutation,
                rng,
                ones,
            )
            state, new_state = new_state, state
            for i in range(n):
                share[i] = ones[i] / counts[i] if counts[i] > 0 else 0.0
        out[y + 1] = share
    return state


@dataclass(frozen=True)
class ABMResult:
    """Replicated agent-based runs.

    Attributes
    ----------
    city_cooperation : ndarray, shape (R, Y + 1, N)
        Share of cooperating agents per city, per replication and year [1].
    final_state : ndarray of int8, shape (R, M)
        Agents' strategies at the end.
    """

    city_cooperation: np.ndarray
    final_state: np.ndarray

    @property
    def cooperation_rate(self) -> np.ndarray:
        """Mean over cities, (R, Y + 1) [1]."""
        return self.city_cooperation.mean(axis=-1)


def run_network_abm(
    network: AgentNetwork,
    coef: np.ndarray,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    *,
    replications: int = 10,
    seed: int = 0,
    initial: float | np.ndarray = 0.1,
    decay: float | np.ndarray = 0.0,
    config: NetworkABMConfig | None = None,
) -> ABMResult:
    """Run seeded replications of the agent-based model.

    Parameters
    ----------
    network : AgentNetwork
        Agents, links and each agent's city.
    coef : ndarray, shape (5, Y, N)
        Affine coefficients of the city force field for one scenario
        (:func:`coopgov.model.forces.affine_coefficients`; the fifth
        feature is taken as the regional mean here) [c0].
    exposure_shares, neighbour_weights : ndarray, shape (N, N)
        ``P0`` and ``W`` of the cities.
    replications : int
        Independent runs, seeded by ``SeedSequence(seed).spawn(replications)``.
    initial : float or ndarray of shape (N,)
        Initial probability that an agent of each city cooperates [1].
    decay : float or ndarray of shape (Y,)
        Lapse rate of agreements λ(1−m) by year [1/yr].
    seed : int
        Root of the seed sequence.
    config : NetworkABMConfig, optional
        Behavioural rule (default :class:`NetworkABMConfig`).

    Returns
    -------
    ABMResult
    """
    config = config or NetworkABMConfig()
    coef = np.ascontiguousarray(coef, dtype=np.float64)
    n = network.n_cities
    y_n = coef.shape[1]
    couple_t = np.ascontiguousarray(np.hstack([exposure_shares, np.asarray(neighbour_weights).T]))
    p_init = np.broadcast_to(np.asarray(initial, float), (n,))[network.agent_city]
    out = np.empty((replications, y_n + 1, n))
    final = np.empty((replications, network.n_agents), dtype=np.int8)
    inv_temp = 1.0 / config.temperature
    lapse = 1.0 - np.exp(-np.broadcast_to(np.asarray(decay, float), (y_n,)) / config.steps_per_year)
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        rng = np.random.default_rng(child)
        state = (rng.random(network.n_agents) < p_init).astype(np.int8)
        final[r] = _run(
            state,
            network.agent_city,
            network.indptr,
            network.indices,
            n,
            coef,
            couple_t,
            config.steps_per_year,
            config.imitation,
            inv_temp,
            config.revision,
            lapse,
            config.mutation,
            rng,
            out[r],
        )
    return ABMResult(out, final)
