r"""Mean-field cooperation dynamics of many cities, batched over scenarios.

City i's cooperation propensity ``x_i ∈ [0, 1]`` follows

.. math::
    \\dot x_i = r \\, x_i (1 - x_i) \\, Δ_i(x)
               + κ \\Big[(1 - x_i) \\sum_j W_{ij} x_j Δ_j^+
                        - x_i Δ_i^- \\sum_j W_{ij} (1 - x_j)\\Big]
               - λ (1 - m_i) \\, x_i + μ (1 - 2 x_i)

This is the large-population limit of the agent-based update rule of
:mod:`coopgov.dynamics.abm`, at the same rates (the derivation is in that
module and in ``docs/model.md``): governments of a city imitate a more
successful strategy of their own city by proportional imitation at rate r
per unit payoff advantage (Schlag 1998; Helbing 1992 — its mean field is
the Taylor & Jonker 1978 replicator term, one population per city as in
multi-population replicator dynamics, Weibull 1995 ch. 5), imitate
successful governments of neighbouring cities at rate κ (the lateral thrust,
:func:`coopgov.model.forces.lateral_flow`), let agreements lapse at rate
λ(1−m) under an immature mechanism, and explore at rate μ.  Δ is affine in
the state features (see :func:`coopgov.model.forces.affine_coefficients`).

Integration (:func:`integrate_affine`) is by default the *Riccati* scheme:
with Δ and the imitation rates frozen, each city's equation is a Riccati
equation with constant coefficients whose solution is known in closed form
(through its stable root in [0, 1] and the Bernoulli substitution), so the
stiff selection, lapse and exploration parts are integrated exactly; the
rates are frozen at a predicted midpoint state (the exponential midpoint
rule, second order; Hochbruck & Ostermann 2010 [7]_), and one step of h and
two of h/2 are combined by Richardson extrapolation (third order;
Richardson 1911 [8]_, Hairer, Nørsett & Wanner 1993 [9]_ ch. II.9), the
result clipped to [0, 1].  The difference of the two is an error estimate
for free, and a step-size controller (Hairer, Nørsett & Wanner 1993
ch. II.4) keeps it within a tolerance (1e-4 in every city): steps of up to
a year where the rates change slowly, shorter ones through fast transients,
down to 1/64 of a year.  This keeps the result within 2e-5 of a tight
LSODA solution on the built-in scenarios and within 1e-4 over the whole
declared parameter box (tested), with no step-size limit from stiffness.  The classical
fourth-order Runge–Kutta method with stiffness-controlled sub-steps
(``rk4``) and a first-order exponential
scheme (``exponential``) stay available by name: an exponential (logistic)
step for the selection part and the exact solution of the linear
imitation/decay/exploration part, its rates frozen over the step (Lie
splitting):
the selection step is exact when Δ is constant over the step, so the scheme
reproduces the closed-form logistic solution, and both parts map [0, 1]
into itself, so shares never leave [0, 1].  Scenarios are integrated in
blocks with the scenario as the SIMD axis and the exponential evaluated in
the integrator itself (Cody–Waite reduction and a degree-13 polynomial,
within 1 ulp of the C library's ``exp``).  In batches of 16 scenarios
or more (8 for ``riccati`` and ``rk4``) a scenario's result does not depend
on the batch it is in (every lane does the same operations); fewer scenarios
take a path with the city as the SIMD axis and one folded matrix per year,
which agrees to rounding (tested to 1e-12).

References
----------
.. [1] Taylor, P. D., & Jonker, L. B. (1978). Evolutionary stable strategies
   and game dynamics. Mathematical Biosciences, 40(1-2), 145-156.
.. [2] Weibull, J. W. (1995). Evolutionary Game Theory. MIT Press.
.. [3] Hofbauer, J., & Sigmund, K. (1998). Evolutionary Games and Population
   Dynamics. Cambridge University Press, ch. 7.
.. [4] Schlag, K. H. (1998). Why imitate, and if so, how? Journal of
   Economic Theory, 78(1), 130-156.
.. [5] Helbing, D. (1992). Interrelations between stochastic equations for
   systems with pair interactions. Physica A, 181, 29-52.
.. [6] Cody, W. J., & Waite, W. (1980). Software Manual for the Elementary
   Functions. Prentice-Hall, ch. 6 (argument reduction for exp).
.. [7] Hochbruck, M., & Ostermann, A. (2010). Exponential integrators. Acta
   Numerica, 19, 209-286 (exponential integrators that solve a frozen stiff
   part exactly; the exponential midpoint rule).
.. [8] Richardson, L. F. (1911). The approximate arithmetical solution by
   finite differences of physical problems involving differential equations.
   Philosophical Transactions of the Royal Society A, 210, 307-357.
.. [9] Hairer, E., Nørsett, S. P., & Wanner, G. (1993). Solving Ordinary
   Differential Equations I: Nonstiff Problems (2nd ed.). Springer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numba
import numpy as np
from scipy import optimize

__all__ = [
    "logistic_closed_form",
    "integrate_affine",
    "vector_field",
    "jacobian",
    "FixedPoint",
    "fixed_points",
    "METHODS",
    "DEFAULT_METHOD",
    "REVISION",
    "default_steps_per_year",
    "check_tolerance",
    "DEFAULT_TOLERANCE",
]

#: The integrators of :func:`integrate_affine`, by name.
METHODS = ("riccati", "rk4", "exponential")
#: The default integrator everywhere (runs, calibration, experiment sweeps).
DEFAULT_METHOD = "riccati"
#: Revision of each integrator's numerics: raised whenever a change moves results by
#: more than rounding (riccati 2: the step-size controller, 2026-12), so that results
#: written by another revision are never mixed with new ones (experiment folders).
REVISION = {"riccati": 2, "rk4": 1, "exponential": 1}
#: Steps per year each integrator takes unless told otherwise (for ``riccati``, the
#: largest step: its controller takes smaller ones where its estimate asks).
_DEFAULT_STEPS = {"riccati": 1, "rk4": 12, "exponential": 12}
#: Riccati scheme: the largest difference [1] in any city between a full step and two
#: half steps that the step-size controller accepts.
_RIC_TOL = 1e-4
#: The default Riccati tolerance [1] (public name of ``_RIC_TOL``).
DEFAULT_TOLERANCE = _RIC_TOL
#: The smallest step, as a fraction of the largest (1/steps_per_year): an attempt of
#: this size is accepted whatever its estimate.
_RIC_MIN_STEP = 1.0 / 64.0
#: Step-size controller (Hairer, Nørsett & Wanner 1993, ch. II.4, eq. 4.13): safety
#: factor, and the largest growth and shrinking of the step per attempt.
_RIC_SAFETY = 0.9
_RIC_GROW = 4.0
_RIC_SHRINK = 0.2


def check_tolerance(tolerance: Any) -> float:
    """The Riccati scheme's error tolerance [1] as a float, or a clear ValueError.

    ``None`` gives the default (1e-4); any other value must be a finite number > 0.
    """
    if tolerance is None:
        return _RIC_TOL
    try:
        value = float(tolerance)
    except (TypeError, ValueError):
        raise ValueError(f"tolerance must be a number > 0, got {tolerance!r}") from None
    if not np.isfinite(value) or value <= 0.0:
        raise ValueError(f"tolerance must be a finite number > 0, got {tolerance!r}")
    return value


def default_steps_per_year(method: str) -> int:
    """Integration steps per year a method takes by default (rk4 and exponential 12).

    For ``riccati``, 1: its largest step is a year, and its step-size
    controller takes shorter ones where its error estimate asks.
    """
    if method not in _DEFAULT_STEPS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return _DEFAULT_STEPS[method]


def logistic_closed_form(
    x0: np.ndarray, delta: np.ndarray, rate: float, t: np.ndarray
) -> np.ndarray:
    r"""Replicator solution for a constant payoff difference (no decay, no noise).

    .. math:: x(t) = \\frac{x_0 e^{r Δ t}}{1 - x_0 + x_0 e^{r Δ t}}

    Parameters
    ----------
    x0 : array_like
        Initial propensity [1].
    delta : array_like
        Constant payoff difference [c0].
    rate : float
        Adjustment rate r [1/yr].
    t : array_like
        Times [yr].

    Examples
    --------
    >>> import numpy as np
    >>> np.round(logistic_closed_form(0.5, 1.0, 1.0, np.array([0.0, 1.0, 2.0])), 4).tolist()
    [0.5, 0.7311, 0.8808]
    """
    g = np.exp(rate * np.asarray(delta) * np.asarray(t))
    x0 = np.asarray(x0, dtype=float)
    return x0 * g / (1.0 - x0 + x0 * g)


# --- the integrator ----------------------------------------------------------
#
# Lanes: scenarios are integrated in blocks of ``_LANES``, with the scenario as
# the innermost (contiguous) axis of every work array, so each arithmetic loop
# runs over lanes and compiles to SIMD instructions without reassociating any
# sum: every lane performs exactly the same operations in the same order, so a
# scenario's result does not depend on the block it is in.
#
# Per monthly step the payoff difference is assembled from the state features
#   Δ_i = d_i + c1_i x_i + c2_i Σ_j P0[j, i] x_j + c3_i Σ_j W[i, j] x_j
#         + c4_i Σ_j PW[j, i] x_j,
# where P0, W and PW are shared by all scenarios: the dense exposure product is a
# small matrix product over the block (eight columns of P0 per pass over the
# lanes); W and PW (the river network) are applied in sparse (CSR) form, W a
# second time for the lateral imitation of successful neighbours.

_FLAGS = {"nnan", "ninf", "nsz", "arcp", "contract"}  # no reassociation
_LANES = 64
_LANES_MIN = 8  # below this many scenarios the city axis is the SIMD axis (RK4)
_LANES_EXP_MIN = 16  # the same for the exponential integrator
_LANES_NARROWEST = 8  # a Riccati block narrows down to this many lanes
# exp(z) = 2^k · exp(q), z = k ln 2 + q, |q| <= ln2 / 2 (Cody & Waite 1980):
# k = round(z / ln 2) by adding and subtracting 1.5·2^52, ln 2 split in a high part
# exact in 32 bits and a low part (the fdlibm constants), exp(q) by its Taylor
# polynomial of degree 13 (truncation error < 4.2e-18 relative, evaluated by
# Estrin's scheme), 2^k built in the
# exponent bits.  Tested against libm's exp to 1 ulp (tests/dynamics/test_replicator.py).
_ROUND = 6755399441055744.0
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_T2, _T3, _T4, _T5, _T6, _T7, _T8, _T9, _T10, _T11, _T12, _T13 = (
    1.0 / math.factorial(k) for k in range(2, 14)
)
_Z_MAX = 50.0  # |rΔh| is clipped here: the logistic step has long saturated


@numba.njit(fastmath=_FLAGS, inline="always")
def _exp_parts(z):
    """``(t, p)`` with ``exp(z) = p · 2^k`` and k in the low bits of ``t``; |z| <= 50."""
    t = z * _LOG2E + _ROUND
    k = t - _ROUND
    q = (z - k * _LN2_HI) - k * _LN2_LO
    # Estrin's scheme: four levels of dependent operations instead of Horner's
    # thirteen, so consecutive lanes overlap in the pipeline
    q2 = q * q
    q4 = q2 * q2
    q8 = q4 * q4
    # (the leading 1 is added last, where its rounding costs least)
    p13 = q + (_T2 + _T3 * q) * q2
    p47 = (_T4 + _T5 * q) + (_T6 + _T7 * q) * q2
    p811 = (_T8 + _T9 * q) + (_T10 + _T11 * q) * q2
    p1213 = _T12 + _T13 * q
    return t, 1.0 + ((p13 + p47 * q4) + (p811 + p1213 * q4) * q8)


@numba.njit(cache=True, fastmath=_FLAGS)
def _exp_into(z, out, t, scale_bits):
    """``out = exp(clip(z, -50, 50))`` for 1-D arrays.

    ``t`` (float64) and ``scale_bits`` (int64) are caller-owned work arrays of
    the same length.  Compiled apart from its callers, so that a caller's
    reassociating fast-math flags never reach the rounding trick.
    """
    t_bits = t.view(np.int64)
    scale = scale_bits.view(np.float64)
    for f in range(z.shape[0]):
        t[f], out[f] = _exp_parts(min(max(z[f], -_Z_MAX), _Z_MAX))
    for f in range(z.shape[0]):
        scale_bits[f] = (t_bits[f] + 1023) << 52
    for f in range(z.shape[0]):
        out[f] *= scale[f]


def exp(z: np.ndarray) -> np.ndarray:
    """The integrator's exponential of ``clip(z, -50, 50)`` (for tests and checks)."""
    z = np.ascontiguousarray(z, dtype=np.float64).reshape(-1)
    out = np.empty_like(z)
    _exp_into(z, out, np.empty_like(z), np.empty(z.shape, dtype=np.int64))
    return out


@numba.njit(fastmath=_FLAGS, inline="always")
def _csr_row_lanes(ptr, idx, val, i, src, acc, width):
    """``acc[ln] = Σ_q val[q] src[idx[q], ln]`` over CSR row ``i``, for the first ``width`` lanes.

    Rows are padded to fours (:func:`_csr_in_fours`); the sum runs in the
    same order in every lane, so a lane's result does not depend on the others.
    """
    for ln in range(width):
        acc[ln] = 0.0
    for q in range(ptr[i], ptr[i + 1], 4):
        j0 = idx[q]
        j1 = idx[q + 1]
        j2 = idx[q + 2]
        j3 = idx[q + 3]
        v0 = val[q]
        v1 = val[q + 1]
        v2 = val[q + 2]
        v3 = val[q + 3]
        for ln in range(width):
            acc[ln] = (
                acc[ln] + v0 * src[j0, ln] + v1 * src[j1, ln] + v2 * src[j2, ln] + v3 * src[j3, ln]
            )


_STEP_STIFFNESS = 0.6  # h·L per RK4 step, split until it holds (accuracy, not stability)
_MAX_SUBSTEPS = 32


@numba.njit(cache=True)
def _stiffness(coef, s, yr, rate, kappa, noise, decay, x, lane_or_none):
    """An estimate L [1/yr] of the Jacobian's largest row sum for one scenario-year.

    Δ is evaluated at the state ``x`` at the start of the year (features
    bounded by their value ranges: the own, exposure, neighbour and water
    features all lie in [0, 1], so ``|Δ_i| <= Σ_c |coef[c, i]|`` is used where
    the state is not at hand); the selection term contributes
    ``r (|Δ_i| + S_i / 4)`` with ``S_i`` the sum of Δ's slopes, the lateral
    term ``κ (max_j Δ_j⁺ + |Δ_i|)``, the linear part ``λ_i + 2μ``.
    """
    n = coef.shape[3]
    dpos = 0.0
    for i in range(n):
        d = coef[0, s, yr, i]
        for c in range(1, 5):
            d += coef[c, s, yr, i] * (x[i, lane_or_none] if c == 1 else 0.5)
        dpos = max(dpos, d)
    worst = 0.0
    for i in range(n):
        d = coef[0, s, yr, i] + coef[1, s, yr, i] * x[i, lane_or_none]
        slopes = abs(coef[1, s, yr, i])
        for c in range(2, 5):
            d += coef[c, s, yr, i] * 0.5
            slopes += abs(coef[c, s, yr, i])
        ad = abs(d) + 0.5 * (slopes - abs(coef[1, s, yr, i]))
        worst = max(
            worst, rate * (ad + 0.25 * slopes) + kappa * (dpos + ad) + decay[s, yr, i] + 2.0 * noise
        )
    return worst


@numba.njit(cache=True)
def _substeps(stiff, h):
    """RK4 sub-steps per step so that ``(h / m) · L <= 0.6`` (at most 32)."""
    m = int(np.ceil(stiff * h / _STEP_STIFFNESS))
    return min(max(m, 1), _MAX_SUBSTEPS)


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _rhs_lanes(
    x,
    k,
    px,
    delta,
    succ,
    wxs,
    acc,
    acc2,
    cf,
    lam,
    rate,
    kap,
    mu,
    p0t,
    w_ptr,
    w_idx,
    w_val,
    w_sum,
    q_ptr,
    q_idx,
    q_val,
):
    """``k = f(x)``, the mean-field vector field at states ``x`` (n, lanes) [1/yr]."""
    n, sb = x.shape
    np.dot(p0t, x, px)  # px[i] = Σ_j P0[j, i] x_j: a small GEMM over the lanes
    for i in range(n):
        _csr_row_lanes(w_ptr, w_idx, w_val, i, x, acc, sb)
        _csr_row_lanes(q_ptr, q_idx, q_val, i, x, acc2, sb)
        for ln in range(sb):
            d = (
                cf[0, i, ln]
                + cf[1, i, ln] * x[i, ln]
                + cf[2, i, ln] * px[i, ln]
                + cf[3, i, ln] * acc[ln]
                + cf[4, i, ln] * acc2[ln]
            )
            delta[i, ln] = d
            wxs[i, ln] = acc[ln]
            succ[i, ln] = x[i, ln] * max(d, 0.0)
    for i in range(n):
        _csr_row_lanes(w_ptr, w_idx, w_val, i, succ, acc, sb)
        ws = w_sum[i]
        for ln in range(sb):
            d = delta[i, ln]
            xi = x[i, ln]
            k[i, ln] = (
                rate[ln] * xi * (1.0 - xi) * d
                + kap[ln] * ((1.0 - xi) * acc[ln] - xi * max(-d, 0.0) * (ws - wxs[i, ln]))
                - lam[i, ln] * xi
                + mu[ln] * (1.0 - 2.0 * xi)
            )


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _integrate(
    x0,
    coef,
    rate,
    decay,
    noise,
    kappa,
    p0t,
    w_ptr,
    w_idx,
    w_val,
    w_sum,
    q_ptr,
    q_idx,
    q_val,
    steps_per_year,
    record_steps,
    out,
    sb,
):
    # coef: (5, S, Y, N); rate/noise/kappa: (S, Y); decay: (S, Y, N); p0t[i, j] = P0[j, i];
    # W and Q = PW^T in CSR padded to fours; w_sum: row sums of W; out: (S, T, N).
    # Classical RK4, scenarios as the SIMD axis; states clipped to [0, 1].
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    x = np.empty((n, sb))
    x0s = np.empty((n, sb))
    xs = np.empty((n, sb))
    k = np.empty((n, sb))
    ksum = np.empty((n, sb))
    px = np.empty((n, sb))
    delta = np.empty((n, sb))
    succ = np.empty((n, sb))
    wxs = np.empty((n, sb))
    acc = np.empty(sb)
    acc2 = np.empty(sb)
    cf = np.empty((5, n, sb))
    lam = np.empty((n, sb))
    rt = np.empty(sb)
    kap = np.empty(sb)
    mu = np.empty(sb)
    hs = np.empty(sb)
    n_sub = np.empty(sb, dtype=np.int64)
    lane = np.empty(sb, dtype=np.int64)
    for lo in range(0, s_n, sb):
        m = min(sb, s_n - lo)
        for ln in range(sb):
            lane[ln] = lo + min(ln, m - 1)  # a short last block repeats its last scenario
        for ln in range(sb):
            for i in range(n):
                x[i, ln] = min(max(x0[lane[ln], i], 0.0), 1.0)
        for ln in range(m):
            for i in range(n):
                out[lo + ln, 0, i] = x[i, ln]
        rec = 0
        for yr in range(y_n):
            n_max = 1
            for ln in range(sb):
                s = lane[ln]
                rt[ln] = rate[s, yr]
                kap[ln] = kappa[s, yr]
                mu[ln] = noise[s, yr]
                for c in range(5):
                    for i in range(n):
                        cf[c, i, ln] = coef[c, s, yr, i]
                for i in range(n):
                    lam[i, ln] = decay[s, yr, i]
                # each lane's own sub-steps, from its own data only, so that a scenario's
                # result does not depend on the block it is in
                n_sub[ln] = _substeps(
                    _stiffness(coef, s, yr, rate[s, yr], kappa[s, yr], noise[s, yr], decay, x, ln),
                    h,
                )
                hs[ln] = h / n_sub[ln]
                n_max = max(n_max, n_sub[ln])
            for _k in range(steps_per_year):
                for sub in range(n_max):
                    for i in range(n):
                        for ln in range(sb):
                            x0s[i, ln] = x[i, ln]
                    for stage in range(4):
                        _rhs_lanes(
                            x0s if stage == 0 else xs,
                            k,
                            px,
                            delta,
                            succ,
                            wxs,
                            acc,
                            acc2,
                            cf,
                            lam,
                            rt,
                            kap,
                            mu,
                            p0t,
                            w_ptr,
                            w_idx,
                            w_val,
                            w_sum,
                            q_ptr,
                            q_idx,
                            q_val,
                        )
                        wgt = 1.0 if stage == 0 or stage == 3 else 2.0
                        half = 0.5 if stage < 2 else 1.0
                        for i in range(n):
                            for ln in range(sb):
                                kv = k[i, ln]
                                if stage == 0:
                                    ksum[i, ln] = kv
                                else:
                                    ksum[i, ln] += wgt * kv
                                if stage < 3:
                                    xs[i, ln] = min(max(x0s[i, ln] + half * hs[ln] * kv, 0.0), 1.0)
                    for i in range(n):
                        for ln in range(sb):
                            if sub < n_sub[ln]:  # lanes with fewer sub-steps wait
                                x[i, ln] = min(
                                    max(x0s[i, ln] + (hs[ln] / 6.0) * ksum[i, ln], 0.0), 1.0
                                )
                if record_steps:
                    rec += 1
                    for ln in range(m):
                        for i in range(n):
                            out[lo + ln, rec, i] = x[i, ln]
            if not record_steps:
                for ln in range(m):
                    for i in range(n):
                        out[lo + ln, yr + 1, i] = x[i, ln]


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _rhs_city(x, k, a, d0, w, w_sum, lam, rate, kap, mu, delta, succ):
    """``k = f(x)`` for one scenario (city axis); ``Δ = d0 + A x`` with A folded per year."""
    n = x.shape[0]
    for i in range(n):
        acc = d0[i]
        for j in range(n):
            acc += a[i, j] * x[j]
        delta[i] = acc
        succ[i] = x[i] * max(acc, 0.0)
    for i in range(n):
        g = 0.0
        wx = 0.0
        for j in range(n):
            g += w[i, j] * succ[j]
            wx += w[i, j] * x[j]
        xi = x[i]
        d = delta[i]
        k[i] = (
            rate * xi * (1.0 - xi) * d
            + kap * ((1.0 - xi) * g - xi * max(-d, 0.0) * (w_sum[i] - wx))
            - lam[i] * xi
            + mu * (1.0 - 2.0 * xi)
        )


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _integrate_small(
    x0, coef, rate, decay, noise, kappa, p0, w, q, steps_per_year, record_steps, out
):
    # A few scenarios, the city as the SIMD axis: each year the four feature terms of Δ
    # are folded into one matrix A[i, j] = c1_i δ_ij + c2_i P0[j, i] + c3_i W[i, j]
    # + c4_i Q[i, j], so a stage costs one small dense mat-vec for Δ and one for W.
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    a = np.empty((n, n))
    x = np.empty(n)
    x0s = np.empty(n)
    xs = np.empty(n)
    k = np.empty(n)
    ksum = np.empty(n)
    delta = np.empty(n)
    succ = np.empty(n)
    lam = np.empty(n)
    d0 = np.empty(n)
    w_sum = np.empty(n)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += w[i, j]
        w_sum[i] = acc
    for s in range(s_n):
        for i in range(n):
            x[i] = min(max(x0[s, i], 0.0), 1.0)
            out[s, 0, i] = x[i]
        rec = 0
        for yr in range(y_n):
            for i in range(n):
                c2 = coef[2, s, yr, i]
                c3 = coef[3, s, yr, i]
                c4 = coef[4, s, yr, i]
                for j in range(n):
                    a[i, j] = c2 * p0[j, i] + c3 * w[i, j] + c4 * q[i, j]
                a[i, i] += coef[1, s, yr, i]
                d0[i] = coef[0, s, yr, i]
                lam[i] = decay[s, yr, i]
            r = rate[s, yr]
            kp = kappa[s, yr]
            mu = noise[s, yr]
            n_sub = _substeps(_stiffness(coef, s, yr, r, kp, mu, decay, x.reshape(n, 1), 0), h)
            hs = h / n_sub
            for _k in range(steps_per_year * n_sub):
                for i in range(n):
                    x0s[i] = x[i]
                for stage in range(4):
                    _rhs_city(
                        x0s if stage == 0 else xs, k, a, d0, w, w_sum, lam, r, kp, mu, delta, succ
                    )
                    wgt = 1.0 if stage == 0 or stage == 3 else 2.0
                    step = 0.5 * hs if stage < 2 else hs
                    for i in range(n):
                        kv = k[i]
                        ksum[i] = kv if stage == 0 else ksum[i] + wgt * kv
                        if stage < 3:
                            xs[i] = min(max(x0s[i] + step * kv, 0.0), 1.0)
                for i in range(n):
                    x[i] = min(max(x0s[i] + (hs / 6.0) * ksum[i], 0.0), 1.0)
                if record_steps and (_k + 1) % n_sub == 0:
                    rec += 1
                    for i in range(n):
                        out[s, rec, i] = x[i]
            if not record_steps:
                for i in range(n):
                    out[s, yr + 1, i] = x[i]


# --- the first-order exponential (Lie-splitting) integrator -------------------


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _exposure_product(p0t, x, px, width):
    """``px[i, ln] = Σ_j p0t[i, j] x[j, ln]`` for the first ``width`` lanes, each summed alike.

    Eight columns of ``p0t`` per pass over the lanes, so each pass does eight
    multiply-adds per load and store of the accumulator row.  (Two rows per
    pass measured slower here: the compiler's overlap checks grow with the
    rows written.)
    """
    n = x.shape[0]
    n8 = n - n % 8
    for i in range(n):
        for ln in range(width):
            px[i, ln] = 0.0
        for j in range(0, n8, 8):
            a0 = p0t[i, j]
            a1 = p0t[i, j + 1]
            a2 = p0t[i, j + 2]
            a3 = p0t[i, j + 3]
            a4 = p0t[i, j + 4]
            a5 = p0t[i, j + 5]
            a6 = p0t[i, j + 6]
            a7 = p0t[i, j + 7]
            for ln in range(width):
                px[i, ln] = (
                    px[i, ln]
                    + a0 * x[j, ln]
                    + a1 * x[j + 1, ln]
                    + a2 * x[j + 2, ln]
                    + a3 * x[j + 3, ln]
                    + a4 * x[j + 4, ln]
                    + a5 * x[j + 5, ln]
                    + a6 * x[j + 6, ln]
                    + a7 * x[j + 7, ln]
                )
        for j in range(n8, n):
            a0 = p0t[i, j]
            for ln in range(width):
                px[i, ln] = px[i, ln] + a0 * x[j, ln]


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _integrate_exp(
    x0,
    coef,
    rate,
    decay,
    noise,
    kappa,
    p0t,
    w_ptr,
    w_idx,
    w_val,
    w_sum,
    q_ptr,
    q_idx,
    q_val,
    steps_per_year,
    record_steps,
    out,
    sb,
):
    # coef: (5, S, Y, N); rate/noise/kappa: (S, Y); decay: (S, Y, N); p0t[i, j] = P0[j, i];
    # W and Q = PW^T in CSR padded to fours; w_sum: row sums of W; out: (S, T, N).
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    x = np.empty((n, sb))
    cf = np.empty((5, n, sb))  # coefficients of Δ for the year
    lam = np.empty((n, sb))  # lapse rate λ(1 − m) [1/yr]
    dlt = np.empty((n, sb))  # Δ at the step's state
    succ = np.empty((n, sb))  # x_j Δ_j⁺: cooperators that do well
    wxs = np.empty((n, sb))  # W x
    z = np.empty(n * sb)
    zl = np.empty(n * sb)
    xs = np.empty(n * sb)
    t = np.empty(n * sb)
    t_bits = t.view(np.int64)
    scale_bits = np.empty(n * sb, dtype=np.int64)
    scale = scale_bits.view(np.float64)
    px = np.empty((n, sb))
    acc = np.empty(sb)
    acc2 = np.empty(sb)
    rh = np.empty(sb)
    kap = np.empty(sb)
    mu = np.empty(sb)
    lane = np.empty(sb, dtype=np.int64)
    for lo in range(0, s_n, sb):
        m = min(sb, s_n - lo)
        for ln in range(sb):
            lane[ln] = lo + min(ln, m - 1)  # a short last block repeats its last scenario
        for ln in range(sb):
            for i in range(n):
                x[i, ln] = x0[lane[ln], i]
        for ln in range(m):
            for i in range(n):
                out[lo + ln, 0, i] = x[i, ln]
        rec = 0
        for y in range(y_n):
            for ln in range(sb):
                s = lane[ln]
                rh[ln] = rate[s, y] * h
                kap[ln] = kappa[s, y]
                mu[ln] = noise[s, y]
                for k in range(5):
                    for i in range(n):
                        cf[k, i, ln] = coef[k, s, y, i]
                for i in range(n):
                    lam[i, ln] = decay[s, y, i]
            for _k in range(steps_per_year):
                # Jacobi update: every city's Δ and flows are taken at the same state
                _exposure_product(p0t, x, px, sb)
                for i in range(n):
                    _csr_row_lanes(w_ptr, w_idx, w_val, i, x, acc, sb)
                    _csr_row_lanes(q_ptr, q_idx, q_val, i, x, acc2, sb)
                    for ln in range(sb):
                        d = (
                            cf[0, i, ln]
                            + cf[1, i, ln] * x[i, ln]
                            + cf[2, i, ln] * px[i, ln]
                            + cf[3, i, ln] * acc[ln]
                            + cf[4, i, ln] * acc2[ln]
                        )
                        dlt[i, ln] = d
                        wxs[i, ln] = acc[ln]
                        succ[i, ln] = x[i, ln] * max(d, 0.0)
                # lateral imitation and the linear lapse/exploration rates of each city
                for i in range(n):
                    _csr_row_lanes(w_ptr, w_idx, w_val, i, succ, acc, sb)
                    base = i * sb
                    ws = w_sum[i]
                    for ln in range(sb):
                        d = dlt[i, ln]
                        up = mu[ln] + kap[ln] * acc[ln]
                        down = mu[ln] + lam[i, ln] + kap[ln] * max(-d, 0.0) * (ws - wxs[i, ln])
                        k_lin = up + down
                        xs[base + ln] = up / k_lin if k_lin > 0.0 else 0.0
                        zl[base + ln] = max(-k_lin * h, -_Z_MAX)
                        z[base + ln] = min(max(rh[ln] * d, -_Z_MAX), _Z_MAX)
                # the exponentials in their own loops: few arrays, so their constants
                # stay in registers
                for f in range(n * sb):
                    t[f], z[f] = _exp_parts(z[f])
                for f in range(n * sb):
                    scale_bits[f] = (t_bits[f] + 1023) << 52
                for f in range(n * sb):
                    z[f] *= scale[f]
                for f in range(n * sb):
                    t[f], zl[f] = _exp_parts(zl[f])
                for f in range(n * sb):
                    scale_bits[f] = (t_bits[f] + 1023) << 52
                # exact logistic step for the selection part, then the exact
                # solution of the linear imitation/lapse/exploration part (Lie splitting)
                for i in range(n):
                    base = i * sb
                    for ln in range(sb):
                        xi = x[i, ln]
                        g = z[base + ln]
                        xi = xi * g / (1.0 - xi + xi * g)
                        xst = xs[base + ln]
                        x[i, ln] = xst + (xi - xst) * (zl[base + ln] * scale[base + ln])
                if record_steps:
                    rec += 1
                    for ln in range(m):
                        for i in range(n):
                            out[lo + ln, rec, i] = x[i, ln]
            if not record_steps:
                for ln in range(m):
                    for i in range(n):
                        out[lo + ln, y + 1, i] = x[i, ln]


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _integrate_exp_small(
    x0, coef, rate, decay, noise, kappa, p0, w, q, steps_per_year, record_steps, out
):
    # For a few scenarios: the city is the SIMD axis.  Δ is affine in x, so each
    # year the four feature terms are folded into one matrix
    #   A[i, j] = c1_i δ_ij + c2_i P0[j, i] + c3_i W[i, j] + c4_i Q[i, j]
    # and every monthly step is Δ = d + A x (one small dense mat-vec).
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    a = np.empty((n, n))
    delta = np.empty(n)
    succ = np.empty(n)
    g_all = np.empty(n)
    zl = np.empty(n)
    e_all = np.empty(n)
    xs = np.empty(n)
    t = np.empty(n)
    scale_bits = np.empty(n, dtype=np.int64)
    x = np.empty(n)
    w_sum = np.empty(n)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += w[i, j]
        w_sum[i] = acc
    for s in range(s_n):
        for i in range(n):
            x[i] = x0[s, i]
            out[s, 0, i] = x[i]
        rec = 0
        for y in range(y_n):
            r = rate[s, y] * h
            kp = kappa[s, y]
            mu = noise[s, y]
            for i in range(n):
                c2 = coef[2, s, y, i]
                c3 = coef[3, s, y, i]
                c4 = coef[4, s, y, i]
                for j in range(n):
                    a[i, j] = c2 * p0[j, i] + c3 * w[i, j] + c4 * q[i, j]
                a[i, i] += coef[1, s, y, i]
            for _k in range(steps_per_year):
                for i in range(n):
                    acc = coef[0, s, y, i]
                    for j in range(n):
                        acc += a[i, j] * x[j]
                    delta[i] = acc
                    succ[i] = x[i] * max(acc, 0.0)
                for i in range(n):
                    gain = 0.0
                    wx = 0.0
                    for j in range(n):
                        gain += w[i, j] * succ[j]
                        wx += w[i, j] * x[j]
                    up = mu + kp * gain
                    down = mu + decay[s, y, i] + kp * max(-delta[i], 0.0) * (w_sum[i] - wx)
                    k_lin = up + down
                    xs[i] = up / k_lin if k_lin > 0.0 else 0.0
                    zl[i] = -k_lin * h
                    delta[i] = r * delta[i]
                _exp_into(delta, g_all, t, scale_bits)
                _exp_into(zl, e_all, t, scale_bits)
                for i in range(n):
                    xi = x[i]
                    g = g_all[i]
                    xi = xi * g / (1.0 - xi + xi * g)
                    x[i] = xs[i] + (xi - xs[i]) * e_all[i]
                if record_steps:
                    rec += 1
                    for i in range(n):
                        out[s, rec, i] = x[i]
            if not record_steps:
                for i in range(n):
                    out[s, y + 1, i] = x[i]


# --- the Riccati integrator: exact frozen-rate flow, midpoint rates, Richardson --
#
# With the payoff difference and the imitation rates frozen, a city's equation is a
# Riccati equation with constant coefficients,
#   x' = a x (1 − x) + c − k x,   a = rΔ, c = μ + A, k = 2μ + λ + A + B,
# whose exact solution is known: with q(x) = −a x² + (a − k) x + c, q(0) = c >= 0 and
# q(1) = −(μ + λ + B) <= 0, so q has a stable root x* in [0, 1], and u = x − x*
# obeys the Bernoulli equation u' = −s u − a u² (s = sqrt((a − k)² + 4ac)):
#   u(h) = u₀ e^{−sh} / (1 + a u₀ (1 − e^{−sh}) / s).
# The step takes the rates at a predicted midpoint state (exponential midpoint rule,
# second order), and two half steps and one full step are combined by Richardson
# extrapolation (third order), the result clipped to [0, 1].


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _ric_rates(
    x,
    cf,
    lam,
    rt,
    kap,
    mu,
    p0t,
    w_ptr,
    w_idx,
    w_val,
    w_sum,
    q_ptr,
    q_idx,
    q_val,
    px,
    dlt,
    succ,
    wxs,
    acc,
    acc2,
    ra,
    rc,
    rk,
    sb,
):
    """The frozen rates ``a = rΔ``, ``c = μ + A``, ``k = 2μ + λ + A + B`` at states ``x``.

    For the first ``sb`` lanes (the active ones of a block).
    """
    n = x.shape[0]
    _exposure_product(p0t, x, px, sb)
    for i in range(n):
        _csr_row_lanes(w_ptr, w_idx, w_val, i, x, acc, sb)
        _csr_row_lanes(q_ptr, q_idx, q_val, i, x, acc2, sb)
        for ln in range(sb):
            d = (
                cf[0, i, ln]
                + cf[1, i, ln] * x[i, ln]
                + cf[2, i, ln] * px[i, ln]
                + cf[3, i, ln] * acc[ln]
                + cf[4, i, ln] * acc2[ln]
            )
            dlt[i, ln] = d
            wxs[i, ln] = acc[ln]
            succ[i, ln] = x[i, ln] * max(d, 0.0)
    for i in range(n):
        _csr_row_lanes(w_ptr, w_idx, w_val, i, succ, acc, sb)
        ws = w_sum[i]
        for ln in range(sb):
            d = dlt[i, ln]
            up = mu[ln] + kap[ln] * acc[ln]
            ra[i, ln] = rt[ln] * d
            rc[i, ln] = up
            rk[i, ln] = up + mu[ln] + lam[i, ln] + kap[ln] * max(-d, 0.0) * (ws - wxs[i, ln])


@numba.njit(fastmath=_FLAGS, inline="always")
def _ric_map(x, a, c, k, root, decay, h):
    """The end point of the exact flow of ``x' = a x(1−x) + c − kx`` from ``x`` over ``h``.

    ``root`` is ``s = sqrt((a − k)² + 4ac)`` and ``decay`` is ``e^{−sh}``.  With
    the stable root ``x*`` and ``u = x − x*``,
    ``u(h) = u e^{−sh} / (1 + a u (1 − e^{−sh}) / s)``, written with two
    divisions: ``x*`` from whichever of its two forms does not cancel, and
    ``u e^{−sh} s / (s + a u (1 − e^{−sh}))``, with the series of
    ``(1 − e^{−sh}) / s`` where the difference would cancel (``sh <= 1e-5``).
    """
    b = a - k
    # the stable root, without cancellation: (b + s) / 2a = 2c / (s − b)
    if b > 0.0:
        num, den = b + root, 2.0 * a
    else:
        num, den = 2.0 * c, root - b
    xst = min(max(num / den, 0.0), 1.0) if den > 0.0 else 0.0
    sh = root * h
    if sh > 1e-5:
        pn, pd = 1.0 - decay, root
    else:
        pn, pd = h * (1.0 - sh * (0.5 - sh / 6.0)), 1.0
    u = x - xst
    den = pd + a * u * pn
    xn = xst + u * decay * pd / den if den > 0.0 else xst
    return min(max(xn, 0.0), 1.0)


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _ric_flow(x, ra, rc, rk, h, dst, s, e, t, scale_bits):
    """``dst`` = the exact flow over ``h`` [yr] of ``x' = a x(1−x) + c − kx`` from ``x``.

    Element-wise over flat arrays (cities × lanes); ``s``, ``e``, ``t`` (float64)
    and ``scale_bits`` (int64) are work arrays of the same length.
    """
    f_n = x.shape[0]
    t_bits = t.view(np.int64)
    scale = scale_bits.view(np.float64)
    for f in range(f_n):
        a = ra[f]
        b = a - rk[f]
        root = math.sqrt(max(b * b + 4.0 * a * rc[f], 0.0))
        s[f] = root
        e[f] = max(-root * h, -_Z_MAX)
    # exp(−sh) in its own loops (see _integrate_exp)
    for f in range(f_n):
        t[f], e[f] = _exp_parts(e[f])
    for f in range(f_n):
        scale_bits[f] = (t_bits[f] + 1023) << 52
    for f in range(f_n):
        dst[f] = _ric_map(x[f], ra[f], rc[f], rk[f], s[f], e[f] * scale[f], h)


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _ric_flow_lanes(x, ra, rc, rk, hv, dst, s, e, t, scale_bits, sb):
    """:func:`_ric_flow` over (cities, lanes) arrays, lane ``ln`` flowing for ``hv[ln]`` [yr].

    For the first ``sb`` lanes.

    ``s``, ``e``, ``t`` (float64) and ``scale_bits`` (int64) are work arrays
    of at least as many elements as there are lanes.
    """
    n = x.shape[0]
    t_bits = t.view(np.int64)
    scale = scale_bits.view(np.float64)
    # row by row, so that the work arrays stay in the first-level cache
    for i in range(n):
        for ln in range(sb):
            a = ra[i, ln]
            b = a - rk[i, ln]
            root = math.sqrt(max(b * b + 4.0 * a * rc[i, ln], 0.0))
            s[ln] = root
            e[ln] = max(-root * hv[ln], -_Z_MAX)
        for ln in range(sb):
            t[ln], e[ln] = _exp_parts(e[ln])
        for ln in range(sb):
            scale_bits[ln] = (t_bits[ln] + 1023) << 52
        for ln in range(sb):
            dst[i, ln] = _ric_map(
                x[i, ln], ra[i, ln], rc[i, ln], rk[i, ln], s[ln], e[ln] * scale[ln], hv[ln]
            )


@numba.njit(inline="always")
def _ric_step_size(h, t, seg):
    """The step [yr] to attempt from position ``t`` [yr] of a segment ``seg`` [yr] long.

    ``h``, or what is left of the segment when that is less (the flag then
    says that the step ends the segment), or half of what is left when ``h``
    would leave less than itself (two even steps instead of a short one).
    """
    left = seg - t
    if h >= left * (1.0 - 1e-12):
        return left, True
    if 2.0 * h > left:
        return 0.5 * left, False
    return h, False


@numba.njit(inline="always")
def _ric_control(h, hs, est, tol, h_min, h_max):
    """Accept or reject an attempt of ``hs`` [yr] with error estimate ``est`` [1]; the next step.

    The step-size controller of Hairer, Nørsett & Wanner (1993, ch. II.4,
    eq. 4.13): ``h_new = hs · min(4, max(0.2, 0.9 (tol / est)^(1/3)))`` (the
    estimate is that of a second-order result, O(h³)), kept within
    ``[h_min, h_max]``; an attempt of ``h_min`` or less is accepted whatever its
    estimate, and a rejected attempt is followed by one of at most half its
    step (so the attempts on a step always end).  After an accepted step cut
    short by the end of a segment (``hs < h``), the proposal never falls below
    ``h`` when the estimate allows growth.
    """
    if est > 0.0:
        fac = min(_RIC_GROW, max(_RIC_SHRINK, _RIC_SAFETY * (tol / est) ** (1.0 / 3.0)))
    else:
        fac = _RIC_GROW
    accept = est <= tol or hs <= h_min * (1.0 + 1e-9)
    h_new = hs * fac
    if accept and fac >= 1.0 and h_new < h:
        h_new = h
    if not accept:
        h_new = min(h_new, 0.5 * hs)  # a rejected step at least halves: the loop ends
    return accept, min(max(h_new, h_min), h_max)


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _integrate_ric(
    x0,
    coef,
    rate,
    decay,
    noise,
    kappa,
    p0t,
    w_ptr,
    w_idx,
    w_val,
    w_sum,
    q_ptr,
    q_idx,
    q_val,
    steps_per_year,
    record_steps,
    out,
    sb,
    tol,
    tries,
):
    # coef: (5, S, Y, N); rate/noise/kappa: (S, Y); decay: (S, Y, N); p0t[i, j] = P0[j, i];
    # W and Q = PW^T in CSR padded to fours; w_sum: row sums of W; out: (S, T, N);
    # tries: (S,), the attempted steps of each scenario.
    # Each of the sb lanes runs one scenario at a time, with its own step size, from its
    # first year to its last, then takes the next scenario: every attempt of the block
    # is one the lane's own controller asked for, and a lane's arithmetic reads its own
    # data only, so its result does not depend on the batch.
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    seg = 1.0 / steps_per_year
    h_min = seg * _RIC_MIN_STEP
    x = np.empty((n, sb))
    xm = np.empty((n, sb))  # predicted midpoint states
    xh = np.empty((n, sb))  # one full step
    x1 = np.empty((n, sb))  # the first of two half steps
    x2 = np.empty((n, sb))  # two half steps
    cf = np.empty((5, n, sb))
    lam = np.empty((n, sb))
    px = np.empty((n, sb))
    dlt = np.empty((n, sb))
    succ = np.empty((n, sb))
    wxs = np.empty((n, sb))
    a0 = np.empty((n, sb))  # rates at a step's start
    c0 = np.empty((n, sb))
    k0 = np.empty((n, sb))
    am = np.empty((n, sb))  # rates at a midpoint
    cm = np.empty((n, sb))
    km = np.empty((n, sb))
    s = np.empty(n * sb)
    e = np.empty(n * sb)
    t = np.empty(n * sb)
    scale_bits = np.empty(n * sb, dtype=np.int64)
    acc = np.empty(sb)
    acc2 = np.empty(sb)
    rt = np.empty(sb)
    kap = np.empty(sb)
    mu = np.empty(sb)
    hv = np.empty(sb)  # each lane's step of the current flow [yr]
    hs = np.empty(sb)  # each lane's attempted step [yr]
    ends = np.zeros(sb, dtype=np.bool_)  # the attempt ends the lane's segment
    sc_of = np.full(sb, -1, dtype=np.int64)  # the lane's scenario (-1: idle)
    yr_of = np.zeros(sb, dtype=np.int64)
    seg_of = np.zeros(sb, dtype=np.int64)  # segment (step of record) within the year
    t_of = np.zeros(sb)  # position within the segment [yr]
    h_of = np.zeros(sb)  # the controller's proposal [yr]
    next_sc = 0
    active = 0
    width = sb  # lanes in use: the block narrows as the last scenarios finish
    for ln in range(sb):
        # an idle lane keeps computing on its last data (finite numbers)
        for i in range(n):
            x[i, ln] = 0.5
            lam[i, ln] = 0.0
            for c in range(5):
                cf[c, i, ln] = 0.0
        rt[ln] = 0.0
        kap[ln] = 0.0
        mu[ln] = 0.0
    if y_n == 0:  # no year to run: the initial states are the whole result
        for sc in range(s_n):
            for i in range(n):
                out[sc, 0, i] = min(max(x0[sc, i], 0.0), 1.0)
        return
    while True:
        # give idle lanes the next scenarios
        for ln in range(sb):
            if sc_of[ln] < 0 and next_sc < s_n:
                sc = next_sc
                next_sc += 1
                sc_of[ln] = sc
                yr_of[ln] = 0
                seg_of[ln] = 0
                t_of[ln] = 0.0
                h_of[ln] = seg
                active += 1
                for i in range(n):
                    xi = min(max(x0[sc, i], 0.0), 1.0)
                    x[i, ln] = xi
                    out[sc, 0, i] = xi
                _ric_load_year(coef, rate, decay, noise, kappa, sc, 0, ln, cf, lam, rt, kap, mu)
        if active == 0:
            break
        if next_sc == s_n and 2 * active <= width and width > _LANES_NARROWEST:
            # no scenario left to start: move the running ones to the first lanes and
            # narrow the block, so that the last long runs do not drag idle lanes along
            width = _ric_pack(width, sc_of, yr_of, seg_of, t_of, h_of, x, cf, lam, rt, kap, mu)
        for ln in range(width):
            hs[ln], ends[ln] = _ric_step_size(h_of[ln], t_of[ln], seg)
        # one attempt: rates at the start, flow h/2, rates there, flow h (the full step);
        # two steps of h/2 (the first sharing the rates at the start)
        _ric_rates(
            x, cf, lam, rt, kap, mu, p0t, w_ptr, w_idx, w_val, w_sum, q_ptr, q_idx, q_val,
            px, dlt, succ, wxs, acc, acc2, a0, c0, k0, width,
        )  # fmt: skip
        for ln in range(width):
            hv[ln] = 0.5 * hs[ln]
        _ric_flow_lanes(x, a0, c0, k0, hv, xm, s, e, t, scale_bits, width)
        _ric_rates(
            xm, cf, lam, rt, kap, mu, p0t, w_ptr, w_idx, w_val, w_sum, q_ptr, q_idx, q_val,
            px, dlt, succ, wxs, acc, acc2, am, cm, km, width,
        )  # fmt: skip
        _ric_flow_lanes(x, am, cm, km, hs, xh, s, e, t, scale_bits, width)
        for ln in range(width):
            hv[ln] = 0.25 * hs[ln]
        _ric_flow_lanes(x, a0, c0, k0, hv, xm, s, e, t, scale_bits, width)
        _ric_rates(
            xm, cf, lam, rt, kap, mu, p0t, w_ptr, w_idx, w_val, w_sum, q_ptr, q_idx, q_val,
            px, dlt, succ, wxs, acc, acc2, am, cm, km, width,
        )  # fmt: skip
        for ln in range(width):
            hv[ln] = 0.5 * hs[ln]
        _ric_flow_lanes(x, am, cm, km, hv, x1, s, e, t, scale_bits, width)
        _ric_rates(
            x1, cf, lam, rt, kap, mu, p0t, w_ptr, w_idx, w_val, w_sum, q_ptr, q_idx, q_val,
            px, dlt, succ, wxs, acc, acc2, a0, c0, k0, width,
        )  # fmt: skip
        for ln in range(width):
            hv[ln] = 0.25 * hs[ln]
        _ric_flow_lanes(x1, a0, c0, k0, hv, xm, s, e, t, scale_bits, width)
        _ric_rates(
            xm, cf, lam, rt, kap, mu, p0t, w_ptr, w_idx, w_val, w_sum, q_ptr, q_idx, q_val,
            px, dlt, succ, wxs, acc, acc2, am, cm, km, width,
        )  # fmt: skip
        for ln in range(width):
            hv[ln] = 0.5 * hs[ln]
        _ric_flow_lanes(x1, am, cm, km, hv, x2, s, e, t, scale_bits, width)
        for ln in range(width):
            sc = sc_of[ln]
            if sc < 0:
                continue
            tries[sc] += 1
            est = 0.0
            for i in range(n):
                est = max(est, abs(x2[i, ln] - xh[i, ln]))
            accept, h_of[ln] = _ric_control(h_of[ln], hs[ln], est, tol, h_min, seg)
            if not accept:
                continue
            # Richardson: the second-order error terms cancel
            for i in range(n):
                x[i, ln] = min(max((4.0 * x2[i, ln] - xh[i, ln]) * (1.0 / 3.0), 0.0), 1.0)
            if not ends[ln]:
                t_of[ln] += hs[ln]
                continue
            y = yr_of[ln]
            t_of[ln] = 0.0
            if record_steps:
                rec = y * steps_per_year + seg_of[ln] + 1
                for i in range(n):
                    out[sc, rec, i] = x[i, ln]
            seg_of[ln] += 1
            if seg_of[ln] < steps_per_year:
                continue
            seg_of[ln] = 0
            if not record_steps:
                for i in range(n):
                    out[sc, y + 1, i] = x[i, ln]
            yr_of[ln] = y + 1
            if y + 1 < y_n:
                _ric_load_year(coef, rate, decay, noise, kappa, sc, y + 1, ln, cf, lam, rt, kap, mu)
            else:
                sc_of[ln] = -1
                active -= 1


@numba.njit(cache=True)
def _ric_pack(width, sc_of, yr_of, seg_of, t_of, h_of, x, cf, lam, rt, kap, mu):
    """Move the running lanes of a block to its first lanes; the new width.

    The width is the number of running lanes rounded up to a multiple of
    four, at least :data:`_LANES_NARROWEST`; the lanes beyond the running ones
    are idle copies of finite data.  A lane's arithmetic reads its own column
    only, so where it runs does not change its results.
    """
    n = x.shape[0]
    k = 0
    for ln in range(width):
        if sc_of[ln] < 0:
            continue
        if k != ln:
            sc_of[k], yr_of[k], seg_of[k] = sc_of[ln], yr_of[ln], seg_of[ln]
            t_of[k], h_of[k] = t_of[ln], h_of[ln]
            rt[k], kap[k], mu[k] = rt[ln], kap[ln], mu[ln]
            for i in range(n):
                x[i, k] = x[i, ln]
                lam[i, k] = lam[i, ln]
                for c in range(5):
                    cf[c, i, k] = cf[c, i, ln]
            sc_of[ln] = -1
        k += 1
    return max(_LANES_NARROWEST, -(-k // 4) * 4)


@numba.njit(cache=True)
def _ric_load_year(coef, rate, decay, noise, kappa, sc, y, ln, cf, lam, rt, kap, mu):
    """Copy scenario ``sc``'s rates and coefficients of year ``y`` into lane ``ln``."""
    n = coef.shape[3]
    rt[ln] = rate[sc, y]
    kap[ln] = kappa[sc, y]
    mu[ln] = noise[sc, y]
    for c in range(5):
        for i in range(n):
            cf[c, i, ln] = coef[c, sc, y, i]
    for i in range(n):
        lam[i, ln] = decay[sc, y, i]


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _ric_rates_city(x, a, d0, w, w_sum, lam, r, kp, mu, ra, rc, rk, delta, succ, wxs):
    """The frozen rates of :func:`_ric_rates` for one scenario (city axis), ``Δ = d0 + A x``.

    ``W`` dense, rows in blocks of four (each ``x_j`` loaded once for four
    rows of ``A`` and ``W``, eight independent sums): with 41 cities, 0.52 µs a
    call against 1.08 µs for row-by-row products with ``W`` as sparse rows
    (measured, AVX2).  ``rc`` holds ``Σ_j W_ij x_j Δ_j⁺`` until the last pass.
    """
    n = x.shape[0]
    m = n - n % 4
    for i in range(0, m, 4):
        a0, a1, a2, a3 = d0[i], d0[i + 1], d0[i + 2], d0[i + 3]
        b0 = b1 = b2 = b3 = 0.0
        for j in range(n):
            xj = x[j]
            a0 += a[i, j] * xj
            a1 += a[i + 1, j] * xj
            a2 += a[i + 2, j] * xj
            a3 += a[i + 3, j] * xj
            b0 += w[i, j] * xj
            b1 += w[i + 1, j] * xj
            b2 += w[i + 2, j] * xj
            b3 += w[i + 3, j] * xj
        delta[i], delta[i + 1], delta[i + 2], delta[i + 3] = a0, a1, a2, a3
        wxs[i], wxs[i + 1], wxs[i + 2], wxs[i + 3] = b0, b1, b2, b3
    for i in range(m, n):
        acc = d0[i]
        wx = 0.0
        for j in range(n):
            acc += a[i, j] * x[j]
            wx += w[i, j] * x[j]
        delta[i] = acc
        wxs[i] = wx
    for i in range(n):
        succ[i] = x[i] * max(delta[i], 0.0)
    for i in range(0, m, 4):
        g0 = g1 = g2 = g3 = 0.0
        for j in range(n):
            sj = succ[j]
            g0 += w[i, j] * sj
            g1 += w[i + 1, j] * sj
            g2 += w[i + 2, j] * sj
            g3 += w[i + 3, j] * sj
        rc[i], rc[i + 1], rc[i + 2], rc[i + 3] = g0, g1, g2, g3
    for i in range(m, n):
        g = 0.0
        for j in range(n):
            g += w[i, j] * succ[j]
        rc[i] = g
    for i in range(n):
        d = delta[i]
        up = mu + kp * rc[i]
        ra[i] = r * d
        rc[i] = up
        rk[i] = up + mu + lam[i] + kp * max(-d, 0.0) * (w_sum[i] - wxs[i])


@numba.njit(cache=True, fastmath=True, error_model="numpy")
def _integrate_ric_small(
    x0,
    coef,
    rate,
    decay,
    noise,
    kappa,
    p0t,
    w,
    q,
    steps_per_year,
    record_steps,
    out,
    tol,
    tries,
):
    # A few scenarios, the city as the SIMD axis, the feature terms of Δ folded into
    # one matrix per year (as in _integrate_small); the same scheme and step-size
    # control as _integrate_ric.
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    seg = 1.0 / steps_per_year
    h_min = seg * _RIC_MIN_STEP
    a = np.empty((n, n))
    d0 = np.empty(n)
    lam = np.empty(n)
    w_sum = np.empty(n)
    x = np.empty(n)
    xm = np.empty(n)
    xh = np.empty(n)
    x1 = np.empty(n)
    x2 = np.empty(n)
    a0 = np.empty(n)
    c0 = np.empty(n)
    k0 = np.empty(n)
    a1 = np.empty(n)
    c1 = np.empty(n)
    k1 = np.empty(n)
    am = np.empty(n)
    cm = np.empty(n)
    km = np.empty(n)
    delta = np.empty(n)
    succ = np.empty(n)
    wxs = np.empty(n)
    s = np.empty(n)
    e = np.empty(n)
    t = np.empty(n)
    scale_bits = np.empty(n, dtype=np.int64)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += w[i, j]
        w_sum[i] = acc
    for sc in range(s_n):
        for i in range(n):
            x[i] = min(max(x0[sc, i], 0.0), 1.0)
            out[sc, 0, i] = x[i]
        h = seg
        rec = 0
        for yr in range(y_n):
            # the folded matrix changes only when the year's feature coefficients do
            same = yr > 0
            if same:
                for c in range(1, 5):
                    for i in range(n):
                        if coef[c, sc, yr, i] != coef[c, sc, yr - 1, i]:
                            same = False
            for i in range(n):
                if not same:
                    c2 = coef[2, sc, yr, i]
                    c3 = coef[3, sc, yr, i]
                    c4 = coef[4, sc, yr, i]
                    for j in range(n):
                        a[i, j] = c2 * p0t[i, j] + c3 * w[i, j] + c4 * q[i, j]
                    a[i, i] += coef[1, sc, yr, i]
                d0[i] = coef[0, sc, yr, i]
                lam[i] = decay[sc, yr, i]
            r = rate[sc, yr]
            kp = kappa[sc, yr]
            mu = noise[sc, yr]
            for _k in range(steps_per_year):
                pos = 0.0
                fresh = False  # the rates at the start are those of x
                while True:
                    hs, ends = _ric_step_size(h, pos, seg)
                    if not fresh:
                        _ric_rates_city(
                            x, a, d0, w, w_sum, lam, r, kp, mu, a0, c0, k0, delta, succ, wxs
                        )
                        fresh = True
                    _ric_flow(x, a0, c0, k0, 0.5 * hs, xm, s, e, t, scale_bits)
                    _ric_rates_city(
                        xm, a, d0, w, w_sum, lam, r, kp, mu, am, cm, km, delta, succ, wxs
                    )
                    _ric_flow(x, am, cm, km, hs, xh, s, e, t, scale_bits)
                    _ric_flow(x, a0, c0, k0, 0.25 * hs, xm, s, e, t, scale_bits)
                    _ric_rates_city(
                        xm, a, d0, w, w_sum, lam, r, kp, mu, am, cm, km, delta, succ, wxs
                    )
                    _ric_flow(x, am, cm, km, 0.5 * hs, x1, s, e, t, scale_bits)
                    _ric_rates_city(
                        x1, a, d0, w, w_sum, lam, r, kp, mu, a1, c1, k1, delta, succ, wxs
                    )
                    _ric_flow(x1, a1, c1, k1, 0.25 * hs, xm, s, e, t, scale_bits)
                    _ric_rates_city(
                        xm, a, d0, w, w_sum, lam, r, kp, mu, am, cm, km, delta, succ, wxs
                    )
                    _ric_flow(x1, am, cm, km, 0.5 * hs, x2, s, e, t, scale_bits)
                    tries[sc] += 1
                    est = 0.0
                    for i in range(n):
                        est = max(est, abs(x2[i] - xh[i]))
                    accept, h = _ric_control(h, hs, est, tol, h_min, seg)
                    if not accept:
                        continue
                    for i in range(n):
                        x[i] = min(max((4.0 * x2[i] - xh[i]) * (1.0 / 3.0), 0.0), 1.0)
                    fresh = False
                    if ends:
                        break
                    pos += hs
                if record_steps:
                    rec += 1
                    for i in range(n):
                        out[sc, rec, i] = x[i]
            if not record_steps:
                for i in range(n):
                    out[sc, yr + 1, i] = x[i]


_CSR_CACHE: dict[tuple[tuple[int, ...], bytes], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _csr_in_fours(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse rows of ``w`` (CSR), each padded with zero weights to a multiple of four.

    The integrator adds four neighbours per pass over the lanes; a padding
    entry points at column 0 with weight 0 and adds an exact zero.  Results
    are remembered for the last few matrices (a region's W and PW are reused
    by every run).
    """
    key = (w.shape, np.ascontiguousarray(w).tobytes())
    hit = _CSR_CACHE.get(key)
    if hit is not None:
        return hit
    if len(_CSR_CACHE) > 16:
        _CSR_CACHE.clear()
    _CSR_CACHE[key] = out = _csr_in_fours_uncached(w)
    return out


def _csr_in_fours_uncached(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = w.shape[0]
    rows, cols = np.nonzero(w)  # row-major order
    counts = np.bincount(rows, minlength=n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(-(-counts // 4) * 4, out=ptr[1:])
    rank = np.arange(rows.size) - (np.cumsum(counts) - counts)[rows]
    idx = np.zeros(ptr[-1], dtype=np.int64)
    val = np.zeros(ptr[-1], dtype=np.float64)
    idx[ptr[rows] + rank] = cols
    val[ptr[rows] + rank] = w[rows, cols]
    return ptr, idx, val


def _kernel_array(a: Any, dtype: Any = np.float64) -> np.ndarray:
    """``a`` as a C-contiguous, writable array (read-only inputs are copied).

    One layout and one set of flags for every call, so that a kernel never
    compiles a second specialisation (e.g. for a view from ``np.broadcast_to``).
    """
    out = np.ascontiguousarray(a, dtype=dtype)
    return out if out.flags.writeable else out.copy()


def _kernel_copy(a: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A fresh C-contiguous float64 copy of ``a`` broadcast to ``shape``.

    What ``_kernel_array(np.broadcast_to(a, shape))`` gives, without a
    broadcast view's set-up (a few µs a call, most of the copy's cost at
    the sizes of a single run).
    """
    out = np.empty(shape)
    try:
        out[...] = a
    except ValueError:
        raise ValueError(f"cannot broadcast an input of shape {np.shape(a)} to {shape}") from None
    return out


def integrate_affine(
    x0: np.ndarray,
    coef: np.ndarray,
    rate: np.ndarray,
    decay: np.ndarray,
    noise: np.ndarray,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    *,
    lateral: np.ndarray | float = 0.0,
    water_exposure_shares: np.ndarray | None = None,
    steps_per_year: int | None = None,
    record: str = "year",
    method: str = DEFAULT_METHOD,
    tolerance: float | None = _RIC_TOL,
    attempts: np.ndarray | None = None,
) -> np.ndarray:
    r"""Integrate the cooperation dynamics with an affine payoff difference.

    .. math::
        \dot x_i = r \, x_i (1 - x_i) \, Δ_i(x) + L_i(x) - λ_i x_i + μ (1 - 2 x_i)

    (selection by proportional imitation within the city, lateral imitation
    of successful neighbours :func:`coopgov.model.forces.lateral_flow`,
    lapse of agreements, exploration).

    Parameters
    ----------
    x0 : ndarray, shape (S, N)
        Initial propensities [1].
    coef : ndarray, shape (5, S, Y, N)
        Affine coefficients of Δ per scenario, year and city
        (:func:`coopgov.model.forces.affine_coefficients`) [c0].
    rate : ndarray, shape (S, Y)
        Adjustment rate r [1/yr per c0].
    decay : ndarray, shape (S, Y) or (S, Y, N)
        Lapse rate of agreements λ(1−m) [1/yr].
    noise : ndarray, shape (S, Y)
        Exploration rate μ [1/yr].
    exposure_shares : ndarray, shape (N, N)
        ``P0[j, i]`` [1].
    neighbour_weights : ndarray, shape (N, N)
        Row-normalised adjacency ``W`` [1].
    lateral : ndarray, shape (S, Y), or float
        Lateral imitation rate κ [1/yr per c0].
    water_exposure_shares : ndarray, shape (N, N), optional
        ``PW[j, i]`` for the fifth feature ``qx``; zeros when omitted.
    record : {"year", "step"}
        Record the state at the start and the end of every year (``Y + 1``
        states) or at every step (``Y·steps + 1``).
    steps_per_year : int, optional
        Integration steps per year (default :func:`default_steps_per_year`:
        12 for ``"rk4"`` and ``"exponential"``); for ``"riccati"`` the
        largest step is ``1/steps_per_year`` (default 1: a year), and with
        ``record="step"`` a state is recorded at each such interval.
    method : {"riccati", "rk4", "exponential"}
        ``"riccati"`` (default): each step of h is the exact solution of the
        Riccati equation the rates frozen at a predicted midpoint give
        (exponential midpoint rule, Hochbruck & Ostermann 2010), combined
        over one step of h and two of h/2 by Richardson extrapolation
        (third order), the step size set by a controller that keeps the
        difference of the two within ``tolerance`` in every city (Hairer,
        Nørsett & Wanner 1993, ch. II.4): up to ``1/steps_per_year``, down to
        1/64 of it; stiff parts solved exactly, so stiffness never limits the
        step; within 2e-5 of LSODA at ``rtol = 1e-10`` on every built-in
        scenario and within 1e-4 over the declared parameter box (tested).
        In a batch, each lane of a block runs one scenario with its own
        steps and takes the next scenario when it is done.
        ``"rk4"``: the classical fourth-order Runge–Kutta method
        on x (Kutta 1901; Hairer, Nørsett & Wanner 1993, ch. II.1), each step
        split into sub-steps where the year's stiffness estimate L
        (:func:`_stiffness`) makes ``h L > 0.6`` (for accuracy; RK4's
        real stability bound is 2.78), states clipped to [0, 1]; within 1e-6
        of LSODA on the built-in scenarios, but up to 32 sub-steps in stiff
        corners of the parameter box.
        ``"exponential"``: the first-order exponential scheme below, the
        cheapest, exact for constant Δ, order-preserving, with
        errors of order 1e-2 at monthly steps.

    tolerance : float, optional
        Riccati scheme only: the largest difference [1] in any city between
        a full step and two half steps that the controller accepts (default,
        and ``None``: 1e-4; a value of 1 or more accepts every step: fixed
        steps of ``1/steps_per_year``); must be a finite number > 0.
    attempts : ndarray of int64, shape (S,), optional
        Riccati scheme only: receives the steps attempted for each scenario
        (accepted and rejected; each costs five evaluations of the rates and
        six exact flows), for diagnostics and cost accounting.

    Returns
    -------
    ndarray, shape (S, T, N)
        Propensities [1].

    Notes
    -----
    The exponential scheme: per step, with ``h = 1/steps_per_year``, the
    year's parameters and Δ,
    the imitation rates ``A_i = κ Σ_j W_ij x_j Δ_j⁺`` (towards C) and
    ``B_i = κ Δ_i⁻ Σ_j W_ij (1 − x_j)`` (towards D) all taken at the state
    at the start of the step:

    .. math::
        x_i' = \frac{x_i e^{z_i}}{1 - x_i + x_i e^{z_i}}, \; z_i = r h Δ_i, \quad
        x_i'' = x_i^* + (x_i' - x_i^*) e^{-k_i h}, \;
        k_i = 2μ + λ_i + A_i + B_i, \; x_i^* = \frac{μ + A_i}{k_i}

    (exact logistic step, then the exact solution of the linear part with
    its rates frozen; Lie splitting).

    The Riccati scheme: with the rates ``a = rΔ``, ``c = μ + A`` and
    ``k = 2μ + λ + A + B`` frozen, ``x' = a x(1 − x) + c − k x``; its
    right-hand side is positive at 0 and negative at 1, so it has a stable
    root ``x*`` in [0, 1], and with ``u = x − x*`` and
    ``s = \sqrt{(a − k)^2 + 4ac}``

    .. math::
        u(h) = \frac{u_0 e^{-s h}}{1 + a u_0 (1 - e^{-s h}) / s}

    (the Bernoulli equation ``u' = −s u − a u²``).  A step of h takes the
    rates at the start, flows h/2, takes the rates there and flows h from the
    start; ``x ← clip((4 x_{h/2,h/2} − x_h) / 3, 0, 1)`` if
    ``e = max_i |x_{h/2,h/2} − x_h| <= tolerance`` (or h is the smallest
    step), and the step is tried again otherwise; either way the next step is
    ``h · min(4, max(0.2, 0.9 (tolerance / e)^{1/3}))``, no longer than what is
    left of the year (two even steps where one would leave a short rest).  A
    scenario's steps depend on its own estimates only: in a block of
    scenarios every lane attempts its own step, and a lane takes the
    results of the attempts on its own path.  The exponential scheme's two
    maps take [0, 1] into itself
    and are order-preserving, so shares never leave [0, 1].  Both methods
    integrate blocks of up to 64 scenarios with the scenario as the SIMD axis
    (the exposure product a small GEMM over the block for RK4); fewer than
    8 (RK4) or 16 (exponential) scenarios take a path with the city as the
    SIMD axis and one folded matrix per year.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if steps_per_year is None:
        steps_per_year = _DEFAULT_STEPS[method]
    if int(steps_per_year) < 1:
        raise ValueError(f"steps_per_year must be a positive integer, got {steps_per_year!r}")
    tolerance = check_tolerance(tolerance)
    coef = _kernel_array(coef, dtype=np.float64)
    _, s_n, y_n, n = coef.shape
    x0 = _kernel_copy(x0, (s_n, n))
    t_n = y_n * steps_per_year + 1 if record == "step" else y_n + 1
    out = np.empty((s_n, t_n, n))
    w = _kernel_array(neighbour_weights, dtype=np.float64)
    p0 = np.asarray(exposure_shares, dtype=np.float64)
    pw = (
        np.zeros((n, n))
        if water_exposure_shares is None
        else np.asarray(water_exposure_shares, dtype=np.float64)
    )
    per_year = tuple(_kernel_copy(v, (s_n, y_n)) for v in (rate, noise, lateral))
    decay = np.asarray(decay, dtype=np.float64)
    if decay.ndim == 2:
        decay = decay[:, :, None]
    decay = _kernel_copy(decay, (s_n, y_n, n))
    rate_, noise_, kappa_ = per_year
    lead = (x0, coef, rate_, decay, noise_, kappa_)
    _check_finite(
        ("x0", "coef", "rate", "decay", "noise", "lateral"),
        lead,
        ("exposure_shares", "neighbour_weights", "water_exposure_shares"),
        (p0, w, pw),
    )
    tail = (int(steps_per_year), record == "step", out)
    if attempts is not None and (
        method != "riccati"
        or not isinstance(attempts, np.ndarray)
        or attempts.shape != (s_n,)
        or attempts.dtype != np.int64
        or not attempts.flags.c_contiguous
        or not attempts.flags.writeable
    ):
        raise ValueError(
            f"attempts must be a writable int64 array of shape ({s_n},), riccati scheme only"
        )
    tries = np.zeros(s_n, dtype=np.int64) if attempts is None else attempts
    tries[:] = 0
    extra = (float(tolerance), tries) if method == "riccati" else ()
    small, batch, fewest = _KERNELS[method]
    if s_n < fewest:  # the city as the SIMD axis, one folded matrix per year
        # the Riccati kernel reads P0 by receptor rows, the others by source rows
        p_small = _kernel_array(p0.T if method == "riccati" else p0)
        small(*lead, p_small, w, _kernel_array(pw.T), *tail, *extra)
        return out
    w_ptr, w_idx, w_val = _csr_in_fours(w)
    q_ptr, q_idx, q_val = _csr_in_fours(_kernel_array(pw.T))
    lanes = _lanes(s_n) if method == "rk4" else min(_LANES, s_n)
    batch(
        *lead,
        _kernel_array(p0.T),
        w_ptr,
        w_idx,
        w_val,
        _kernel_array(w.sum(axis=1)),
        q_ptr,
        q_idx,
        q_val,
        *tail,
        lanes,
        *extra,
    )
    return out


def _first_non_finite(x0, coef, rate, decay, noise, lateral, p0, w, pw):
    """``(argument, flat index)`` of the first NaN or infinite input, or ``(-1, -1)``.

    Each array is summed first (NaN and infinities propagate through a sum;
    the sum vectorises), and searched only when its sum is not finite (a sum
    of finite values can also overflow near 1e308; such values pass).
    Compiled with reassociation only, so that the finiteness tests are kept.
    """
    arrays = (
        x0.ravel(),
        coef.ravel(),
        rate.ravel(),
        decay.ravel(),
        noise.ravel(),
        lateral.ravel(),
        p0.ravel(),
        w.ravel(),
        pw.ravel(),
    )
    for a, flat in enumerate(arrays):
        total = 0.0
        for k in range(flat.shape[0]):
            total += flat[k]
        if math.isfinite(total):
            continue
        for k in range(flat.shape[0]):
            if not math.isfinite(flat[k]):
                return a, k
    return -1, -1


def _readonly(ndim: int) -> Any:
    return numba.types.Array(numba.float64, ndim, "C", readonly=True)


@lru_cache(maxsize=1)
def _compiled_first_non_finite() -> Any:
    """:func:`_first_non_finite` for C-contiguous inputs, one signature (disk-cached)."""
    sig = numba.types.UniTuple(numba.int64, 2)(*(_readonly(d) for d in (2, 4, 2, 3, 2, 2, 2, 2, 2)))
    return numba.njit(sig, cache=True, fastmath={"reassoc"})(_first_non_finite)


def _check_finite(names, arrays, matrix_names, matrices) -> None:
    """A ValueError naming the argument, the entry and its value unless every value is finite.

    The kernels are compiled on the assumption that no value is NaN or
    infinite (their step-size loops end because their estimates are finite).
    """
    matrices = tuple(np.ascontiguousarray(m, dtype=np.float64) for m in matrices)
    a, k = _compiled_first_non_finite()(*arrays, *matrices)
    if a >= 0:
        name, value = (*names, *matrix_names)[a], (*arrays, *matrices)[a]
        where = tuple(int(i) for i in np.unravel_index(k, value.shape))
        raise ValueError(f"{name}: entry {where} is {value[where]}; must be finite")


def _lanes(s_n: int) -> int:
    """Lanes per block: 64, or the batch rounded up to a multiple of 8 when smaller."""
    return _LANES if s_n >= _LANES else max(8, -(-s_n // 8) * 8)


#: Per method: the kernel with the city as the SIMD axis, the batched kernel
#: with the scenario as the SIMD axis, and the fewest scenarios for the latter.
_KERNELS: dict[str, tuple[Any, Any, int]] = {
    "riccati": (_integrate_ric_small, _integrate_ric, _LANES_MIN),
    "exponential": (_integrate_exp_small, _integrate_exp, _LANES_EXP_MIN),
    "rk4": (_integrate_small, _integrate, _LANES_MIN),
}


# --- analysis: fixed points and their stability ---------------------------


def _delta_linear(
    coef: np.ndarray, p0: np.ndarray, w: np.ndarray, pw: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Δ = d + B x for one scenario-year: coef (5, N) → (d, B)."""
    n = coef.shape[-1]
    d = coef[0]
    q = np.zeros((n, n)) if pw is None else np.asarray(pw).T
    b = np.diag(coef[1]) + coef[2][:, None] * p0.T + coef[3][:, None] * w + coef[4][:, None] * q
    return d, b


def vector_field(
    x: np.ndarray,
    coef: np.ndarray,
    rate: float,
    decay: Any,
    noise: float,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    lateral: float = 0.0,
    water_exposure_shares: np.ndarray | None = None,
) -> np.ndarray:
    r"""Right-hand side of the mean-field dynamics for one scenario-year [1/yr].

    .. math::
        \dot x_i = r x_i (1 - x_i) Δ_i + κ\left[(1 - x_i) \sum_j W_{ij} x_j Δ_j^+
        - x_i Δ_i^- \sum_j W_{ij} (1 - x_j)\right] - λ_i x_i + μ (1 - 2 x_i)
    """
    d, b = _delta_linear(coef, exposure_shares, neighbour_weights, water_exposure_shares)
    return _field(x, d, b, rate, decay, noise, neighbour_weights, lateral)


def _field(
    x: np.ndarray,
    d: np.ndarray,
    b: np.ndarray,
    rate: float,
    decay: Any,
    noise: float,
    w: np.ndarray,
    lateral: float,
) -> np.ndarray:
    """:func:`vector_field` with Δ = d + B x already folded (:func:`_delta_linear`)."""
    delta = d + b @ x
    gain = w @ (x * np.maximum(delta, 0.0))
    loss = np.maximum(-delta, 0.0) * (w @ (1.0 - x))
    return (
        rate * x * (1 - x) * delta
        + lateral * ((1 - x) * gain - x * loss)
        - decay * x
        + noise * (1 - 2 * x)
    )


def jacobian(
    x: np.ndarray,
    coef: np.ndarray,
    rate: float,
    decay: Any,
    noise: float,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    lateral: float = 0.0,
    water_exposure_shares: np.ndarray | None = None,
) -> np.ndarray:
    r"""Jacobian of :func:`vector_field` at ``x`` [1/yr].

    With ``B = ∂Δ/∂x``, ``G = W (x Δ⁺)``, ``H = W (1 − x)`` and the
    indicator functions of the signs of Δ (the flow is piecewise smooth; at
    Δ_j = 0 the one-sided derivative from above is used):

    .. math::
        J = \operatorname{diag}\big(r (1-2x) Δ - κ G - κ Δ^- H - λ - 2μ\big)
            + \operatorname{diag}\big(r x (1-x)\big) B
            + κ \operatorname{diag}(1 - x)\big(W \operatorname{diag}(Δ^+)
              + W \operatorname{diag}(x [Δ > 0]) B\big)
            + κ \operatorname{diag}(x [Δ < 0] H) B
            + κ \operatorname{diag}(x Δ^-) W
    """
    d, b = _delta_linear(coef, exposure_shares, neighbour_weights, water_exposure_shares)
    return _jac(x, d, b, rate, decay, noise, neighbour_weights, lateral)


def _jac(
    x: np.ndarray,
    d: np.ndarray,
    b: np.ndarray,
    rate: float,
    decay: Any,
    noise: float,
    w: np.ndarray,
    lateral: float,
) -> np.ndarray:
    """:func:`jacobian` with Δ = d + B x already folded (:func:`_delta_linear`)."""
    delta = d + b @ x
    pos = np.maximum(delta, 0.0)
    neg = np.maximum(-delta, 0.0)
    g = w @ (x * pos)
    hh = w @ (1.0 - x)
    decay = np.broadcast_to(decay, x.shape)
    jac = np.diag(rate * (1 - 2 * x) * delta - lateral * g - lateral * neg * hh - decay - 2 * noise)
    jac += (rate * x * (1 - x))[:, None] * b
    dg = w * pos[None, :] + w @ ((x * (delta > 0))[:, None] * b)
    jac += lateral * (1 - x)[:, None] * dg
    jac += lateral * (x * (delta < 0) * hh)[:, None] * b
    jac += lateral * (x * neg)[:, None] * w
    return jac


@dataclass(frozen=True)
class FixedPoint:
    """A rest point of the mean-field dynamics and its linear stability."""

    x: np.ndarray
    eigenvalues: np.ndarray

    @property
    def stable(self) -> bool:
        """Asymptotically stable: every eigenvalue has a negative real part."""
        return bool(np.all(self.eigenvalues.real < 0))

    @property
    def cooperation_rate(self) -> float:
        """Mean cooperation over the cities at the rest point [1]."""
        return float(np.mean(self.x))


def fixed_points(
    coef: np.ndarray,
    rate: float,
    decay: Any,
    noise: float,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    *,
    lateral: float = 0.0,
    water_exposure_shares: np.ndarray | None = None,
    starts: int = 64,
    seed: int = 0,
    extra_starts: Sequence[np.ndarray] = (),
) -> list[FixedPoint]:
    """Rest points in [0, 1]^N found from corners, the centre and random starts.

    Each start is solved with :func:`scipy.optimize.root` (hybrid Powell,
    analytic Jacobian); solutions inside [0, 1]^N are de-duplicated and
    classified by the eigenvalues of the Jacobian.

    Parameters
    ----------
    coef : ndarray, shape (5, N)
        Affine coefficients of Δ for one scenario and year [c0].
    rate, noise : float
        Adjustment rate r [1/yr per c0] and exploration μ [1/yr].
    decay : float or ndarray of shape (N,)
        Lapse rate λ(1−m) [1/yr].
    exposure_shares, neighbour_weights : ndarray, shape (N, N)
        ``P0`` and ``W``.
    lateral : float
        Lateral imitation rate κ [1/yr per c0].
    water_exposure_shares : ndarray, shape (N, N), optional
        ``PW``.
    starts : int
        Random starting points besides the corners and the centre.
    seed : int
        Seed of the random starts.
    extra_starts : sequence of ndarray
        Further starting points (e.g. a trajectory's end state).
    """
    n = coef.shape[-1]
    rng = np.random.default_rng(seed)
    candidates = (
        [np.zeros(n), np.ones(n), np.full(n, 0.5)]
        + list(extra_starts)
        + list(rng.random((starts, n)))
    )
    # Δ = d + B x folded once for every start and iteration (the same arithmetic as
    # vector_field and jacobian, which fold it on every call)
    d, b = _delta_linear(coef, exposure_shares, neighbour_weights, water_exposure_shares)
    args = (d, b, rate, decay, noise, neighbour_weights, lateral)
    found: list[FixedPoint] = []
    for start in candidates:
        sol = optimize.root(_field, start, args=args, jac=_jac, method="hybr")
        if not sol.success:
            continue
        x = sol.x
        if np.any(x < -1e-9) or np.any(x > 1 + 1e-9):
            continue
        x = np.clip(x, 0.0, 1.0)
        if np.max(np.abs(_field(x, *args))) > 1e-8:
            continue
        if any(np.max(np.abs(fp.x - x)) < 1e-6 for fp in found):
            continue
        found.append(FixedPoint(x, np.linalg.eigvals(_jac(x, *args))))
    found.sort(key=lambda fp: fp.cooperation_rate)
    return found
