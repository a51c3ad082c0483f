"""What a scientist would write instead of coopgov's ABM kernel, and the floor under it.

Three programs of the agent rule of :mod:`coopgov.dynamics.abm` (agents
grouped by city; proportional imitation within the city at rate r|Δ|,
payoff-biased imitation of a neighbouring city at rate κ, lapse λ(1 − m),
exploration μ; per step an agent has an event with probability
``min(1, R_i h)``, ``R_i`` the sum of the rates' bounds; synchronous update):

* :func:`run_numpy` — plain vectorised NumPy, the way a scientist writes it
  without a framework: per step the cities' shares (``bincount``), Δ (three
  matrix-vector products), the event probability of each city, one uniform
  per agent to find the events, then the events' kinds, partners and
  acceptances as arrays.  Same distribution as coopgov's kernel, not the same
  random stream.
* :func:`run_floor` — the measured floor: a minimal compiled (Numba) loop
  with the same random generator (NumPy's PCG64 through Numba) that visits
  the same agents coopgov's kernel visits (geometric skipping with the same
  per-city event probabilities, recorded step by step from a run: one
  uniform and one logarithm per event, as in coopgov's kernel) and only
  flips them: no Δ, no rates, no decision whether the event switches its
  agent.  coopgov's kernel decides each event from the fractional part of
  the same gap draw, so the floor has no draw left to save; the ABM cannot
  do less work per event than this.
* the Mesa model of the same rule is :mod:`mesa_city_model`.

The inputs are those of :func:`coopgov.dynamics.abm.run_abm_coef`, gathered
by :func:`abm_inputs` from a mean-field simulation, so all programs run the
same model at the same rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from coopgov.dynamics.abm import CityAgents, _delta_into, _field_matrix

__all__ = ["ABMInputs", "abm_inputs", "run_numpy", "run_floor", "event_probabilities"]


@dataclass(frozen=True)
class ABMInputs:
    """The rule's inputs for one scenario (the arrays :func:`run_abm_coef` takes).

    Attributes
    ----------
    coef : ndarray, shape (5, Y, N)
        Affine coefficients of Δ [c0].
    p0, w, pw : ndarray, shape (N, N)
        Exposure shares, neighbour weights (row-normalised), water exposure.
    rate, lateral, noise : ndarray, shape (Y,)
        r, κ [1/yr per c0]; μ [1/yr].
    decay : ndarray, shape (Y, N)
        λ(1 − m) [1/yr].
    initial : ndarray, shape (N,)
        Initial cooperation probability [1].
    """

    coef: np.ndarray
    p0: np.ndarray
    w: np.ndarray
    pw: np.ndarray
    rate: np.ndarray
    lateral: np.ndarray
    noise: np.ndarray
    decay: np.ndarray
    initial: np.ndarray

    def kwargs(self) -> dict:
        """Keyword arguments of :func:`coopgov.dynamics.abm.run_abm_coef` (after ``agents``)."""
        return {
            "coef": self.coef,
            "exposure_shares": self.p0,
            "neighbour_weights": self.w,
            "rate": self.rate,
            "lateral": self.lateral,
            "decay": self.decay,
            "noise": self.noise,
            "water_exposure_shares": self.pw,
            "initial": self.initial,
        }


def abm_inputs(sim, k: int = 0) -> ABMInputs:
    """Gather scenario ``k`` of a mean-field simulation as the ABM's inputs (as ``run_abm``)."""
    from coopgov.model.forces import affine_coefficients
    from coopgov.model.parameters import joint_maturity

    city = sim.city
    y_n, n = sim.n_years, city.n
    ctx = sim.scenario_context(k)
    coef = np.ascontiguousarray(np.broadcast_to(affine_coefficients(ctx), (5, y_n, n)))
    p = {name: np.broadcast_to(v, (y_n, n)) for name, v in ctx.params.items()}
    decay = np.ascontiguousarray(p["agreement_decay"] * (1.0 - joint_maturity(p)))
    return ABMInputs(
        coef=coef,
        p0=np.ascontiguousarray(city.exposure_shares, dtype=float),
        w=np.ascontiguousarray(city.neighbour_weights, dtype=float),
        pw=np.ascontiguousarray(city.water_exposure_shares, dtype=float),
        rate=np.ascontiguousarray(p["adjustment_rate"][:, 0]),
        lateral=np.ascontiguousarray(p["lateral_thrust"][:, 0]),
        noise=np.ascontiguousarray(p["noise"][:, 0]),
        decay=decay,
        initial=np.ascontiguousarray(sim.cooperation[k, 0]),
    )


def _neighbours(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nb = w > 0
    ptr = np.zeros(w.shape[0] + 1, dtype=np.int64)
    np.cumsum(nb.sum(axis=1), out=ptr[1:])
    return ptr, np.nonzero(nb)[1].astype(np.int64)


def run_numpy(
    agents: CityAgents,
    inp: ABMInputs,
    steps_per_year: int,
    seed: int,
    record_probabilities: bool = False,
):
    """The rule in plain vectorised NumPy: one uniform per agent and step finds the events.

    Returns
    -------
    shares : ndarray, shape (Y + 1, N)
        Cities' cooperation shares at the start of each year and at the end [1].
    probabilities : ndarray, shape (Y · steps_per_year, N), or None
        Each step's per-city event probability (when ``record_probabilities``).
    """
    rng = np.random.default_rng(seed)
    n = agents.n_cities
    m_total = agents.n_agents
    ptr = agents.city_ptr
    counts = agents.counts.astype(float)
    city_of = np.repeat(np.arange(n), agents.counts)
    nb_ptr, nb_idx = _neighbours(inp.w)
    deg = np.diff(nb_ptr)
    has_nb = deg > 0
    # the neighbour bound needs max over each city's neighbours: a padded index table
    pad = np.full((n, max(int(deg.max()), 1)), -1)
    for i in range(n):
        pad[i, : deg[i]] = nb_idx[nb_ptr[i] : nb_ptr[i + 1]]
    state = (rng.random(m_total) < np.repeat(inp.initial, agents.counts)).astype(np.int8)
    y_n = inp.coef.shape[1]
    h = 1.0 / steps_per_year
    out = np.empty((y_n + 1, n))
    probs = np.empty((y_n * steps_per_year, n)) if record_probabilities else None
    x = np.bincount(city_of, weights=state, minlength=n) / counts
    out[0] = x
    step = 0
    for y in range(y_n):
        c = inp.coef[:, y]
        r, kp, mu, lapse = inp.rate[y], inp.lateral[y], inp.noise[y], inp.decay[y]
        for _ in range(steps_per_year):
            delta = c[0] + c[1] * x + c[2] * (x @ inp.p0) + c[3] * (inp.w @ x) + c[4] * (x @ inp.pw)
            within = r * np.abs(delta)
            nb_delta = np.where(pad >= 0, delta[pad], -np.inf).max(axis=1)
            bound = np.maximum(np.maximum(-delta, 0.0), nb_delta)
            lateral = np.where(has_nb, kp * bound, 0.0)
            total = within + lateral + lapse + mu
            p = np.minimum(1.0, total * h)
            if probs is not None:
                probs[step] = p
            step += 1
            a = np.flatnonzero(rng.random(m_total) < p[city_of])
            ci = city_of[a]
            s = state[a]
            d = delta[ci]
            u = rng.random(a.size) * total[ci]
            is_within = u < within[ci]
            is_lateral = ~is_within & (u < within[ci] + lateral[ci])
            is_lapse = ~is_within & ~is_lateral & (u < within[ci] + lateral[ci] + lapse[ci])
            is_explore = ~(is_within | is_lateral | is_lapse)
            m_i = ptr[ci + 1] - ptr[ci]
            b = ptr[ci] + np.minimum((rng.random(a.size) * m_i).astype(np.int64), m_i - 1)
            better = ((d > 0) & (s == 0)) | ((d < 0) & (s == 1))
            flip_within = is_within & (state[b] != s) & better
            k = np.maximum(deg[ci], 1)
            j = nb_idx[
                np.minimum(nb_ptr[ci] + (rng.random(a.size) * k).astype(np.int64), nb_idx.size - 1)
            ]
            m_j = ptr[j + 1] - ptr[j]
            bj = ptr[j] + np.minimum((rng.random(a.size) * m_j).astype(np.int64), m_j - 1)
            gain = np.where(s == 0, np.maximum(delta[j], 0.0), np.maximum(-d, 0.0))
            flip_lateral = is_lateral & (state[bj] != s) & (rng.random(a.size) * bound[ci] < gain)
            flip = flip_within | flip_lateral | (is_lapse & (s == 1)) | is_explore
            state[a[flip]] ^= 1
            x = np.bincount(city_of, weights=state, minlength=n) / counts
        out[y + 1] = x
    return out, probs


@numba.njit(cache=True)
def _floor_kernel(state, city_ptr, probs, rng):
    n = city_ptr.shape[0] - 1
    events = 0
    for t in range(probs.shape[0]):
        for i in range(n):
            p = probs[t, i]
            if p <= 0.0:
                continue
            lo = city_ptr[i]
            hi = city_ptr[i + 1]
            if p >= 1.0:
                for a in range(lo, hi):
                    state[a] = 1 - state[a]
                events += hi - lo
                continue
            inv_log_q = 1.0 / np.log1p(-p)
            a = lo + int(np.log(1.0 - rng.random()) * inv_log_q)
            while a < hi:
                state[a] = 1 - state[a]
                events += 1
                a += 1 + int(np.log(1.0 - rng.random()) * inv_log_q)
    return events


@numba.njit
def delta_loop(years, steps_per_year, delta, x, coef, p0, wt, pw):
    """Evaluate Δ as the ABM kernel does, with its own routines (its per-step cost).

    Once a year the interaction terms are folded into one matrix; each step
    evaluates Δ from it.
    """
    at = np.empty((x.shape[0], x.shape[0]))
    for _ in range(years):
        _field_matrix(at, coef, 0, p0, wt, pw)
        for _ in range(steps_per_year):
            _delta_into(delta, x, coef, 0, at)
            x[0] = x[0] + 0.0 * delta[0]  # a dependence, so the loop is not folded away
    return delta


def run_floor(agents: CityAgents, probs: np.ndarray, seed: int) -> int:
    """Visit the events of a run with the given per-step, per-city probabilities; flip each.

    Parameters
    ----------
    agents : CityAgents
    probs : ndarray, shape (T, N)
        Event probability of an agent of each city in each of T steps [1].
    seed : int

    Returns
    -------
    int
        Number of events visited.
    """
    state = np.zeros(agents.n_agents, dtype=np.int8)
    return int(
        _floor_kernel(
            state, agents.city_ptr, np.ascontiguousarray(probs), np.random.default_rng(seed)
        )
    )


def event_probabilities(
    agents: CityAgents, inp: ABMInputs, shares: np.ndarray, steps_per_year: int
) -> np.ndarray:
    """Per-step event probabilities of each city along a yearly share path (T, N).

    Used to give the floor the event load of a run when only its yearly shares
    are known: Δ is evaluated at the year's shares for each of its steps.
    """
    n = agents.n_cities
    nb_ptr, nb_idx = _neighbours(inp.w)
    rows = []
    h = 1.0 / steps_per_year
    for y in range(inp.coef.shape[1]):
        x = shares[y]
        c = inp.coef[:, y]
        delta = c[0] + c[1] * x + c[2] * (x @ inp.p0) + c[3] * (inp.w @ x) + c[4] * (x @ inp.pw)
        p = np.empty(n)
        for i in range(n):
            nbd = delta[nb_idx[nb_ptr[i] : nb_ptr[i + 1]]]
            bound = max(max(-delta[i], 0.0), nbd.max() if nbd.size else 0.0)
            lateral = inp.lateral[y] * bound if nbd.size else 0.0
            p[i] = min(
                1.0, (inp.rate[y] * abs(delta[i]) + lateral + inp.decay[y, i] + inp.noise[y]) * h
            )
        rows += [p] * steps_per_year
    return np.array(rows)
