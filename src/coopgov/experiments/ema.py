"""coopgov as an EMA Workbench model: a function of named inputs returning named outcomes.

:func:`coopgov_model` runs one scenario of the mean-field model: its keyword
arguments are any model parameter of
:data:`~coopgov.model.parameters.PARAMETER_INFO` and any lever of
:data:`~coopgov.model.levers.LEVERS` (an intensity in [0, 1], constant over
the horizon); it returns a dict of outcomes.  :func:`ema_model` wraps it in an
``ema_workbench.Model`` with uncertainties and levers declared from the same
single declarations (bounds, names), so EMA Workbench's samplers,
evaluators and analysis (PRIM, feature scoring, robustness) apply unchanged.

EMA's evaluators call the model once per experiment.  :class:`BatchedEvaluator`
is an EMA evaluator that runs the experiments EMA samples through coopgov's
batched engine instead, a block of runs per engine call (optionally on a
process pool): EMA's samplers, ``perform_experiments`` and its analysis
with coopgov's speed.  :func:`coopgov.experiments.run_experiment` does the
same from a spec, streaming results to disk (see
``benchmarks/bench_experiments.py``).

References
----------
.. [1] Kwakkel, J. H. (2017). The Exploratory Modeling Workbench.
   Environmental Modelling & Software, 96, 239-250 (section 3: a model is
   any callable of named uncertainties and levers returning named outcomes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coopgov.errors import InputError
from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.model.parameters import PARAMETER_INFO

__all__ = [
    "OUTCOMES",
    "coopgov_model",
    "ema_model",
    "LEVER_FREE_PARAMETERS",
    "batch_outcomes",
    "evaluate_batch",
    "BatchedEvaluator",  # noqa: F822 (built on first access by __getattr__)
]

#: Outcomes returned by :func:`coopgov_model` with their units.
OUTCOMES: dict[str, str] = {
    "final_cooperation": "regional cooperation rate at the end of the horizon [1]",
    "mean_cooperation": "regional cooperation rate averaged over the horizon [1]",
    "pm25_change": "population-weighted PM2.5 change against no cooperation at the end [1]",
    "abatement_cost": "abatement cost of all cities summed over the horizon [yuan]",
    "lever_cost": "fiscal cost of the levers summed over the horizon [yuan]",
    "fiscal_transfers": "fiscal transfers summed over the horizon [yuan]",
    "cooperation_rate": "regional cooperation rate by year, Y + 1 values [1]",
}

#: Parameters that no lever moves: the natural uncertainties of a policy study.
LEVER_FREE_PARAMETERS: tuple[str, ...] = tuple(
    name
    for name in PARAMETER_INFO
    if not any(name in lv.targets or name in lv.scales for lv in LEVERS.values())
)


def coopgov_model(*, years: int = 30, region: str = "yrd", **inputs: float) -> dict[str, Any]:
    """Run one scenario of the mean-field model from named inputs.

    Parameters
    ----------
    years : int
        Horizon [yr].
    region : str
        Bundled region name or region folder.
    **inputs : float
        Model parameters by name [their units, see ``PARAMETER_INFO``] and
        lever intensities by lever name [1]; anything not given takes its
        default (levers: off).

    Returns
    -------
    dict
        The outcomes of :data:`OUTCOMES` (floats; ``cooperation_rate`` an
        array of Y + 1 values).

    Raises
    ------
    InputError
        An unknown input name, or a lever intensity outside [0, 1].
    """
    out = evaluate_batch([inputs], years=years, region=region)
    return {k: (v[0].copy() if k == "cooperation_rate" else float(v[0])) for k, v in out.items()}


def _batch_inputs(
    rows: Sequence[dict[str, float]], years: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parameter arrays (S,) and lever intensities (S, Y, L) from named inputs per run."""
    s_n = len(rows)
    params = {name: np.full(s_n, info.default) for name, info in PARAMETER_INFO.items()}
    intensity = np.zeros((s_n, years, len(LEVER_NAMES)))
    for k, inputs in enumerate(rows):
        row = k + 1 if s_n > 1 else None  # the run, 1-based, when there are several
        for name, value in inputs.items():
            if name not in LEVERS and name not in PARAMETER_INFO:
                raise InputError(
                    "unknown input: not a model parameter nor a lever",
                    row=row,
                    field=name,
                    value=value,
                )
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise InputError("must be a number", row=row, field=name, value=value) from None
            if name in LEVERS:
                if not 0.0 <= v <= 1.0:
                    raise InputError(
                        "lever intensity must lie in [0, 1]", row=row, field=name, value=value
                    )
                intensity[k, :, LEVER_NAMES.index(name)] = v
            else:
                if not (np.isfinite(v) and v >= 0.0):  # as ModelParameters
                    raise InputError(
                        "must be a finite number >= 0", row=row, field=name, value=value
                    )
                params[name][k] = v
    return params, intensity


def batch_outcomes(sim: Any, years: int) -> dict[str, np.ndarray]:
    """The outcomes of :data:`OUTCOMES` for every run of a simulation, arrays of S (or S, Y+1)."""
    rate = sim.cooperation_rate
    return {
        "final_cooperation": rate[:, -1],
        "mean_cooperation": rate.mean(axis=1),
        "pm25_change": sim.pm25_change[:, -1],
        "abatement_cost": sim.abatement_cost[:, :years].sum(axis=(1, 2)),
        "lever_cost": sim.lever_cost.sum(axis=1),
        "fiscal_transfers": sim.fiscal_transfer_states[:, :years].sum(axis=(1, 2)),
        "cooperation_rate": rate,
    }


def evaluate_batch(
    rows: Sequence[dict[str, float]], *, years: int = 30, region: str = "yrd"
) -> dict[str, np.ndarray]:
    """Run many scenarios given by named inputs in one engine call.

    Parameters
    ----------
    rows : sequence of dict
        Per run, model parameters by name [their units] and lever
        intensities by lever name [1] (as :func:`coopgov_model` takes them).
    years : int
        Horizon [yr].
    region : str
        Bundled region name or region folder.

    Returns
    -------
    dict of str to ndarray
        :data:`OUTCOMES`, each of shape (S,), ``cooperation_rate`` (S, Y + 1).

    Raises
    ------
    InputError
        An unknown input name, or a lever intensity outside [0, 1].
    """
    from coopgov.dynamics.engine import simulate
    from coopgov.experiments.runner import ENGINE_BATCH, _city, _one_blas_thread

    params, intensity = _batch_inputs(rows, years)
    with _one_blas_thread():
        sim = simulate(_city(region), params, intensity, years=years, chunk_size=ENGINE_BATCH)
    return batch_outcomes(sim, years)


def _evaluate_block(rows: list[dict[str, float]], years: int, region: str) -> dict[str, np.ndarray]:
    return evaluate_batch(rows, years=years, region=region)


def _batched_evaluator_class() -> type:
    from ema_workbench.em_framework.evaluators import BaseEvaluator, experiment_generator

    class _BatchedEvaluator(BaseEvaluator):
        """EMA evaluator running blocks of experiments through coopgov's batched engine.

        Parameters
        ----------
        msis : ema_workbench.Model
            A model made by :func:`ema_model` (its function is :func:`coopgov_model`).
        batch_size : int
            Experiments per engine call.
        processes : int
            Worker processes (0: in the calling process).
        """

        def __init__(self, msis, *, batch_size: int = 1024, processes: int = 0):
            super().__init__(msis)
            for m in self._msis:
                if getattr(m, "function", None) is not coopgov_model:
                    raise InputError(
                        "the batched evaluator runs models made by ema_model",
                        field="model",
                        value=getattr(m, "name", m),
                    )
            if batch_size < 1:
                raise InputError(
                    "batch_size must be at least 1", field="batch_size", value=batch_size
                )
            self.batch_size = int(batch_size)
            self.processes = int(processes)
            self._pool = None

        def initialize(self):
            if self.processes > 0:
                from concurrent.futures import ProcessPoolExecutor

                from coopgov.experiments.runner import _pool_context

                self._pool = ProcessPoolExecutor(self.processes, mp_context=_pool_context())

        def finalize(self):
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

        def evaluate_experiments(
            self, scenarios, policies, callback, combine="factorial", **kwargs
        ):
            models = {m.name: m for m in self._msis}
            blocks: list[tuple[list, Any]] = []
            batch: list = []

            def submit(batch):
                model = models[batch[0].model_name]
                consts = {c.name: c.value for c in model.constants}
                years = int(consts.pop("years", 30))
                region = str(consts.pop("region", "yrd"))
                rows = [{**consts, **dict(e.scenario), **dict(e.policy)} for e in batch]
                if self._pool is None:
                    return _evaluate_block(rows, years, region)
                return self._pool.submit(_evaluate_block, rows, years, region)

            def deliver(batch, result):
                out = result if isinstance(result, dict) else result.result()
                for k, e in enumerate(batch):
                    callback(e, {name: v[k] for name, v in out.items()})

            for e in experiment_generator(scenarios, self._msis, policies, combine=combine):
                if batch and (e.model_name != batch[0].model_name or len(batch) == self.batch_size):
                    blocks.append((batch, submit(batch)))
                    batch = []
                    # keep at most two blocks per process in flight
                    while len(blocks) > max(1, 2 * self.processes):
                        deliver(*blocks.pop(0))
                batch.append(e)
            if batch:
                blocks.append((batch, submit(batch)))
            for b, r in blocks:
                deliver(b, r)

    return _BatchedEvaluator


def __getattr__(name: str) -> Any:
    # the evaluator subclasses EMA Workbench's, an optional dependency: built on first use
    if name == "BatchedEvaluator":
        cls = _batched_evaluator_class()
        cls.__name__ = cls.__qualname__ = "BatchedEvaluator"
        globals()["BatchedEvaluator"] = cls
        return cls
    raise AttributeError(name)


def ema_model(
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] | None = None,
    *,
    name: str = "coopgov",
    years: int = 30,
) -> Any:
    """Build an ``ema_workbench.Model`` around :func:`coopgov_model`.

    Parameters
    ----------
    uncertainties : sequence of str, optional
        Parameters to declare as ``RealParameter`` over their declared
        bounds (default: :data:`LEVER_FREE_PARAMETERS`).
    levers : sequence of str, optional
        Levers to declare as ``RealParameter`` intensities in [0, 1]
        (default: all ten).
    name : str
        EMA model name (an identifier).
    years : int
        Horizon [yr], passed as a constant.

    Returns
    -------
    ema_workbench.Model
    """
    from ema_workbench import ArrayOutcome, Constant, Model, RealParameter, ScalarOutcome

    unc = list(LEVER_FREE_PARAMETERS if uncertainties is None else uncertainties)
    lev = list(LEVER_NAMES if levers is None else levers)
    for p in unc:
        if p not in PARAMETER_INFO:
            raise InputError("unknown parameter", field="uncertainties", value=p)
    for lv in lev:
        if lv not in LEVERS:
            raise InputError("unknown lever", field="levers", value=lv)
    model = Model(name, function=coopgov_model)
    model.uncertainties = [RealParameter(p, *PARAMETER_INFO[p].bounds) for p in unc]
    model.levers = [RealParameter(lv, 0.0, 1.0) for lv in lev]
    model.constants = [Constant("years", years)]
    model.outcomes = [ScalarOutcome(o) for o in OUTCOMES if o != "cooperation_rate"] + [
        ArrayOutcome("cooperation_rate")
    ]
    return model
