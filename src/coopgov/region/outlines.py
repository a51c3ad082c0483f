"""City and province outlines from a region's GeoJSON, ready for plotting.

Shared by every map coopgov draws (run report, experiment report): outlines
are drawn as filled paths on plain longitude/latitude axes, so maps need no
base-map tiles or topology files from the network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

__all__ = ["outline_paths"]


@lru_cache(maxsize=8)
def _paths(path: str) -> dict[int, tuple[tuple[float | None, ...], tuple[float | None, ...]]]:
    gj = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[int, tuple[tuple[float | None, ...], tuple[float | None, ...]]] = {}
    for k, feat in enumerate(gj["features"]):
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for poly in polys:
            for ring in poly:
                xs.extend([pt[0] for pt in ring] + [None])
                ys.extend([pt[1] for pt in ring] + [None])
        key = int(feat.get("properties", {}).get("adcode", k))
        out[key] = (tuple(xs), tuple(ys))
    return out


def outline_paths(path: str | Path) -> dict[int, tuple[list[float | None], list[float | None]]]:
    """Outline of each feature of a GeoJSON file as x/y lists, keyed by ``adcode``.

    Parameters
    ----------
    path : str or Path
        GeoJSON (WGS84) whose features carry an ``adcode`` property (features
        without one are numbered in file order).

    Returns
    -------
    dict of int to (list, list)
        Longitudes and latitudes [degrees] of every ring of the feature,
        rings separated by ``None`` (the path break plotting libraries use).
    """
    return {k: (list(xs), list(ys)) for k, (xs, ys) in _paths(str(path)).items()}
