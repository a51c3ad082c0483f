r"""Agent-based cooperation dynamics whose large-population limit is the mean-field model.

Every city holds ``M_i`` agents (governments, or counties and departments
within one), each with a strategy s ∈ {0 = defect, 1 = cooperate}; the
agents of a city are well mixed.  Agents act at the rates of the mean-field
model (:mod:`coopgov.dynamics.replicator`), per year:

* **imitation within the city** (proportional imitation, Schlag 1998): an
  agent meets a random agent of its own city and, if that one plays the
  strategy that pays more (sign of Δ_i), adopts it with probability
  proportional to the advantage, at rate ``r |Δ_i|``;
* **imitation of successful neighbours** (the lateral thrust): at rate κ an
  agent meets a random agent of a neighbouring city j (weights ``W_ij``); a
  defector adopts the neighbour's cooperation with probability proportional
  to ``Δ_j⁺`` (cooperation pays there), a cooperator adopts the neighbour's
  defection with probability proportional to ``Δ_i⁻`` (it does not pay at
  home);
* **lapse**: a cooperator's agreement lapses at rate ``λ(1 − m_i)``;
* **exploration**: an agent switches strategy at random at rate μ.

Δ is the same affine force field as the mean-field model, evaluated on the
cities' current cooperation shares.

Derivation of the mean field
----------------------------
Let ``x_i`` be the share of cooperators in city i.  Per unit time, defectors
become cooperators at the expected rate (per defector)

.. math:: up_i = x_i r Δ_i^+ + κ \sum_j W_{ij} x_j Δ_j^+ + μ

and cooperators become defectors at the rate (per cooperator)

.. math:: down_i = (1 - x_i) r Δ_i^- + κ Δ_i^- \sum_j W_{ij} (1 - x_j) + λ(1 - m_i) + μ.

So ``ẋ_i = (1 − x_i) up_i − x_i down_i``; with ``Δ⁺ − Δ⁻ = Δ`` this is

.. math::
    \dot x_i = r x_i (1 - x_i) Δ_i
    + κ\left[(1 - x_i)\sum_j W_{ij} x_j Δ_j^+ - x_i Δ_i^- \sum_j W_{ij} (1 - x_j)\right]
    - λ(1 - m_i) x_i + μ (1 - 2 x_i),

the equation :func:`coopgov.dynamics.replicator.integrate_affine` integrates.
As the number of agents per city grows, the shares converge to its solution
on any finite horizon (Kurtz 1970; Benaïm & Weibull 2003), with fluctuations
of order ``1/sqrt(M_i)``.

Simulation
----------
Time advances in steps of ``h = 1/steps_per_year``.  In city i an agent has
an event in a step with probability ``p_i = min(1, R_i h)``, ``R_i`` the sum
of the four rates' bounds (uniformisation of the continuous-time chain,
Jensen 1953); the event's kind is one of the four in proportion to the
rates, its partner is drawn as described above, and a
proportional-imitation event succeeds with probability ``advantage /
bound``.  The expected change per step is then ``h`` times the rates above
(first order in h, like the mean-field integrator).  Events are found by
geometric skipping within each city, so the cost grows with the number of
events, not of agents; decisions read the state at the start of the step
and the step's switches are applied together.

Only whether an event switches its agent enters the chain, not its kind or
partner.  Given the state at the start of the step, every event draws its
kind and partner afresh, so an event switches a defector of city i with
probability ``ψ⁰_i = up_i / R_i`` and a cooperator with ``ψ¹_i = down_i /
R_i``, independently of every other event, where ``up_i`` and ``down_i``
are the per-capita rates of the derivation above (kind probability ×
probability that the partner plays the other strategy × acceptance, summed
over the kinds; for a lateral event the bound cancels).  The kernel draws
this one Bernoulli trial per event: the same Markov chain of strategies,
without drawing kinds and partners.  Its uniform is recycled from the
event's own geometric gap (Devroye 1986): the gap is the integer part of
``E = ln U / ln(1 − p)``, U uniform (Knuth 1998, 3.4.1), an exponential
variate whose fractional part F is independent of its integer part (the
exponential is memoryless), with ``P(F > t) = ((1 − p)^t − (1 − p)) / p``.
So the event switches when ``F > θ``, ``θ = ln(1 − p + h·rate) / ln(1 − p)``, which happens with
probability ``h·rate / p = ψ``; θ costs two logarithms per city and step, an
event none.  U has NumPy's 53-bit resolution, so the switching probability
is exact up to about ``1e-14 / p`` (the 2⁻⁵³ grid of U over the about
``37 / p`` gaps it resolves, and the rounding of the logarithm), far below
what any run can detect.  When ``R_i h ≥ 1`` every agent has an event and
one uniform per agent decides it (ψ = rate / R_i).

Δ is affine in the shares: its three interaction terms are folded into one
matrix once a year (when the coefficients change), Δ is evaluated in full at
the start of the year and, within it, updated for the cities whose share
changed (``Δ += Δx_j ∂Δ/∂x_j``; on the YRD field the accumulated rounding
stays within about 1e-14 over a year with every share changing every step).
The arrays the kernel reads are pinned to one layout and set of flags, so
that it compiles one specialisation whatever the caller passes.
State lives in arrays; the kernel is compiled with Numba and draws from a
NumPy ``Generator`` per replication, seeded from
:class:`numpy.random.SeedSequence`, so runs are reproducible.

References
----------
.. [1] Schlag, K. H. (1998). Why imitate, and if so, how? Journal of
   Economic Theory, 78(1), 130-156.
.. [2] Helbing, D. (1992). Interrelations between stochastic equations for
   systems with pair interactions. Physica A, 181, 29-52.
.. [3] Kurtz, T. G. (1970). Solutions of ordinary differential equations as
   limits of pure jump Markov processes. Journal of Applied Probability,
   7(1), 49-58.
.. [4] Benaïm, M., & Weibull, J. W. (2003). Deterministic approximation of
   stochastic evolution in games. Econometrica, 71(3), 873-903.
.. [5] Jensen, A. (1953). Markoff chains as an aid in the study of Markoff
   processes. Skandinavisk Aktuarietidskrift, 36, 87-91.
.. [6] Devroye, L. (1986). Non-Uniform Random Variate Generation. Springer,
   ch. II (recycling of uniforms).
.. [7] Knuth, D. E. (1998). The Art of Computer Programming, vol. 2, 3rd ed.
   Addison-Wesley, section 3.4.1 (the geometric distribution from the
   logarithm of a uniform, as the integer part of an exponential variate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

__all__ = [
    "ABMConfig",
    "ABMResult",
    "CityAgents",
    "city_agents",
    "run_abm",
    "run_abm_coef",
    "REVISION",
]

#: Revision of the kernel's random stream: raised whenever the same seed gives other
#: draws (2: one switching trial per event, recycled from its geometric gap, 2026-12),
#: so that runs of another revision are never mixed with new ones (experiment folders).
REVISION = 2


@dataclass(frozen=True)
class ABMConfig:
    """Simulation settings of the agent-based model.

    The behavioural rates are the model's parameters (``adjustment_rate``,
    ``lateral_thrust``, ``agreement_decay``, ``noise``), shared with the
    mean-field model; only the time step is the ABM's own.

    Attributes
    ----------
    steps_per_year : int
        Steps per year [1/yr]; the per-step event probability ``R h`` is
        capped at 1, so steps should keep it well below (48 by default).
    """

    steps_per_year: int = 48


@dataclass(frozen=True)
class CityAgents:
    """Agents grouped by city: the agents of city i are ``city_ptr[i]:city_ptr[i + 1]``."""

    city_ptr: np.ndarray

    @property
    def n_cities(self) -> int:
        """N."""
        return int(self.city_ptr.shape[0] - 1)

    @property
    def n_agents(self) -> int:
        """M."""
        return int(self.city_ptr[-1])

    @property
    def counts(self) -> np.ndarray:
        """Agents per city."""
        return np.diff(self.city_ptr)


def city_agents(counts: Any) -> CityAgents:
    """Agents per city (at least one each) as a :class:`CityAgents` layout."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 1 or np.any(counts < 1):
        raise ValueError("every city needs at least one agent")
    ptr = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return CityAgents(ptr)


#: Cap on a geometric gap before its conversion to an integer [agents]: a gap this long
#: leaves every city, and the cap keeps the float-to-int conversion defined when the event
#: probability is tiny.
_GAP_CAP = 2.0**62


@numba.njit(cache=True)
def _field_matrix(at, coef, y, p0, wt, pw):
    """The three interaction terms of Δ in year ``y`` folded into one matrix (stored transposed).

    ``at[j, i] = c2_i P0[j, i] + c3_i W[i, j] + c4_i PW[j, i]``, so that
    ``Δ_i = c0_i + c1_i x_i + Σ_j at[j, i] x_j`` (the affine field of
    :func:`coopgov.model.forces.affine_coefficients`); the coefficients are
    constant within a year, so the fold is done once a year.
    """
    n = at.shape[0]
    for j in range(n):
        for i in range(n):
            at[j, i] = (
                coef[2, y, i] * p0[j, i] + coef[3, y, i] * wt[j, i] + coef[4, y, i] * pw[j, i]
            )


@numba.njit(cache=True, fastmath={"reassoc", "contract", "nsz"})
def _delta_into(delta, x, coef, y, at):
    """Δ_i = c0_i + c1_i x_i + Σ_j at[j, i] x_j, as one column update per city j.

    The updates run over i (contiguous), so they vectorise without a horizontal
    sum; the order of a 41-term sum changes only the last bits.
    """
    n = x.shape[0]
    for i in range(n):
        delta[i] = coef[0, y, i] + coef[1, y, i] * x[i]
    for j in range(n):
        xj = x[j]
        for i in range(n):
            delta[i] += at[j, i] * xj


@numba.njit(cache=True, fastmath={"contract"})
def _delta_add(delta, i, dx, coef, y, at):
    """Δ after city i's share changed by ``dx``: Δ is affine in x, so Δ += dx ∂Δ/∂x_i."""
    for k in range(delta.shape[0]):
        delta[k] += at[i, k] * dx
    delta[i] += coef[1, y, i] * dx


@numba.njit(cache=True)
def _run(
    state,
    city_ptr,
    coef,
    p0,
    wt,
    pw,
    nb_ptr,
    nb_idx,
    rate,
    kappa,
    decay,
    noise,
    steps_per_year,
    rng,
    out,
):
    # p0, pw: the exposure matrices; wt: the neighbour weights transposed
    n = city_ptr.shape[0] - 1
    y_n = coef.shape[1]
    h = 1.0 / steps_per_year
    ones = np.zeros(n, dtype=np.int64)
    change = np.zeros(n, dtype=np.int64)
    counts = np.zeros(n)
    inv_deg = np.zeros(n)
    for i in range(n):
        counts[i] = city_ptr[i + 1] - city_ptr[i]
        if nb_ptr[i + 1] > nb_ptr[i]:
            inv_deg[i] = 1.0 / (nb_ptr[i + 1] - nb_ptr[i])
        for a in range(city_ptr[i], city_ptr[i + 1]):
            ones[i] += state[a]
    x = np.empty(n)
    delta = np.empty(n)
    at = np.empty((n, n))
    flips = np.empty(state.shape[0], dtype=np.int64)
    for i in range(n):
        x[i] = ones[i] / counts[i]
    out[0] = x
    for y in range(y_n):
        r = rate[y]
        kp = kappa[y]
        mu = noise[y]
        _field_matrix(at, coef, y, p0, wt, pw)
        # Δ in full once a year; within the year it follows the shares that change
        _delta_into(delta, x, coef, y, at)
        for _k in range(steps_per_year):
            n_flips = 0
            for i in range(n):
                d = delta[i]
                d_pos = d if d > 0.0 else 0.0
                d_neg = -d if d < 0.0 else 0.0
                # over the neighbours: the bound of the lateral acceptance (neighbours' Δ⁺
                # and own Δ⁻), Σ_j x_j and Σ_j x_j Δ_j⁺
                bound = d_neg
                sx = 0.0
                sxd = 0.0
                for q in range(nb_ptr[i], nb_ptr[i + 1]):
                    j = nb_idx[q]
                    dj = delta[j]
                    xj = x[j]
                    bound = max(bound, dj)
                    sx += xj
                    if dj > 0.0:
                        sxd += xj * dj
                xi = x[i]
                lapse = decay[y, i]
                # event rate R_i (the rates' bounds), and the rates of the events that
                # switch a defector (up) or a cooperator (down), given the state at the
                # start of the step
                total = r * (d_pos + d_neg) + lapse + mu
                up = r * d_pos * xi + mu
                down = r * d_neg * (1.0 - xi) + lapse + mu
                if inv_deg[i] > 0.0:
                    total += kp * bound
                    up += kp * sxd * inv_deg[i]
                    down += kp * d_neg * (1.0 - sx * inv_deg[i])
                p = total * h
                if p <= 0.0:
                    continue
                lo = city_ptr[i]
                hi = city_ptr[i + 1]
                if p < 1.0:
                    inv_log_q = 1.0 / np.log1p(-p)
                    # geometric gap to the next event: the integer part of an exponential
                    # variate e; its fractional part is independent of the gap and, through
                    # the thresholds th0, th1, decides the event (see the module notes)
                    e = min(np.log(1.0 - rng.random()) * inv_log_q, _GAP_CAP)
                    g = int(e)
                    if g >= hi - lo:
                        continue  # no event in this city this step
                    a = lo + g
                    th0 = np.log1p(h * up - p) * inv_log_q
                    th1 = np.log1p(h * down - p) * inv_log_q
                    while True:
                        s = state[a]
                        if e - g > (th1 if s else th0):
                            flips[n_flips] = a
                            n_flips += 1
                            change[i] += 1 - 2 * s
                        e = min(np.log(1.0 - rng.random()) * inv_log_q, _GAP_CAP)
                        g = int(e)
                        a += 1 + g
                        if a >= hi:
                            break
                else:
                    # every agent has an event: one uniform decides it
                    psi0 = up / total
                    psi1 = down / total
                    for a in range(lo, hi):
                        s = state[a]
                        if rng.random() < (psi1 if s else psi0):
                            flips[n_flips] = a
                            n_flips += 1
                            change[i] += 1 - 2 * s
            # apply the step's changes after all decisions (synchronous update)
            for f in range(n_flips):
                a = flips[f]
                state[a] = 1 - state[a]
            for i in range(n):
                if change[i] != 0:
                    ones[i] += change[i]
                    change[i] = 0
                    x_new = ones[i] / counts[i]
                    _delta_add(delta, i, x_new - x[i], coef, y, at)
                    x[i] = x_new
        out[y + 1] = x
    return state


def _pinned(a: Any, dtype: Any) -> np.ndarray:
    """``a`` as a C-contiguous, aligned, writable array of ``dtype`` (a copy only if needed).

    Numba compiles one specialisation of the kernel per array type, and the
    type includes the layout and the read-only flag: a read-only view (for
    example from ``np.broadcast_to``) and a writable copy of the same data
    would compile, or load from the cache, a second kernel.  Every array is
    pinned to one layout and one set of flags here, so the kernel has exactly
    one signature.
    """
    return np.require(a, dtype=dtype, requirements=("C", "A", "W"))


def _checked(
    name: str,
    a: Any,
    shape: tuple[int, ...] | None,
    *,
    lo: float | None = None,
    hi: float | None = None,
) -> np.ndarray:
    """``a`` as a pinned float64 array of ``shape`` (a number is broadcast), finite, in [lo, hi].

    Raises
    ------
    ValueError
        Naming the argument, and the position and value of the first bad entry.
    """
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: not numbers ({exc})") from None
    if shape is not None and arr.shape != shape:
        try:
            arr = np.broadcast_to(arr, shape)
        except ValueError:
            raise ValueError(
                f"{name}: expected a number or shape {shape}, got shape {arr.shape}"
            ) from None
    if arr.size == 0 or (
        np.isfinite(arr).all()
        and (lo is None or arr.min() >= lo)
        and (hi is None or arr.max() <= hi)
    ):
        return _pinned(arr, np.float64)
    bad = ~np.isfinite(arr)
    if lo is not None:
        bad |= arr < lo
    if hi is not None:
        bad |= arr > hi
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        allowed = "finite" + (f", at least {lo}" if lo is not None else "")
        allowed += f", at most {hi}" if hi is not None else ""
        raise ValueError(f"{name}: entry {where} is {float(arr[where])!r}; must be {allowed}")
    return _pinned(arr, np.float64)


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


def run_abm_coef(
    agents: CityAgents,
    coef: np.ndarray,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    *,
    rate: Any,
    lateral: Any,
    decay: Any,
    noise: Any,
    water_exposure_shares: np.ndarray | None = None,
    initial: float | np.ndarray = 0.1,
    replications: int = 10,
    seed: int = 0,
    config: ABMConfig | None = None,
) -> ABMResult:
    """Run seeded replications of the agent-based model from explicit coefficients.

    Parameters
    ----------
    agents : CityAgents
        Agents per city.
    coef : ndarray, shape (5, Y, N)
        Affine coefficients of the city force field for one scenario
        (:func:`coopgov.model.forces.affine_coefficients`) [c0].
    exposure_shares, neighbour_weights : ndarray, shape (N, N)
        ``P0`` and ``W`` of the cities.
    rate, lateral, noise : float or ndarray of shape (Y,)
        Adjustment rate r and lateral rate κ [1/yr per c0]; exploration μ [1/yr].
    decay : float or ndarray of shape (Y,) or (Y, N)
        Lapse rate λ(1−m) [1/yr].
    water_exposure_shares : ndarray, shape (N, N), optional
        ``PW`` (zeros when omitted).
    initial : float or ndarray of shape (N,)
        Initial probability that an agent of each city cooperates [1].
    replications : int
        Independent runs, seeded by ``SeedSequence(seed).spawn(replications)``.
    seed : int
        Root of the seed sequence.
    config : ABMConfig, optional
        Time step (default ``ABMConfig()``).

    Returns
    -------
    ABMResult
    """
    config = config or ABMConfig()
    steps = int(config.steps_per_year)
    if steps < 1:
        raise ValueError(f"ABMConfig.steps_per_year: must be at least 1, got {steps}")
    if int(replications) < 0:
        raise ValueError(f"replications: must be at least 0, got {replications}")
    n = agents.n_cities
    coef = _checked("coef", coef, None)
    if coef.ndim != 3 or coef.shape[0] != 5 or coef.shape[2] != n:
        raise ValueError(f"coef: expected shape (5, years, {n}), got {coef.shape}")
    y_n = coef.shape[1]
    w = _checked("neighbour_weights", neighbour_weights, (n, n), lo=0.0)
    wt = _pinned(w.T, np.float64)
    p0 = _checked("exposure_shares", exposure_shares, (n, n))
    pw = (
        np.zeros((n, n))
        if water_exposure_shares is None
        else _checked("water_exposure_shares", water_exposure_shares, (n, n))
    )
    nb = w > 0
    deg = nb.sum(axis=1)
    nb_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=nb_ptr[1:])
    nb_idx = _pinned(np.nonzero(nb)[1], np.int64)
    off = np.abs(w - nb / np.maximum(deg, 1)[:, None])
    if off.max() > 1e-9:
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        raise ValueError(
            "neighbour_weights: the agent-based model needs equal weights on each row "
            f"(row-normalised adjacency); row {i}, column {j} holds {float(w[i, j])!r}, expected "
            f"{1.0 / max(int(deg[i]), 1)!r}"
        )
    per_year = [
        _checked(name, v, (y_n,), lo=0.0)
        for name, v in (("rate", rate), ("lateral", lateral), ("noise", noise))
    ]
    decay_a = np.asarray(decay, dtype=np.float64)
    decay = _checked("decay", decay_a[:, None] if decay_a.ndim == 1 else decay_a, (y_n, n), lo=0.0)
    city_ptr = _pinned(agents.city_ptr, np.int64)
    p_init = np.repeat(_checked("initial", initial, (n,), lo=0.0, hi=1.0), agents.counts)
    out = np.empty((replications, y_n + 1, n))
    final = np.empty((replications, agents.n_agents), dtype=np.int8)
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        rng = np.random.default_rng(child)
        state = (rng.random(agents.n_agents) < p_init).astype(np.int8)
        final[r] = _run(
            state,
            city_ptr,
            coef,
            p0,
            wt,
            pw,
            nb_ptr,
            nb_idx,
            per_year[0],
            per_year[1],
            decay,
            per_year[2],
            int(config.steps_per_year),
            rng,
            out[r],
        )
    return ABMResult(out, final)


def run_abm(
    agents: CityAgents,
    simulation: Any,
    k: int = 0,
    *,
    replications: int = 10,
    seed: int = 0,
    config: ABMConfig | None = None,
    initial: float | np.ndarray | None = None,
) -> ABMResult:
    """Replicate scenario ``k`` of a mean-field :class:`~coopgov.dynamics.engine.Simulation`.

    Same force field, rates, initial state (the simulation's, unless
    ``initial`` is given) and horizon: the agent-based counterpart of the
    mean-field run, at the same rates.
    """
    from coopgov.model.forces import affine_coefficients
    from coopgov.model.parameters import joint_maturity

    sim = simulation
    city = sim.city
    y_n, n = sim.n_years, city.n
    ctx = sim.scenario_context(k)
    coef = np.broadcast_to(affine_coefficients(ctx), (5, y_n, n))
    p = {name: np.broadcast_to(v, (y_n, n)) for name, v in ctx.params.items()}
    decay = p["agreement_decay"] * (1.0 - joint_maturity(p))
    return run_abm_coef(
        agents,
        coef,
        city.exposure_shares,
        city.neighbour_weights,
        rate=p["adjustment_rate"][:, 0],
        lateral=p["lateral_thrust"][:, 0],
        decay=decay,
        noise=p["noise"][:, 0],
        water_exposure_shares=city.water_exposure_shares,
        initial=sim.cooperation[k, 0] if initial is None else initial,
        replications=replications,
        seed=seed,
        config=config,
    )
