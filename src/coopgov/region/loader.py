"""Load a region (cities, neighbours, emissions, transfer matrices) from files.

A region is a folder:

=====================  ========  ===============================================
file                   needed    content
=====================  ========  ===============================================
``cities.csv``         yes       one row per city: adcode, name_zh, name_en,
                                 province, lon, lat, area_km2, population, gdp,
                                 secondary_share, budget_revenue (and
                                 optionally the emission columns so2, nox, pm,
                                 cod, nh3n)
``adjacency.csv``      yes       edge list ``a,b[,kind,...]`` (undirected), or a
                                 square 0/1 matrix with an ``adcode`` column
                                 and one column per adcode
``emissions.csv``      no*       adcode, so2, nox, pm, cod, nh3n [t/yr]
                                 (*unless cities.csv has those columns)
``transfer.csv``       no        air matrix: ``adcode`` column + one column per
                                 receptor adcode, or long ``source,receptor,
                                 share``; else the kernel of ``region.toml``
``rivers.csv``         no        upstream, downstream (adcodes), river, decay
                                 [, share, source]
``region.toml``        no        name, ``[air_kernel]`` parameters, options
``sources.toml``       no        provenance: key = citation
``river_outlets.csv``  no        adcode, outlet, river, share [, source]: where a
                                 city's water load leaves the network (sea, bay)
``statistics.csv``     no        per-figure provenance: adcode, field, value,
                                 unit, year, status (one of
                                 :data:`PROVENANCE_STATUSES`), source, note
``boundaries.geojson`` no        simplified city polygons (WGS84)
``air_outside.csv``    no        adcode, outside_share [-]: share of a city's
                                 PM2.5 transported from outside the region
                                 (zeros when absent)
=====================  ========  ===============================================

Every error is an :class:`coopgov.errors.InputError` naming file, row, field
and value.  The row is the **line of the file** as an editor shows it: the
first line (header or comment) is row 1, and blank and ``#`` comment lines
count (as everywhere in coopgov, :mod:`coopgov.tabular`).  A matrix's header
labels are named by the header's line and ``column K`` (K-th column of the
file).
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coopgov.errors import InputError
from coopgov.io import read_text
from coopgov.region.air import AirKernel, air_transfer_matrix, validate_transfer_matrix
from coopgov.region.water import water_transfer_matrix
from coopgov.tabular import integer_key, read_matrix, read_rows

__all__ = [
    "Region",
    "load_region",
    "bundled_regions",
    "CITY_COLUMNS",
    "POLLUTANTS",
    "PROVENANCE_STATUSES",
]

#: Required columns of ``cities.csv`` and their kind.
CITY_COLUMNS: dict[str, str] = {
    "adcode": "int",
    "name_zh": "str",
    "name_en": "str",
    "province": "str",
    "lon": "float",
    "lat": "float",
    "area_km2": "float+",
    "population": "float+",
    "gdp": "float+",
    "secondary_share": "share",
    "budget_revenue": "float+",
}
#: Emission columns [t/yr]: air SO2, NOx, particulate matter; water COD, NH3-N.
POLLUTANTS: tuple[str, ...] = ("so2", "nox", "pm", "cod", "nh3n")

#: Documented statuses of a figure in ``statistics.csv``: ``official`` read in a text
#: a government body publishes on its own site; ``secondary`` read in a named text of
#: another publisher quoting the official figure; ``derived`` computed by a stated rule
#: from sourced figures; ``assumption`` a modelling choice stated as such.
PROVENANCE_STATUSES: tuple[str, ...] = ("official", "secondary", "derived", "assumption")

_DATA_ROOT = Path(__file__).resolve().parent.parent / "data" / "region"


def _ro(a: NDArray[Any]) -> NDArray[Any]:
    a = np.array(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Region:
    """A region's cities, neighbour graph, emissions and transfer matrices.

    Row ``k`` of every table and matrix is city ``k`` (``cities`` row order).
    Arrays are read-only.

    Attributes
    ----------
    name : str
        Region name.
    cities : pandas.DataFrame
        One row per city (see :data:`CITY_COLUMNS`; population [persons],
        gdp and budget_revenue [yuan, current prices], secondary_share [-],
        lon/lat WGS84 centroid [degrees], area_km2 [km^2]).
    adjacency : ndarray of bool, shape (N, N)
        Symmetric neighbour matrix, zero diagonal.
    emissions : pandas.DataFrame
        Emission base per pollutant [t/yr], columns :data:`POLLUTANTS`.
    air_transfer : ndarray, shape (N, N)
        ``T[i, j]``: share of i's air emissions reaching j [-].
    water_transfer : ndarray, shape (N, N)
        ``W[i, j]``: share of i's water load reaching j [-] (zeros off
        the river network).
    river_edges : pandas.DataFrame
        upstream, downstream (adcodes), river, decay, share, source.
    sources : Mapping[str, str]
        Provenance: key → citation.
    boundaries_path : Path or None
        Simplified city boundaries, GeoJSON (WGS84), features keyed by
        ``adcode``.
    air_kernel : dict
        Kernel parameters used for ``air_transfer`` (empty when loaded from
        a matrix file).
    provenance : pandas.DataFrame or None
        Per-figure provenance (adcode, field, value, unit, year, source,
        status) when the region ships it.
    adjacency_edges : pandas.DataFrame
        Neighbour links as an edge list (a, b, kind, ...).
    river_outlets : pandas.DataFrame or None
        adcode, outlet, river, share [-], source: the share of a city's water
        load that leaves the network to the sea or a bay (None when the
        region ships no ``river_outlets.csv``).
    outside_share : ndarray, shape (N,)
        ``b_j``: share of city j's PM2.5 (annual mean) transported from
        sources outside the region [-], in [0, 1).  ``air_transfer`` covers
        the rest: of j's PM2.5, ``(1 - b_j)`` comes from the region's cities
        in the proportions ``T[i, j] E_i / sum_k T[k, j] E_k``.  Zeros when
        the region ships no ``air_outside.csv`` (no outside term).  YRD rule:
        region README (air, outside the YRD).
    """

    name: str
    cities: pd.DataFrame
    adjacency: NDArray[np.bool_]
    emissions: pd.DataFrame
    air_transfer: NDArray[np.float64]
    water_transfer: NDArray[np.float64]
    river_edges: pd.DataFrame
    sources: Mapping[str, str]
    boundaries_path: Path | None = None
    air_kernel: Mapping[str, float] = field(default_factory=dict)
    provenance: pd.DataFrame | None = None
    adjacency_edges: pd.DataFrame | None = None
    root: Path | None = None
    river_outlets: pd.DataFrame | None = None
    outside_share: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        if self.outside_share is None:
            object.__setattr__(self, "outside_share", _ro(np.zeros(len(self.cities))))

    @property
    def n(self) -> int:
        """Number of cities."""
        return len(self.cities)

    @functools.cached_property
    def adcodes(self) -> NDArray[np.int64]:
        """Adcodes in row order (read-only)."""
        return _ro(self.cities["adcode"].to_numpy(dtype=np.int64))

    @functools.cached_property
    def _index(self) -> dict[int, int]:
        return {int(a): k for k, a in enumerate(self.adcodes)}

    def index_of(self, adcode: int) -> int:
        """Row index of a city given its adcode (KeyError if unknown)."""
        try:
            return self._index[int(adcode)]
        except (KeyError, ValueError, TypeError):
            raise KeyError(f"unknown adcode {adcode!r} in region {self.name!r}") from None

    def neighbours(self, adcode: int) -> list[int]:
        """Adcodes of the neighbours of a city, in row order."""
        k = self.index_of(adcode)
        return [int(a) for a in self.adcodes[self.adjacency[k]]]

    @functools.cached_property
    def population(self) -> NDArray[np.float64]:
        """Resident population [persons] (read-only)."""
        return _ro(self.cities["population"].to_numpy(dtype=float))

    @functools.cached_property
    def gdp(self) -> NDArray[np.float64]:
        """GDP [yuan, current prices] (read-only)."""
        return _ro(self.cities["gdp"].to_numpy(dtype=float))

    @functools.cached_property
    def fiscal_capacity(self) -> NDArray[np.float64]:
        r"""Budget revenue per head relative to the regional mean [-].

        Notes
        -----
        .. math:: f_i = \frac{R_i / P_i}{\sum_k R_k / \sum_k P_k}

        (the population-weighted mean of revenue per head is total revenue
        over total population), so the population-weighted mean of
        :math:`f` is one.
        """
        rev = self.cities["budget_revenue"].to_numpy(dtype=float)
        pop = self.population
        return _ro((rev / pop) / (rev.sum() / pop.sum()))

    def emission(self, pollutant: str) -> NDArray[np.float64]:
        """Emission base of one pollutant [t/yr] (read-only)."""
        if pollutant not in self.emissions.columns:
            raise KeyError(f"unknown pollutant {pollutant!r}; have {list(self.emissions)}")
        return _ro(self.emissions[pollutant].to_numpy(dtype=float))


# --------------------------------------------------------------------------- parsing


class _Csv:
    """A CSV file read as text columns, with each data row's line in the file.

    Attributes
    ----------
    columns : list of str
        Header names as written (stripped).
    lines : list of int
        Line of the file of each data row (1-based; blank and comment lines
        count), the row number every error names.
    header_line : int
        Line of the header.
    """

    def __init__(
        self, columns: list[str], rows: list[list[str]], lines: list[int], header_line: int
    ) -> None:
        self.columns = columns
        self._data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
        self._n = len(rows)
        self.lines = lines
        self.header_line = header_line

    def __getitem__(self, col: str) -> list[str]:
        return self._data[col]

    def __contains__(self, col: object) -> bool:
        return col in self._data

    def __len__(self) -> int:
        return self._n

    @property
    def empty(self) -> bool:
        return self._n == 0

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._data, columns=self.columns)


def _read_csv(path: Path) -> _Csv:
    """Read a CSV file; ``#`` comment and blank lines are skipped but counted as lines."""
    raw = read_rows(path)  # coopgov.tabular: rows numbered as lines of the file
    return _Csv(
        list(raw.header),
        [list(r) for r in raw.rows],
        [int(x) for x in raw.row_numbers],
        raw.header_row,
    )


def _require(df: _Csv, cols: list[str] | tuple[str, ...], path: Path) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(df.columns) or 'none'}",
            file=path,
            row=df.header_line,
            field=missing[0],
        )


def _parse_float(raw: str, path: Path, row: int, col: str) -> float:
    s = raw.strip()
    try:
        v = float(s)
    except ValueError:
        raise InputError("not a number", file=path, row=row, field=col, value=raw) from None
    if not math.isfinite(v):
        raise InputError("must be a finite number", file=path, row=row, field=col, value=raw)
    return v


def _parse_int(raw: str, path: Path, row: int, col: str) -> int:
    s = raw.strip()
    try:
        return int(s)
    except ValueError:
        try:
            f = float(s)
        except ValueError:
            raise InputError("not an integer", file=path, row=row, field=col, value=raw) from None
        if f.is_integer():
            return int(f)
        raise InputError("not an integer", file=path, row=row, field=col, value=raw) from None


def _column(df: _Csv, col: str, kind: str, path: Path) -> list[Any]:
    out: list[Any] = []
    for line, raw in zip(df.lines, df[col], strict=True):
        if kind == "str":
            s = str(raw).strip()
            if not s:
                raise InputError("must not be empty", file=path, row=line, field=col, value=raw)
            out.append(s)
        elif kind == "int":
            out.append(_parse_int(str(raw), path, line, col))
        else:
            v = _parse_float(str(raw), path, line, col)
            if kind in ("float+", "share") and v < 0:
                raise InputError("must be >= 0", file=path, row=line, field=col, value=raw)
            if kind == "share" and v > 1:
                raise InputError(
                    "share must lie in [0, 1]", file=path, row=line, field=col, value=raw
                )
            out.append(v)
    return out


def _parse_cities(path: Path) -> pd.DataFrame:
    df = _read_csv(path)
    _require(df, list(CITY_COLUMNS), path)
    if df.empty:
        raise InputError("no cities", file=path)
    out: dict[str, list[Any]] = {c: _column(df, c, kind, path) for c, kind in CITY_COLUMNS.items()}
    seen: dict[int, int] = {}
    for k, (line, a) in enumerate(zip(df.lines, out["adcode"], strict=True)):
        if a <= 0:
            raise InputError(
                "adcode must be a positive integer",
                file=path,
                row=line,
                field="adcode",
                value=df["adcode"][k],
            )
        if a in seen:
            raise InputError(
                f"duplicate adcode (first in row {seen[a]})",
                file=path,
                row=line,
                field="adcode",
                value=df["adcode"][k],
            )
        seen[a] = line
    for k, (line, lo, la) in enumerate(zip(df.lines, out["lon"], out["lat"], strict=True)):
        if not -180 <= lo <= 180:
            raise InputError(
                "longitude must lie in [-180, 180]",
                file=path,
                row=line,
                field="lon",
                value=df["lon"][k],
            )
        if not -90 <= la <= 90:
            raise InputError(
                "latitude must lie in [-90, 90]",
                file=path,
                row=line,
                field="lat",
                value=df["lat"][k],
            )
    for c in ("area_km2", "population"):
        for k, (line, v) in enumerate(zip(df.lines, out[c], strict=True)):
            if v <= 0:
                raise InputError("must be > 0", file=path, row=line, field=c, value=df[c][k])
    cities = pd.DataFrame(out)
    cities["adcode"] = cities["adcode"].astype(np.int64)
    # extra columns ride along (numeric where they parse)
    for c in df.columns:
        if c not in cities.columns:
            num = pd.to_numeric(pd.Series(df[c]), errors="coerce")
            cities[c] = num if num.notna().all() else df[c]
    return cities


def _lookup(index: dict[int, int], raw: str, path: Path, row: int, col: str) -> int:
    a = _parse_int(raw, path, row, col)
    if a not in index:
        raise InputError(
            "unknown adcode (not in cities.csv)", file=path, row=row, field=col, value=raw
        )
    return index[a]


def _city_rows(df: _Csv, index: dict[int, int], path: Path) -> dict[int, tuple[int, int]]:
    """Rows of a table keyed by ``adcode``: city index → (record, line), each city once.

    Unknown adcodes and a city given twice are refused, naming the line.
    """
    rows: dict[int, tuple[int, int]] = {}
    for k, (line, raw) in enumerate(zip(df.lines, df["adcode"], strict=True)):
        i = _lookup(index, raw, path, line, "adcode")
        if i in rows:
            raise InputError(
                f"duplicate adcode, given twice (first in row {rows[i][1]})",
                file=path,
                row=line,
                field="adcode",
                value=raw,
            )
        rows[i] = (k, line)
    return rows


def _missing_cities(have: Container[int], index: dict[int, int]) -> list[int]:
    """Adcodes of ``index`` whose city index is not in ``have``, in city order."""
    inv = {i: a for a, i in index.items()}
    return [inv[i] for i in range(len(index)) if i not in have]


def _matrix_labels(df: _Csv, index: dict[int, int], path: Path, what: str) -> dict[int, int]:
    """Check the adcode labels of a square city matrix (``adcode`` column + one column each).

    Every column label and every row label must be an adcode of ``cities.csv``,
    each once, and every city must have its row and its column (in any
    order).  Column labels are named by the header's line and ``column K``.

    Returns
    -------
    dict of int to int
        City index → line of its row.
    """
    cols: dict[int, int] = {}
    for k, c in enumerate(df.columns):
        if c == "adcode":
            continue
        name = f"column {k + 1}"
        j = _lookup(index, c, path, df.header_line, name)
        if j in cols:
            raise InputError(
                f"adcode given twice (first as column {cols[j] + 1})",
                file=path,
                row=df.header_line,
                field=name,
                value=c,
            )
        cols[j] = k
    rows = {i: line for i, (_, line) in _city_rows(df, index, path).items()}
    for have, where in ((rows, "row"), (cols, "column")):
        miss = _missing_cities(have, index)
        if miss:
            raise InputError(
                f"{what} matrix has no {where} for {len(miss)} city(ies) of cities.csv "
                f"(one row and one column per city)",
                file=path,
                row=None if where == "row" else df.header_line,
                field="adcode",
                value=miss[0],
            )
    return rows


def _parse_adjacency(path: Path, index: dict[int, int]) -> tuple[np.ndarray, pd.DataFrame]:
    df = _read_csv(path)
    n = len(index)
    adj = np.zeros((n, n), dtype=bool)
    if "a" in df.columns and "b" in df.columns:
        a_codes: list[int] = []
        b_codes: list[int] = []
        for line, ra, rb in zip(df.lines, df["a"], df["b"], strict=True):
            i = _lookup(index, ra, path, line, "a")
            j = _lookup(index, rb, path, line, "b")
            if i == j:
                raise InputError(
                    "a city cannot neighbour itself", file=path, row=line, field="b", value=rb
                )
            adj[i, j] = adj[j, i] = True
            a_codes.append(_parse_int(ra, path, line, "a"))
            b_codes.append(_parse_int(rb, path, line, "b"))
        edges = df.frame()
        edges["a"] = a_codes
        edges["b"] = b_codes
        for c in edges.columns:
            if c not in ("a", "b", "kind"):
                num = pd.to_numeric(edges[c], errors="coerce")
                if num.notna().all():
                    edges[c] = num
        return adj, edges
    _require(df, ["adcode"], path)
    rows = _matrix_labels(df, index, path, "adjacency")
    col_idx = {
        c: index[_parse_int(c, path, df.header_line, c)] for c in df.columns if c != "adcode"
    }
    for k, (line, raw) in enumerate(zip(df.lines, df["adcode"], strict=True)):
        i = index[_parse_int(raw, path, line, "adcode")]
        for c, j in col_idx.items():
            v = _parse_float(df[c][k], path, line, c)
            if v not in (0.0, 1.0):
                raise InputError(
                    "adjacency entries must be 0 or 1",
                    file=path,
                    row=line,
                    field=c,
                    value=df[c][k],
                )
            adj[i, j] = v == 1.0
    inv = {i: a for a, i in index.items()}
    for i in range(n):
        if adj[i, i]:
            raise InputError(
                "a city cannot neighbour itself", file=path, row=rows[i], field=str(inv[i]), value=1
            )
    asym = np.argwhere(adj != adj.T)
    if asym.size:
        i, j = (int(x) for x in asym[0])
        raise InputError(
            f"asymmetric adjacency: {inv[i]}->{inv[j]} is {int(adj[i, j])} but "
            f"{inv[j]}->{inv[i]} is {int(adj[j, i])}",
            file=path,
            row=rows[i],
            field=str(inv[j]),
            value=int(adj[i, j]),
        )
    iu = np.argwhere(np.triu(adj, 1))
    edges = pd.DataFrame({"a": [inv[int(i)] for i, _ in iu], "b": [inv[int(j)] for _, j in iu]})
    return adj, edges


def _parse_emissions(
    path: Path, index: dict[int, int], pollutants: tuple[str, ...]
) -> pd.DataFrame:
    df = _read_csv(path)
    _require(df, ["adcode", *pollutants], path)
    n = len(index)
    vals = np.full((n, len(pollutants)), np.nan)
    seen = _city_rows(df, index, path)
    for i, (k, line) in seen.items():
        for p, col in enumerate(pollutants):
            v = _parse_float(df[col][k], path, line, col)
            if v < 0:
                raise InputError("must be >= 0", file=path, row=line, field=col, value=df[col][k])
            vals[i, p] = v
    if len(seen) != n:
        miss = _missing_cities(seen, index)
        raise InputError(
            f"no emissions for {len(miss)} city(ies)", file=path, field="adcode", value=miss[0]
        )
    return pd.DataFrame(vals, columns=list(pollutants))


def _parse_transfer(path: Path, index: dict[int, int]) -> np.ndarray:
    df = _read_csv(path)
    n = len(index)
    t = np.zeros((n, n))
    if {"source", "receptor", "share"} <= set(df.columns):
        seen: dict[tuple[int, int], int] = {}
        for k, line in enumerate(df.lines):
            i = _lookup(index, df["source"][k], path, line, "source")
            j = _lookup(index, df["receptor"][k], path, line, "receptor")
            if (i, j) in seen:
                raise InputError(
                    f"duplicate pair (first in row {seen[(i, j)]})",
                    file=path,
                    row=line,
                    field="receptor",
                    value=df["receptor"][k],
                )
            seen[(i, j)] = line
            v = _parse_float(df["share"][k], path, line, "share")
            if v < 0:
                raise InputError(
                    "share must be >= 0", file=path, row=line, field="share", value=df["share"][k]
                )
            t[i, j] = v
            total = float(t[i].sum())
            if total > 1 + 1e-9:
                raise InputError(
                    f"shares of source {df['source'][k]} sum to more than 1 with this row",
                    file=path,
                    row=line,
                    field="share",
                    value=round(total, 9),
                )
        return validate_transfer_matrix(t, file=path, n=n)
    _require(df, ["adcode"], path)
    # labels checked here (adcodes of cities.csv, each once); entries, bounds and row
    # sums by coopgov.tabular.read_matrix, aligned by adcode (rows and columns in any order)
    _matrix_labels(df, index, path, "transfer")
    m = read_matrix(
        path,
        row_keys=list(index),
        key=integer_key,
        unit="-",
        lower=0.0,
        row_sum_max=1.0,
    )
    return validate_transfer_matrix(m.values, file=path, n=n)


class _RiverRow(TypedDict):
    """One parsed row of rivers.csv (share NaN until resolved)."""

    upstream: int
    downstream: int
    river: str
    decay: float
    share: float
    source: str


def _parse_rivers(path: Path, index: dict[int, int]) -> pd.DataFrame:
    df = _read_csv(path)
    _require(df, ["upstream", "downstream", "river", "decay"], path)
    rows: list[_RiverRow] = []
    for k, line in enumerate(df.lines):
        up = _parse_int(df["upstream"][k], path, line, "upstream")
        _lookup(index, df["upstream"][k], path, line, "upstream")
        down = _parse_int(df["downstream"][k], path, line, "downstream")
        _lookup(index, df["downstream"][k], path, line, "downstream")
        if up == down:
            raise InputError(
                "upstream and downstream must differ",
                file=path,
                row=line,
                field="downstream",
                value=df["downstream"][k],
            )
        decay = _parse_float(df["decay"][k], path, line, "decay")
        if not 0 <= decay <= 1:
            raise InputError(
                "decay must lie in [0, 1]",
                file=path,
                row=line,
                field="decay",
                value=df["decay"][k],
            )
        share = math.nan
        if "share" in df.columns and str(df["share"][k]).strip():
            share = _parse_float(df["share"][k], path, line, "share")
            if not 0 <= share <= 1:
                raise InputError(
                    "share must lie in [0, 1]",
                    file=path,
                    row=line,
                    field="share",
                    value=df["share"][k],
                )
        river = str(df["river"][k]).strip()
        if not river:
            raise InputError("must not be empty", file=path, row=line, field="river", value="")
        rows.append(
            {
                "upstream": up,
                "downstream": down,
                "river": river,
                "decay": decay,
                "share": share,
                "source": str(df["source"][k]) if "source" in df else "",
            }
        )
    # default share: what a city's explicit shares leave, split equally among its
    # outgoing edges that give none
    given: dict[int, float] = {}
    blank: dict[int, int] = {}
    for r in rows:
        if math.isnan(r["share"]):
            blank[r["upstream"]] = blank.get(r["upstream"], 0) + 1
        else:
            given[r["upstream"]] = given.get(r["upstream"], 0.0) + r["share"]
    total: dict[int, float] = {}
    for line, r in zip(df.lines, rows, strict=True):
        a = r["upstream"]
        if math.isnan(r["share"]):
            r["share"] = max(0.0, 1.0 - given.get(a, 0.0)) / blank[a]
        total[a] = total.get(a, 0.0) + r["share"]
        if total[a] > 1 + 1e-9:
            raise InputError(
                "shares leaving this city sum to more than 1",
                file=path,
                row=line,
                field="share",
                value=round(total[a], 9),
            )
    edges = pd.DataFrame(
        rows, columns=["upstream", "downstream", "river", "decay", "share", "source"]
    )
    return edges


def _parse_outlets(path: Path, index: dict[int, int], edges: pd.DataFrame) -> pd.DataFrame:
    df = _read_csv(path)
    _require(df, ["adcode", "outlet", "river", "share"], path)
    rows = []
    out_share: dict[int, float] = {}
    for a, s in zip(edges["upstream"], edges["share"], strict=True):
        out_share[int(a)] = out_share.get(int(a), 0.0) + float(s)
    for k, line in enumerate(df.lines):
        a = _parse_int(df["adcode"][k], path, line, "adcode")
        _lookup(index, df["adcode"][k], path, line, "adcode")
        share = _parse_float(df["share"][k], path, line, "share")
        if not 0 <= share <= 1:
            raise InputError(
                "share must lie in [0, 1]",
                file=path,
                row=line,
                field="share",
                value=df["share"][k],
            )
        out_share[a] = out_share.get(a, 0.0) + share
        if out_share[a] > 1 + 1e-9:
            raise InputError(
                "river links and outlets of this city carry more than its load "
                "(shares sum to more than 1)",
                file=path,
                row=line,
                field="share",
                value=round(out_share[a], 9),
            )
        rows.append(
            {
                "adcode": a,
                "outlet": str(df["outlet"][k]),
                "river": str(df["river"][k]),
                "share": share,
                "source": str(df["source"][k]) if "source" in df else "",
            }
        )
    return pd.DataFrame(rows, columns=["adcode", "outlet", "river", "share", "source"])


def _parse_outside(path: Path, index: dict[int, int]) -> np.ndarray:
    df = _read_csv(path)
    _require(df, ["adcode", "outside_share"], path)
    n = len(index)
    out = np.full(n, np.nan)
    seen = _city_rows(df, index, path)
    for i, (k, line) in seen.items():
        v = _parse_float(df["outside_share"][k], path, line, "outside_share")
        if not 0.0 <= v < 1.0:
            raise InputError(
                "share must lie in [0, 1)",
                file=path,
                row=line,
                field="outside_share",
                value=df["outside_share"][k],
            )
        out[i] = v
    if len(seen) != n:
        miss = _missing_cities(seen, index)
        raise InputError(
            f"no outside share for {len(miss)} city(ies)", file=path, field="adcode", value=miss[0]
        )
    return out


def _parse_provenance(path: Path) -> pd.DataFrame:
    df = _read_csv(path)
    _require(df, ["adcode", "field", "value", "year", "status", "source"], path)
    for line, st in zip(df.lines, df["status"], strict=True):
        if st not in PROVENANCE_STATUSES:
            raise InputError(
                f"undocumented status; allowed: {', '.join(PROVENANCE_STATUSES)}",
                file=path,
                row=line,
                field="status",
                value=st,
            )
    for line, src in zip(df.lines, df["source"], strict=True):
        if not src.strip():
            raise InputError(
                "every figure needs a source", file=path, row=line, field="source", value=src
            )
    prov = df.frame()
    for c in ("adcode", "value", "year"):
        prov[c] = pd.to_numeric(prov[c], errors="coerce")
    return prov


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=path) from None


def _flatten_sources(d: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten_sources(v, key + "."))
        elif isinstance(v, list):
            out[key] = "; ".join(str(x) for x in v)
        else:
            out[key] = str(v)
    return out


# --------------------------------------------------------------------------- loading


def bundled_regions() -> list[str]:
    """Names of the regions shipped with coopgov."""
    if not _DATA_ROOT.is_dir():
        return []
    return sorted(p.name for p in _DATA_ROOT.iterdir() if (p / "cities.csv").is_file())


def _resolve(name_or_path: str | Path) -> tuple[Path, str | None]:
    if (
        isinstance(name_or_path, str)
        and (_DATA_ROOT / name_or_path / "cities.csv").is_file()
        and "/" not in name_or_path
        and "\\" not in name_or_path
    ):
        return _DATA_ROOT / name_or_path, name_or_path
    p = Path(name_or_path)
    if p.is_dir():
        return p, None
    raise InputError(
        f"no bundled region of that name ({', '.join(bundled_regions())}) and no such folder",
        file=str(name_or_path),
    )


def _build(root: Path, default_name: str | None, transfer_csv: Path | None) -> Region:
    cfg_path = root / "region.toml"
    cfg = _read_toml(cfg_path) if cfg_path.is_file() else {}
    name = str(cfg.get("name", default_name or root.name))

    cities_path = root / "cities.csv"
    cities = _parse_cities(cities_path)
    index = {int(a): k for k, a in enumerate(cities["adcode"])}
    n = len(cities)

    adj_path = root / "adjacency.csv"
    if not adj_path.is_file():
        raise InputError("file not found (every region needs an adjacency file)", file=adj_path)
    adjacency, adj_edges = _parse_adjacency(adj_path, index)
    drop_sea = bool(cfg.get("options", {}).get("drop_sea_links", False))
    if drop_sea and "kind" in adj_edges.columns:
        sea = adj_edges[adj_edges["kind"] == "sea"]
        for a, b in zip(sea["a"], sea["b"], strict=True):
            adjacency[index[int(a)], index[int(b)]] = False
            adjacency[index[int(b)], index[int(a)]] = False
        adj_edges = adj_edges[adj_edges["kind"] != "sea"].reset_index(drop=True)

    em_path = root / "emissions.csv"
    if em_path.is_file():
        emissions = _parse_emissions(em_path, index, POLLUTANTS)
    elif set(POLLUTANTS) <= set(cities.columns):
        emissions = _parse_emissions(cities_path, index, POLLUTANTS)
    else:
        raise InputError(
            f"no emissions: add emissions.csv or columns {', '.join(POLLUTANTS)} to cities.csv",
            file=cities_path,
            field="so2",
        )

    kernel_params: dict[str, float] = {}
    tpath = transfer_csv if transfer_csv is not None else root / "transfer.csv"
    if transfer_csv is not None or tpath.is_file():
        air = _parse_transfer(Path(tpath), index)
    else:
        raw = dict(cfg.get("air_kernel", {}))
        allowed = set(AirKernel().to_dict())
        for k, v in raw.items():
            if k not in allowed:
                raise InputError(
                    f"unknown air_kernel parameter; allowed: {sorted(allowed)}",
                    file=cfg_path,
                    field=k,
                    value=v,
                )
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise InputError("not a number", file=cfg_path, field=k, value=v)
        kernel_params = AirKernel(**{k: float(v) for k, v in raw.items()}).to_dict()
        air = validate_transfer_matrix(
            air_transfer_matrix(cities["lon"], cities["lat"], cities["area_km2"], **kernel_params),
            n=n,
        )

    rpath = root / "rivers.csv"
    if rpath.is_file():
        river_edges = _parse_rivers(rpath, index)
        water = water_transfer_matrix(
            n,
            [index[a] for a in river_edges["upstream"]],
            [index[a] for a in river_edges["downstream"]],
            river_edges["decay"].to_numpy(float),
            river_edges["share"].to_numpy(float),
        )
    else:
        river_edges = pd.DataFrame(
            columns=["upstream", "downstream", "river", "decay", "share", "source"]
        )
        water = np.zeros((n, n))

    spath = root / "sources.toml"
    sources = _flatten_sources(_read_toml(spath)) if spath.is_file() else {}
    ppath = root / "statistics.csv"
    provenance = _parse_provenance(ppath) if ppath.is_file() else None
    opath = root / "river_outlets.csv"
    outlets = _parse_outlets(opath, index, river_edges) if opath.is_file() else None
    if outlets is not None and len(outlets):
        # a city whose load goes straight to the sea still pollutes its own reach
        own = [index[int(a)] for a in outlets["adcode"]]
        water[own, own] = 1.0
    bpath = root / "boundaries.geojson"
    apath = root / "air_outside.csv"
    outside = _parse_outside(apath, index) if apath.is_file() else np.zeros(n)

    np.fill_diagonal(adjacency, False)
    return Region(
        name=name,
        cities=cities,
        adjacency=_ro(adjacency),
        emissions=emissions,
        air_transfer=_ro(air),
        water_transfer=_ro(water),
        river_edges=river_edges,
        sources=MappingProxyType(sources),
        boundaries_path=bpath if bpath.is_file() else None,
        air_kernel=MappingProxyType(kernel_params),
        provenance=provenance,
        adjacency_edges=adj_edges,
        root=root,
        river_outlets=outlets,
        outside_share=_ro(outside),
    )


@functools.lru_cache(maxsize=8)
def _load_cached(root: str, name: str | None, transfer_csv: str | None) -> Region:
    return _build(Path(root), name, None if transfer_csv is None else Path(transfer_csv))


def load_region(
    name_or_path: str | Path = "yrd", *, transfer_csv: str | Path | None = None
) -> Region:
    """Load a bundled region by name, or a region folder.

    Parameters
    ----------
    name_or_path : str or Path
        ``"yrd"`` (the 41 Yangtze River Delta cities, bundled) or a folder
        laid out as described in :mod:`coopgov.region.loader`.
    transfer_csv : str or Path, optional
        Air transfer matrix to use instead of the folder's ``transfer.csv``
        or the kernel.

    Returns
    -------
    Region
        Loaded and validated.  Bundled regions are cached: repeated calls
        return the same object (treat it as read-only).

    Raises
    ------
    InputError
        A missing or bad file, naming file, row, field and value.

    Examples
    --------
    >>> yrd = load_region("yrd")
    >>> yrd.n, [int(a) for a in yrd.adcodes[:3]]
    (41, [310100, 320100, 320200])
    >>> yrd.air_transfer.shape
    (41, 41)
    """
    root, name = _resolve(name_or_path)
    if name is not None:
        t = None if transfer_csv is None else str(Path(transfer_csv).resolve())
        return _load_cached(str(root), name, t)
    return _build(root, None, None if transfer_csv is None else Path(transfer_csv))
