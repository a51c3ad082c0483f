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
    "kernel_footprint",
    "validate_transfer_matrix",
]

#: Share of a YRD city's PM2.5 from other YRD cities, counting YRD sources only,
#: in the one study that separates local, other-YRD and outside-YRD sources
#: for all 41 cities:
#:
#: * Gong et al. (2021), Sci. Total Environ. 779, 146619,
#:   doi:10.1016/j.scitotenv.2021.146619 (CMAQ source-oriented, 41 YRD cities,
#:   17 May–17 June 2018, i.e. the summer regime): local 25.3 %, other YRD
#:   cities 49.9 %, outside the YRD 24.8 % (41-city mean).  Counting YRD
#:   sources only: 49.9 / (25.3 + 49.9) = 0.664.
#:
#: This is one month of one year; the bundled kernel is calibrated against
#: several studies and seasons (:mod:`coopgov.region.apportionment`, the
#: table ``air_studies.csv`` of the region).  ``low``/``high`` bracket the
#: 41-city mean of that share in the model's summer regime (assumption:
#: ±0.1 around the study's mean).
LITERATURE_OUTSIDE_SHARE: dict[str, Any] = {
    "target": 0.664,
    "low": 0.564,
    "high": 0.764,
    "sources": [
        "Gong K. et al. (2021) Quantifying the impacts of inter-city transport on air "
        "quality in the Yangtze River Delta urban agglomeration, China. Sci. Total "
        "Environ. 779:146619, doi:10.1016/j.scitotenv.2021.146619 (abstract: local 25.3 %, "
        "other YRD 49.9 %, non-YRD 24.8 % of PM2.5, 17 May-17 June 2018)",
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
    primary_share : float
        Share of PM2.5 mass that is emitted as particles (primary) and
        travels with ``length_km`` [-]; the rest is secondary (formed from
        SO2, NOx, NH3, VOC on the way) and travels with
        ``secondary_length_ratio * length_km``.  1 = one scale (the default
        of the class); the bundled YRD kernel uses 0.365
        (:data:`coopgov.region.apportionment.PRIMARY_SHARE`).
    secondary_length_ratio : float
        Ratio of the secondary to the primary transport length [-] (1 = one
        scale; YRD: 515 / 92 = 5.60, Gong et al. 2021).
    """

    length_km: float = 100.0
    winter_weight: float = 0.5
    winter_from_deg: float = 315.0
    summer_from_deg: float = 135.0
    winter_strength: float = 0.6
    summer_strength: float = 0.4
    retention: float = 1.0
    primary_share: float = 1.0
    secondary_length_ratio: float = 1.0

    def to_dict(self) -> dict[str, float]:
        """Return the parameters as a plain mapping."""
        return asdict(self)


def _bearing_deg(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
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
    primary_share: float = AirKernel.primary_share,
    secondary_length_ratio: float = AirKernel.secondary_length_ratio,
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
    primary_share : float
        Share φ of PM2.5 that is primary, 0–1 [-]; 1 = one scale.
    secondary_length_ratio : float
        Secondary-to-primary length ratio ρ ≥ 1 [-].

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

    With two scales (primary and secondary PM2.5, Gong et al. 2021: the
    cities within 92 km give 60 % of primary, within 515 km 60 % of
    secondary PM2.5) the matrix is the mixture

    .. math:: T = \varphi\,T(L) + (1 - \varphi)\,T(\rho L),

    each term built as above (a mixture of row-bounded matrices is row-bounded).

    References
    ----------
    .. [1] Seinfeld, J. H., Pandis, S. N. (2016). Atmospheric Chemistry and
       Physics, 3rd ed., Wiley, ch. 18 (Gaussian/trajectory dispersion; the
       kernel here is a reduced, calibrated stand-in).
    .. [2] Gong, K. et al. (2021). Sci. Total Environ. 779, 146619
       (calibration target, see :data:`LITERATURE_OUTSIDE_SHARE`).
    """
    if not 0.0 <= primary_share <= 1.0:
        raise InputError("must lie in [0, 1]", field="primary_share", value=primary_share)
    if not secondary_length_ratio >= 1.0:
        raise InputError(
            "must be >= 1", field="secondary_length_ratio", value=secondary_length_ratio
        )
    kw = dict(
        winter_weight=winter_weight,
        winter_from_deg=winter_from_deg,
        summer_from_deg=summer_from_deg,
        winter_strength=winter_strength,
        summer_strength=summer_strength,
        retention=retention,
    )
    t = _one_scale(lon, lat, area_km2, length_km, **kw)
    if primary_share < 1.0:
        t = primary_share * t + (1.0 - primary_share) * _one_scale(
            lon, lat, area_km2, secondary_length_ratio * length_km, **kw
        )
    return t


def _wind_factor(
    theta_deg: NDArray[np.float64],
    winter_weight: float,
    winter_from_deg: float,
    summer_from_deg: float,
    winter_strength: float,
    summer_strength: float,
) -> NDArray[np.float64]:
    """Anisotropy factor of the kernel for a source-to-receptor bearing [-]."""
    th = np.deg2rad(theta_deg)
    down_w = np.deg2rad(winter_from_deg + 180.0)
    down_s = np.deg2rad(summer_from_deg + 180.0)
    return (
        1.0
        + winter_weight * winter_strength * np.cos(th - down_w)
        + (1.0 - winter_weight) * summer_strength * np.cos(th - down_s)
    )


def _one_scale(
    lon: ArrayLike,
    lat: ArrayLike,
    area_km2: ArrayLike,
    length_km: float,
    *,
    winter_weight: float,
    winter_from_deg: float,
    summer_from_deg: float,
    winter_strength: float,
    summer_strength: float,
    retention: float,
) -> NDArray[np.float64]:
    """One-scale kernel matrix (see :func:`air_transfer_matrix`)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    area = np.asarray(area_km2, dtype=float)
    if length_km <= 0:
        raise InputError("must be > 0", field="length_km", value=length_km)
    for name, v in (
        ("winter_weight", winter_weight),
        ("winter_strength", winter_strength),
        ("summer_strength", summer_strength),
        ("retention", retention),
    ):
        if not 0.0 <= v <= 1.0:
            raise InputError("must lie in [0, 1]", field=name, value=v)
    d = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    theta = _bearing_deg(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    wind = _wind_factor(
        theta, winter_weight, winter_from_deg, summer_from_deg, winter_strength, summer_strength
    )
    dens = np.exp(-d / length_km) / (2.0 * np.pi * length_km**2) * wind
    t = retention * area[None, :] * dens
    r = np.sqrt(area / np.pi)
    np.fill_diagonal(t, retention * (1.0 - (1.0 + r / length_km) * np.exp(-r / length_km)))
    rows = t.sum(axis=1)
    over = rows > retention
    if np.any(over):
        t[over] *= (retention / rows[over])[:, None]
    return t


def outside_share(transfer: ArrayLike, emissions: ArrayLike | None = None) -> NDArray[np.float64]:
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

    Examples
    --------
    Two cities: 0.2 of city 0's emissions reach city 1, 0.1 of city 1's reach
    city 0 (0.5 and 0.6 stay at home); equal emissions.

    >>> import numpy as np
    >>> t = np.array([[0.5, 0.2], [0.1, 0.6]])
    >>> [round(float(s), 4) for s in outside_share(t)]  # 0.1 / 0.6, 0.2 / 0.8
    [0.1667, 0.25]
    """
    t = np.asarray(transfer, dtype=float)
    e = np.ones(t.shape[0]) if emissions is None else np.asarray(emissions, dtype=float)
    contrib = t * e[:, None]
    total = contrib.sum(axis=0)
    local = np.diag(contrib)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (total - local) / total, 0.0)


def kernel_footprint(
    lon: ArrayLike,
    lat: ArrayLike,
    cell_lon: ArrayLike,
    cell_lat: ArrayLike,
    cell_area_km2: ArrayLike,
    *,
    length_km: float = AirKernel.length_km,
    winter_weight: float = AirKernel.winter_weight,
    winter_from_deg: float = AirKernel.winter_from_deg,
    summer_from_deg: float = AirKernel.summer_from_deg,
    winter_strength: float = AirKernel.winter_strength,
    summer_strength: float = AirKernel.summer_strength,
    retention: float = AirKernel.retention,
    primary_share: float = AirKernel.primary_share,
    secondary_length_ratio: float = AirKernel.secondary_length_ratio,
    chunk: int = 2048,
) -> NDArray[np.float64]:
    r"""Share of each receptor's kernel footprint that lies on given cells.

    Parameters
    ----------
    lon, lat : array_like, shape (N,)
        Receptor points, WGS84 [degrees].
    cell_lon, cell_lat : array_like, shape (M,)
        Centres of the source cells (e.g. land outside the region) [degrees].
    cell_area_km2 : array_like, shape (M,)
        Cell areas [km^2].
    length_km : float
        Primary transport length [km].
    winter_weight : float
        Weight of the winter regime, 0–1 [-].
    winter_from_deg, summer_from_deg : float
        Prevailing wind directions (blowing *from*) [degrees from north].
    winter_strength, summer_strength : float
        Anisotropy of each regime, 0–1 [-].
    retention : float
        Share of emissions entering regional transport, 0–1 [-].
    primary_share : float
        Share of PM2.5 that is primary, 0–1 [-].
    secondary_length_ratio : float
        Secondary-to-primary length ratio ≥ 1 [-].
    chunk : int
        Cells handled at a time (memory bound).

    Returns
    -------
    ndarray, shape (N,)
        :math:`f_j = \rho \sum_c A_c\,p(d_{cj}, \theta_{cj})` [-], the
        concentration a unit emission density spread over the cells gives at
        *j*, relative to the same density over the whole plane (which gives
        ρ, since the kernel integrates to one).  It lies in [0, ρ] up to the
        midpoint quadrature of the cells.

    Notes
    -----
    Same kernel as :func:`air_transfer_matrix` (two scales when
    ``primary_share < 1``), read from the receptor: how much of what
    arrives at *j* would come from the cells if every place emitted alike.
    Used to give the share of PM2.5 transported from outside the YRD a
    spatial pattern (:func:`coopgov.region.apportionment.outside_yrd_shares`).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    clon = np.asarray(cell_lon, dtype=float)
    clat = np.asarray(cell_lat, dtype=float)
    carea = np.asarray(cell_area_km2, dtype=float)
    if not (clon.shape == clat.shape == carea.shape):
        raise InputError(
            "cell_lon, cell_lat and cell_area_km2 must have one shape", field="cell_area_km2"
        )
    if np.any(carea < 0) or not np.all(np.isfinite(carea)):
        raise InputError("cell areas must be finite and >= 0", field="cell_area_km2")
    scales = [(1.0, length_km)]
    if primary_share < 1.0:
        scales = [
            (primary_share, length_km),
            (1.0 - primary_share, secondary_length_ratio * length_km),
        ]
    out = np.zeros(lon.size)
    for k in range(0, clon.size, chunk):
        sl = slice(k, k + chunk)
        d = haversine_km(clon[sl, None], clat[sl, None], lon[None, :], lat[None, :])
        theta = _bearing_deg(clon[sl, None], clat[sl, None], lon[None, :], lat[None, :])
        wind = _wind_factor(
            theta, winter_weight, winter_from_deg, summer_from_deg, winter_strength, summer_strength
        )
        for w, length in scales:
            dens = np.exp(-d / length) / (2.0 * np.pi * length**2) * wind
            out += w * (carea[sl, None] * dens).sum(axis=0)
    return retention * out


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
        raise InputError(
            "target outside share cannot be reached in the length bounds",
            field="target",
            value=target,
        )
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
        raise InputError(f"transfer matrix has {t.shape[0]} rows, region has {n} cities", file=file)
    bad = ~np.isfinite(t)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise InputError(
            "must be a finite number",
            file=file,
            row=i + 1,
            field=f"column {j + 1}",
            value=float(t[i, j]),
        )
    neg = t < 0
    if neg.any():
        i, j = map(int, np.argwhere(neg)[0])
        raise InputError(
            "share must be >= 0",
            file=file,
            row=i + 1,
            field=f"column {j + 1}",
            value=float(t[i, j]),
        )
    rows = t.sum(axis=1)
    over = np.flatnonzero(rows > 1.0 + atol)
    if over.size:
        i = int(over[0])
        raise InputError(
            "shares in the row sum to more than 1",
            file=file,
            row=i + 1,
            field="row sum",
            value=float(rows[i]),
        )
    t.setflags(write=False)
    return t
