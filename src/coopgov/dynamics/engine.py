"""The engine: parameters and levers in, trajectories and outcomes out.

:func:`simulate` runs the mean-field model for a batch of S scenarios at
once (leading axis), each with its own parameters and lever intensities by
year, and returns a :class:`Simulation` holding the cooperation
trajectories and everything needed to derive outcomes and the force
decomposition.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numba
import numpy as np

from coopgov.compensation.bet import bet_transfer
from coopgov.compensation.config import load_preset
from coopgov.dynamics.replicator import (
    DEFAULT_METHOD,
    check_tolerance,
    default_steps_per_year,
    integrate_affine,
)
from coopgov.model.cities import CityData
from coopgov.model.forces import ForceContext, affine_coefficients, decompose, payoff_difference
from coopgov.model.levers import LEVER_NAMES, apply_levers_table, lever_costs
from coopgov.model.parameters import PARAMETER_INFO, joint_maturity, parameter_table

__all__ = [
    "Simulation",
    "simulate",
    "compensation_prices",
    "compensation_incentive",
    "compensation_payments",
    "river_links",
]


@lru_cache(maxsize=8)
def _preset_prices(preset: str) -> tuple[float, float]:
    scheme = load_preset(preset)
    factors = scheme.factors  # type: ignore[union-attr]
    return (
        factors["permanganate_index"].price_arrays()[0][0],
        factors["nh3_n"].price_arrays()[0][0],
    )


def compensation_prices(preset: str = "jiangsu-taihu") -> np.ndarray:
    """Unit prices [yuan/t] for the model's water loads (COD, NH3-N) from a preset.

    COD loads are priced at the permanganate-index price (assumption: the
    Jiangsu scheme prices CODMn; the region data carry COD).
    """
    return np.array(_preset_prices(preset))


def river_links(city: CityData) -> np.ndarray:
    """Directed river links (upstream, downstream) as city indices, shape (K, 2).

    The links of the region's river network where the city data carry them
    (``river_links``), else every pair with water transfer between two cities
    (:attr:`~coopgov.model.cities.CityData.river_link_matrix`).
    """
    return np.argwhere(city.river_link_matrix > 0).astype(np.int64)


def bet_outcomes(abatement: Any, target: Any, stake: Any) -> tuple[Any, Any]:
    r"""Signed bet transfer to an upstream city when it cooperates and when it defects [yuan/yr].

    The section's index is the load crossing it relative to the target,
    ``P = (1 − a_w s) / target`` (``s`` = 1 cooperating, 0 defecting, the
    no-cooperation load as the reference concentration), and the transfer is
    the Xin'an two-way bet (:func:`coopgov.compensation.bet.bet_transfer`):
    ``+A`` (downstream pays) when P <= 1, ``−A`` (upstream pays) otherwise.
    """
    target = np.maximum(np.asarray(target, float), 1e-12)
    p_coop = (1.0 - np.asarray(abatement, float)) / target
    p_defect = 1.0 / target
    p_coop, p_defect = np.broadcast_arrays(p_coop, p_defect)
    # one call for both outcomes (the inputs are checked once)
    both = bet_transfer(np.stack([p_coop, p_defect]), stake, stake)
    return both[0], both[1]


def compensation_incentive(
    city: CityData, coverage: Any, abatement: Any, target: Any, stake: Any
) -> np.ndarray:
    r"""What the two-way bets pay an upstream city for cooperating rather than defecting [yuan/yr].

    .. math:: c \, n^{out}_i \left[T(P_C) - T(P_D)\right]

    ``c`` coverage of the links, ``n^{out}_i`` the city's river links to
    downstream cities, ``T`` from :func:`bet_outcomes`.  A downstream city's
    payments do not depend on its own strategy.
    """
    t_coop, t_defect = bet_outcomes(abatement, target, stake)
    n_out = city.river_link_matrix.sum(axis=1)
    return np.asarray(coverage, float) * n_out * (t_coop - t_defect)


def _bet_incentive(
    city: CityData, coverage: Any, abatement: Any, target: Any, stake: Any, *, years: int = 1
) -> Any:
    """:func:`compensation_incentive` on the engine's checked parameter arrays.

    The same arithmetic as :func:`bet_outcomes` and
    :func:`coopgov.compensation.bet.bet_transfer` (``+A`` where P <= 1, else
    ``−A``; equal results, tested), without the input checks a public call
    makes: the parameters are finite and >= 0
    (:class:`~coopgov.model.parameters.ModelParameters`) and a lever keeps
    them so.  The four parameters are three-dimensional arrays (S or 1,
    Y or 1, N or 1); the result has shape (S, Y or 1, N), with Y at least
    ``years`` (the years written out even where nothing changes by year).  One compiled
    pass (:func:`_bet_incentive_kernel`): a handful of operations per
    scenario and year, which as array operations would cost a call each.
    """
    return _compiled_bet()(
        coverage, abatement, target, stake, city.force_constants["river_links_out"], years
    )


@numba.njit(inline="always")
def _bet_at(a: np.ndarray, s: int, y: int, i: int) -> float:
    """``a[s, y, i]`` with NumPy broadcasting of the axes of length 1."""
    return a[s if a.shape[0] > 1 else 0, y if a.shape[1] > 1 else 0, i if a.shape[2] > 1 else 0]


def _bet_incentive_kernel(coverage, abatement, target, stake, links_out, years):
    r"""The bet incentive ``c n^{out}_i [T(P_C) − T(P_D)]`` at every scenario, year and city.

    With ``P_C = (1 − a_w) / t`` and ``P_D = 1 / t`` (target ``t`` floored
    at 1e-12) the transfers are ``+A`` where P <= 1 and ``−A`` otherwise;
    as the abatement is >= 0, ``P_C <= P_D`` and the difference is
    ``A − (−A) = 2A`` where only the cooperating city meets the target, else
    0 [yuan/yr].
    """
    n_c = links_out.shape[0]
    s_n, y_n = 1, years
    per_city = False
    for v in (coverage, abatement, target, stake):
        s_n = max(s_n, v.shape[0])
        y_n = max(y_n, v.shape[1])
        if v.shape[2] not in (1, n_c):
            raise ValueError("bet parameters do not broadcast to the cities")
        per_city |= v.shape[2] > 1
    for v in (coverage, abatement, target, stake):
        if v.shape[0] not in (1, s_n) or v.shape[1] not in (1, y_n):
            raise ValueError("bet parameters do not broadcast together")
    out = np.empty((s_n, y_n, n_c))
    for s in range(s_n):
        for y in range(y_n):
            if per_city:
                for i in range(n_c):
                    gain = _bet_gain(abatement, target, stake, s, y, i)
                    out[s, y, i] = _bet_at(coverage, s, y, i) * links_out[i] * gain
            else:  # the gain once for all cities
                gain = _bet_gain(abatement, target, stake, s, y, 0)
                c = _bet_at(coverage, s, y, 0)
                for i in range(n_c):
                    out[s, y, i] = c * links_out[i] * gain
    return out


@numba.njit(inline="always")
def _bet_gain(abatement: Any, target: Any, stake: Any, s: int, y: int, i: int) -> float:
    """``T(P_C) − T(P_D)`` at one point [yuan/yr] (:func:`_bet_incentive_kernel`)."""
    t = max(_bet_at(target, s, y, i), 1e-12)
    met_coop = (1.0 - _bet_at(abatement, s, y, i)) / t <= 1.0
    met_defect = 1.0 / t <= 1.0
    stake_i = _bet_at(stake, s, y, i)
    return stake_i + stake_i if met_coop and not met_defect else 0.0


_BET_IN = numba.types.Array(numba.float64, 3, "A", readonly=True)
#: One compiled version for every layout and flag of the inputs.
_BET_SIGNATURE = numba.types.Array(numba.float64, 3, "C")(
    _BET_IN,
    _BET_IN,
    _BET_IN,
    _BET_IN,
    numba.types.Array(numba.float64, 1, "A", readonly=True),
    numba.int64,
)


@lru_cache(maxsize=1)
def _compiled_bet() -> Any:
    """:func:`_bet_incentive_kernel` compiled for :data:`_BET_SIGNATURE` on first use."""
    return numba.njit(_BET_SIGNATURE, cache=True)(_bet_incentive_kernel)


def compensation_payments(
    city: CityData, cooperation: np.ndarray, coverage: Any, abatement: Any, target: Any, stake: Any
) -> tuple[np.ndarray, np.ndarray]:
    r"""Expected bet payments paid and received by each city [yuan/yr].

    On a covered link from u to d the downstream city pays ``A`` with the
    probability that the section meets its target,
    ``π_u = x_u [P_C <= 1] + (1 − x_u) [P_D <= 1]``, and the upstream city
    pays ``A`` otherwise.

    Returns
    -------
    paid, received : ndarray, shape of ``cooperation``
    """
    x = np.asarray(cooperation, float)
    t_coop, t_defect = bet_outcomes(abatement, target, stake)
    met = x * (t_coop > 0) + (1.0 - x) * (t_defect > 0)
    e = city.river_link_matrix
    n_out = e.sum(axis=1)
    # the amount of a link is set by its upstream city's coverage and stake
    amount = np.broadcast_to(np.asarray(coverage, float) * np.asarray(stake, float), x.shape)
    paid = amount * (1.0 - met) * n_out + (amount * met) @ e
    received = amount * met * n_out + (amount * (1.0 - met)) @ e
    return paid, received


@dataclass(frozen=True)
class Simulation:
    """Result of :func:`simulate` for S scenarios, Y years and N cities.

    Attributes
    ----------
    city : CityData
    start_year : int
    cooperation : ndarray, shape (S, Y + 1, N)
        Cooperation propensity at the start of each year and at the end [1].
    params : dict of str to ndarray
        Parameters per scenario, year and city, each of shape (S, Y or 1,
        N or 1) (broadcasting over the axes on which it is constant).
    intensity : ndarray, shape (S, Y, L) or (S, Y, L, N)
        Lever intensities.
    levers : tuple of str
    fiscal_transfer : ndarray, shape (S, Y, N)
        Fiscal transfer earmarked for each city, paid while it cooperates [yuan/yr].
    compensation_incentive : ndarray, shape (S, Y, N)
        What the compensation bets pay a city for cooperating rather than
        defecting [yuan/yr].
    steps_per_year : int
        Integration steps per year used.
    """

    city: CityData
    start_year: int
    cooperation: np.ndarray
    params: dict[str, np.ndarray]
    intensity: np.ndarray
    levers: tuple[str, ...]
    fiscal_transfer: np.ndarray
    compensation_incentive: np.ndarray
    steps_per_year: int = 12

    @property
    def n_scenarios(self) -> int:
        """S."""
        return int(self.cooperation.shape[0])

    @property
    def n_years(self) -> int:
        """Y."""
        return int(self.cooperation.shape[1] - 1)

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the recorded states (start of year; last = end)."""
        return self.start_year + np.arange(self.n_years + 1)

    def _year_index(self) -> np.ndarray:
        # parameters in force for each recorded state: year t uses year min(t, Y-1)
        return np.minimum(np.arange(self.n_years + 1), self.n_years - 1)

    def _year_params(self) -> dict[str, np.ndarray]:
        idx = self._year_index()
        return {k: (v[:, idx] if v.shape[1] > 1 else v) for k, v in self.params.items()}

    def context(self) -> ForceContext:
        """Force context aligned with the recorded states, shape (S, Y + 1, ·)."""
        idx = self._year_index()
        return ForceContext(
            city=self.city,
            params=self._year_params(),
            fiscal_transfer=self.fiscal_transfer[:, idx],
            compensation_incentive=self.compensation_incentive[:, idx],
        )

    def scenario_context(self, k: int) -> ForceContext:
        """Force context of scenario ``k`` by simulated year, shape (Y, ·)."""
        return ForceContext(
            city=self.city,
            params={p: v[k] for p, v in self.params.items()},
            fiscal_transfer=self.fiscal_transfer[k],
            compensation_incentive=self.compensation_incentive[k],
        )

    def decomposition(self, scenarios: Any = slice(None)) -> dict[str, np.ndarray]:
        """Force terms at every recorded state, each shape (S', Y + 1, N) [c0].

        The payoff terms add up to Δ; ``lateral_thrust`` is the imitation of
        successful neighbours as an equivalent payoff difference.
        """
        ctx = self.context()
        sub = ForceContext(
            city=ctx.city,
            params={k: v[scenarios] for k, v in ctx.params.items()},
            fiscal_transfer=ctx.fiscal_transfer[scenarios],
            compensation_incentive=ctx.compensation_incentive[scenarios],
        )
        return decompose(self.cooperation[scenarios], sub)

    @cached_property
    def payoff_difference(self) -> np.ndarray:
        """Δ at every recorded state [c0], (S, Y+1, N)."""
        return payoff_difference(self.cooperation, self.context())

    # --- outcomes ---------------------------------------------------------

    @cached_property
    def relative_pm25(self) -> np.ndarray:
        r"""PM2.5 at each city relative to the no-cooperation level [1], (S, Y+1, N).

        .. math:: q_i = 1 - a (1 - b) (1 - o_i) \\sum_j P0_{ji} x_j

        a ``abatement_rate``, b ``background_share``, o_i the city's share of
        PM2.5 transported from outside the region (``CityData.outside_share``),
        which the region's abatement cannot reduce (the same factor as in
        :func:`coopgov.model.forces.shared_interest`).
        """
        p = self._year_params()
        px = self.cooperation @ self.city.exposure_shares  # the px feature alone
        reducible = (1.0 - p["background_share"]) * (1.0 - self.city.outside_share)
        return 1.0 - p["abatement_rate"] * reducible * px

    @property
    def cooperation_rate(self) -> np.ndarray:
        """Regional cooperation rate: mean propensity over cities [1], (S, Y+1)."""
        return self.cooperation.mean(axis=-1)

    @property
    def pm25_change(self) -> np.ndarray:
        """Change of population-weighted PM2.5 against no cooperation [1], (S, Y+1)."""
        w = self.city.population / self.city.population.sum()
        return (self.relative_pm25 - 1.0) @ w

    def _c0(self) -> np.ndarray:
        p = self._year_params()
        return p["unit_abatement_cost"] * p["abatement_rate"] * self.city.air_emissions

    @property
    def abatement_cost(self) -> np.ndarray:
        """Air and water abatement cost of all cities [yuan/yr], (S, Y+1, N)."""
        p = self._year_params()
        water = (
            p["unit_water_abatement_cost"] * p["water_abatement_rate"] * self.city.water_load_total
        )
        return self.cooperation * p["technology_cost"] * (self._c0() + water)

    @property
    def gdp_effect(self) -> np.ndarray:
        """GDP lost to abatement [yuan/yr] (negative), (S, Y+1, N)."""
        p = self._year_params()
        return -p["gdp_loss"] * self.city.secondary_relative * self.abatement_cost

    @property
    def damage(self) -> np.ndarray:
        """PM2.5 damage valued by local governments [yuan/yr], (S, Y+1, N)."""
        p = self._year_params()
        return p["damage_gdp_share"] * self.city.gdp * self.relative_pm25

    @property
    def lever_cost(self) -> np.ndarray:
        """Yearly fiscal cost of the levers [yuan/yr], (S, Y)."""
        return lever_costs(self.intensity, self.levers)

    @cached_property
    def _bet_payments(self) -> tuple[np.ndarray, np.ndarray]:
        p = self._year_params()
        return compensation_payments(
            self.city,
            self.cooperation,
            p["compensation_coverage"],
            p["water_abatement_rate"],
            p["compensation_target"],
            p["compensation_stake"],
        )

    @property
    def compensation_paid(self) -> np.ndarray:
        """Expected compensation-bet payments made by each city [yuan/yr], (S, Y+1, N)."""
        return self._bet_payments[0]

    @property
    def compensation_received(self) -> np.ndarray:
        """Expected compensation-bet payments received by each city [yuan/yr], (S, Y+1, N)."""
        return self._bet_payments[1]

    @property
    def fiscal_transfer_states(self) -> np.ndarray:
        """Expected fiscal transfers paid, aligned with recorded states [yuan/yr], (S, Y+1, N).

        The earmarked transfer is paid while the city cooperates, up to the
        extra fiscal weight of its abatement cost (:func:`~coopgov.model.forces.fiscal_transfer`).
        """
        ctx = self.context()
        from coopgov.model.forces import Features, fiscal_transfer

        offset = fiscal_transfer(Features(0.0, 0.0, 0.0, 0.0), ctx)
        return self.cooperation * offset * ctx.c0


#: Up to this many elements an array is broadcast by a copy, which costs less time than
#: a broadcast view's set-up; larger ones stay views (no memory for the repeats).
_COPY_BELOW = 1 << 15


def _full(a: Any, shape: tuple[int, ...], *, writeable: bool = False) -> np.ndarray:
    """``a`` broadcast to ``shape`` (itself if it has that shape).

    A copy is read-only unless ``writeable``.
    """
    if not isinstance(a, np.ndarray):
        a = np.asarray(a, dtype=float)
    if a.shape == shape:
        return a
    if math.prod(shape) > _COPY_BELOW:
        return np.broadcast_to(a, shape)
    out = np.empty(shape)
    out[...] = a
    out.setflags(write=writeable)
    return out


def _regionwide(v: np.ndarray, name: str) -> np.ndarray:
    """A parameter the integrator takes per scenario and year only, shape (S, Y or 1)."""
    if v.shape[-1] > 1 and np.ptp(v, axis=-1).max() > 0:
        raise ValueError(f"{name} must be the same in every city (no city-scoped lever on it)")
    return v[..., 0]


def simulate(
    city: CityData,
    parameter_sets: Sequence[Mapping[str, float]] | Mapping[str, np.ndarray],
    intensity: np.ndarray | None = None,
    *,
    years: int = 30,
    start_year: int = 2026,
    levers: Sequence[str] = LEVER_NAMES,
    steps_per_year: int | None = None,
    initial: np.ndarray | None = None,
    chunk_size: int = 512,
    method: str = DEFAULT_METHOD,
    tolerance: float | None = None,
) -> Simulation:
    """Run the mean-field cooperation dynamics for a batch of scenarios.

    Parameters
    ----------
    city : CityData
        The region's cities.
    parameter_sets : sequence of mappings, or mapping of arrays
        S parameter sets (e.g. :class:`~coopgov.model.ModelParameters`), or
        already stacked arrays of shape (S,) per parameter.
    intensity : ndarray, shape (S, Y, L) or (S, Y, L, N), optional
        Lever intensities in [0, 1] (per city for levers in force in part of
        the region); zeros when omitted.
    years : int
        Horizon Y [yr].
    start_year : int
        Calendar year of the first step.
    levers : sequence of str
        Lever names along the third axis of ``intensity``.
    steps_per_year : int, optional
        Integration steps per year (default: the method's,
        :func:`coopgov.dynamics.replicator.default_steps_per_year`: 12 for
        ``rk4`` and ``exponential``; for ``riccati`` the largest step is a
        year, and its controller chooses shorter ones where needed).
    initial : ndarray, shape (S, N) or (N,), optional
        Initial propensities; ``initial_cooperation`` for every city when omitted.
    chunk_size : int
        Scenarios integrated together (memory and cache use; no effect on
        results beyond rounding, see :mod:`coopgov.dynamics.replicator`).
    method : {"riccati", "rk4", "exponential"}
        Integrator (:func:`coopgov.dynamics.replicator.integrate_affine`):
        ``riccati`` (default: third order, stiff-stable, within 2e-5 of the
        ODE on the built-in scenarios), ``rk4`` (fourth order with
        stiffness sub-steps) or ``exponential`` (first order, cheapest).
    tolerance : float, optional
        ``riccati`` only: the error tolerance [1], the largest difference
        in any city between a full step and two half steps that the
        step-size controller accepts (default 1e-4; 1 or more: fixed steps
        of ``1/steps_per_year``); a finite number > 0.

    Returns
    -------
    Simulation

    Examples
    --------
    Five years of the YRD from a propensity of 0.1 in every city, without and
    with every lever at full intensity (two scenarios in one batch):

    >>> import numpy as np
    >>> from coopgov import ModelParameters, city_data, load_region
    >>> city = city_data(load_region("yrd"))
    >>> levers = np.stack([np.zeros((5, 11)), np.ones((5, 11))])  # (S, Y, L)
    >>> sim = simulate(city, [ModelParameters()] * 2, levers, years=5)
    >>> sim.cooperation.shape  # (S, Y + 1, N)
    (2, 6, 41)
    >>> sim.years.tolist()
    [2026, 2027, 2028, 2029, 2030, 2031]
    >>> np.round(sim.cooperation_rate[:, -1], 1).tolist()  # regional rate in 2031
    [0.2, 1.0]
    """
    if steps_per_year is None:
        steps_per_year = default_steps_per_year(method)
    tolerance = check_tolerance(tolerance)
    if isinstance(parameter_sets, Mapping):
        table = np.array([np.asarray(parameter_sets[k], float).reshape(-1) for k in PARAMETER_INFO])
    else:
        table = parameter_table(parameter_sets)
    s_n = table.shape[1]
    n = city.n
    if intensity is None:
        intensity = np.zeros((s_n, years, len(levers)))
    intensity = np.asarray(intensity, dtype=float)
    if intensity.shape[:2] != (s_n, years):
        raise ValueError(f"intensity must have shape ({s_n}, {years}, {len(levers)}[, {n}])")
    params = apply_levers_table(table, intensity, levers)

    # fiscal_transfers is linear in the fund up to the total need, where it is capped:
    # evaluate the rule once for the shares and the cap, then scale by each year's fund
    total_need, shares = city.fiscal_rule
    full = (s_n, years, n)
    small = math.prod(full) <= _COPY_BELOW  # full copies; else views of the natural shapes
    fund = np.minimum(params["fiscal_fund"], total_need)
    if small:
        transfers = np.multiply(fund, shares, out=np.empty(full))
        transfers.setflags(write=False)
    else:
        transfers = _full(fund * shares, full)
    incentive = _full(
        _bet_incentive(
            city,
            params["compensation_coverage"],
            params["water_abatement_rate"],
            params["compensation_target"],
            params["compensation_stake"],
            years=years if small else 1,
        ),
        full,
    )
    incentive.setflags(write=False)

    # the integrator copies its per-scenario inputs into its own layout, broadcasting
    # them to (S, N), (S, Y) or (S, Y, N): they are handed over as they are
    if initial is None:
        x0 = params["initial_cooperation"].reshape(s_n, 1)
    else:
        x0 = _full(initial, (s_n, n))
    maturity = joint_maturity(params)  # once, for the decay and the coefficients
    decay = params["agreement_decay"] * (1.0 - maturity)
    rate = _regionwide(params["adjustment_rate"], "adjustment_rate")
    noise = _regionwide(params["noise"], "noise")
    kappa = _regionwide(params["lateral_thrust"], "lateral_thrust")
    traj = None
    # Chunks keep the coefficient arrays small and the integrator's working
    # set in cache; results do not depend on the chunk size.
    for lo in range(0, s_n, chunk_size):
        sl = slice(lo, min(lo + chunk_size, s_n))
        part: tuple[Any, ...]
        if sl.stop - sl.start == s_n:  # one chunk: the arrays themselves
            part = (params, maturity, transfers, incentive, x0, rate, decay, noise, kappa)
        else:
            part = (
                {k: v[sl] for k, v in params.items()},
                *(v[sl] for v in (maturity, transfers, incentive, x0, rate, decay, noise, kappa)),
            )
        ctx = ForceContext(
            city=city, params=part[0], fiscal_transfer=part[2], compensation_incentive=part[3]
        )
        coef = affine_coefficients(ctx, maturity=part[1])
        if coef.shape != (5, sl.stop - sl.start, years, n):  # a new array, writeable
            coef = _full(coef, (5, sl.stop - sl.start, years, n), writeable=True)
        result = integrate_affine(
            part[4],
            coef,
            part[5],
            part[6],
            part[7],
            city.exposure_shares,
            city.neighbour_weights,
            lateral=part[8],
            water_exposure_shares=city.water_exposure_shares,
            steps_per_year=steps_per_year,
            method=method,
            tolerance=tolerance,
        )
        if traj is None and sl.stop - sl.start == s_n:
            traj = result
        else:
            if traj is None:
                traj = np.empty((s_n, years + 1, n))
            traj[sl] = result
    if traj is None:  # no scenarios
        traj = np.empty((s_n, years + 1, n))
    return Simulation(
        city=city,
        start_year=start_year,
        cooperation=traj,
        params=params,
        intensity=intensity,
        levers=tuple(levers),
        fiscal_transfer=transfers,
        compensation_incentive=incentive,
        steps_per_year=steps_per_year,
    )
