r"""Mean-field multi-population replicator dynamics, batched over scenarios.

City i's cooperation propensity ``x_i ∈ [0, 1]`` follows

.. math::
    \\dot x_i = r \\, x_i (1 - x_i) \\, Δ_i(x) \\; - \\; λ (1 - m) \\, x_i
               \\; + \\; μ (1 - 2 x_i)

(Taylor & Jonker 1978 replicator equation for a two-strategy population, one
population per city as in multi-population replicator dynamics, Weibull 1995
ch. 5; plus the lapse of agreements under an immature mechanism, rate λ(1−m),
and exploration μ).  Δ is affine in the state features (see
:func:`coopgov.model.forces.affine_coefficients`).

Integration uses an exponential (logistic) step for the selection part and
the exact solution of the linear decay/exploration part (Lie splitting):
the selection step is exact when Δ is constant over the step, so the scheme
reproduces the closed-form logistic solution, and both parts map [0, 1]
into itself, so shares never leave [0, 1].  Scenarios are integrated in
blocks with the scenario as the SIMD axis and the exponential evaluated in
the integrator itself (Cody–Waite reduction and a degree-13 polynomial,
within 1 ulp of the C library's ``exp``), so a batch costs about 0.23 ms per
41-city, 30-year monthly scenario on one core.  In batches of 16 scenarios
or more a scenario's result does not depend on the batch it is in (every
lane does the same operations); fewer scenarios take a path with the city
as the SIMD axis and one folded matrix per year, which agrees to rounding
(tested to 1e-12).

References
----------
.. [1] Taylor, P. D., & Jonker, L. B. (1978). Evolutionary stable strategies
   and game dynamics. Mathematical Biosciences, 40(1-2), 145-156.
.. [2] Weibull, J. W. (1995). Evolutionary Game Theory. MIT Press.
.. [3] Hofbauer, J., & Sigmund, K. (1998). Evolutionary Games and Population
   Dynamics. Cambridge University Press, ch. 7.
.. [4] Cody, W. J., & Waite, W. (1980). Software Manual for the Elementary
   Functions. Prentice-Hall, ch. 6 (argument reduction for exp).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
]


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
#   Δ_i = d_i + c1_i x_i + c2_i Σ_j P0[j, i] x_j + c3_i Σ_j W[i, j] x_j + c4_i x̄,
# where P0 and W are shared by all scenarios: the dense exposure product is a
# small matrix product over the block (four columns of P0 per pass over the
# lanes) and W is applied in sparse (CSR) form.

_FLAGS = {"nnan", "ninf", "nsz", "arcp", "contract"}  # no reassociation
_LANES = 64
_LANES_MIN = 16  # below this many scenarios the city axis is the SIMD axis
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
    1.0 / math.factorial(k) for k in range(2, 14))
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


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _exposure_product(p0t, x, px):
    """``px[i, ln] = Σ_j p0t[i, j] x[j, ln]``, summed in the same order in every lane.

    Eight columns of ``p0t`` per pass over the lanes, so each pass does eight
    multiply-adds per load and store of the accumulator row.  (Two rows per
    pass measured slower here: the compiler's overlap checks grow with the
    rows written.)
    """
    n, sb = x.shape
    n8 = n - n % 8
    for i in range(n):
        for ln in range(sb):
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
            for ln in range(sb):
                px[i, ln] = (px[i, ln] + a0 * x[j, ln] + a1 * x[j + 1, ln] + a2 * x[j + 2, ln]
                            + a3 * x[j + 3, ln] + a4 * x[j + 4, ln] + a5 * x[j + 5, ln]
                            + a6 * x[j + 6, ln] + a7 * x[j + 7, ln])
        for j in range(n8, n):
            a0 = p0t[i, j]
            for ln in range(sb):
                px[i, ln] = px[i, ln] + a0 * x[j, ln]


@numba.njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _integrate(x0, coef, rate, decay, noise, p0t, w_ptr, w_idx, w_val,
               steps_per_year, record_steps, out, sb):
    # coef: (5, S, Y, N); rate/decay/noise: (S, Y); p0t[i, j] = P0[j, i];
    # W in CSR (w_ptr, w_idx, w_val); out: (S, T, N); sb: lanes per block.
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    inv_n = 1.0 / n
    x = np.empty((n, sb))
    cf = np.empty((5, n, sb))          # coefficients of r·h·Δ for the year
    poly = np.empty(n * sb)
    t = np.empty(n * sb)
    t_bits = t.view(np.int64)
    scale_bits = np.empty(n * sb, dtype=np.int64)
    scale = scale_bits.view(np.float64)
    px = np.empty((n, sb))
    wx = np.empty(sb)
    xsum = np.empty(sb)
    e_lin = np.empty(sb)
    x_star = np.empty(sb)
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
                rh = rate[s, y] * h
                for k in range(4):
                    for i in range(n):
                        cf[k, i, ln] = coef[k, s, y, i] * rh
                for i in range(n):
                    cf[4, i, ln] = coef[4, s, y, i] * (rh * inv_n)
                k_lin = decay[s, y] + 2.0 * noise[s, y]
                e_lin[ln] = np.exp(-k_lin * h)
                x_star[ln] = noise[s, y] / k_lin if k_lin > 0 else 0.0
            for _k in range(steps_per_year):
                # Jacobi update: every city's Δ is taken at the same state
                for ln in range(sb):
                    xsum[ln] = 0.0
                for j in range(n):
                    for ln in range(sb):
                        xsum[ln] += x[j, ln]
                _exposure_product(p0t, x, px)
                for i in range(n):
                    for ln in range(sb):
                        wx[ln] = 0.0
                    for q in range(w_ptr[i], w_ptr[i + 1], 4):  # rows padded to fours
                        j0 = w_idx[q]
                        j1 = w_idx[q + 1]
                        j2 = w_idx[q + 2]
                        j3 = w_idx[q + 3]
                        v0 = w_val[q]
                        v1 = w_val[q + 1]
                        v2 = w_val[q + 2]
                        v3 = w_val[q + 3]
                        for ln in range(sb):
                            wx[ln] = (wx[ln] + v0 * x[j0, ln] + v1 * x[j1, ln] + v2 * x[j2, ln]
                                     + v3 * x[j3, ln])
                    base = i * sb
                    for ln in range(sb):
                        z = (cf[0, i, ln] + cf[1, i, ln] * x[i, ln] + cf[2, i, ln] * px[i, ln]
                             + cf[3, i, ln] * wx[ln] + cf[4, i, ln] * xsum[ln])
                        poly[base + ln] = min(max(z, -_Z_MAX), _Z_MAX)
                # the exponential in its own loops: few arrays, so its constants
                # stay in registers
                for f in range(n * sb):
                    t[f], poly[f] = _exp_parts(poly[f])
                for f in range(n * sb):
                    scale_bits[f] = (t_bits[f] + 1023) << 52
                # exact logistic step for the selection part, then the exact
                # solution of the linear lapse/exploration part (Lie splitting)
                for i in range(n):
                    base = i * sb
                    for ln in range(sb):
                        xi = x[i, ln]
                        g = poly[base + ln] * scale[base + ln]
                        xi = xi * g / (1.0 - xi + xi * g)
                        x[i, ln] = x_star[ln] + (xi - x_star[ln]) * e_lin[ln]
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
def _integrate_small(x0, coef, rate, decay, noise, p0, w, steps_per_year, record_steps, out):
    # For a few scenarios: the city is the SIMD axis.  Δ is affine in x, so each
    # year the four feature terms are folded into one matrix
    #   A[i, j] = c1_i δ_ij + c2_i P0[j, i] + c3_i W[i, j] + c4_i / N
    # and every monthly step is Δ = d + A x (one small dense mat-vec).
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    a = np.empty((n, n))
    delta = np.empty(n)
    g_all = np.empty(n)
    t = np.empty(n)
    scale_bits = np.empty(n, dtype=np.int64)
    x = np.empty(n)
    inv_n = 1.0 / n
    for s in range(s_n):
        for i in range(n):
            x[i] = x0[s, i]
            out[s, 0, i] = x[i]
        rec = 0
        for y in range(y_n):
            r = rate[s, y] * h
            for i in range(n):
                c2 = coef[2, s, y, i] * r
                c3 = coef[3, s, y, i] * r
                c4 = coef[4, s, y, i] * (r * inv_n)
                for j in range(n):
                    a[i, j] = c2 * p0[j, i] + c3 * w[i, j] + c4
                a[i, i] += coef[1, s, y, i] * r
            k_lin = decay[s, y] + 2.0 * noise[s, y]
            e_lin = np.exp(-k_lin * h)
            x_star = noise[s, y] / k_lin if k_lin > 0 else 0.0
            for _k in range(steps_per_year):
                for i in range(n):
                    acc = coef[0, s, y, i] * r
                    for j in range(n):
                        acc += a[i, j] * x[j]
                    delta[i] = acc
                _exp_into(delta, g_all, t, scale_bits)
                for i in range(n):
                    xi = x[i]
                    g = g_all[i]
                    xi = xi * g / (1.0 - xi + xi * g)
                    x[i] = x_star + (xi - x_star) * e_lin
                if record_steps:
                    rec += 1
                    for i in range(n):
                        out[s, rec, i] = x[i]
            if not record_steps:
                for i in range(n):
                    out[s, y + 1, i] = x[i]


def _csr_in_fours(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse rows of ``w`` (CSR), each padded with zero weights to a multiple of four.

    The integrator adds four neighbours per pass over the lanes; a padding
    entry points at column 0 with weight 0 and adds an exact zero.
    """
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


def integrate_affine(
    x0: np.ndarray,
    coef: np.ndarray,
    rate: np.ndarray,
    decay: np.ndarray,
    noise: np.ndarray,
    exposure_shares: np.ndarray,
    neighbour_weights: np.ndarray,
    *,
    steps_per_year: int = 12,
    record: str = "year",
) -> np.ndarray:
    r"""Integrate the replicator dynamics with an affine payoff difference.

    Parameters
    ----------
    x0 : ndarray, shape (S, N)
        Initial propensities [1].
    coef : ndarray, shape (5, S, Y, N)
        Affine coefficients of Δ per scenario, year and city
        (:func:`coopgov.model.forces.affine_coefficients`) [c0].
    rate : ndarray, shape (S, Y)
        Adjustment rate r [1/yr].
    decay : ndarray, shape (S, Y)
        Lapse rate of agreements λ(1−m) [1/yr].
    noise : ndarray, shape (S, Y)
        Exploration rate μ [1/yr].
    exposure_shares : ndarray, shape (N, N)
        ``P0[j, i]`` [1].
    neighbour_weights : ndarray, shape (N, N)
        Row-normalised adjacency ``W`` [1].
    steps_per_year : int
        Integration steps per year (12: monthly).
    record : {"year", "step"}
        Record the state at the start and the end of every year (``Y + 1``
        states) or at every step (``Y·steps + 1``).

    Returns
    -------
    ndarray, shape (S, T, N)
        Propensities [1].

    Notes
    -----
    Per step, with ``h = 1/steps_per_year`` and the year's parameters:

    .. math::
        z_i = r h \, Δ_i(x), \quad
        x_i' = \frac{x_i e^{z_i}}{1 - x_i + x_i e^{z_i}}, \quad
        x_i'' = x^* + (x_i' - x^*) e^{-(λ' + 2μ) h}, \quad x^* = \frac{μ}{λ' + 2μ}

    (exact logistic step, then the exact solution of the linear part), with
    all cities updated from the same state and ``z`` clipped to ±50.  From
    16 scenarios on, blocks of up to 64 are integrated with the scenario as
    the SIMD axis; fewer take the city-axis path (see the module notes).
    """
    coef = np.ascontiguousarray(coef, dtype=np.float64)
    _, s_n, y_n, n = coef.shape
    x0 = np.ascontiguousarray(np.broadcast_to(x0, (s_n, n)), dtype=np.float64)
    t_n = y_n * steps_per_year + 1 if record == "step" else y_n + 1
    out = np.empty((s_n, t_n, n))
    w = np.ascontiguousarray(neighbour_weights, dtype=np.float64)
    p0 = np.asarray(exposure_shares, dtype=np.float64)
    per_year = tuple(
        np.ascontiguousarray(np.broadcast_to(v, (s_n, y_n)), dtype=np.float64)
        for v in (rate, decay, noise))
    if s_n < _LANES_MIN:
        _integrate_small(x0, coef, *per_year, np.ascontiguousarray(p0), w,
                         int(steps_per_year), record == "step", out)
        return out
    w_ptr, w_idx, w_val = _csr_in_fours(w)
    _integrate(
        x0, coef, *per_year, np.ascontiguousarray(p0.T), w_ptr, w_idx, w_val,
        int(steps_per_year), record == "step", out, min(_LANES, s_n),
    )
    return out


# --- analysis: fixed points and their stability ---------------------------

def _delta_linear(coef: np.ndarray, p0: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Δ = d + B x for one scenario-year: coef (5, N) → (d, B)."""
    n = coef.shape[-1]
    d = coef[0]
    b = (np.diag(coef[1]) + coef[2][:, None] * p0.T + coef[3][:, None] * w
         + coef[4][:, None] * np.full((n, n), 1.0 / n))
    return d, b


def vector_field(x: np.ndarray, coef: np.ndarray, rate: float, decay: float, noise: float,
                 exposure_shares: np.ndarray, neighbour_weights: np.ndarray) -> np.ndarray:
    """Right-hand side of the replicator ODE for one scenario-year [1/yr]."""
    d, b = _delta_linear(coef, exposure_shares, neighbour_weights)
    delta = d + b @ x
    return rate * x * (1 - x) * delta - decay * x + noise * (1 - 2 * x)


def jacobian(x: np.ndarray, coef: np.ndarray, rate: float, decay: float, noise: float,
             exposure_shares: np.ndarray, neighbour_weights: np.ndarray) -> np.ndarray:
    r"""Jacobian of :func:`vector_field` at ``x`` [1/yr].

    .. math::
        J = \\operatorname{diag}\\big(r (1-2x) Δ - λ' - 2μ\\big)
            + \\operatorname{diag}\\big(r x (1-x)\\big) B
    """
    d, b = _delta_linear(coef, exposure_shares, neighbour_weights)
    delta = d + b @ x
    return (np.diag(rate * (1 - 2 * x) * delta - decay - 2 * noise)
            + (rate * x * (1 - x))[:, None] * b)


@dataclass(frozen=True)
class FixedPoint:
    """A rest point of the mean-field dynamics and its linear stability."""

    x: np.ndarray
    eigenvalues: np.ndarray

    @property
    def stable(self) -> bool:
        """Asymptotically stable: every eigenvalue has a negative real part."""
        return bool(np.all(self.eigenvalues.real < 0))


def fixed_points(coef: np.ndarray, rate: float, decay: float, noise: float,
                 exposure_shares: np.ndarray, neighbour_weights: np.ndarray,
                 *, starts: int = 64, seed: int = 0) -> list[FixedPoint]:
    """Rest points in [0, 1]^N found from corners, the centre and random starts.

    Each start is solved with :func:`scipy.optimize.root` (hybrid Powell,
    analytic Jacobian); solutions inside [0, 1]^N are de-duplicated and
    classified by the eigenvalues of the Jacobian.

    Parameters
    ----------
    coef : ndarray, shape (5, N)
        Affine coefficients of Δ for one scenario and year [c0].
    rate, decay, noise : float
        Adjustment rate r, lapse rate λ(1−m) and exploration μ [1/yr].
    exposure_shares, neighbour_weights : ndarray, shape (N, N)
        ``P0`` and ``W``.
    starts : int
        Random starting points besides the corners and the centre.
    seed : int
        Seed of the random starts.
    """
    n = coef.shape[-1]
    rng = np.random.default_rng(seed)
    candidates = [np.zeros(n), np.ones(n), np.full(n, 0.5)] + list(rng.random((starts, n)))
    args = (coef, rate, decay, noise, exposure_shares, neighbour_weights)
    found: list[FixedPoint] = []
    for start in candidates:
        sol = optimize.root(vector_field, start, args=args, jac=jacobian, method="hybr")
        if not sol.success:
            continue
        x = sol.x
        if np.any(x < -1e-9) or np.any(x > 1 + 1e-9):
            continue
        x = np.clip(x, 0.0, 1.0)
        if np.max(np.abs(vector_field(x, *args))) > 1e-8:
            continue
        if any(np.max(np.abs(fp.x - x)) < 1e-6 for fp in found):
            continue
        found.append(FixedPoint(x, np.linalg.eigvals(jacobian(x, *args))))
    return found
