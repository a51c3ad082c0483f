"""Policy experiments at scale: declarative specs, batched execution, analysis.

An experiment (:class:`ExperimentSpec`, a TOML file) declares uncertain
parameters and levers (by name: bounds and units come from the model's
single declarations), a sampler, policies and outcomes.  :func:`run_experiment`
runs it in chunks through the vectorised engine on any
:mod:`concurrent.futures` executor (process pool, Dask), streaming results to
Parquet and resuming where it stopped; :func:`analyze_experiment` computes
Sobol and Morris indices, lever rankings, PRIM boxes and feature scores and
writes a self-contained HTML report.
"""

from coopgov.experiments.runner import (
    RunSummary,
    SerialExecutor,
    load_manifest,
    load_results,
    load_spec_from_results,
    run_experiment,
)
from coopgov.experiments.sampling import design, factors, run_seed, unit_design
from coopgov.experiments.spec import (
    ExperimentSpec,
    builtin_spec_path,
    builtin_specs,
    load_spec,
    spec_from_dict,
)

__all__ = [
    "ExperimentSpec",
    "RunSummary",
    "SerialExecutor",
    "builtin_spec_path",
    "builtin_specs",
    "design",
    "factors",
    "load_manifest",
    "load_results",
    "load_spec",
    "load_spec_from_results",
    "run_experiment",
    "run_seed",
    "spec_from_dict",
    "unit_design",
]
