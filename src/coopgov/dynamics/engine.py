"""The engine: parameters and levers in, trajectories and outcomes out.

:func:`simulate` runs the mean-field model for a batch of S scenarios at
once (leading axis), each with its own parameters and lever intensities by
year, and returns a :class:`Simulation` holding the cooperation
trajectories and everything needed to derive outcomes and the force
decomposition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from coopgov.compensation.config import load_preset
from coopgov.compensation.per_tonne import per_tonne_payment
from coopgov.dynamics.replicator import integrate_affine
from coopgov.model.cities import CityData
from coopgov.model.forces import ForceContext, affine_coefficients, decompose
from coopgov.model.levers import LEVER_NAMES, apply_levers, lever_costs
from coopgov.model.parameters import PARAMETER_INFO, stack_parameters

__all__ = ["Simulation", "simulate", "compensation_prices", "compensation_payments"]



@lru_cache(maxsize=8)
def _preset_prices(preset: str) -> tuple[float, float]:
    scheme = load_preset(preset)
    factors = scheme.factors  # type: ignore[union-attr]
    return (factors["permanganate_index"].price_arrays()[0][0],
            factors["nh3_n"].price_arrays()[0][0])


def compensation_prices(preset: str = "jiangsu-taihu") -> np.ndarray:
    """Unit prices [yuan/t] for the model's water loads (COD, NH3-N) from a preset.

    COD loads are priced at the permanganate-index price (assumption: the
    Jiangsu scheme prices CODMn; the region data carry COD).
    """
    return np.array(_preset_prices(preset))


def compensation_payments(
    city: CityData, cooperation: np.ndarray, coverage: float | np.ndarray,
    abatement: np.ndarray, target: np.ndarray, prices: np.ndarray,
) -> np.ndarray:
    """Per-tonne compensation paid by each upstream city [yuan/yr].

    The transboundary load of city u is ``X_u = f_u L_u (1 − a_w x_u)`` (f_u
    share of its load reaching downstream cities); the allowance is
    ``target × f_u L_u``.  The payment is the Jiangsu rule
    (:func:`coopgov.compensation.per_tonne.per_tonne_payment`) in load form,
    ``(C − C*)·Q·t = X − X*``, times the coverage of the scheme.

    Parameters
    ----------
    city : CityData
        The cities (water loads, outflow shares).
    cooperation : ndarray, shape (..., N)
        Cooperation state [1].
    coverage, abatement, target : ndarray, broadcastable to (..., 1)
        Scheme coverage, water abatement rate, allowance share [1].
    prices : ndarray, shape (2,)
        Unit prices for COD and NH3-N [yuan/t].
    """
    crossing = city.outflow_share[:, None] * city.water_loads  # (N, 2) t/yr, COD and NH3-N
    coop = np.asarray(cooperation, float)[..., None]
    abatement = np.asarray(abatement, float)[..., None]
    load = crossing * (1.0 - abatement * coop)
    allowance = np.maximum(np.asarray(target, float)[..., None] * crossing, 1e-12)
    # load form of the section rule: concentration ≡ load, flow·time·1e-6 ≡ 1
    pay = per_tonne_payment(load, allowance, 1.0, 1.0e6, prices).sum(axis=-1)
    return coverage * pay


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
        Parameters per scenario and year, each shape (S, Y), or (S, 1) when
        constant over the years.
    intensity : ndarray, shape (S, Y, L)
        Lever intensities.
    levers : tuple of str
    fiscal_transfer : ndarray, shape (S, Y, N)
        Fiscal transfers received [yuan/yr].
    compensation_incentive : ndarray, shape (S, Y, N)
        Compensation a city avoids paying by cooperating [yuan/yr].
    """

    city: CityData
    start_year: int
    cooperation: np.ndarray
    params: dict[str, np.ndarray]
    intensity: np.ndarray
    levers: tuple[str, ...]
    fiscal_transfer: np.ndarray
    compensation_incentive: np.ndarray
    compensation_prices: np.ndarray

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

    def _year_params(self) -> dict[str, np.ndarray]:
        # parameters in force for each recorded state: year t uses year min(t, Y-1)
        idx = np.minimum(np.arange(self.n_years + 1), self.n_years - 1)
        return {k: (v[:, idx, None] if v.shape[1] > 1 else v[:, :, None])
                for k, v in self.params.items()}

    def context(self) -> ForceContext:
        """Force context aligned with the recorded states, shape (S, Y + 1, ·)."""
        idx = np.minimum(np.arange(self.n_years + 1), self.n_years - 1)
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
            params={p: v[k][:, None] for p, v in self.params.items()},
            fiscal_transfer=self.fiscal_transfer[k],
            compensation_incentive=self.compensation_incentive[k],
        )

    def decomposition(self, scenarios: Any = slice(None)) -> dict[str, np.ndarray]:
        """Force terms at every recorded state, each shape (S', Y + 1, N) [c0]."""
        ctx = self.context()
        sub = ForceContext(
            city=ctx.city,
            params={k: v[scenarios] for k, v in ctx.params.items()},
            fiscal_transfer=ctx.fiscal_transfer[scenarios],
            compensation_incentive=ctx.compensation_incentive[scenarios],
        )
        return decompose(self.cooperation[scenarios], sub)

    # --- outcomes ---------------------------------------------------------

    @cached_property
    def relative_pm25(self) -> np.ndarray:
        r"""PM2.5 at each city relative to the no-cooperation level [1], (S, Y+1, N).

        .. math:: q_i = 1 - a (1 - b) \\sum_j P0_{ji} x_j
        """
        p = self._year_params()
        px = self.cooperation @ self.city.exposure_shares  # the px feature alone
        return 1.0 - p["abatement_rate"] * (1.0 - p["background_share"]) * px

    @property
    def cooperation_rate(self) -> np.ndarray:
        """Regional cooperation rate: mean propensity over cities [1], (S, Y+1)."""
        return self.cooperation.mean(axis=-1)

    @property
    def pm25_change(self) -> np.ndarray:
        """Change of population-weighted PM2.5 against no cooperation [1], (S, Y+1)."""
        w = self.city.population / self.city.population.sum()
        return (self.relative_pm25 - 1.0) @ w

    @property
    def abatement_cost(self) -> np.ndarray:
        """Abatement cost of all cities [yuan/yr], (S, Y+1, N)."""
        p = self._year_params()
        c0 = p["unit_abatement_cost"] * p["abatement_rate"] * self.city.air_emissions
        return self.cooperation * p["technology_cost"] * c0

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
    def compensation_paid(self) -> np.ndarray:
        """Per-tonne compensation paid by each city [yuan/yr], (S, Y+1, N)."""
        p = self._year_params()
        return compensation_payments(
            self.city, self.cooperation, p["compensation_coverage"],
            p["water_abatement_rate"], p["compensation_target"], self.compensation_prices)

    @property
    def compensation_received(self) -> np.ndarray:
        """Compensation received, shared by downstream cities by load reaching them [yuan/yr]."""
        w = self.city.water_transfer.copy()
        np.fill_diagonal(w, 0.0)
        share = np.divide(w, w.sum(axis=1, keepdims=True), out=np.zeros_like(w),
                          where=w.sum(axis=1, keepdims=True) > 0)
        return self.compensation_paid @ share

    @property
    def fiscal_transfer_states(self) -> np.ndarray:
        """Fiscal transfers aligned with recorded states [yuan/yr], (S, Y+1, N)."""
        idx = np.minimum(np.arange(self.n_years + 1), self.n_years - 1)
        return self.fiscal_transfer[:, idx]


def simulate(
    city: CityData,
    parameter_sets: Sequence[Mapping[str, float]] | Mapping[str, np.ndarray],
    intensity: np.ndarray | None = None,
    *,
    years: int = 30,
    start_year: int = 2026,
    levers: Sequence[str] = LEVER_NAMES,
    steps_per_year: int = 12,
    initial: np.ndarray | None = None,
    compensation_preset: str = "jiangsu-taihu",
    chunk_size: int = 512,
) -> Simulation:
    """Run the mean-field cooperation dynamics for a batch of scenarios.

    Parameters
    ----------
    city : CityData
        The region's cities.
    parameter_sets : sequence of mappings, or mapping of arrays
        S parameter sets (e.g. :class:`~coopgov.model.ModelParameters`), or
        already stacked arrays of shape (S,) per parameter.
    intensity : ndarray, shape (S, Y, L), optional
        Lever intensities in [0, 1]; zeros when omitted.
    years : int
        Horizon Y [yr].
    start_year : int
        Calendar year of the first step.
    levers : sequence of str
        Lever names along the last axis of ``intensity``.
    steps_per_year : int
        Integration steps per year (12: monthly).
    initial : ndarray, shape (S, N) or (N,), optional
        Initial propensities; ``initial_cooperation`` for every city when omitted.
    compensation_preset : str
        Per-tonne scheme whose prices the compensation lever uses.
    chunk_size : int
        Scenarios integrated together (memory and cache use; no effect on
        results beyond rounding, see :mod:`coopgov.dynamics.replicator`).

    Returns
    -------
    Simulation
    """
    if isinstance(parameter_sets, Mapping):
        stacked = {k: np.asarray(parameter_sets[k], float).reshape(-1) for k in PARAMETER_INFO}
    else:
        stacked = stack_parameters(parameter_sets)
    s_n = next(iter(stacked.values())).shape[0]
    n = city.n
    if intensity is None:
        intensity = np.zeros((s_n, years, len(levers)))
    intensity = np.asarray(intensity, dtype=float)
    if intensity.shape[:2] != (s_n, years):
        raise ValueError(f"intensity must have shape ({s_n}, {years}, {len(levers)})")
    params = apply_levers(stacked, intensity, levers)
    p3 = {k: v[:, :, None] for k, v in params.items()}

    # fiscal_transfers is linear in the fund up to the total need, where it is capped:
    # evaluate the rule once for the shares and the cap, then scale by each year's fund
    total_need, shares = city.fiscal_rule
    fund = np.minimum(params["fiscal_fund"], total_need)
    transfers = np.broadcast_to(fund[..., None] * shares, (s_n, years, n))
    prices = compensation_prices(compensation_preset)
    # payment when defecting minus payment when cooperating, both states at once
    states = np.array([0.0, 1.0]).reshape(2, 1, 1, 1)
    # payments are proportional to the coverage: evaluate the rule at full coverage
    paid = compensation_payments(city, states, 1.0, p3["water_abatement_rate"],
                                 p3["compensation_target"], prices)
    incentive = p3["compensation_coverage"] * (paid[0] - paid[1])
    incentive = np.broadcast_to(incentive, (s_n, years, n))

    if initial is None:
        x0 = np.broadcast_to(stacked["initial_cooperation"][:, None], (s_n, n))
    else:
        x0 = np.broadcast_to(np.asarray(initial, float), (s_n, n))
    decay = np.broadcast_to(params["agreement_decay"] * (1.0 - params["reciprocity"]),
                            (s_n, years))
    rate = np.broadcast_to(params["adjustment_rate"], (s_n, years))
    noise = np.broadcast_to(params["noise"], (s_n, years))
    traj = np.empty((s_n, years + 1, n))
    # Chunks keep the coefficient arrays small and the integrator's working
    # set in cache; results do not depend on the chunk size.
    for lo in range(0, s_n, chunk_size):
        sl = slice(lo, min(lo + chunk_size, s_n))
        ctx = ForceContext(city=city, params={k: v[sl] for k, v in p3.items()},
                           fiscal_transfer=transfers[sl], compensation_incentive=incentive[sl])
        coef = np.broadcast_to(affine_coefficients(ctx), (5, sl.stop - sl.start, years, n))
        traj[sl] = integrate_affine(
            x0[sl], coef, rate[sl], decay[sl], noise[sl],
            city.exposure_shares, city.neighbour_weights, steps_per_year=steps_per_year,
        )
    return Simulation(
        city=city, start_year=start_year, cooperation=traj, params=params,
        intensity=intensity, levers=tuple(levers), fiscal_transfer=transfers,
        compensation_incentive=incentive, compensation_prices=prices,
    )
