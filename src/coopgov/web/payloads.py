"""JSON payloads of the dashboard, built from the library's results.

The dashboard holds no model logic: each function here calls the library
(:mod:`coopgov.dynamics`, :mod:`coopgov.games`, :mod:`coopgov.compensation`,
:mod:`coopgov.platform`) and turns its arrays into plain lists for the
browser.  Region data and recent simulations are cached in-process: one
41-city, 30-year run takes a few milliseconds, so the page runs the model on
every request.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from coopgov.errors import InputError

__all__ = [
    "ALLOCATION_METHODS",
    "allocation_payload",
    "bands_payload",
    "dashboard_meta",
    "experiment_list",
    "experiment_payload",
    "force_payload",
    "monitoring_payload",
    "per_tonne_payload",
    "scenario_from_request",
    "scenario_from_toml",
    "scenario_toml",
    "simulation_payload",
    "xinan_payload",
]

#: Allocation methods shown on the map: emission game (Mäler 1989; Chander &
#: Tulkens 1997; Shapley value, sampled) and river sharing (Ni & Wang 2007).
ALLOCATION_METHODS = ("gain", "chander_tulkens", "shapley", "lrs", "ues", "des")

#: Most simulations kept for the force-field and download requests of one page.
_SIM_CACHE_SIZE = 64
_sim_cache: OrderedDict[str, Any] = OrderedDict()


def _finite(values: np.ndarray, digits: int) -> list[Any]:
    """Nested lists rounded to ``digits`` decimals, NaN/inf as None."""
    arr = np.round(np.asarray(values, dtype=float), digits)
    out = arr.tolist()
    if np.all(np.isfinite(arr)):
        return out

    def clean(x: Any) -> Any:
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x if math.isfinite(x) else None

    return clean(out)


@lru_cache(maxsize=4)
def _region(name: str) -> Any:
    from coopgov.region import load_region

    return load_region(name)


@lru_cache(maxsize=4)
def _city(name: str) -> Any:
    from coopgov.model import city_data

    return city_data(_region(name))


def region_files(region_name: str) -> dict[str, Path]:
    """Paths of the city and province boundary files (GeoJSON, WGS84) of a region."""
    region = _region(region_name)
    if region.boundaries_path is None:
        raise InputError("this region ships no boundaries", field="region", value=region_name)
    cities = Path(region.boundaries_path)
    return {"cities": cities, "provinces": cities.with_name("provinces.geojson")}


def dashboard_meta(region_name: str = "yrd", *, platform: bool = False) -> dict[str, Any]:
    """Everything the page needs once: cities, levers, force terms, scenarios, categories.

    Parameters
    ----------
    region_name : str
        Bundled region name or folder.
    platform : bool
        Whether a monitoring store is reachable from this server.
    """
    from coopgov.compensation import list_presets, load_preset
    from coopgov.compensation.config import BetScheme
    from coopgov.model.forces import FAMILIES, FORCE_TERMS
    from coopgov.model.levers import LEVERS
    from coopgov.model.parameters import PARAMETER_INFO
    from coopgov.report.labels import (
        PARAMETER_LABELS_ZH,
        PRESET_TITLES_ZH,
        SCENARIO_TITLES_ZH,
        city_labels,
        display_labels,
    )
    from coopgov.scenarios import builtin_scenarios
    from coopgov.scenarios.spec import Scenario
    from coopgov.standards.aqi import CATEGORIES

    region = _region(region_name)
    cols = ["adcode", "name_zh", "name_en", "province", "lon", "lat", "population", "gdp"]
    label_en = city_labels(region.cities, "en")
    label_zh = city_labels(region.cities, "zh")
    cities = [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()}
        | {"label_en": label_en[int(rec["adcode"])], "label_zh": label_zh[int(rec["adcode"])]}
        for rec in region.cities[cols].to_dict(orient="records")
    ]
    presets: dict[str, list[dict[str, Any]]] = {"bet": [], "per_tonne": []}
    for name in list_presets():
        scheme = load_preset(name)
        kind = "bet" if isinstance(scheme, BetScheme) else "per_tonne"
        presets[kind].append(
            {
                "name": name,
                "title": getattr(scheme, "title", "") or name,
                "title_zh": PRESET_TITLES_ZH.get(name, ""),
                "years": list(getattr(scheme, "years", None) or []) or None,
            }
        )
    lever_zh = {lv.name: lv.label_zh for lv in LEVERS.values()}
    fields = Scenario.model_fields

    def _bounds(name: str) -> list[int]:
        meta = {type(m).__name__: m for m in fields[name].metadata}
        return [int(meta["Ge"].ge), int(meta["Le"].le)]

    return {
        "region": region.name,
        "labels": display_labels(),
        "limits": {"start_year": _bounds("start_year"), "years": _bounds("years")},
        "cities": cities,
        "levers": [
            {
                "name": lv.name,
                "label_en": lv.label_en,
                "label_zh": lv.label_zh,
                "study": lv.study,
                "yearly_cost": lv.yearly_cost,
                "cost_source": lv.cost_source,
            }
            for lv in LEVERS.values()
        ],
        "force_terms": [
            {"name": t.name, "family": t.family, "study": t.study} for t in FORCE_TERMS
        ],
        "families": list(FAMILIES),
        "parameters": [
            {
                "name": p.name,
                "default": p.default,
                "unit": p.unit,
                "bounds": list(p.bounds),
                "description": p.description,
                "label_zh": PARAMETER_LABELS_ZH.get(p.name, ""),
                "source": p.source,
            }
            for p in PARAMETER_INFO.values()
        ],
        "scenarios": [
            {
                "name": s.name,
                "title": s.title or s.name,
                "description": s.description,
                "title_zh": SCENARIO_TITLES_ZH.get(s.name) or lever_zh.get(s.name, ""),
                "start_year": s.start_year,
                "years": s.years,
                "parameters": s.parameters,
                "start_from": s.start_from,
                "levers": _builder_levers(s),
            }
            for s in builtin_scenarios()
        ],
        "aqi_categories": [
            {
                "level": c.level,
                "lo": c.aqi_min,
                "hi": c.aqi_max,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "colour": c.colour_hex,
            }
            for c in CATEGORIES
        ],
        "compensation_presets": presets,
        "allocation_methods": list(ALLOCATION_METHODS),
        "platform": platform,
    }


def _builder_levers(scenario: Any) -> dict[str, Any]:
    """A scenario's levers as region-wide yearly schedules, for the page's builder.

    Levers in force in part of the region (the history's 2008 agreement of three
    provinces) are shown as their city mean by year; levers starting within a year as
    the year's time-weighted mean (what the engine uses).
    """
    from coopgov.model.levers import LEVER_NAMES

    out: dict[str, Any] = {}
    if not scenario.levers:
        return out
    m = scenario.intensity(LEVER_NAMES)
    if m.ndim == 3:
        m = m.mean(axis=2)
    years = scenario.start_year + np.arange(scenario.years)
    for k, name in enumerate(LEVER_NAMES):
        if name not in scenario.levers:
            continue
        col = np.round(m[:, k], 3)
        change = [0] + [i for i in range(1, len(col)) if col[i] != col[i - 1]]
        sched = {str(int(years[i])): float(col[i]) for i in change if col[i] > 0 or i > 0}
        out[name] = sched[str(int(years[0]))] if list(sched) == [str(int(years[0]))] else sched
    return out


def scenario_from_request(body: Mapping[str, Any]) -> Any:
    """Validate a scenario sent by the page.

    Parameters
    ----------
    body : mapping
        ``start_year`` [yr], ``years`` [yr], ``levers`` (name → intensity in
        [0, 1], or year → intensity schedule), ``parameters`` (overrides),
        optionally ``name``.

    Returns
    -------
    coopgov.scenarios.Scenario
    """
    from coopgov.scenarios import scenario_from_dict

    data = {
        k: body[k]
        for k in ("start_year", "years", "levers", "parameters", "title", "start_from")
        if k in body and body[k] is not None
    }
    data["name"] = str(body.get("name") or "dashboard")
    return scenario_from_dict(data, file="request")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_key(key: str) -> str:
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def scenario_toml(body: Mapping[str, Any]) -> str:
    """The page's scenario as a TOML file that ``coopgov run --scenario`` reads.

    Parameters
    ----------
    body : mapping
        See :func:`scenario_from_request`; validated first.

    Returns
    -------
    str
        TOML text: name, title, region, start_year, years, ``[parameters]``,
        ``[levers]`` (a number, or an inline table year = intensity).
    """
    sc = scenario_from_request(body)
    lines = ["# Scenario exported from the coopgov dashboard.", f"name = {_toml_string(sc.name)}"]
    if sc.title:
        lines.append(f"title = {_toml_string(sc.title)}")
    if sc.description:
        lines.append(f"description = {_toml_string(sc.description)}")
    lines.append(f"region = {_toml_string(sc.region)}")
    # a continuation takes its start year from its base
    lines.append(
        f"start_from = {_toml_string(sc.start_from)}"
        if sc.start_from
        else f"start_year = {sc.start_year}"
    )
    lines.append(f"years = {sc.years}")
    if sc.parameters:
        lines += ["", "[parameters]"]
        lines += [f"{_toml_key(k)} = {float(v)!r}" for k, v in sc.parameters.items()]
    if sc.levers:
        lines += ["", "[levers]"]
        for name, setting in sc.levers.items():
            if isinstance(setting, dict):
                inner = ", ".join(f"{int(y)} = {float(v)!r}" for y, v in sorted(setting.items()))
                lines.append(f"{_toml_key(name)} = {{ {inner} }}")
            else:
                lines.append(f"{_toml_key(name)} = {float(setting)!r}")
    return "\n".join(lines) + "\n"


def scenario_from_toml(text: str, file: str = "uploaded TOML") -> dict[str, Any]:
    """Validate a scenario TOML (as ``coopgov run --scenario`` does) and return it for the page.

    Parameters
    ----------
    text : str
        TOML text of a scenario file.
    file : str
        Name used in error messages.

    Returns
    -------
    dict
        ``name``, ``title``, ``start_year``, ``years``, ``parameters``,
        ``levers`` (schedules keyed by year strings).
    """
    import tomllib

    from coopgov.scenarios import scenario_from_dict

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=file) from None
    sc = scenario_from_dict(data, file=file)
    return {
        "name": sc.name,
        "title": sc.title,
        "start_year": sc.start_year,
        "years": sc.years,
        "parameters": dict(sc.parameters),
        "levers": {
            k: ({str(y): v for y, v in val.items()} if isinstance(val, dict) else val)
            for k, val in sc.levers.items()
        },
    }


def _simulate(body: Mapping[str, Any], region_name: str) -> tuple[Any, Any]:
    """Scenario and its simulation, from the cache when the same body was run."""
    from coopgov.dynamics.engine import simulate

    key = json.dumps(
        [
            region_name,
            body.get("start_year"),
            body.get("years"),
            body.get("levers"),
            body.get("parameters"),
            body.get("start_from"),
        ],
        sort_keys=True,
        default=str,
    )
    hit = _sim_cache.get(key)
    if hit is not None:
        _sim_cache.move_to_end(key)
        return hit
    from coopgov.scenarios.run import scenario_inputs

    scenario = scenario_from_request(body)
    city = _city(region_name)
    # a continuation (start_from) starts from its base's end state and institutions
    params, intensity, initial = scenario_inputs(scenario, city)
    sim = simulate(
        city,
        [params],
        intensity[None],
        years=scenario.years,
        start_year=scenario.start_year,
        initial=initial[None],
    )
    _sim_cache[key] = (scenario, sim)
    while len(_sim_cache) > _SIM_CACHE_SIZE:
        _sim_cache.popitem(last=False)
    return scenario, sim


def simulation_payload(body: Mapping[str, Any], region_name: str = "yrd") -> dict[str, Any]:
    """Trajectories of one scenario for the page.

    Parameters
    ----------
    body : mapping
        See :func:`scenario_from_request`.
    region_name : str
        Region simulated.

    Returns
    -------
    dict
        ``years`` (Y + 1 recorded states), ``adcodes``; per city and year
        ``cooperation`` [1], ``relative_pm25`` [1] and ``net_transfer``
        (fiscal transfers + compensation received − compensation paid)
        [yuan/yr]; regional series ``cooperation_rate`` [1], ``pm25_change``
        [1], ``lever_cost`` [yuan/yr] (the last year repeated for the end
        state), ``abatement_cost``, ``gdp_effect``, ``damage`` [yuan/yr];
        ``intensity`` (Y, L) and ``levers``.
    """
    from coopgov.dynamics.outcomes import OUTCOMES, REGIONAL_SERIES, regional_series

    scenario, sim = _simulate(body, region_name)
    k = 0
    net = sim.fiscal_transfer_states[k] + sim.compensation_received[k] - sim.compensation_paid[k]
    series = regional_series(sim, k)
    return {
        "name": scenario.name,
        "start_year": int(sim.years[0]),
        "years": [int(y) for y in sim.years],
        "adcodes": [int(a) for a in sim.city.adcode],
        "levers": list(sim.levers),
        "intensity": _finite(sim.intensity[k], 4),
        "cooperation": _finite(sim.cooperation[k], 4),
        "relative_pm25": _finite(sim.relative_pm25[k], 5),
        "net_transfer": _finite(net, 0),
        "regional": {  # rates to 5 digits, yuan to the yuan
            OUTCOMES[o].regional: _finite(
                series[OUTCOMES[o].regional], 5 if OUTCOMES[o].unit == "1" else 0
            )
            for o in REGIONAL_SERIES
        },
    }


_band_cache: OrderedDict[str, Any] = OrderedDict()

#: Quantiles drawn as bands: 5-95 % and 25-75 %, with the median.
BAND_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def bands_payload(
    body: Mapping[str, Any],
    region_name: str = "yrd",
    *,
    replications: int = 20,
    seed: int = 20081201,
    kind: str = "abm",
    draws: int = 40,
) -> dict[str, Any]:
    """Spread of the regional cooperation rate by year: ABM replications or posterior draws.

    The page draws the quantiles as bands around the mean-field line.
    ``kind="abm"``: the spread over agent-based replications
    (``"abm_replications"``).  ``kind="posterior"``: the spread over
    ``draws`` parameter sets drawn from the shipped posterior
    (:func:`coopgov.scenarios.run.run_scenarios` with ``posterior``), the
    uncertainty of the calibrated model (``"posterior_draws"``).

    Parameters
    ----------
    body : mapping
        Scenario (see :func:`scenario_from_request`).
    region_name : str
        Region simulated.
    replications : int
        Agent-based replications [-].
    seed : int
        Root seed of the replications (and of the posterior draws).
    kind : {"abm", "posterior"}
        Spread over ABM replications or over posterior draws.
    draws : int
        Posterior draws (``kind="posterior"``) [-].

    Returns
    -------
    dict
        ``years``; ``quantiles`` (probabilities); ``values`` (Q, Y + 1) of
        the regional cooperation rate [1]; ``mean`` (Y + 1,); ``replications``.
    """
    from coopgov.scenarios.run import run_scenarios

    key = json.dumps(
        [
            region_name,
            body.get("start_year"),
            body.get("years"),
            body.get("levers"),
            body.get("parameters"),
            body.get("start_from"),
            replications,
            seed,
            kind,
            draws,
        ],
        sort_keys=True,
        default=str,
    )
    hit = _band_cache.get(key)
    if hit is not None:
        return hit
    scenario = scenario_from_request(body).model_copy(update={"region": region_name})
    if kind == "posterior":
        from coopgov.calibration.posterior import bundled_posterior_path, load_posterior

        res = run_scenarios(
            [scenario],
            replications=0,
            seed=int(seed),
            posterior=load_posterior(bundled_posterior_path()),
            draws=int(draws),
        ).results[0]
        reps = np.asarray(res.simulation.cooperation_rate[res.draws], float)  # (D, Y + 1)
        label = "posterior_draws"
    else:
        res = run_scenarios([scenario], replications=int(replications), seed=int(seed)).results[0]
        reps = np.asarray(res.abm_cooperation_rate, float)  # (R, Y + 1)
        label = "abm_replications"
    out = {
        "kind": label,
        "replications": int(reps.shape[0]),
        "years": [int(y) for y in res.years],
        "quantiles": list(BAND_QUANTILES),
        "values": _finite(np.quantile(reps, BAND_QUANTILES, axis=0), 4),
        "mean": _finite(reps.mean(axis=0), 4),
        "seed": int(seed),
    }
    _band_cache[key] = out
    while len(_band_cache) > _SIM_CACHE_SIZE:
        _band_cache.popitem(last=False)
    return out


def force_payload(body: Mapping[str, Any], adcode: int, region_name: str = "yrd") -> dict[str, Any]:
    """Return the force terms of one city over time (the "force field").

    Parameters
    ----------
    body : mapping
        Scenario (see :func:`scenario_from_request`).
    adcode : int
        City.
    region_name : str
        Region simulated.

    Returns
    -------
    dict
        ``years``, ``terms`` (name, family, study, ``values`` by recorded
        state, in units of the city's reference yearly abatement cost c0),
        ``total`` (the payoff difference Δ = ΣΔ_k) and ``cooperation`` [1].
    """
    from coopgov.model.forces import FORCE_TERMS

    _, sim = _simulate(body, region_name)
    codes = [int(a) for a in sim.city.adcode]
    if int(adcode) not in codes:
        raise InputError("no such city in the region", field="adcode", value=adcode)
    i = codes.index(int(adcode))
    dec = sim.decomposition(slice(0, 1))
    terms = []
    total = np.zeros(sim.n_years + 1)
    for term in FORCE_TERMS:
        values = np.broadcast_to(
            np.asarray(dec[term.name], float), (1, sim.n_years + 1, sim.city.n)
        )[0, :, i]
        total += values
        terms.append(
            {
                "name": term.name,
                "family": term.family,
                "study": term.study,
                "values": _finite(values, 5),
            }
        )
    return {
        "adcode": int(adcode),
        "years": [int(y) for y in sim.years],
        "terms": terms,
        "total": _finite(total, 5),
        "cooperation": _finite(sim.cooperation[0, :, i], 5),
        "unit": "c0 (the city's reference yearly abatement cost)",
    }


# --------------------------------------------------------------------------
# allocation
# --------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _allocation(region_name: str, method: str, pollutant: str, permutations: int) -> dict[str, Any]:
    from coopgov.services.games import (
        emission_game_analysis,
        river_cleaning_costs,
        river_parents,
        river_sharing,
    )

    region = _region(region_name)
    out: dict[str, Any] = {"method": method, "adcodes": [int(a) for a in region.adcodes]}
    if method in ("gain", "chander_tulkens", "shapley"):
        an = emission_game_analysis(
            region, pollutant, permutations=permutations if method == "shapley" else 0, seed=0
        )
        res = an.result
        out |= {"pollutant": pollutant, "unit": "yuan/yr", "total_gain": res.total_gain}
        if method == "gain":
            out["values"] = _finite(res.gain, 0)
        elif method == "chander_tulkens":
            out["values"] = _finite(an.chander_tulkens, 0)
        else:
            assert an.shapley is not None  # allocation_payload asks for >= 1 permutation
            out |= {
                "values": _finite(an.shapley.value, 0),
                "std_error": _finite(an.shapley.std_error, 0),
                "permutations": int(an.shapley.n_permutations),
            }
        return out
    if method not in ("lrs", "ues", "des"):
        raise InputError(
            f"unknown method; use one of {', '.join(ALLOCATION_METHODS)}",
            field="method",
            value=method,
        )
    costs = river_cleaning_costs(region)
    parent = river_parents(region)
    out |= {
        "unit": "yuan/yr",
        "values": _finite(river_sharing(costs, parent, method), 0),
        "costs": _finite(costs, 0),
        "parent": parent.tolist(),
    }
    return out


def allocation_payload(
    method: str, *, pollutant: str = "so2", permutations: int = 2000, region_name: str = "yrd"
) -> dict[str, Any]:
    """Return an allocation per city for the map.

    Parameters
    ----------
    method : str
        ``gain`` (emission-game gain of full cooperation without transfers),
        ``chander_tulkens`` (side payment received), ``shapley`` (sampled
        Shapley value of the cooperative gain), ``lrs``, ``ues``, ``des``
        (river cleaning-cost shares).
    pollutant : str
        Air pollutant of the emission game (``so2``, ``nox``, ``pm``).
    permutations : int
        Sampled orders for the Shapley value [-].
    region_name : str
        Region.

    Returns
    -------
    dict
        ``values`` per city [yuan/yr], ``adcodes``; ``std_error`` for the
        Shapley estimate; ``costs`` and ``parent`` for river sharing.
    """
    if method not in ALLOCATION_METHODS:
        raise InputError(
            f"unknown method; use one of {', '.join(ALLOCATION_METHODS)}",
            field="method",
            value=method,
        )
    if method == "shapley" and int(permutations) < 1:
        raise InputError("must be at least 1", field="permutations", value=permutations)
    return _allocation(region_name, method, pollutant, int(permutations))


# --------------------------------------------------------------------------
# compensation calculators
# --------------------------------------------------------------------------
def _measurements(csv_text: str | None, kind: str) -> Any:
    """Return the uploaded CSV as a temporary file, or the bundled synthetic example."""
    from coopgov.compensation import example_path

    if not csv_text:
        return example_path(kind), None
    tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    with tmp:
        tmp.write(csv_text)
    return Path(tmp.name), Path(tmp.name)


def _uploaded(exc: InputError, tmp: Path | None) -> InputError:
    """Name the uploaded file as such in an error, not by its temporary path."""
    if tmp is None or exc.file is None or Path(str(exc.file)) != tmp:
        return exc
    return InputError(
        exc.reason, file="uploaded CSV", row=exc.row, field=exc.field, value=exc.value
    )


def xinan_payload(
    preset: str, year: int | None = None, csv_text: str | None = None
) -> dict[str, Any]:
    """Assess a Xin'an-type bet on samples (uploaded CSV or the bundled example).

    Parameters
    ----------
    preset : str
        Scheme preset (``xinan-round1`` .. ``xinan-round3``).
    year : int, optional
        Assessment year (default: every year of the round in the table).
    csv_text : str, optional
        Samples ``section, date, factor, value, unit`` [mg/L].
    """
    from coopgov.compensation import table_records, xinan_assessment

    path, tmp = _measurements(csv_text, "xinan")
    try:
        res = xinan_assessment(path, preset, year)
    except InputError as exc:
        raise _uploaded(exc, tmp) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    s = res.scheme
    return {
        "scheme": {
            "name": s.name,
            "title": s.title,
            "k0": getattr(s, "k0", None),
            "upstream": s.upstream,
            "downstream": s.downstream,
            "threshold": getattr(s, "threshold", 1.0),
        },
        "example": csv_text is None or not csv_text,
        "index": table_records(res.index),
        "payments": table_records(res.payments),
        "factors": table_records(res.factors),
        "ignored_factors": res.ignored_factors,
    }


def per_tonne_payload(preset: str, csv_text: str | None = None) -> dict[str, Any]:
    """Assess a per-tonne (Jiangsu-type) scheme on section samples.

    Parameters
    ----------
    preset : str
        Scheme preset (``jiangsu-taihu``, ``jiangsu-taihu-2021``).
    csv_text : str, optional
        Samples with flow [m3/s], downstream and contributions (see
        :mod:`coopgov.compensation.measurements`).
    """
    from coopgov.compensation import per_tonne_assessment, table_records

    path, tmp = _measurements(csv_text, "per-tonne")
    try:
        res = per_tonne_assessment(path, preset)
    except InputError as exc:
        raise _uploaded(exc, tmp) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    records = res.records
    return {
        "scheme": {"name": res.scheme.name, "title": res.scheme.title},
        "example": not csv_text,
        "totals": table_records(res.totals),
        "payments": table_records(res.payments),
        "records": table_records(records.head(300)),
        "n_records": int(len(records)),
        "total_amount": float(res.totals["amount"].sum()) if len(res.totals) else 0.0,
        "ignored_factors": res.ignored_factors,
    }


# --------------------------------------------------------------------------
# monitoring (the platform store)
# --------------------------------------------------------------------------
def _today_cst() -> date:
    return (datetime.now(UTC) + timedelta(hours=8)).date()


def monitoring_payload(
    store: Any, day: date | None = None, *, region_name: str = "yrd", lookback_days: int = 1830
) -> dict[str, Any]:
    """Daily AQI of every city on a day, warning levels and regional episodes.

    Parameters
    ----------
    store : coopgov.platform.store.Store or None
        The platform's store (None: not available).
    day : date, optional
        Day shown (China Standard Time); default the latest day with data up
        to today.
    region_name : str
        Region of the cities and of the episodes' transfer matrix.
    lookback_days : int
        Days searched back for the latest day with data [d].

    Returns
    -------
    dict
        ``available``; ``date``; per city ``aqi``, ``category`` (HJ 633
        level 1-6, 0 for NA), ``warning`` (0 none .. 4 red, the
        platform's hindcast); ``episodes`` of the last seven days with the
        recommended linked action.
    """
    if store is None:
        return {"available": False, "reason": "no monitoring store on this server"}
    from coopgov.platform.published import (
        LEVEL_NAMES,
        WARNING_HORIZON_DAYS,
        regional_episodes,
        warning_matrix,
    )
    from coopgov.standards.aqi import aqi_category

    region = _region(region_name)
    adcodes = [int(a) for a in region.adcodes]
    if day is None:
        end = _today_cst()
        days, aqi = store.city_daily_aqi_matrix(adcodes, end - timedelta(days=lookback_days), end)
        rows = np.flatnonzero(np.isfinite(aqi).any(axis=1))
        if rows.size == 0:
            return {"available": False, "reason": "the monitoring store holds no daily AQI"}
        day = days[int(rows[-1])]
    horizon = WARNING_HORIZON_DAYS
    days, aqi = store.city_daily_aqi_matrix(adcodes, day, day + timedelta(days=horizon - 1))
    today = aqi[0]
    if not np.isfinite(today).any():
        first, last = data_range(store, adcodes, day, lookback_days)
        return {
            "available": True,
            "no_data": True,
            "date": day.isoformat(),
            "data_range": [first, last] if first else None,
        }
    levels = warning_matrix(aqi, horizon=horizon)[0]
    category = aqi_category(today)
    cities = [
        {
            "adcode": a,
            "aqi": None if not np.isfinite(today[k]) else int(today[k]),
            "category": int(category[k]),
            "warning": int(levels[k]),
            "warning_name": LEVEL_NAMES[int(levels[k])],
        }
        for k, a in enumerate(adcodes)
    ]
    episodes = regional_episodes(store, region, day - timedelta(days=6), day)
    return {
        "available": True,
        "date": day.isoformat(),
        "cities": cities,
        "episodes": episodes[-20:],
        "n_episodes": len(episodes),
        "basis": "observed daily AQI as forecast (hindcast), HJ 633 categories",
        "basis_key": "monit.basis",
    }


def data_range(
    store: Any, adcodes: list[int], around: date, lookback_days: int = 1830
) -> tuple[str | None, str | None]:
    """First and last day with a daily AQI within ``lookback_days`` of ``around`` (ISO dates)."""
    end = max(around, _today_cst()) + timedelta(days=lookback_days)
    days, aqi = store.city_daily_aqi_matrix(
        adcodes,
        around - timedelta(days=lookback_days),
        min(end, around + timedelta(days=lookback_days)),
    )
    rows = np.flatnonzero(np.isfinite(aqi).any(axis=1))
    if rows.size == 0:
        return None, None
    return days[int(rows[0])].isoformat(), days[int(rows[-1])].isoformat()


def parse_day(text: str | None) -> date | None:
    """Parse a ``YYYY-MM-DD`` day (None when empty)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("expected a date YYYY-MM-DD", field="date", value=text) from None


# --------------------------------------------------------------------------
# experiments (results folders of ``coopgov experiment run``)
# --------------------------------------------------------------------------
_experiment_cache: OrderedDict[tuple[str, float], dict[str, Any]] = OrderedDict()


def experiment_list(root: str | Path | None) -> list[dict[str, Any]]:
    """Finished or running experiments directly under ``root`` (by folder name).

    Parameters
    ----------
    root : path or None
        Folder holding results folders (``coopgov experiment run`` writes
        ``results/<name>``); None or missing: no experiments.
    """
    if root is None or not Path(root).is_dir():
        return []
    out = []
    for folder in sorted(Path(root).iterdir()):
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            continue
        try:
            info = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out.append(
            {
                "name": folder.name,
                "complete": bool(info.get("complete")),
                "n_runs": info.get("n_runs"),
                "policies": info.get("policies", []),
            }
        )
    return out


def _experiment_folder(root: str | Path | None, name: str) -> Path:
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise InputError("no such experiment", field="name", value=name)
    if root is None or not (Path(root) / name / "manifest.json").is_file():
        raise InputError("no such experiment", field="name", value=name)
    return Path(root) / name


def experiment_payload(root: str | Path | None, name: str) -> dict[str, Any]:
    """Analysis of one experiment folder for the Experiments page.

    Runs :func:`coopgov.experiments.analysis.analyze_experiment` (without
    writing) and keeps the result until the folder's manifest changes.

    Parameters
    ----------
    root : path
        Folder of results folders.
    name : str
        Results folder's name (a direct child of ``root``).

    Returns
    -------
    dict
        ``summary``; ``lever_ranking``, ``sobol`` (main outcome, first
        policy), ``feature_scores`` as lists of records; ``prim`` with the
        peeling trajectory (``coverage``, ``density``, ``mass``,
        ``n_restricted`` per step), ``boxes`` (restricted factors of every
        step with their limits), the factors' full ``ranges`` and the
        ``chosen`` step.  Keys are absent where the experiment's design does
        not give them.
    """
    from coopgov.experiments.analysis import analyze_experiment

    folder = _experiment_folder(root, name)
    stamp = (folder / "manifest.json").stat().st_mtime
    key = (str(folder.resolve()), stamp)
    hit = _experiment_cache.get(key)
    if hit is not None:
        return hit
    try:
        an = analyze_experiment(folder, write=False, report=False)
    except InputError as exc:
        raise InputError(
            exc.reason, file=f"experiment {name}", field=exc.field, value=exc.value
        ) from None

    def records(table: str, query: Any = None) -> list[dict[str, Any]] | None:
        if table not in an.tables:
            return None
        frame = an.tables[table]
        if query is not None:
            frame = frame[query(frame)]
        return json.loads(frame.to_json(orient="records"))

    first = an.manifest["policies"][0]
    out: dict[str, Any] = {
        "name": name,
        "summary": json.loads(json.dumps(an.summary, default=str)),
        "outcome": an.outcome,
        "policies": an.manifest["policies"],
        "lever_ranking": records("lever_ranking"),
        "sobol": records("sobol", lambda f: (f.outcome == an.outcome) & (f.policy == first)),
        "morris": records("morris", lambda f: (f.outcome == an.outcome) & (f.policy == first)),
        "feature_scores": records("feature_scores"),
    }
    if an.prim is not None:
        res = an.prim
        names = list(res.names)
        lo0, hi0 = res.lower[0], res.upper[0]
        boxes = []
        for k in range(len(res.coverage)):
            boxes.append(
                [
                    {"factor": n, "low": float(res.lower[k, j]), "high": float(res.upper[k, j])}
                    for j, n in enumerate(names)
                    if res.lower[k, j] > lo0[j] or res.upper[k, j] < hi0[j]
                ]
            )
        out["prim"] = {
            "coverage": _finite(res.coverage, 4),
            "density": _finite(res.density, 4),
            "mass": _finite(res.mass, 4),
            "n_restricted": [int(v) for v in res.n_restricted],
            "boxes": boxes,
            "chosen": int(res.chosen),
            "ranges": {n: [float(lo0[j]), float(hi0[j])] for j, n in enumerate(names)},
            "cases": an.summary.get("prim", {}).get("cases_of_interest", ""),
        }
    _experiment_cache[key] = out
    while len(_experiment_cache) > 8:
        _experiment_cache.popitem(last=False)
    return out
