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
into itself, so shares never leave [0, 1].

References
----------
.. [1] Taylor, P. D., & Jonker, L. B. (1978). Evolutionary stable strategies
   and game dynamics. Mathematical Biosciences, 40(1-2), 145-156.
.. [2] Weibull, J. W. (1995). Evolutionary Game Theory. MIT Press.
.. [3] Hofbauer, J., & Sigmund, K. (1998). Evolutionary Games and Population
   Dynamics. Cambridge University Press, ch. 7.
"""

from __future__ import annotations

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


@numba.njit(cache=True, fastmath=True)
def _integrate(x0, coef, rate, decay, noise, p0, w, steps_per_year, record_steps, out):
    # coef: (5, S, Y, N); rate/decay/noise: (S, Y); p0, w: (N, N).
    # Δ is affine in x: each year, fold the four feature terms into one matrix
    #   A[i, j] = c1_i δ_ij + c2_i P0[j, i] + c3_i W[i, j] + c4_i / N
    # so that every monthly step is Δ = d + A x (one small dense mat-vec).
    s_n, y_n, n = coef.shape[1], coef.shape[2], coef.shape[3]
    h = 1.0 / steps_per_year
    a = np.empty((n, n))
    delta = np.empty(n)
    x = np.empty(n)
    inv_n = 1.0 / n
    for s in range(s_n):
        for i in range(n):
            x[i] = x0[s, i]
            out[s, 0, i] = x[i]
        rec = 0
        for y in range(y_n):
            for i in range(n):
                c2 = coef[2, s, y, i]
                c3 = coef[3, s, y, i]
                c4 = coef[4, s, y, i] * inv_n
                for j in range(n):
                    a[i, j] = c2 * p0[j, i] + c3 * w[i, j] + c4
                a[i, i] += coef[1, s, y, i]
            r = rate[s, y] * h
            k_lin = decay[s, y] + 2.0 * noise[s, y]
            e_lin = np.exp(-k_lin * h)
            x_star = noise[s, y] / k_lin if k_lin > 0 else 0.0
            for _k in range(steps_per_year):
                # all deltas first (Jacobi update: every city sees the same state)
                for i in range(n):
                    acc = coef[0, s, y, i]
                    for j in range(n):
                        acc += a[i, j] * x[j]
                    delta[i] = acc
                # three loops so that the two without exp vectorise;
                # |z| <= 50 keeps exp finite (the logistic step saturates long before)
                for i in range(n):
                    delta[i] = min(max(r * delta[i], -50.0), 50.0)
                for i in range(n):
                    delta[i] = np.exp(delta[i])
                for i in range(n):
                    xi = x[i]
                    g = delta[i]
                    xi = xi * g / (1.0 - xi + xi * g)
                    x[i] = x_star + (xi - x_star) * e_lin
                if record_steps:
                    rec += 1
                    for i in range(n):
                        out[s, rec, i] = x[i]
            if not record_steps:
                for i in range(n):
                    out[s, y + 1, i] = x[i]


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
    """Integrate the replicator dynamics with an affine payoff difference.

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
    """
    coef = np.ascontiguousarray(coef, dtype=np.float64)
    _, s_n, y_n, n = coef.shape
    x0 = np.ascontiguousarray(np.broadcast_to(x0, (s_n, n)), dtype=np.float64)
    t_n = y_n * steps_per_year + 1 if record == "step" else y_n + 1
    out = np.empty((s_n, t_n, n))
    _integrate(
        x0, coef,
        np.ascontiguousarray(np.broadcast_to(rate, (s_n, y_n)), dtype=np.float64),
        np.ascontiguousarray(np.broadcast_to(decay, (s_n, y_n)), dtype=np.float64),
        np.ascontiguousarray(np.broadcast_to(noise, (s_n, y_n)), dtype=np.float64),
        np.ascontiguousarray(exposure_shares, dtype=np.float64),
        np.ascontiguousarray(neighbour_weights, dtype=np.float64),
        int(steps_per_year), record == "step", out,
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
