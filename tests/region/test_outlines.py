"""Outlines for maps, from the bundled boundaries."""

import numpy as np

from coopgov.region import load_region
from coopgov.region.outlines import outline_paths


def test_every_city_has_an_outline_within_the_region():
    region = load_region("yrd")
    paths = outline_paths(region.boundaries_path)
    assert set(paths) == set(int(a) for a in region.adcodes)
    for xs, ys in paths.values():
        assert len(xs) == len(ys) and xs[-1] is None
        lon = np.array([v for v in xs if v is not None])
        lat = np.array([v for v in ys if v is not None])
        # YRD lies within 114-124 E, 27-36 N (WGS84)
        assert lon.min() > 114 and lon.max() < 124 and lat.min() > 27 and lat.max() < 36
    # Shanghai's centroid lies inside its own outline's bounding box
    xs, ys = paths[310100]
    lon = [v for v in xs if v is not None]
    lat = [v for v in ys if v is not None]
    cx, cy = region.cities.loc[region.index_of(310100), ["lon", "lat"]]
    assert min(lon) < cx < max(lon) and min(lat) < cy < max(lat)
