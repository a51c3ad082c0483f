"""Air source–receptor transfer matrices.

``T[i, j]`` is the share of city *i*'s emissions that reaches city *j*
(as a contribution to *j*'s concentration, in the linear source–receptor
sense).  Rows sum to at most 1: the rest leaves the region or deposits.

The default matrix comes from a documented transport kernel (distance decay
with a seasonal prevailing-wind term) whose length scale is calibrated so
that the mean share of a city's PM2.5 that comes from outside its own
boundary matches the chemical-transport-model literature for the YRD.  A
user may load any matrix instead (:func:`validate_transfer_matrix` checks it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError
from coopgov.region.geodesy import EARTH_MEAN_RADIUS_KM, haversine_km

__all__ = [
    "AirKernel",
    "LITERATURE_OUTSIDE_SHARE",
    "air_transfer_matrix",
    "outside_share",
    "calibrate_length_scale",
    "validate_transfer_matrix",
]

#: Share of a YRD city's PM2.5 coming from outside its own boundary, as
#: reported by source-apportionment chemical-transport-model studies.
#:
#: * Gong et al. (2021), Sci. Total Environ. 779, 146619,
#:   doi:10.1016/j.scitotenv.2021.146619 (CMAQ, 41 YRD cities, 17 May–17 June
#:   2018): local 25.3 %, other YRD cities 49.9 %, outside the YRD 24.8 %.
#:   Counting only YRD sources (as a YRD-only matrix does), the non-local
#:   share is 49.9 / (25.3 + 49.9) = 0.664.
#: * CMAQ-ISAM study of Shanghai, Hangzhou, Nanjing, Hefei for 2018, Journal
#:   of Beijing Normal University (Natural Science),
#:   doi:10.12202/j.0476-0301.2021019: local emissions 37.1–53.3 % in spring
#:   and 44.1–64.7 % in summer (so 35–63 % from outside the city); transport
#:   dominates in winter.
#:
#: The range [0.45, 0.75] brackets these; the calibration target is 0.664.
LITERATURE_OUTSIDE_SHARE: dict[str, Any] = {
    "target": 0.664,
    "low": 0.45,
    "high": 0.75,
    "sources": [
        "Gong K. et al. (2021) Quantifying the impacts of inter-city transport on air "
        "quality in the Yangtze River Delta urban agglomeration, China. Sci. Total "
        "Environ. 779:146619, doi:10.1016/j.scitotenv.2021.146619 (abstract: local 25.3 %, "
        "other YRD 49.9 %, non-YRD 24.8 % of PM2.5)",
        "Sourcing PM2.5 in cities in the Yangtze River Delta by CMAQ-ISAM, J. Beijing "
        "Normal Univ. (Nat. Sci.), doi:10.12202/j.0476-0301.2021019 (abstract: local "
        "share 37.1-53.3 % spring, 44.1-64.7 % summer, 2018)",
    ],
}


@dataclass(frozen=True)
class AirKernel:
    """Parameters of the transport kernel (all of them assumptions).

    Attributes
    ----------
    length_km : float
        e-folding length of the exponential distance decay [km].
        Calibrated (:func:`calibrate_length_scale`); the default is a
        round starting value (assumption).
    winter_weight : float
        Weight of the winter monsoon regime in the annual mix [-]
        (assumption: 0.5, i.e. October–March of a year; winter also
        carries most of the annual PM2.5 load, which a larger weight
        expresses).
    winter_from_deg : float
        Direction the winter prevailing wind blows *from* [degrees from
        north, clockwise]; 315 = north-westerly (East Asian winter monsoon).
    summer_from_deg : float
        Direction the summer prevailing wind blows from [degrees]; 135 =
        south-easterly (East Asian summer monsoon).
    winter_strength, summer_strength : float
        Anisotropy of each regime, 0 (isotropic) to 1 (nothing upwind)
        [-] (assumptions: 0.6 and 0.4; the winter monsoon is the steadier).
    retention : float
        Share of emissions that takes part in the regional transport at all
        (the rest deposits at once or is lost) [-] (assumption: 1).
    """

    length_km: float = 100.0
    winter_weight: float = 0.5
    winter_from_deg: float = 315.0
    summer_from_deg: float = 135.0
    winter_strength: float = 0.6
    summer_strength: float = 0.4
    retention: float = 1.0

    def to_dict(self) -> dict[str, float]:
        """Return the parameters as a plain mapping."""
        return asdict(self)


def _bearing_deg(
    lon1: NDArray[np.float64], lat1: NDArray[np.float64],
    lon2: NDArray[np.float64], lat2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return the initial great-circle bearing from point 1 to point 2 [degrees]."""
    p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dl = np.deg2rad(lon2 - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.rad2deg(np.arctan2(y, x)) % 360.0


def air_transfer_matrix(
    lon: ArrayLike,
    lat: ArrayLike,
    area_km2: ArrayLike,
    *,
    length_km: float = AirKernel.length_km,
    winter_weight: float = AirKernel.winter_weight,
    winter_from_deg: float = AirKernel.winter_from_deg,
    summer_from_deg: float = AirKernel.summer_from_deg,
    winter_strength: float = AirKernel.winter_strength,
    summer_strength: float = AirKernel.summer_strength,
    retention: float = AirKernel.retention,
) -> NDArray[np.float64]:
    r"""Source–receptor transfer matrix from a distance–wind kernel.

    Parameters
    ----------
    lon, lat : array_like, shape (N,)
        City centroids, WGS84 [degrees].
    area_km2 : array_like, shape (N,)
        City areas [km^2]; a larger receptor intercepts more of a plume.
    length_km : float
        e-folding transport length [km] (calibrated; assumption).
    winter_weight : float
        Weight of the winter regime in the annual mix, 0–1 [-].
    winter_from_deg, summer_from_deg : float
        Prevailing wind directions (blowing *from*) [degrees from north].
    winter_strength, summer_strength : float
        Anisotropy of each regime, 0–1 [-].
    retention : float
        Share of emissions entering regional transport, 0–1 [-].

    Returns
    -------
    ndarray, shape (N, N)
        ``T[i, j]``, share of i's emissions reaching j [-]; non-negative,
        rows sum to at most ``retention``.

    Notes
    -----
    Emissions of city *i* spread over the plane with the density (per km²)

    .. math::

        p(d, \theta) = \frac{e^{-d/L}}{2\pi L^2}\,
        \bigl[1 + w\,\beta_w \cos(\theta - \theta_w) +
        (1-w)\,\beta_s\cos(\theta - \theta_s)\bigr],

    which integrates to one (the cosine terms integrate to zero); θ is the
    bearing from source to receptor and :math:`\theta_w = 315° + 180°`,
    :math:`\theta_s = 135° + 180°` the downwind directions.  The receptor
    *j* ≠ *i* receives :math:`T_{ij} = \rho\,A_j\,p(d_{ij}, \theta_{ij})`;
    the source city keeps what falls inside its equal-area disc of radius
    :math:`r_i = \sqrt{A_i/\pi}`,

    .. math:: T_{ii} = \rho\,[1 - (1 + r_i/L)\,e^{-r_i/L}].

    The point approximation of an off-diagonal term can overshoot for very
    close large neighbours; any row whose sum would exceed ρ is scaled down
    to ρ, so rows never exceed one.  The remainder of each row (sea, other
    provinces, deposition) leaves the region.

    References
    ----------
    .. [1] Seinfeld, J. H., Pandis, S. N. (2016). Atmospheric Chemistry and
       Physics, 3rd ed., Wiley, ch. 18 (Gaussian/trajectory dispersion; the
       kernel here is a reduced, calibrated stand-in).
    .. [2] Gong, K. et al. (2021). Sci. Total Environ. 779, 146619
       (calibration target, see :data:`LITERATURE_OUTSIDE_SHARE`).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    area = np.asarray(area_km2, dtype=float)
    if length_km <= 0:
        raise InputError("must be > 0", field="length_km", value=length_km)
    for name, v in (("winter_weight", winter_weight), ("winter_strength", winter_strength),
                    ("summer_strength", summer_strength), ("retention", retention)):
        if not 0.0 <= v <= 1.0:
            raise InputError("must lie in [0, 1]", field=name, value=v)
    d = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    theta = _bearing_deg(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    down_w = np.deg2rad(winter_from_deg + 180.0)
    down_s = np.deg2rad(summer_from_deg + 180.0)
    th = np.deg2rad(theta)
    wind = (1.0 + winter_weight * winter_strength * np.cos(th - down_w)
            + (1.0 - winter_weight) * summer_strength * np.cos(th - down_s))
    dens = np.exp(-d / length_km) / (2.0 * np.pi * length_km**2) * wind
    t = retention * area[None, :] * dens
    r = np.sqrt(area / np.pi)
    np.fill_diagonal(t, retention * (1.0 - (1.0 + r / length_km) * np.exp(-r / length_km)))
    rows = t.sum(axis=1)
    over = rows > retention
    if np.any(over):
        t[over] *= (retention / rows[over])[:, None]
    return t


def outside_share(
    transfer: ArrayLike, emissions: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Share of each receptor's concentration that comes from other cities.

    Parameters
    ----------
    transfer : array_like, shape (N, N)
        Transfer matrix ``T[i, j]`` [-].
    emissions : array_like, shape (N,), optional
        Emissions of each source [any mass/time unit]; equal emissions if
        omitted.

    Returns
    -------
    ndarray, shape (N,)
        :math:`\sum_{i \ne j} T_{ij}E_i / \sum_i T_{ij}E_i` [-].
    """
    t = np.asarray(transfer, dtype=float)
    e = np.ones(t.shape[0]) if emissions is None else np.asarray(emissions, dtype=float)
    contrib = t * e[:, None]
    total = contrib.sum(axis=0)
    local = np.diag(contrib)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (total - local) / total, 0.0)


def calibrate_length_scale(
    lon: ArrayLike,
    lat: ArrayLike,
    area_km2: ArrayLike,
    emissions: ArrayLike,
    *,
    target: float = LITERATURE_OUTSIDE_SHARE["target"],
    bounds_km: tuple[float, float] = (1.0, 2.0 * np.pi * EARTH_MEAN_RADIUS_KM / 4),
    **kernel: float,
) -> float:
    """Length scale that gives a target mean outside-boundary share.

    Parameters
    ----------
    lon, lat : array_like, shape (N,)
        Centroids [degrees].
    area_km2 : array_like, shape (N,)
        Areas [km^2].
    emissions : array_like, shape (N,)
        Emission weights of the sources [t/yr].
    target : float
        Mean over receptors of :func:`outside_share` [-].
    bounds_km : tuple of float
        Search interval of the length scale [km].
    **kernel
        Other :func:`air_transfer_matrix` parameters.

    Returns
    -------
    float
        Length scale ``L`` [km] with ``mean(outside_share(T(L), E)) = target``.

    Notes
    -----
    The mean outside share rises monotonically with ``L`` (a longer
    kernel carries more of each city's emissions beyond its disc), so a
    bracketing root finder (Brent) solves it.
    """
    kernel.pop("length_km", None)

    def gap(length: float) -> float:
        t = air_transfer_matrix(lon, lat, area_km2, length_km=length, **kernel)
        return float(outside_share(t, emissions).mean()) - target

    lo, hi = bounds_km
    if gap(lo) > 0 or gap(hi) < 0:
        raise InputError("target outside share cannot be reached in the length bounds",
                         field="target", value=target)
    from scipy.optimize import brentq  # imported here: loading a region needs no scipy

    return float(brentq(gap, lo, hi, xtol=1e-6))


def validate_transfer_matrix(
    transfer: ArrayLike,
    *,
    file: str | Path | None = None,
    n: int | None = None,
    atol: float = 1e-9,
) -> NDArray[np.float64]:
    """Check a source–receptor matrix and return it as a read-only array.

    Parameters
    ----------
    transfer : array_like, shape (N, N)
        Candidate ``T[i, j]`` [-].
    file : str or Path, optional
        Where it came from (named in errors).
    n : int, optional
        Expected number of cities.
    atol : float
        Tolerance on row sums above one [-].

    Returns
    -------
    ndarray
        The matrix (float64, read-only).

    Raises
    ------
    InputError
        Not square, wrong size, non-finite or negative entries, or a row
        whose shares sum to more than one; rows are reported 1-based.
    """
    try:
        t = np.array(transfer, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"not a numeric matrix ({exc})", file=file) from None
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise InputError(f"transfer matrix must be square, got shape {t.shape}", file=file)
    if n is not None and t.shape[0] != n:
        raise InputError(f"transfer matrix has {t.shape[0]} rows, region has {n} cities",
                         file=file)
    bad = ~np.isfinite(t)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise InputError("must be a finite number", file=file, row=i + 1,
                         field=f"column {j + 1}", value=float(t[i, j]))
    neg = t < 0
    if neg.any():
        i, j = map(int, np.argwhere(neg)[0])
        raise InputError("share must be >= 0", file=file, row=i + 1,
                         field=f"column {j + 1}", value=float(t[i, j]))
    rows = t.sum(axis=1)
    over = np.flatnonzero(rows > 1.0 + atol)
    if over.size:
        i = int(over[0])
        raise InputError("shares in the row sum to more than 1", file=file, row=i + 1,
                         field="row sum", value=float(rows[i]))
    t.setflags(write=False)
    return t
