"""City data the model needs, as arrays, derived from a :class:`Region`.

The model never reads files: it receives a :class:`CityData` built from any
region-like object (attributes ``cities``, ``emissions``, ``air_transfer``,
``water_transfer``, ``adjacency``) or directly from arrays, which is how
tests and synthetic regions use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import Any

import numpy as np

from coopgov.errors import InputError

__all__ = ["CityData", "city_data"]


def _frozen(a: Any, dtype: Any = float) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class CityData:
    """Per-city arrays of one region (N cities).

    Attributes
    ----------
    adcode : ndarray of int, shape (N,)
    name : ndarray of str, shape (N,)
        English names (for labels).
    population : ndarray, shape (N,)
        Resident population [persons].
    gdp : ndarray, shape (N,)
        Gross domestic product [yuan/yr].
    secondary_share : ndarray, shape (N,)
        Share of secondary industry in GDP [1].
    budget_revenue : ndarray, shape (N,)
        General public budget revenue [yuan/yr].
    air_emissions : ndarray, shape (N,)
        SO2 + NOx + particulate matter emission base [t/yr].
    water_loads : ndarray, shape (N, 2)
        COD and NH3-N load base [t/yr].
    air_transfer : ndarray, shape (N, N)
        Source–receptor matrix, ``T[i, j]`` share of i's emissions reaching j [1].
    water_transfer : ndarray, shape (N, N)
        River transfer matrix, share of i's load reaching j [1].
    adjacency : ndarray of bool, shape (N, N)
        Shared land border.
    river_links : ndarray of int, shape (K, 2), optional
        Direct river links (upstream, downstream) as city indices; when
        omitted, every pair with water transfer between two cities.
    province : ndarray of str, shape (N,), optional
        Province of each city (English name), for levers in force in part of
        the region.
    outside_share : ndarray, shape (N,), optional
        Share of each city's PM2.5 transported from outside the region [1], in
        [0, 1) (``Region.outside_share``; zeros when omitted or empty).  Abatement inside
        the region cannot reduce it.
    """

    adcode: np.ndarray
    name: np.ndarray
    population: np.ndarray
    gdp: np.ndarray
    secondary_share: np.ndarray
    budget_revenue: np.ndarray
    air_emissions: np.ndarray
    water_loads: np.ndarray
    air_transfer: np.ndarray
    water_transfer: np.ndarray
    adjacency: np.ndarray
    river_links: np.ndarray | None = None
    province: np.ndarray | None = None
    outside_share: np.ndarray = dataclass_field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        n = self.adcode.shape[0]
        if np.size(self.outside_share) == 0:  # omitted: no transport from outside
            object.__setattr__(self, "outside_share", _frozen(np.zeros(n)))
        out = np.asarray(self.outside_share, dtype=float)
        if out.shape != (n,):
            raise InputError(f"expected shape ({n},), got {out.shape}", field="outside_share")
        bad = np.flatnonzero(~np.isfinite(out) | (out < 0) | (out >= 1))
        if bad.size:
            raise InputError(
                "must lie in [0, 1)",
                row=int(bad[0]) + 1,
                field="outside_share",
                value=float(out[bad[0]]),
            )
        for field in ("population", "gdp", "secondary_share", "budget_revenue", "air_emissions"):
            arr = getattr(self, field)
            if arr.shape != (n,):
                raise InputError(f"expected shape ({n},), got {arr.shape}", field=field)
            bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
            if bad.size:
                raise InputError(
                    "must be finite and >= 0",
                    row=int(bad[0]) + 1,
                    field=field,
                    value=float(arr[bad[0]]),
                )
        if np.any(self.air_emissions <= 0):
            i = int(np.flatnonzero(self.air_emissions <= 0)[0])
            raise InputError(
                "air emission base must be > 0 (the model is normalised by the abatement cost)",
                row=i + 1,
                field="air_emissions",
                value=float(self.air_emissions[i]),
            )
        for field in ("air_transfer", "water_transfer", "adjacency"):
            if getattr(self, field).shape != (n, n):
                raise InputError(f"expected shape ({n}, {n})", field=field)

    @property
    def n(self) -> int:
        """Number of cities."""
        return int(self.adcode.shape[0])

    @cached_property
    def fiscal_capacity(self) -> np.ndarray:
        """Budget revenue per head relative to the regional mean per head [1]."""
        per_head = self.budget_revenue / self.population
        return per_head / (self.budget_revenue.sum() / self.population.sum())

    @cached_property
    def population_relative(self) -> np.ndarray:
        """Population relative to the regional mean [1]."""
        return self.population / self.population.mean()

    @cached_property
    def secondary_relative(self) -> np.ndarray:
        """Secondary-industry share relative to the regional mean [1]."""
        return self.secondary_share / self.secondary_share.mean()

    @cached_property
    def exposure_shares(self) -> np.ndarray:
        r"""``P0[j, i]``: share of receptor i's regional PM2.5 that comes from j [1].

        .. math:: P0_{ji} = T_{ji} E_j / \\sum_k T_{ki} E_k
        """
        contrib = self.air_transfer * self.air_emissions[:, None]
        total = contrib.sum(axis=0)
        return np.divide(
            contrib, total[None, :], out=np.zeros_like(contrib), where=total[None, :] > 0
        )

    @cached_property
    def water_exposure_shares(self) -> np.ndarray:
        r"""``PW[j, i]``: share of the water load reaching city i that comes from j [1].

        Every city receives its own load; upstream loads arrive along the river
        network (``water_transfer``):

        .. math:: PW_{ji} = \tilde T_{ji} L_j / \sum_k \tilde T_{ki} L_k, \quad
                  \tilde T = T_w \text{ with unit diagonal}

        with ``L`` the COD + NH3-N load [t/yr].
        """
        t = np.array(self.water_transfer, dtype=float)
        np.fill_diagonal(t, 1.0)
        contrib = t * self.water_loads.sum(axis=1)[:, None]
        total = contrib.sum(axis=0)
        return np.divide(
            contrib, total[None, :], out=np.zeros_like(contrib), where=total[None, :] > 0
        )

    @cached_property
    def river_link_matrix(self) -> np.ndarray:
        """``E[u, d] = 1`` for each direct river link from city u to city d [1]."""
        e = np.zeros((self.n, self.n))
        if self.river_links is not None:
            links = np.asarray(self.river_links, dtype=np.int64).reshape(-1, 2)
        else:
            w = np.array(self.water_transfer, dtype=float)
            np.fill_diagonal(w, 0.0)
            links = np.argwhere(w > 0)
        e[links[:, 0], links[:, 1]] = 1.0
        e.setflags(write=False)
        return e

    @cached_property
    def water_load_total(self) -> np.ndarray:
        """COD + NH3-N load of each city [t/yr]."""
        return self.water_loads.sum(axis=1)

    @cached_property
    def neighbour_weights(self) -> np.ndarray:
        """Row-normalised adjacency ``W`` (rows of isolated cities are zero) [1]."""
        adj = self.adjacency.astype(float)
        deg = adj.sum(axis=1, keepdims=True)
        return np.divide(adj, deg, out=np.zeros_like(adj), where=deg > 0)

    @cached_property
    def has_neighbours(self) -> np.ndarray:
        """True for cities with at least one neighbour."""
        return np.asarray(self.adjacency.any(axis=1))

    @cached_property
    def fiscal_rule(self) -> tuple[float, np.ndarray]:
        """Total need and shares of a fiscal-transfer fund among weak governments.

        From :func:`coopgov.compensation.fiscal.fiscal_transfers` (transfers to
        governments below the population-weighted mean revenue per head): the
        rule is linear in the fund up to the total need [yuan/yr], where it
        is capped; ``shares`` [1] sum to 1 over the qualifying cities.
        """
        from coopgov.compensation.fiscal import fiscal_need, fiscal_transfers

        rev = self.budget_revenue / self.population
        need = float(fiscal_need(rev, self.population).sum())
        shares = fiscal_transfers(rev, self.population, 1.0, cap_at_need=False)
        return need, shares

    @cached_property
    def force_constants(self) -> dict[str, np.ndarray]:
        """Region-constant factors of the force terms, each shape (N,), read-only.

        ``gdp_reducible_per_e`` GDP (1 − o) / E [yuan/t], ``gdp_per_e``
        GDP / E [yuan/t], ``water_load_per_e`` L / E [1], ``p0_diag`` and
        ``pw_diag`` the diagonals of the exposure shares [1],
        ``fiscal_weight`` max(1/k − 1, 0) [1], ``population_relative``,
        ``secondary_relative`` [1], ``air_emissions`` E [t/yr] and
        ``river_links_out`` the number of river links to downstream cities;
        used by :func:`coopgov.model.forces.affine_coefficients` and the
        engine's compensation incentive (E air emission
        base, o outside share, L water load, k fiscal capacity).  Computed
        once per instance: the fields are read-only arrays of a frozen object.
        """
        e = self.air_emissions
        out = {
            "gdp_reducible_per_e": self.gdp * (1.0 - self.outside_share) / e,
            "gdp_per_e": self.gdp / e,
            "water_load_per_e": self.water_load_total / e,
            "p0_diag": np.diagonal(self.exposure_shares).copy(),
            "pw_diag": np.diagonal(self.water_exposure_shares).copy(),
            "fiscal_weight": np.maximum(1.0 / self.fiscal_capacity - 1.0, 0.0),
            "population_relative": np.array(self.population_relative, dtype=float),
            "secondary_relative": np.array(self.secondary_relative, dtype=float),
            "air_emissions": np.array(e, dtype=float),
            "river_links_out": self.river_link_matrix.sum(axis=1),
        }
        for v in out.values():
            v.setflags(write=False)
        return out

    @cached_property
    def outflow_share(self) -> np.ndarray:
        """Share of a city's water load that reaches other cities downstream [1]."""
        w = self.water_transfer.copy()
        np.fill_diagonal(w, 0.0)
        return np.clip(w.sum(axis=1), 0.0, 1.0)


def city_data(region: Any) -> CityData:
    """Build :class:`CityData` from a :class:`coopgov.region.Region`.

    Parameters
    ----------
    region : Region
        Needs ``cities`` (adcode, name_en, population, gdp, secondary_share,
        budget_revenue), ``emissions`` (so2, nox, pm, cod, nh3n [t/yr]),
        ``air_transfer``, ``water_transfer`` and ``adjacency``.

    Examples
    --------
    >>> from coopgov.region import load_region
    >>> city = city_data(load_region("yrd"))
    >>> city.n, city.air_transfer.shape, int(city.adcode[0])
    (41, (41, 41), 310100)
    """
    cities = region.cities
    em = region.emissions
    links = None
    edges = getattr(region, "river_edges", None)
    if edges is not None and len(edges):
        row = {int(a): k for k, a in enumerate(cities["adcode"])}
        links = np.array(
            [
                (row[int(u)], row[int(d)])
                for u, d in zip(edges["upstream"], edges["downstream"], strict=True)
                if int(u) in row and int(d) in row and int(u) != int(d)
            ],
            dtype=np.int64,
        ).reshape(-1, 2)
    return CityData(
        adcode=_frozen(cities["adcode"], int),
        name=_frozen(cities["name_en"], object),
        population=_frozen(cities["population"]),
        gdp=_frozen(cities["gdp"]),
        secondary_share=_frozen(cities["secondary_share"]),
        budget_revenue=_frozen(cities["budget_revenue"]),
        air_emissions=_frozen(np.asarray(em["so2"]) + np.asarray(em["nox"]) + np.asarray(em["pm"])),
        water_loads=_frozen(np.column_stack([em["cod"], em["nh3n"]])),
        air_transfer=_frozen(region.air_transfer),
        water_transfer=_frozen(region.water_transfer),
        adjacency=_frozen(region.adjacency, bool),
        river_links=None if links is None else _frozen(links, np.int64),
        province=_frozen(cities["province"], object) if "province" in cities else None,
        outside_share=_frozen(
            np.zeros(0) if getattr(region, "outside_share", None) is None else region.outside_share
        ),
    )
