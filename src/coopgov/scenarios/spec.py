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

    start_from = "history"  # optional: continue a built-in scenario (see below)

    [levers]                # intensity in [0, 1] of each countermeasure
    information_sharing = 0.5          # from start_year on
    joint_mechanism = { 2027 = 0.5, "2030-07" = 1.0 }   # step schedule by year or month

    [[levers.enforcement]]             # a lever in force in part of the region
    provinces = ["Shanghai", "Jiangsu"]   # and/or cities = [310100, ...] (adcodes)
    schedule = { "2028-03" = 0.6 }

A schedule holds each value from its year (1 January) or month (the first
day) until the next; before the first key the intensity is 0.  The model
runs with yearly parameters, so a value that starts in the course of a year
counts in that year in proportion to the months it is in force.  Several
scoped entries of one lever apply to their own cities (where two cover the
same city, the larger intensity holds).

``start_from`` names a built-in scenario whose end this scenario continues:
it starts the year that scenario ends, from its end state (the mean-field
cooperation of every city), with the institutions then in force (each
lever's intensity in the last year, per city) kept on; the scenario's own
levers add to them (the larger intensity holds) and its parameters are
applied over the base's.  ``start_year`` is then taken from the base.
Errors name the file, the field and the value.
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
from coopgov.model.levers import COUNTERMEASURES, LEVER_NAMES, LEVERS
from coopgov.model.parameters import ModelParameters

__all__ = [
    "Scenario",
    "load_scenario",
    "scenario_from_dict",
    "builtin_names",
    "load_builtin",
    "builtin_scenarios",
    "intensity_matrix",
    "LeverEntry",
    "parse_lever_setting",
]

LeverSetting = Any  # a number, a schedule table, a scoped table or a list of scoped tables


class LeverEntry:
    """One parsed lever setting: a step schedule by month and an optional scope."""

    __slots__ = ("schedule", "provinces", "cities")

    def __init__(
        self,
        schedule: list[tuple[int | None, int, float]],
        provinces: tuple[str, ...] = (),
        cities: tuple[int, ...] = (),
    ):
        self.schedule = schedule  # (year or None for "from the start", month, value)
        self.provinces = provinces
        self.cities = cities

    @property
    def scoped(self) -> bool:
        """True when the entry applies to part of the region only."""
        return bool(self.provinces or self.cities)


def _schedule_key(key: Any) -> tuple[int, int]:
    """``2008`` / ``"2008"`` → (2008, 1); ``"2008-12"`` → (2008, 12)."""
    text = str(key).strip()
    parts = text.split("-")
    try:
        if len(parts) == 1:
            return int(parts[0]), 1
        if len(parts) == 2 and len(parts[1]) in (1, 2):
            year, month = int(parts[0]), int(parts[1])
            if 1 <= month <= 12:
                return year, month
    except ValueError:
        pass
    raise ValueError(f'schedule keys must be years (2027) or months ("2027-07"), got {key!r}')


def _intensity_value(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"lever {name!r}: intensity {v!r} is not a number")
    if not 0.0 <= float(v) <= 1.0:
        raise ValueError(f"lever {name!r}: intensity {v!r} outside [0, 1]")
    return float(v)


def parse_lever_setting(name: str, setting: Any) -> list[LeverEntry]:
    """Parse one lever's setting into entries (raises ValueError with the reason)."""
    if isinstance(setting, list):
        if not setting:
            raise ValueError(f"lever {name!r}: empty list of entries")
        out: list[LeverEntry] = []
        for item in setting:
            if not isinstance(item, Mapping):
                raise ValueError(f"lever {name!r}: a list must hold tables with a schedule")
            out.extend(parse_lever_setting(name, item))
        return out
    if isinstance(setting, Mapping) and "schedule" in setting:
        unknown = set(setting) - {"schedule", "provinces", "cities"}
        if unknown:
            raise ValueError(
                f"lever {name!r}: unknown key(s) {sorted(unknown)}; "
                "known: schedule, provinces, cities"
            )
        provinces = setting.get("provinces", [])
        cities = setting.get("cities", [])
        if (
            not isinstance(provinces, list)
            or not all(isinstance(p, str) for p in provinces)
            or not isinstance(cities, list)
            or not all(isinstance(c, int) and not isinstance(c, bool) for c in cities)
        ):
            raise ValueError(
                f"lever {name!r}: provinces must be a list of names and cities a list of adcodes"
            )
        entry = parse_lever_setting(name, setting["schedule"])[0]
        return [LeverEntry(entry.schedule, tuple(provinces), tuple(cities))]
    if isinstance(setting, Mapping):
        if not setting:
            raise ValueError(f"lever {name!r}: empty schedule")
        sched: list[tuple[int | None, int, float]] = []
        for key, v in setting.items():
            year, month = _schedule_key(key)
            sched.append((year, month, _intensity_value(name, v)))
        sched.sort(key=lambda e: (e[0], e[1]))
        return [LeverEntry(sched)]
    return [LeverEntry([(None, 1, _intensity_value(name, setting))])]


def _monthly(entry: LeverEntry, start_year: int, years: int) -> np.ndarray:
    """Intensity of one entry in each month of the calendar, shape (years·12,)."""
    out = np.zeros(years * 12)
    for year, month, value in entry.schedule:
        first = 0 if year is None else max(0, (year - start_year) * 12 + month - 1)
        if first < out.size:
            out[first:] = value
    return out


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
    start_from: str | None = None

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
            parse_lever_setting(name, setting)
        return value

    @property
    def lever_entries(self) -> dict[str, list[LeverEntry]]:
        """Each lever's parsed setting."""
        return {name: parse_lever_setting(name, s) for name, s in self.levers.items()}

    @property
    def scoped(self) -> bool:
        """True when a lever is in force in part of the region only."""
        return any(e.scoped for entries in self.lever_entries.values() for e in entries)

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

    def intensity(
        self,
        levers: Sequence[str] = LEVER_NAMES,
        *,
        city: Any = None,
        inherited: np.ndarray | None = None,
    ) -> np.ndarray:
        """Lever intensities by year, shape (years, L), or (years, L, N) per city.

        Parameters
        ----------
        levers : sequence of str
            Lever order of the last-but-one (or last) axis.
        city : CityData, optional
            The region's cities; with it (or when a lever is scoped, which
            loads the scenario's region) the result is per city, shape
            (years, L, N).
        inherited : ndarray, shape (L,) or (L, N), optional
            Intensities in force when the scenario starts (``start_from``);
            the scenario's own settings add to them (the larger holds).
        """
        if city is None and self.scoped:
            from coopgov.model.cities import city_data
            from coopgov.region import load_region

            city = city_data(load_region(self.region))
        return intensity_matrix(
            self.lever_entries,
            self.start_year,
            self.years,
            levers,
            city=city,
            inherited=inherited,
            file=None,
        )


def _scope_mask(name: str, entry: LeverEntry, city: Any) -> np.ndarray:
    """Cities an entry applies to, shape (N,) of bool."""
    n = city.n
    if not entry.scoped:
        return np.ones(n, dtype=bool)
    mask = np.zeros(n, dtype=bool)
    if entry.provinces:
        if city.province is None:
            raise InputError(
                "the region has no provinces to scope a lever by",
                field=f"levers.{name}.provinces",
                value=list(entry.provinces),
            )
        known = {str(p).lower() for p in city.province}
        for p in entry.provinces:
            if p.lower() not in known:
                raise InputError(
                    f"no such province in the region; known: "
                    f"{', '.join(sorted(set(map(str, city.province))))}",
                    field=f"levers.{name}.provinces",
                    value=p,
                )
        wanted = {p.lower() for p in entry.provinces}
        mask |= np.array([str(p).lower() in wanted for p in city.province])
    if entry.cities:
        codes = {int(a): k for k, a in enumerate(city.adcode)}
        for c in entry.cities:
            if c not in codes:
                raise InputError(
                    "no such city (adcode) in the region", field=f"levers.{name}.cities", value=c
                )
            mask[codes[c]] = True
    return mask


def intensity_matrix(
    settings: Mapping[str, Any],
    start_year: int,
    years: int,
    levers: Sequence[str] = LEVER_NAMES,
    *,
    city: Any = None,
    inherited: np.ndarray | None = None,
    file: str | Path | None = None,
) -> np.ndarray:
    """Step schedules of lever intensity on a calendar.

    Parameters
    ----------
    settings : mapping of str to setting or to list of LeverEntry
        Lever settings as in a scenario file, or already parsed.
    start_year, years : int
        The calendar simulated.
    levers : sequence of str
        Lever order of the result.
    city : CityData, optional
        With it the result is per city, shape (years, L, N).
    inherited : ndarray, shape (L,) or (L, N), optional
        Intensities in force at the start, kept on (the larger holds).
    file : str or Path, optional
        The scenario file, for error messages.

    Returns
    -------
    ndarray, shape (years, L) or (years, L, N)
        Each year's intensity: the time-weighted mean over its months.
    """
    n = None if city is None else city.n
    shape = (years, len(levers)) + (() if n is None else (n,))
    out = np.zeros(shape)
    for k, name in enumerate(levers):
        setting = settings.get(name)
        if setting is None:
            continue
        entries = (
            setting
            if isinstance(setting, list) and setting and isinstance(setting[0], LeverEntry)
            else parse_lever_setting(name, setting)
        )
        for entry in entries:
            yearly = _monthly(entry, start_year, years).reshape(years, 12).mean(axis=1)
            if n is None:
                if entry.scoped:
                    raise InputError(
                        "a lever scoped to provinces or cities needs the region",
                        file=file,
                        field=f"levers.{name}",
                    )
                out[:, k] = np.maximum(out[:, k], yearly)
            else:
                mask = _scope_mask(name, entry, city)
                out[:, k, mask] = np.maximum(out[:, k, mask], yearly[:, None])
    if inherited is not None:
        inh = np.asarray(inherited, float)
        if n is None:
            out = np.maximum(out, inh[None, :])
        else:
            out = np.maximum(
                out, np.broadcast_to(inh.reshape(len(levers), -1), (len(levers), n))[None]
            )
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
                raise InputError(
                    exc.reason, file=file, field=f"parameters.{exc.field}", value=exc.value
                ) from None
        base_name = data.get("start_from")
        if base_name is not None:
            if not isinstance(base_name, str) or base_name not in _builtin_files():
                raise InputError(
                    f"start_from must name a built-in scenario file; known: "
                    f"{', '.join(sorted(_builtin_files()))}",
                    file=file,
                    field="start_from",
                    value=base_name,
                )
            if base_name == data.get("name"):
                raise InputError(
                    "a scenario cannot start from itself",
                    file=file,
                    field="start_from",
                    value=base_name,
                )
            base = load_builtin(base_name)
            end = base.start_year + base.years
            if "start_year" in data and data["start_year"] != end:
                raise InputError(
                    f"a scenario that starts from {base_name!r} starts in {end}, "
                    "the year that scenario ends (omit start_year)",
                    file=file,
                    field="start_year",
                    value=data["start_year"],
                )
            data["start_year"] = end
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InputError(
            err["msg"], file=file, field=field or None, value=err.get("input") if field else None
        ) from None


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
    base = load_builtin("baseline")
    return Scenario(
        name=name,
        title=lever.label_en,
        description=f"{lever.label_en} ({lever.label_zh}, study section {lever.study}) at "
        "full intensity from the first year, added to current policy (the "
        "baseline: the institutions in force at the end of the history).",
        start_year=base.start_year,
        years=base.years,
        start_from=base.start_from,
        levers={name: 1.0},
    )


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, in display order."""
    files = _builtin_files()
    return ["baseline", "history", *COUNTERMEASURES, "package"] + sorted(
        set(files) - {"baseline", "history", "package"}
    )


def load_builtin(name: str) -> Scenario:
    """A built-in scenario by name (``baseline``, ``history``, a lever name, ``package``).

    Examples
    --------
    >>> s = load_builtin("package")
    >>> s.start_from, s.start_year, s.intensity().shape  # (years, levers)
    ('history', 2026, (30, 11))
    """
    files = _builtin_files()
    if name in files:
        with files[name].open("rb") as fh:
            return scenario_from_dict(tomllib.load(fh), file=f"builtin:{name}")
    if name in COUNTERMEASURES:
        return _countermeasure(name)
    raise InputError(
        f"no built-in scenario of that name; known: {', '.join(builtin_names())}",
        field="scenario",
        value=name,
    )


def builtin_scenarios() -> list[Scenario]:
    """All built-in scenarios.

    Examples
    --------
    >>> names = [s.name for s in builtin_scenarios()]
    >>> names[:3], len(names)
    (['baseline', 'history', 'development_concept'], 14)
    """
    return [load_builtin(n) for n in builtin_names()]
