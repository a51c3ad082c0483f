"""Scenario files.

A scenario is a TOML file::

    name = "my-scenario"
    title = "Joint mechanism from 2027"
    description = "..."
    region = "yrd"          # a bundled region or a folder of region files
    start_year = 2026
    years = 30

    [parameters]            # overrides of coopgov.model.parameters defaults
    abatement_rate = 0.25

    [levers]                # intensity in [0, 1] of each countermeasure
    information_sharing = 0.5          # from start_year on
    joint_mechanism = { 2027 = 0.5, 2030 = 1.0 }   # step schedule by year

A schedule holds each value from its year until the next; before the first
year the intensity is 0.  Errors name the file, the field and the value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coopgov.errors import InputError
from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.model.parameters import ModelParameters

__all__ = [
    "Scenario",
    "load_scenario",
    "scenario_from_dict",
    "builtin_names",
    "load_builtin",
    "builtin_scenarios",
    "intensity_matrix",
]

LeverSetting = float | dict[int, float]


class Scenario(BaseModel):
    """A validated scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str = ""
    description: str = ""
    region: str = "yrd"
    start_year: int = Field(default=2026, ge=1900, le=2200)
    years: int = Field(default=30, ge=1, le=500)
    parameters: dict[str, float] = Field(default_factory=dict)
    levers: dict[str, LeverSetting] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, value: dict[str, float]) -> dict[str, float]:
        try:
            ModelParameters(value)
        except InputError as exc:
            raise ValueError(f"parameters.{exc.field}: {exc.reason}") from None
        return value

    @field_validator("levers")
    @classmethod
    def _known_levers(cls, value: dict[str, LeverSetting]) -> dict[str, LeverSetting]:
        for name, setting in value.items():
            if name not in LEVERS:
                raise ValueError(f"unknown lever {name!r}; known: {', '.join(LEVER_NAMES)}")
            values = setting.values() if isinstance(setting, dict) else [setting]
            for v in values:
                if not 0.0 <= float(v) <= 1.0:
                    raise ValueError(f"lever {name!r}: intensity {v!r} outside [0, 1]")
        return value

    @property
    def model_parameters(self) -> ModelParameters:
        """The scenario's parameters (defaults with its overrides)."""
        return ModelParameters(self.parameters)

    @property
    def calendar(self) -> np.ndarray:
        """Calendar years simulated, shape (years,)."""
        return self.start_year + np.arange(self.years)

    def with_horizon(self, years: int) -> Scenario:
        """Copy with another horizon."""
        return self.model_copy(update={"years": int(years)})

    def intensity(self, levers: Sequence[str] = LEVER_NAMES) -> np.ndarray:
        """Lever intensities by year, shape (years, L)."""
        return intensity_matrix(self.levers, self.calendar, levers)


def intensity_matrix(settings: Mapping[str, LeverSetting], calendar: np.ndarray,
                     levers: Sequence[str] = LEVER_NAMES) -> np.ndarray:
    """Step schedules of lever intensity on a calendar, shape (len(calendar), L)."""
    out = np.zeros((len(calendar), len(levers)))
    for k, name in enumerate(levers):
        setting = settings.get(name)
        if setting is None:
            continue
        if isinstance(setting, dict):
            for year in sorted(setting):
                out[calendar >= int(year), k] = float(setting[year])
        else:
            out[:, k] = float(setting)
    return out


def scenario_from_dict(data: Mapping[str, Any], *, file: str | Path | None = None) -> Scenario:
    """Validate a scenario given as a mapping (e.g. parsed TOML)."""
    try:
        data = dict(data)
        params = data.get("parameters")
        if isinstance(params, Mapping):
            try:
                ModelParameters(params)
            except InputError as exc:
                raise InputError(exc.reason, file=file, field=f"parameters.{exc.field}",
                                 value=exc.value) from None
        levers = data.get("levers")
        if isinstance(levers, Mapping):
            fixed: dict[str, Any] = {}
            for name, setting in levers.items():
                if isinstance(setting, Mapping):
                    try:
                        setting = {int(y): v for y, v in setting.items()}
                    except ValueError:
                        raise InputError("schedule keys must be years", file=file,
                                         field=f"levers.{name}", value=dict(setting)) from None
                fixed[name] = setting
            data["levers"] = fixed
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InputError(err["msg"], file=file, field=field or None,
                         value=err.get("input") if field else None) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    return scenario_from_dict(data, file=path)


def _builtin_files() -> dict[str, Any]:
    folder = resources.files("coopgov.scenarios") / "builtin"
    return {p.name[:-5]: p for p in folder.iterdir() if p.name.endswith(".toml")}


def _countermeasure(name: str) -> Scenario:
    lever = LEVERS[name]
    return Scenario(
        name=name,
        title=lever.label_en,
        description=f"{lever.label_en} ({lever.label_zh}, study section {lever.study}) at "
                    "full intensity from the first year; everything else as in the baseline.",
        levers={name: 1.0},
    )


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, in display order."""
    files = _builtin_files()
    return ["baseline", "history", *LEVER_NAMES, "package"] + sorted(
        set(files) - {"baseline", "history", "package"})


def load_builtin(name: str) -> Scenario:
    """A built-in scenario by name (``baseline``, ``history``, a lever name, ``package``)."""
    files = _builtin_files()
    if name in files:
        with files[name].open("rb") as fh:
            return scenario_from_dict(tomllib.load(fh), file=f"builtin:{name}")
    if name in LEVERS:
        return _countermeasure(name)
    raise InputError(f"no built-in scenario of that name; known: {', '.join(builtin_names())}",
                     field="scenario", value=name)


def builtin_scenarios() -> list[Scenario]:
    """All built-in scenarios."""
    return [load_builtin(n) for n in builtin_names()]
