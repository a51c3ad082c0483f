"""What a scientist would use instead of coopgov's mean-field integrator, and the reference.

The mean-field equation (:func:`coopgov.dynamics.replicator.vector_field`)
for a batch of S scenarios, coefficients constant within each year:

.. math::
    \\dot x_i = r x_i (1 - x_i) Δ_i + κ\\left[(1 - x_i) \\sum_j W_{ij} x_j Δ_j^+
    - x_i Δ_i^- \\sum_j W_{ij} (1 - x_j)\\right] - λ_i x_i + μ (1 - 2 x_i),
    \\quad Δ = c_0 + c_1 x + c_2 (x P_0) + c_3 (W x) + c_4 (x P_W).

* :func:`reference` — SciPy's LSODA (Petzold 1983) per scenario and year, at a
  tight tolerance (rtol 1e-10 by default): the reference solution that
  accuracy is measured against;
* :func:`lsoda` — the same at a user's tolerance, the alternative a
  scientist reaches for first;
* :func:`rk4_numpy` — the classical fourth-order Runge–Kutta scheme
  (Butcher 2016, §23) vectorised over the batch with NumPy (explicit: at
  monthly steps it is unstable for strong lateral thrust, κ = 2, measured in
  ``tests/experiments/test_benchmark_alternatives.py``; 24 steps a year are
  stable there);
* :func:`rk4_jax` — the same scheme compiled with JAX on the CPU (``jax.jit``,
  ``lax.scan``, float64), where JAX is installed.

All take :class:`BatchODE`, gathered from a simulation by :func:`batch_ode`,
and return the states at the start of each year and at the end, (S, Y + 1, N),
like :attr:`coopgov.dynamics.engine.Simulation.cooperation`.

References
----------
.. [1] Petzold, L. (1983). Automatic selection of methods for solving stiff
   and nonstiff systems of ordinary differential equations. SIAM Journal on
   Scientific and Statistical Computing, 4(1), 136-148.
.. [2] Butcher, J. C. (2016). Numerical Methods for Ordinary Differential
   Equations (3rd ed.). Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BatchODE", "batch_ode", "reference", "lsoda", "rk4_numpy", "rk4_jax", "max_error"]


@dataclass(frozen=True)
class BatchODE:
    """The mean-field ODE of S scenarios.

    Attributes
    ----------
    x0 : ndarray, shape (S, N)
        Initial propensities [1].
    coef : ndarray, shape (5, S, Y, N)
        Affine coefficients of Δ [c0].
    rate, kappa, noise : ndarray, shape (S, Y)
        r, κ [1/yr per c0]; μ [1/yr].
    decay : ndarray, shape (S, Y, N)
        λ(1 − m) [1/yr].
    p0, w, pw : ndarray, shape (N, N)
        Exposure shares, neighbour weights, water exposure shares.
    """

    x0: np.ndarray
    coef: np.ndarray
    rate: np.ndarray
    kappa: np.ndarray
    noise: np.ndarray
    decay: np.ndarray
    p0: np.ndarray
    w: np.ndarray
    pw: np.ndarray

    @property
    def shape(self) -> tuple[int, int, int]:
        """(S, Y, N)."""
        return self.coef.shape[1], self.coef.shape[2], self.coef.shape[3]


def batch_ode(sim) -> BatchODE:
    """The ODE a :class:`~coopgov.dynamics.engine.Simulation` integrated (as ``simulate``)."""
    from coopgov.model.forces import ForceContext, affine_coefficients
    from coopgov.model.parameters import joint_maturity

    city = sim.city
    s_n, y_n, n = sim.n_scenarios, sim.n_years, city.n
    ctx = ForceContext(
        city=city,
        params=sim.params,
        fiscal_transfer=sim.fiscal_transfer,
        compensation_incentive=sim.compensation_incentive,
    )
    coef = np.ascontiguousarray(np.broadcast_to(affine_coefficients(ctx), (5, s_n, y_n, n)))
    p = sim.params

    def regionwide(v):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(v)[..., 0], (s_n, y_n)))

    decay = np.broadcast_to(p["agreement_decay"] * (1.0 - joint_maturity(p)), (s_n, y_n, n))
    return BatchODE(
        x0=np.ascontiguousarray(sim.cooperation[:, 0]),
        coef=coef,
        rate=regionwide(p["adjustment_rate"]),
        kappa=regionwide(p["lateral_thrust"]),
        noise=regionwide(p["noise"]),
        decay=np.ascontiguousarray(decay),
        p0=np.asarray(city.exposure_shares, float),
        w=np.asarray(city.neighbour_weights, float),
        pw=np.asarray(city.water_exposure_shares, float),
    )


def _rhs_batch(x, c, r, k, mu, lam, p0, w, pw):
    """Vector field of a batch, x (S, N); year constants c (5, S, N), r k mu (S,), lam (S, N)."""
    delta = c[0] + c[1] * x + c[2] * (x @ p0) + c[3] * (x @ w.T) + c[4] * (x @ pw)
    gain = (x * np.maximum(delta, 0.0)) @ w.T
    loss = np.maximum(-delta, 0.0) * ((1.0 - x) @ w.T)
    return (
        r[:, None] * x * (1.0 - x) * delta
        + k[:, None] * ((1.0 - x) * gain - x * loss)
        - lam * x
        + mu[:, None] * (1.0 - 2.0 * x)
    )


def rk4_numpy(ode: BatchODE, steps_per_year: int = 12) -> np.ndarray:
    """Classical RK4 over the batch with NumPy; states by year, (S, Y + 1, N)."""
    s_n, y_n, n = ode.shape
    h = 1.0 / steps_per_year
    out = np.empty((s_n, y_n + 1, n))
    x = ode.x0.copy()
    out[:, 0] = x
    for y in range(y_n):
        args = (
            ode.coef[:, :, y],
            ode.rate[:, y],
            ode.kappa[:, y],
            ode.noise[:, y],
            ode.decay[:, y],
            ode.p0,
            ode.w,
            ode.pw,
        )
        for _ in range(steps_per_year):
            k1 = _rhs_batch(x, *args)
            k2 = _rhs_batch(x + 0.5 * h * k1, *args)
            k3 = _rhs_batch(x + 0.5 * h * k2, *args)
            k4 = _rhs_batch(x + h * k3, *args)
            x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        out[:, y + 1] = x
    return out


def rk4_jax(ode: BatchODE, steps_per_year: int = 12):
    """The same RK4 compiled with JAX on the CPU (float64); returns a callable and its output.

    Returns
    -------
    run : callable
        ``run()`` integrates again (compiled; for timing) and returns (S, Y + 1, N).
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp
    from jax import lax

    h = 1.0 / steps_per_year

    def rhs(x, c, r, k, mu, lam, p0, w, pw):
        delta = c[0] + c[1] * x + c[2] * (x @ p0) + c[3] * (x @ w.T) + c[4] * (x @ pw)
        gain = (x * jnp.maximum(delta, 0.0)) @ w.T
        loss = jnp.maximum(-delta, 0.0) * ((1.0 - x) @ w.T)
        return (
            r[:, None] * x * (1.0 - x) * delta
            + k[:, None] * ((1.0 - x) * gain - x * loss)
            - lam * x
            + mu[:, None] * (1.0 - 2.0 * x)
        )

    def year(x, per_year):
        c, r, k, mu, lam = per_year
        args = (c, r, k, mu, lam, p0, w, pw)

        def step(x, _):
            k1 = rhs(x, *args)
            k2 = rhs(x + 0.5 * h * k1, *args)
            k3 = rhs(x + 0.5 * h * k2, *args)
            k4 = rhs(x + h * k3, *args)
            return x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4), None

        x, _ = lax.scan(step, x, None, length=steps_per_year)
        return x, x

    p0, w, pw = jnp.asarray(ode.p0), jnp.asarray(ode.w), jnp.asarray(ode.pw)

    @jax.jit
    def integrate(x0, coef, rate, kappa, noise, decay):
        per_year = (jnp.moveaxis(coef, 2, 0), rate.T, kappa.T, noise.T, jnp.moveaxis(decay, 1, 0))
        _, xs = lax.scan(year, x0, per_year)
        return jnp.concatenate([x0[:, None], jnp.moveaxis(xs, 0, 1)], axis=1)

    args = tuple(
        jnp.asarray(a) for a in (ode.x0, ode.coef, ode.rate, ode.kappa, ode.noise, ode.decay)
    )

    def run():
        return np.asarray(integrate(*args).block_until_ready())

    return run


def lsoda(
    ode: BatchODE, rtol: float = 1e-6, atol: float | None = None, scenarios: range | None = None
) -> np.ndarray:
    """SciPy LSODA per scenario and year (coefficients change at each year's start)."""
    from scipy.integrate import solve_ivp

    s_n, y_n, n = ode.shape
    atol = rtol * 1e-2 if atol is None else atol
    picks = range(s_n) if scenarios is None else scenarios
    out = np.empty((len(picks), y_n + 1, n))
    for row, s in enumerate(picks):
        x = ode.x0[s].copy()
        out[row, 0] = x
        for y in range(y_n):
            c = ode.coef[:, s : s + 1, y]
            args = (
                c,
                ode.rate[s : s + 1, y],
                ode.kappa[s : s + 1, y],
                ode.noise[s : s + 1, y],
                ode.decay[s : s + 1, y],
                ode.p0,
                ode.w,
                ode.pw,
            )

            def f(_t, xv, args=args):
                return _rhs_batch(xv[None, :], *args)[0]

            sol = solve_ivp(f, (0.0, 1.0), x, method="LSODA", rtol=rtol, atol=atol)
            if not sol.success:  # pragma: no cover - a failed reference is reported, not hidden
                raise RuntimeError(f"LSODA failed in scenario {s}, year {y}: {sol.message}")
            x = sol.y[:, -1]
            out[row, y + 1] = x
    return out


def reference(ode: BatchODE, scenarios: range | None = None) -> np.ndarray:
    """The reference solution: LSODA at rtol 1e-10, atol 1e-12."""
    return lsoda(ode, rtol=1e-10, atol=1e-12, scenarios=scenarios)


def max_error(x: np.ndarray, ref: np.ndarray) -> float:
    """Largest absolute difference in cooperation over scenarios, years and cities [1]."""
    return float(np.max(np.abs(np.asarray(x) - np.asarray(ref))))
