"""ABC-SMC on a batched simulator.

Approximate Bayesian computation by sequential Monte Carlo (population
Monte Carlo ABC) of Beaumont, Cornuet, Marin & Robert (2009), *Biometrika*
96(4), 983-990, with the adaptive tolerance of Del Moral, Doucet & Jasra
(2012), *Stat. Comput.* 22, 1009-1020 (each tolerance is the α-quantile of
the previous population's distances):

1. generation 0: N particles from the prior, all kept (ε₀ = ∞);
2. generation g: ε_g = α-quantile of the distances of generation g−1;
   propose θ* by drawing a particle of g−1 by weight and perturbing it with
   a Gaussian kernel of covariance 2·Σ (Σ the weighted covariance of g−1,
   Beaumont et al. 2009, section 3); keep θ* when its simulated distance is
   ≤ ε_g, until N are kept;
3. weights ``w_i ∝ π(θ_i) / Σ_j W_j K(θ_i | θ_j)``.

Priors are uniform on a box (the declared bounds), so π is constant
inside it and proposals outside it are discarded without simulation.  The
difference from a per-particle sampler (pyabc) is only *how* proposals are
simulated: all proposals of a round go through one batched simulator call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Generation", "ABCSMCResult", "abc_smc", "weighted_quantile", "effective_sample_size"]

# simulate_distance(theta (M, P), rng) -> distances (M,)
BatchDistance = Callable[[np.ndarray, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Generation:
    """One SMC generation."""

    index: int
    epsilon: float
    simulations: int
    accepted: int
    acceptance_rate: float
    ess: float
    wall_s: float


@dataclass
class ABCSMCResult:
    """Final population and history of :func:`abc_smc`."""

    names: tuple[str, ...]
    particles: np.ndarray  # (N, P)
    weights: np.ndarray  # (N,), sum 1
    distances: np.ndarray  # (N,)
    generations: list[Generation] = field(default_factory=list)

    @property
    def n_simulations(self) -> int:
        """Simulations run over all generations."""
        return sum(g.simulations for g in self.generations)

    @property
    def wall_s(self) -> float:
        """Wall time over all generations [s]."""
        return sum(g.wall_s for g in self.generations)

    def quantiles(self, qs: Sequence[float] = (0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        """Weighted posterior quantiles of each parameter."""
        return {
            n: [float(v) for v in weighted_quantile(self.particles[:, k], self.weights, qs)]
            for k, n in enumerate(self.names)
        }

    def resample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws from the weighted population (systematic resampling), shape (n, P)."""
        cdf = np.cumsum(self.weights)
        cdf[-1] = 1.0
        u = (rng.random() + np.arange(n)) / n
        idx = np.searchsorted(cdf, u)
        return self.particles[rng.permutation(idx)]


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``1 / Σ w²`` of normalised weights."""
    w = np.asarray(weights, float)
    w = w / w.sum()
    return float(1.0 / np.sum(w * w))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoint rule)."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.asarray(qs, float), cdf, v)


def _kernel_logdens(x: np.ndarray, centres: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """Log N(x_i; c_j, LLᵀ) up to the common constant, shape (len(x), len(centres))."""
    out = np.empty((x.shape[0], centres.shape[0]))
    for lo in range(0, x.shape[0], 512):
        diff = x[lo : lo + 512, None, :] - centres[None, :, :]
        z = np.linalg.solve(chol, diff.reshape(-1, x.shape[1]).T).T
        out[lo : lo + 512] = -0.5 * np.sum(z * z, axis=1).reshape(diff.shape[:2])
    return out


def abc_smc(
    simulate_distance: BatchDistance,
    lower: Sequence[float] | np.ndarray,
    upper: Sequence[float] | np.ndarray,
    *,
    names: Sequence[str] | None = None,
    n_particles: int = 1000,
    n_generations: int = 8,
    alpha: float = 0.5,
    seed: int | np.random.SeedSequence = 0,
    max_batch: int = 20_000,
    max_simulations: int | None = None,
    min_acceptance: float = 0.0,
    progress: Callable[[Generation], None] | None = None,
) -> ABCSMCResult:
    """Run ABC-SMC with uniform priors on ``[lower, upper]`` (module description).

    Parameters
    ----------
    simulate_distance : callable
        ``f(theta, rng) -> d``: simulates every row of ``theta`` (M, P) in one
        batch and returns the M distances to the observations.
    lower, upper : sequence of float, length P
        Prior box [parameter units].
    names : sequence of str, optional
        Parameter names (for the result).
    n_particles : int
        Population size N.
    n_generations : int
        Generations including generation 0 (≥ 1).
    alpha : float
        Quantile of the previous distances used as the next tolerance (0 < α < 1).
    seed : int or SeedSequence
        Random seed.
    max_batch : int
        Most proposals simulated in one call.
    max_simulations : int, optional
        Stop after the generation in which this many simulations were exceeded.
    min_acceptance : float
        Stop when a generation's acceptance rate falls below this.
    progress : callable, optional
        Called with each finished :class:`Generation`.
    """
    lo, hi = np.asarray(lower, float), np.asarray(upper, float)
    if lo.shape != hi.shape or lo.ndim != 1 or np.any(hi <= lo):
        raise ValueError("prior bounds must be two equal-length vectors with upper > lower")
    if n_particles < 2 or n_generations < 1 or not 0.0 < alpha < 1.0:
        raise ValueError("need n_particles >= 2, n_generations >= 1 and 0 < alpha < 1")
    p = lo.size
    names = tuple(names) if names is not None else tuple(f"p{k}" for k in range(p))
    rng = np.random.default_rng(seed)
    history: list[Generation] = []

    t0 = time.perf_counter()
    theta = lo + (hi - lo) * rng.random((n_particles, p))
    dist = np.asarray(simulate_distance(theta, rng), float)
    weights = np.full(n_particles, 1.0 / n_particles)
    gen = Generation(
        0,
        float("inf"),
        n_particles,
        n_particles,
        1.0,
        effective_sample_size(weights),
        time.perf_counter() - t0,
    )
    history.append(gen)
    if progress:
        progress(gen)
    total = n_particles

    for g in range(1, n_generations):
        if max_simulations is not None and total >= max_simulations:
            break
        t0 = time.perf_counter()
        finite = np.isfinite(dist)
        eps = float(weighted_quantile(dist[finite], weights[finite], [alpha])[0])
        mean = weights @ theta
        cov = 2.0 * np.atleast_2d(np.cov(theta.T, aweights=weights, bias=True))
        cov += np.diag((1e-9 * (hi - lo)) ** 2)
        chol = np.linalg.cholesky(cov)
        del mean
        kept_t, kept_d = [], []
        n_kept, n_sim, acc_est = 0, 0, 0.5
        cdf = np.cumsum(weights)
        cdf[-1] = 1.0
        while n_kept < n_particles:
            want = int(min(max_batch, max(64, np.ceil((n_particles - n_kept) / acc_est * 1.2))))
            parents = theta[np.searchsorted(cdf, rng.random(want))]
            prop = parents + rng.standard_normal((want, p)) @ chol.T
            prop = prop[np.all((prop >= lo) & (prop <= hi), axis=1)]
            if prop.shape[0] == 0:
                continue
            d = np.asarray(simulate_distance(prop, rng), float)
            n_sim += prop.shape[0]
            ok = d <= eps
            kept_t.append(prop[ok])
            kept_d.append(d[ok])
            n_kept += int(ok.sum())
            acc_est = max(n_kept / n_sim, 1e-3)
        new_theta = np.concatenate(kept_t)[:n_particles]
        new_dist = np.concatenate(kept_d)[:n_particles]
        logk = _kernel_logdens(new_theta, theta, chol)
        logk += np.log(weights)[None, :]
        m = logk.max(axis=1, keepdims=True)
        denom = m[:, 0] + np.log(np.exp(logk - m).sum(axis=1))
        new_w = np.exp(-(denom - denom.max()))
        new_w /= new_w.sum()
        theta, dist, weights = new_theta, new_dist, new_w
        total += n_sim
        gen = Generation(
            g,
            eps,
            n_sim,
            n_particles,
            n_particles / n_sim,
            effective_sample_size(weights),
            time.perf_counter() - t0,
        )
        history.append(gen)
        if progress:
            progress(gen)
        if gen.acceptance_rate < min_acceptance:
            break
    return ABCSMCResult(names, theta, weights, dist, history)
