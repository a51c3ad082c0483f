"""Experimental designs: unit-hypercube samples mapped through each factor's distribution.

Every sampler first draws points ``u`` in the unit hypercube ``[0, 1]^D``
and then maps each coordinate through the inverse distribution function
(the quantile function) of its factor, so any sampler works with any
distribution and the design in ``u`` is what sensitivity estimators see.

Random streams come from :class:`numpy.random.SeedSequence`: the sampler
uses child 0 of the spec's root seed, the runs (agent-based replications)
child 1 (see :func:`run_seed`), so adding runs never changes the design.

References
----------
.. [1] McKay, M. D., Beckman, R. J., & Conover, W. J. (1979). A comparison of
   three methods for selecting values of input variables in the analysis of
   output from a computer code. Technometrics, 21(2), 239-245.
.. [2] Saltelli, A. (2002). Making best use of model evaluations to compute
   sensitivity indices. Computer Physics Communications, 145(2), 280-297.
.. [3] Morris, M. D. (1991). Factorial sampling plans for preliminary
   computational experiments. Technometrics, 33(2), 161-174.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from coopgov.experiments.spec import DistributionSpec, ExperimentSpec
from coopgov.model.parameters import PARAMETER_INFO

__all__ = [
    "Factor",
    "factors",
    "unit_design",
    "design",
    "salib_problem",
    "run_seed",
    "SAMPLE_STREAM",
    "RUN_STREAM",
]

SAMPLE_STREAM = 0
RUN_STREAM = 1


@dataclass(frozen=True)
class Factor:
    """A sampled factor with resolved bounds.

    Attributes
    ----------
    name : str
    kind : str
        ``parameter`` or ``lever``.
    low, high : float
        Bounds [unit].
    unit : str
    dist : DistributionSpec
    """

    name: str
    kind: str
    low: float
    high: float
    unit: str
    dist: DistributionSpec

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function: unit-interval values to factor values [unit].

        Notes
        -----
        uniform: :math:`x = l + u (h - l)`; log-uniform:
        :math:`x = l (h/l)^u`; triangular and truncated normal via
        :mod:`scipy.stats`.
        """
        u = np.asarray(u, dtype=float)
        lo, hi, d = self.low, self.high, self.dist
        if d.distribution == "uniform":
            return lo + u * (hi - lo)
        if d.distribution == "loguniform":
            return lo * (hi / lo) ** u
        if d.distribution == "triangular":
            c = (float(d.mode) - lo) / (hi - lo)  # type: ignore[arg-type]
            return np.asarray(stats.triang(c, loc=lo, scale=hi - lo).ppf(u))
        a = (lo - float(d.mean)) / float(d.sd)  # type: ignore[arg-type]
        b = (hi - float(d.mean)) / float(d.sd)  # type: ignore[arg-type]
        x = stats.truncnorm(a, b, loc=d.mean, scale=d.sd).ppf(u)
        return np.clip(np.asarray(x), lo, hi)


def factors(spec: ExperimentSpec) -> list[Factor]:
    """Resolve the spec's sampled factors (uncertainties, then levers)."""
    out = []
    for name, dist in spec.uncertainties.items():
        info = PARAMETER_INFO[name]
        out.append(
            Factor(
                name,
                "parameter",
                info.bounds[0] if dist.low is None else dist.low,
                info.bounds[1] if dist.high is None else dist.high,
                info.unit,
                dist,
            )
        )
    for name, dist in spec.levers.items():
        out.append(
            Factor(
                name,
                "lever",
                0.0 if dist.low is None else dist.low,
                1.0 if dist.high is None else dist.high,
                "1",
                dist,
            )
        )
    return out


def salib_problem(spec: ExperimentSpec, *, unit: bool = True) -> dict:
    """SALib problem description of the factors.

    With ``unit=True`` the bounds are [0, 1] (the design space the samplers
    and estimators work in); otherwise the factors' own bounds.
    """
    fs = factors(spec)
    return {
        "num_vars": len(fs),
        "names": [f.name for f in fs],
        "bounds": [[0.0, 1.0] if unit else [f.low, f.high] for f in fs],
    }


def _sample_seed(spec: ExperimentSpec) -> np.random.SeedSequence:
    return np.random.SeedSequence(spec.sampler.seed, spawn_key=(SAMPLE_STREAM,))


def run_seed(root: int, run: int) -> np.random.SeedSequence:
    """Seed sequence of run ``run``.

    Identical to ``SeedSequence(root).spawn(2)[RUN_STREAM].spawn(run + 1)[run]``:
    each run's stream depends only on the root seed and the run's index, so
    results do not depend on the executor or the chunking.
    """
    return np.random.SeedSequence(root, spawn_key=(RUN_STREAM, int(run)))


def unit_design(spec: ExperimentSpec) -> np.ndarray:
    """Draw the design in the unit hypercube, shape (n_scenarios, D)."""
    fs = factors(spec)
    d = len(fs)
    s = spec.sampler
    if d == 0:
        return np.zeros((1, 0))
    rng = np.random.default_rng(_sample_seed(spec))
    if s.method == "lhs":
        return qmc.LatinHypercube(d=d, seed=rng).random(int(s.n))  # type: ignore[arg-type]
    if s.method == "monte_carlo":
        return rng.random((int(s.n), d))  # type: ignore[arg-type]
    if s.method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(
            salib_problem(spec),
            int(s.n),  # type: ignore[arg-type]
            calc_second_order=s.second_order,
            scramble=True,
            seed=rng,
        )
    if s.method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(
            salib_problem(spec),
            int(s.n),  # type: ignore[arg-type]
            num_levels=s.levels,
            seed=rng,
        )
    # full factorial: each factor on its grid (explicit values are mapped back to u)
    grids = []
    for f in fs:
        if f.dist.values is not None:
            grids.append(np.array([np.nan] * len(f.dist.values)))
        else:
            grids.append(np.linspace(0.0, 1.0, s.levels))
    mesh = np.meshgrid(*[np.arange(len(g)) for g in grids], indexing="ij")
    idx = np.column_stack([m.ravel() for m in mesh])
    return np.column_stack([grids[k][idx[:, k]] for k in range(d)])


def design(spec: ExperimentSpec, unit: np.ndarray | None = None) -> pd.DataFrame:
    """Scenario design: one row per scenario, one column per factor [factor units].

    Explicit ``values`` of a full-factorial factor are used as given.
    """
    fs = factors(spec)
    u = unit_design(spec) if unit is None else unit
    cols = {}
    for k, f in enumerate(fs):
        if spec.sampler.method == "full_factorial" and f.dist.values is not None:
            d = len(fs)
            sizes = [
                len(g.dist.values) if g.dist.values is not None else spec.sampler.levels for g in fs
            ]
            idx: np.ndarray | list[int] = (
                np.unravel_index(np.arange(u.shape[0]), sizes)[k] if d else []
            )
            cols[f.name] = np.asarray(f.dist.values, float)[idx]
        else:
            cols[f.name] = f.ppf(u[:, k])
    return pd.DataFrame(cols, index=pd.RangeIndex(u.shape[0], name="scenario"))
