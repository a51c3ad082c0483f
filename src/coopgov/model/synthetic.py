"""Synthetic regions of any size, for tests, benchmarks and teaching.

Figures are drawn at random within ranges typical of YRD prefecture-level
cities and are **synthetic**: never use them as data.
"""

from __future__ import annotations

import numpy as np

from coopgov.model.cities import CityData

__all__ = ["synthetic_city_data"]


def synthetic_city_data(n: int = 41, seed: int = 0, *, length_scale_km: float = 80.0) -> CityData:
    """A synthetic region of ``n`` cities on a square of about 400 km.

    Air transfer: exponential distance kernel ``exp(−d/L)`` normalised so
    that each row keeps 60 % of the emissions in the region (the rest
    leaves); adjacency: the k = 4 nearest cities, made symmetric; one river
    along the x-axis ordering, each city passing 50 % of its load to the
    next downstream.
    """
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0.0, 400.0, size=(n, 2))
    d = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=-1)
    kernel = np.exp(-d / length_scale_km)
    air = 0.6 * kernel / kernel.sum(axis=1, keepdims=True)
    k = min(4, n - 1)
    adj = np.zeros((n, n), dtype=bool)
    if k > 0:
        nearest = np.argsort(d, axis=1)[:, 1 : k + 1]
        adj[np.repeat(np.arange(n), k), nearest.ravel()] = True
        adj |= adj.T
    order = np.argsort(pos[:, 0])
    water = np.eye(n)
    for a, b in zip(order[:-1], order[1:], strict=False):
        water[a, b] = 0.5
    population = rng.uniform(1.5e6, 1.2e7, n)
    gdp = population * rng.uniform(5e4, 1.8e5, n)
    return CityData(
        adcode=np.arange(100000, 100000 + n),
        name=np.array([f"City {i}" for i in range(n)], dtype=object),
        population=population,
        gdp=gdp,
        secondary_share=rng.uniform(0.3, 0.55, n),
        budget_revenue=gdp * rng.uniform(0.06, 0.12, n),
        air_emissions=gdp * rng.uniform(2e-7, 8e-7, n),
        water_loads=np.column_stack([gdp * 2e-7, gdp * 2e-8]),
        air_transfer=air,
        water_transfer=water,
        adjacency=adj,
    )
