"""Declarative experiment specifications (TOML ↔ a validated pydantic model).

An experiment is *scenarios × policies* in the vocabulary of exploratory
modelling (Kwakkel 2017): the **uncertainties** (model parameters of
:data:`coopgov.model.parameters.PARAMETER_INFO`, optionally narrowed and
given a distribution) and sampled **levers** (intensities of
:data:`coopgov.model.levers.LEVERS`) are drawn by a **sampler**; every
scenario is run under each **policy** (fixed lever intensities); each run is
reduced to named **outcomes**.  Parameters and levers are declared once in
the model: a spec only refers to them by name, so units and plausible
bounds are never repeated.

A spec file looks like::

    [experiment]
    name = "lever-ranking"
    region = "yrd"
    years = 30

    [sampler]
    method = "lhs"          # lhs | monte_carlo | sobol | morris | full_factorial
    n = 200
    seed = 20260101

    [uncertainties.reciprocity]            # bounds default to PARAMETER_INFO's
    [uncertainties.env_weight]
    low = 0.05
    high = 0.4
    distribution = "triangular"
    mode = 0.1

    [policies]
    baseline = true
    single_levers = "all"   # one policy per lever, alone, at `intensity`
    intensity = 1.0

    [[outcomes]]
    name = "final_cooperation"
    variable = "cooperation"
    reduce = "final"
    scope = "both"          # region | city | both

References
----------
.. [1] Kwakkel, J. H. (2017). The Exploratory Modeling Workbench: An open
   source toolkit for exploratory modeling, scenario discovery, and
   (multi-objective) robust decision making. Environmental Modelling &
   Software, 96, 239-250.
.. [2] Herman, J., & Usher, W. (2017). SALib: An open-source Python library
   for sensitivity analysis. Journal of Open Source Software, 2(9), 97.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coopgov.dynamics.abm import ABMConfig
from coopgov.dynamics.outcomes import OUTCOMES
from coopgov.errors import InputError
from coopgov.model.levers import COUNTERMEASURES, LEVER_NAMES, LEVERS
from coopgov.model.parameters import PARAMETER_INFO

__all__ = [
    "SAMPLERS",
    "VARIABLES",
    "REDUCTIONS",
    "DistributionSpec",
    "SamplerSpec",
    "PolicySpec",
    "PoliciesSpec",
    "OutcomeSpec",
    "AgentBasedSpec",
    "AnalysisSpec",
    "ExperimentInfo",
    "ExperimentSpec",
    "load_spec",
    "spec_from_dict",
    "builtin_specs",
    "builtin_spec_path",
]

SAMPLERS = ("lhs", "monte_carlo", "sobol", "morris", "full_factorial")
#: Variables of a run an outcome can reduce, with the regional aggregate used
#: (declared once in :data:`coopgov.dynamics.outcomes.OUTCOMES`).
VARIABLES: dict[str, str] = {name: o.aggregate for name, o in OUTCOMES.items()}
REDUCTIONS = ("final", "mean", "sum", "max", "min", "year")
#: Largest number of runs a spec may ask for (assumption: a guard against typos).
MAX_RUNS = 50_000_000

_STRICT = ConfigDict(extra="forbid", frozen=True)
_ABM = ABMConfig()


class DistributionSpec(BaseModel):
    """One sampled factor: bounds and distribution.

    Bounds default to the declared plausible range (``PARAMETER_INFO`` for
    parameters, [0, 1] for lever intensities) and may only narrow it.

    Attributes
    ----------
    low, high : float, optional
        Bounds [the parameter's unit].
    distribution : str
        ``uniform``; ``triangular`` (needs ``mode``); ``truncnormal`` (needs
        ``mean`` and ``sd``, truncated to the bounds); ``loguniform``
        (needs ``low > 0``).
    values : list of float, optional
        Explicit levels for the full-factorial sampler.
    """

    model_config = _STRICT

    low: float | None = None
    high: float | None = None
    distribution: Literal["uniform", "triangular", "truncnormal", "loguniform"] = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    values: list[float] | None = None


class SamplerSpec(BaseModel):
    """How scenarios are drawn.

    Attributes
    ----------
    method : str
        ``lhs`` (Latin hypercube, McKay et al. 1979), ``monte_carlo``,
        ``sobol`` (Saltelli 2002/2010 scheme on a scrambled Sobol' sequence:
        ``n (2D + 2)`` runs with second order, ``n (D + 2)`` without),
        ``morris`` (Morris 1991 trajectories: ``n (D + 1)`` runs) or
        ``full_factorial`` (``levels^D`` runs).
    n : int, optional
        Sample size: scenarios (lhs, monte_carlo), base sample (sobol; a
        power of 2) or trajectories (morris).
    seed : int
        Root of every random stream of the experiment.
    levels : int
        Grid levels (morris: even, >= 2; full_factorial: >= 2).
    second_order : bool
        Sobol: also estimate second-order indices.
    """

    model_config = _STRICT

    method: str = "lhs"
    n: int | None = Field(default=None, ge=1)
    seed: int = Field(default=20260101, ge=0)
    levels: int = Field(default=4, ge=2)
    second_order: bool = True

    @model_validator(mode="after")
    def _check(self) -> SamplerSpec:
        if self.method not in SAMPLERS:
            raise InputError(
                f"unknown sampler; known: {', '.join(SAMPLERS)}",
                field="sampler.method",
                value=self.method,
            )
        if self.method != "full_factorial" and self.n is None:
            raise InputError(f"the {self.method} sampler needs a sample size", field="sampler.n")
        if self.method == "sobol" and self.n is not None and (self.n & (self.n - 1)):
            raise InputError(
                "the Sobol/Saltelli sampler needs a power of 2 (e.g. 256, 1024) "
                "to keep the balance properties of the Sobol' sequence",
                field="sampler.n",
                value=self.n,
            )
        if self.method == "morris" and self.n is not None and self.n < 2:
            raise InputError(
                "Morris screening needs at least 2 trajectories", field="sampler.n", value=self.n
            )
        if self.method == "morris" and self.levels % 2:
            raise InputError(
                "Morris screening needs an even number of levels",
                field="sampler.levels",
                value=self.levels,
            )
        return self


class PolicySpec(BaseModel):
    """A named policy: fixed lever intensities.

    Attributes
    ----------
    name : str
    levers : dict of str to float
        Intensity of each lever in [0, 1]; levers not named are off.
    from_year : int, optional
        Calendar year the levers take effect (default: the start).
    """

    model_config = _STRICT

    name: str = Field(min_length=1)
    levers: dict[str, float] = Field(default_factory=dict)
    from_year: int | None = None


class PoliciesSpec(BaseModel):
    """The policies every scenario is run under.

    Attributes
    ----------
    baseline : bool
        Include the policy with every lever off, named ``baseline``.
    single_levers : "all" or list of str
        One policy per lever, that lever alone at ``intensity``, named after it.
    intensity : float
        Intensity of the single-lever policies [1].
    from_year : int, optional
        Year the single-lever policies take effect.
    custom : list of PolicySpec
    """

    model_config = _STRICT

    baseline: bool = True
    single_levers: Literal["all"] | list[str] = Field(default_factory=list)
    intensity: float = Field(default=1.0, ge=0.0, le=1.0)
    from_year: int | None = None
    custom: list[PolicySpec] = Field(default_factory=list)


class OutcomeSpec(BaseModel):
    """A named reduction of a run.

    Attributes
    ----------
    name : str
        Column name of the outcome.
    variable : str
        One of :data:`VARIABLES`.
    reduce : str
        Over years: ``final`` (end of the horizon), ``mean``, ``sum`` (over
        the Y years, flows only), ``max``, ``min``, or ``year`` (the state at
        the start of calendar year ``year``).
    scope : str
        ``region`` (one value per run), ``city`` (one per city, columns
        ``name/adcode``), or ``both``.
    year : int, optional
    """

    model_config = _STRICT

    name: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    variable: str = "cooperation"
    reduce: str = "final"
    scope: Literal["region", "city", "both"] = "region"
    year: int | None = None

    @model_validator(mode="after")
    def _check(self) -> OutcomeSpec:
        if self.variable not in VARIABLES:
            raise InputError(
                f"unknown variable; known: {', '.join(VARIABLES)}",
                field=f"outcomes.{self.name}.variable",
                value=self.variable,
            )
        if self.reduce not in REDUCTIONS:
            raise InputError(
                f"unknown reduction; known: {', '.join(REDUCTIONS)}",
                field=f"outcomes.{self.name}.reduce",
                value=self.reduce,
            )
        if self.reduce == "year" and self.year is None:
            raise InputError("reduce = 'year' needs a year", field=f"outcomes.{self.name}.year")
        if self.variable == "lever_cost" and self.scope != "region":
            raise InputError(
                "lever cost is regional: use scope = 'region'",
                field=f"outcomes.{self.name}.scope",
                value=self.scope,
            )
        return self


class AgentBasedSpec(BaseModel):
    """Settings of the agent-based engine (``engine = "agent_based"``).

    The behavioural rates are the model's parameters, shared with the
    mean-field engine (:mod:`coopgov.dynamics.abm`); only the number of
    agents per city and the time step are the ABM's own.
    """

    model_config = _STRICT

    agents_per_city: int = Field(default=20, ge=1)
    steps_per_year: int = Field(default=_ABM.steps_per_year, ge=1, le=1000)


class AnalysisSpec(BaseModel):
    """What ``coopgov experiment analyze`` looks at.

    Attributes
    ----------
    outcome : str, optional
        Main outcome (default: the first declared).
    prim_threshold : float, optional
        Cases of interest: runs whose main outcome is below (``prim_direction
        = "below"``) or above this value; default the lower quartile.
    prim_direction : str
    prim_alpha : float
        Peeling fraction of PRIM [1].
    prim_min_mass : float
        Smallest box mass PRIM peels to [1].
    """

    model_config = _STRICT

    outcome: str | None = None
    prim_threshold: float | None = None
    prim_direction: Literal["below", "above"] = "below"
    prim_alpha: float = Field(default=0.05, gt=0, lt=0.5)
    prim_min_mass: float = Field(default=0.05, gt=0, lt=1)


class ExperimentInfo(BaseModel):
    """The ``[experiment]`` table: model, region and horizon.

    Attributes
    ----------
    name : str
    description : str
    region : str
        Bundled region name or region folder.
    years : int
        Horizon [yr].
    start_year : int
    steps_per_year : int, optional
        Integration steps per year of the mean-field engine (default: the
        integrator's own: for ``riccati`` the largest step, 1 a year; 12
        for the others).
    integrator : str
        ``riccati`` (default: exact frozen-rate Riccati steps at midpoint
        rates with Richardson extrapolation, third order and stiff-stable,
        within 2e-5 of the ODE on the built-in scenarios and 1e-4 over the
        declared box, its step size controlled), ``exponential``
        (first order, errors of order 1e-2 to 1e-1, about 4 times cheaper
        over the whole box, 2 times on the built-in scenarios) or ``rk4``
        (fourth order with stiffness sub-steps, several times slower over
        the whole box); see
        :func:`coopgov.dynamics.replicator.integrate_affine`.
    tolerance : float, optional
        ``riccati`` only: the error tolerance [1], the largest difference
        in any city between a full step and two half steps that the
        step-size controller accepts (default 1e-4; 1 or more: fixed steps);
        a finite number > 0.
        Setting it with another integrator is an error.
    engine : str
        ``mean_field`` (deterministic replicator ODE) or ``agent_based``.
    replications : int
        Seeded replications per scenario and policy (agent-based only: the
        mean-field engine is deterministic).
    chunk_size : int
        Runs per chunk (one task, one Parquet file); no effect on results.
    """

    model_config = _STRICT

    name: str = Field(min_length=1)
    description: str = ""
    region: str = "yrd"
    years: int = Field(default=30, ge=1, le=200)
    start_year: int = 2026
    steps_per_year: int | None = Field(default=None, ge=1, le=365)
    integrator: Literal["riccati", "rk4", "exponential"] = "riccati"
    tolerance: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    engine: Literal["mean_field", "agent_based"] = "mean_field"
    replications: int = Field(default=1, ge=1)
    chunk_size: int = Field(default=1024, ge=1)

    @model_validator(mode="after")
    def _check_tolerance(self) -> ExperimentInfo:
        if self.tolerance is not None and self.integrator != "riccati":
            raise InputError(
                f"tolerance applies to the riccati integrator only, not {self.integrator!r} "
                '(remove it or set integrator = "riccati")',
                field="experiment.tolerance",
                value=self.tolerance,
            )
        return self


class ExperimentSpec(BaseModel):
    """A validated experiment: see the module docstring for the file format."""

    model_config = _STRICT

    experiment: ExperimentInfo
    sampler: SamplerSpec
    uncertainties: dict[str, DistributionSpec] = Field(default_factory=dict)
    levers: dict[str, DistributionSpec] = Field(default_factory=dict)
    parameters: dict[str, float] = Field(default_factory=dict)
    policies: PoliciesSpec = Field(default_factory=PoliciesSpec)
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    agent_based: AgentBasedSpec = Field(default_factory=AgentBasedSpec)
    analysis: AnalysisSpec = Field(default_factory=AnalysisSpec)

    @model_validator(mode="after")
    def _check(self) -> ExperimentSpec:
        for name, dist in self.uncertainties.items():
            if name not in PARAMETER_INFO:
                raise InputError(
                    f"unknown parameter; known: {', '.join(sorted(PARAMETER_INFO))}",
                    field=f"uncertainties.{name}",
                    value=name,
                )
            _check_distribution(f"uncertainties.{name}", dist, PARAMETER_INFO[name].bounds)
        for name, dist in self.levers.items():
            if name not in LEVERS:
                raise InputError(
                    f"unknown lever; known: {', '.join(LEVER_NAMES)}",
                    field=f"levers.{name}",
                    value=name,
                )
            _check_distribution(f"levers.{name}", dist, (0.0, 1.0))
        for name, value in self.parameters.items():
            if name not in PARAMETER_INFO:
                raise InputError(
                    f"unknown parameter; known: {', '.join(sorted(PARAMETER_INFO))}",
                    field=f"parameters.{name}",
                    value=name,
                )
            if name in self.uncertainties:
                raise InputError(
                    "a parameter is either fixed or uncertain, not both",
                    field=f"parameters.{name}",
                    value=value,
                )
            if not math.isfinite(value) or value < 0:
                raise InputError(
                    "must be a finite number >= 0", field=f"parameters.{name}", value=value
                )
        self._check_policies()
        names = [o.name for o in self.outcomes]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise InputError(
                "outcome names must be unique", field="outcomes.name", value=sorted(dup)[0]
            )
        for o in self.outcomes:
            if o.year is not None and not (
                self.experiment.start_year
                <= o.year
                <= self.experiment.start_year + self.experiment.years
            ):
                raise InputError(
                    "year outside the horizon", field=f"outcomes.{o.name}.year", value=o.year
                )
        if self.analysis.outcome is not None and self.analysis.outcome not in names:
            raise InputError(
                f"unknown outcome; declared: {', '.join(names)}",
                field="analysis.outcome",
                value=self.analysis.outcome,
            )
        if self.experiment.replications > 1 and self.experiment.engine == "mean_field":
            raise InputError(
                "the mean-field engine is deterministic: replications need engine = 'agent_based'",
                field="experiment.replications",
                value=self.experiment.replications,
            )
        self._check_sampler()
        return self

    def _check_policies(self) -> None:
        pol = self.policies
        singles = list(COUNTERMEASURES) if pol.single_levers == "all" else pol.single_levers
        for k, name in enumerate(singles):
            if name not in LEVERS:
                raise InputError(
                    f"unknown lever; known: {', '.join(LEVER_NAMES)}",
                    field=f"policies.single_levers[{k}]",
                    value=name,
                )
        for k, custom in enumerate(pol.custom):
            for lever, level in custom.levers.items():
                where = f"policies.custom[{k}].levers.{lever}"
                if lever not in LEVERS:
                    raise InputError(
                        f"unknown lever; known: {', '.join(LEVER_NAMES)}", field=where, value=lever
                    )
                if not 0.0 <= level <= 1.0:
                    raise InputError("lever intensity must lie in [0, 1]", field=where, value=level)
        for where, year in [("policies.from_year", pol.from_year)] + [
            (f"policies.custom[{k}].from_year", c.from_year) for k, c in enumerate(pol.custom)
        ]:
            if year is not None and not (
                self.experiment.start_year
                <= year
                < self.experiment.start_year + self.experiment.years
            ):
                raise InputError("from_year outside the horizon", field=where, value=year)
        used = set(singles) | {lv for c in pol.custom for lv in c.levers}
        both = sorted(used & set(self.levers))
        if both:
            raise InputError(
                "a lever is either sampled ([levers]) or set by policies, not both",
                field=f"levers.{both[0]}",
                value=both[0],
            )
        names = self.policy_names()
        if not names:
            raise InputError(
                "no policy to run: set baseline = true or name some levers", field="policies"
            )
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise InputError("policy names must be unique", field="policies", value=sorted(dup)[0])

    def _check_sampler(self) -> None:
        d = len(self.factor_names())
        method = self.sampler.method
        if method in ("sobol", "morris") and d < 2:
            raise InputError(
                f"{method} analysis needs at least 2 uncertain factors "
                "([uncertainties] and [levers])",
                field="sampler.method",
                value=method,
            )
        if method == "full_factorial":
            for name in self.factor_names():
                dist = self.uncertainties.get(name) or self.levers[name]
                if dist.values is not None and len(dist.values) < 1:
                    raise InputError("values must not be empty", field=f"{name}.values")
        runs = self.n_runs
        if runs > MAX_RUNS:
            raise InputError(
                f"{runs:,} runs exceed the limit of {MAX_RUNS:,}",
                field="sampler.n",
                value=self.sampler.n,
            )

    # --- derived ----------------------------------------------------------

    def factor_names(self) -> list[str]:
        """List the sampled factors: uncertain parameters, then sampled levers (spec order)."""
        return list(self.uncertainties) + list(self.levers)

    def policy_list(self) -> list[PolicySpec]:
        """Every policy, in run order: baseline, single levers, custom."""
        pol = self.policies
        out = [PolicySpec(name="baseline")] if pol.baseline else []
        singles = list(COUNTERMEASURES) if pol.single_levers == "all" else pol.single_levers
        out += [
            PolicySpec(name=lv, levers={lv: pol.intensity}, from_year=pol.from_year)
            for lv in singles
        ]
        return out + list(pol.custom)

    def policy_names(self) -> list[str]:
        """Names of :meth:`policy_list`."""
        return [p.name for p in self.policy_list()]

    @property
    def n_scenarios(self) -> int:
        """Number of sampled scenarios (design rows)."""
        d = len(self.factor_names())
        s = self.sampler
        if d == 0:
            return 1
        if s.method == "sobol":
            return _required_n(s) * ((2 * d + 2) if s.second_order else (d + 2))
        if s.method == "morris":
            return _required_n(s) * (d + 1)
        if s.method == "full_factorial":
            count = 1
            for name in self.factor_names():
                dist = self.uncertainties.get(name) or self.levers[name]
                count *= len(dist.values) if dist.values is not None else s.levels
            return count
        return int(s.n)  # type: ignore[arg-type]

    @property
    def n_runs(self) -> int:
        """Scenarios × policies × replications."""
        return self.n_scenarios * len(self.policy_list()) * self.experiment.replications

    @property
    def main_outcome(self) -> str:
        """Outcome the analysis centres on."""
        return self.analysis.outcome or self.outcomes[0].name

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON form: identifies the experiment for resuming."""
        data = self.model_dump(mode="json")
        # an unset tolerance leaves the form (and the folders written before it existed) as is
        if data["experiment"].get("tolerance") is None:
            data["experiment"].pop("tolerance", None)
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _required_n(sampler: SamplerSpec) -> int:
    """The sample size of a sampler that needs one (validation guarantees it is set)."""
    if sampler.n is None:
        raise InputError(f"the {sampler.method} sampler needs a sample size", field="sampler.n")
    return int(sampler.n)


def _check_distribution(where: str, dist: DistributionSpec, bounds: tuple[float, float]) -> None:
    lo_b, hi_b = bounds
    low = lo_b if dist.low is None else dist.low
    high = hi_b if dist.high is None else dist.high
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InputError("bounds must be finite", field=where, value=(low, high))
    if not low < high:
        raise InputError("empty bounds: low must be < high", field=where, value=(low, high))
    if low < lo_b or high > hi_b:
        raise InputError(
            f"bounds may only narrow the declared range [{lo_b:g}, {hi_b:g}]",
            field=where,
            value=(low, high),
        )
    if dist.distribution == "triangular" and (dist.mode is None or not low <= dist.mode <= high):
        raise InputError(
            "a triangular distribution needs low <= mode <= high",
            field=f"{where}.mode",
            value=dist.mode,
        )
    if dist.distribution == "truncnormal" and (dist.mean is None or dist.sd is None):
        raise InputError("a truncated normal distribution needs mean and sd", field=where)
    if dist.distribution == "loguniform" and low <= 0:
        raise InputError(
            "a log-uniform distribution needs low > 0", field=f"{where}.low", value=low
        )
    if dist.values is not None:
        bad = [v for v in dist.values if not (low <= v <= high)]
        if bad or not dist.values:
            raise InputError(
                "values must be non-empty and lie within the bounds",
                field=f"{where}.values",
                value=bad[0] if bad else [],
            )


def _pydantic_to_input_error(exc: ValidationError, source: str | None) -> InputError:
    err = exc.errors()[0]
    original = (err.get("ctx") or {}).get("error")
    if isinstance(original, InputError):
        return InputError(original.reason, file=source, field=original.field, value=original.value)
    loc = ".".join(str(part) for part in err["loc"])
    value = err.get("input")
    if isinstance(value, dict):
        value = None
    reason = err["msg"]
    if err["type"] == "extra_forbidden":
        reason = "unknown key"
        value = err["loc"][-1]
    return InputError(reason, file=source, field=loc or None, value=value)


def spec_from_dict(data: dict[str, Any], *, source: str | Path | None = None) -> ExperimentSpec:
    """Validate a mapping (as read from TOML) into an :class:`ExperimentSpec`.

    Raises
    ------
    InputError
        Naming ``source`` and the offending field and value.
    """
    src = None if source is None else str(source)
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_to_input_error(exc, src) from None
    except InputError as exc:
        raise InputError(exc.reason, file=src, field=exc.field, value=exc.value) from None


def builtin_spec_path(name: str) -> Path:
    """Path of the built-in spec ``name`` (file stem under ``experiments/specs``)."""
    path = Path(str(resources.files("coopgov.experiments") / "specs" / f"{name}.toml"))
    if not path.is_file():
        raise InputError(
            f"no built-in spec of that name; built-in: {', '.join(builtin_specs())}",
            field="spec",
            value=name,
        )
    return path


def builtin_specs() -> dict[str, str]:
    """Built-in specs: name → one-line description."""
    folder = Path(str(resources.files("coopgov.experiments") / "specs"))
    out = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            info = tomllib.load(fh).get("experiment", {})
        out[path.stem] = (
            str(info.get("description", "")).strip().splitlines()[0:1][0]
            if info.get("description")
            else ""
        )
    return out


def load_spec(path_or_name: str | Path, *, encoding: str | None = None) -> ExperimentSpec:
    """Read and validate a spec file, or a built-in spec by name.

    Parameters
    ----------
    path_or_name : str or Path
        A TOML file, or the name of a built-in spec (see :func:`builtin_specs`).
    encoding : str, optional
        Text encoding of the file: default UTF-8, else GB18030
        (:func:`coopgov.io.read_text`).

    Raises
    ------
    InputError
        Unreadable file, TOML syntax error, or invalid content, naming the
        file and field.
    """
    path = Path(path_or_name)
    if not path.is_file():
        if path.suffix == "" and str(path_or_name) in builtin_specs():
            path = builtin_spec_path(str(path_or_name))
        else:
            raise InputError("no such spec file (nor a built-in spec name)", file=str(path))
    from coopgov.io import read_text

    try:
        data = tomllib.loads(read_text(path, encoding=encoding))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path)) from None
    return spec_from_dict(data, source=path)
