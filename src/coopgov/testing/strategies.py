"""Hypothesis strategies for coopgov's inputs, for property-based tests.

Each strategy draws values that satisfy the invariants coopgov declares for
that input, edge values included (a propensity of exactly 0 or 1, a city
without neighbours, a row of a transfer matrix that sums to exactly 1, a
parameter at its bound):

- :func:`bounded_arrays`: float arrays with every value in [low, high];
- :func:`cooperation_states`: propensities x in [0, 1], shape (S, N) or (N,);
- :func:`transfer_matrices`: T >= 0, each row (source) summing to <= 1;
- :func:`exposure_shares`: P >= 0, each column (receptor) summing to 1;
- :func:`neighbour_weights`: W >= 0, zero diagonal, rows summing to 1 or 0;
- :func:`parameter_sets` / :func:`model_parameters`: values inside the
  bounds of :data:`coopgov.model.parameters.PARAMETER_INFO`;
- :func:`lever_intensities`: (Y, L) or (S, Y, L) in [0, 1];
- :func:`lever_settings`: the ``[levers]`` table of a scenario file.

Examples
--------
>>> import numpy as np
>>> from hypothesis import given
>>> from coopgov.testing.strategies import transfer_matrices
>>> @given(transfer_matrices(n=4))
... def test_rows_never_exceed_one(t):
...     assert t.shape == (4, 4) and np.all(t.sum(axis=1) <= 1.0)
>>> test_rows_never_exceed_one()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from coopgov.model.levers import LEVER_NAMES
from coopgov.model.parameters import PARAMETER_INFO, ModelParameters

__all__ = [
    "bounded_arrays",
    "cooperation_states",
    "exposure_shares",
    "lever_intensities",
    "lever_settings",
    "model_parameters",
    "neighbour_weights",
    "parameter_sets",
    "transfer_matrices",
    "unit_floats",
]

_SIZES = st.integers(1, 12)


def unit_floats() -> st.SearchStrategy[float]:
    """Floats in [0, 1], both ends included, no NaN."""
    return st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


def bounded_arrays(
    shape: int | tuple[int, ...] | st.SearchStrategy[int] | st.SearchStrategy[tuple[int, ...]],
    low: float,
    high: float,
) -> st.SearchStrategy[np.ndarray]:
    """Float64 arrays of ``shape`` with every value in [low, high], both ends included.

    For a model input declared on an interval (a cost, a slope, a share):
    repeated values and the bounds themselves are drawn too, no NaN nor
    infinity.  ``shape`` is an int, a tuple or a strategy of either.

    Examples
    --------
    >>> from hypothesis import given
    >>> from coopgov.testing.strategies import bounded_arrays
    >>> @given(bounded_arrays((2, 3), 0.5, 1.5))
    ... def test_inside(a):
    ...     assert a.shape == (2, 3) and a.min() >= 0.5 and a.max() <= 1.5
    >>> test_inside()
    """
    if not low <= high:
        raise ValueError(f"bounded_arrays needs low <= high, got low={low!r}, high={high!r}")
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return hnp.arrays(np.float64, shape, elements=elements)


def _size(value: int | st.SearchStrategy[int] | None, default: st.SearchStrategy[int]):
    if value is None:
        return default
    if isinstance(value, int):
        return st.just(value)
    return value


@st.composite
def cooperation_states(
    draw: st.DrawFn,
    n_cities: int | st.SearchStrategy[int] | None = None,
    n_scenarios: int | st.SearchStrategy[int] | None = None,
) -> np.ndarray:
    """Cooperation propensities x in [0, 1] [1], shape (N,) or (S, N).

    ``n_cities`` (N, default 1 to 12) and ``n_scenarios`` (S; None gives one
    state of shape (N,)) are integers or strategies of integers.
    """
    n = draw(_size(n_cities, _SIZES))
    shape = (n,) if n_scenarios is None else (draw(_size(n_scenarios, _SIZES)), n)
    return draw(hnp.arrays(np.float64, shape, elements=unit_floats()))


def _nonnegative(n: int) -> st.SearchStrategy[np.ndarray]:
    """Weights before normalising: zeros (missing links) or in [1e-3, 1].

    No subnormal weight: normalising a row of them would overflow.
    """
    weight = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))
    return hnp.arrays(np.float64, (n, n), elements=weight)


def _cap_rows(m: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Scale each row to its total (rows of zeros stay zero); never above the total."""
    sums = m.sum(axis=1)
    scale = np.divide(totals, sums, out=np.zeros_like(sums), where=sums > 0)
    out = m * scale[:, None]
    for i in range(out.shape[0]):  # rounding may leave a row a few ulp above its total
        for _ in range(8):
            if out[i].sum() <= totals[i]:
                break
            out[i] = np.nextafter(out[i], 0.0)
    return out


@st.composite
def transfer_matrices(draw: st.DrawFn, n: int | st.SearchStrategy[int] | None = None) -> np.ndarray:
    """Source-receptor matrices T[i, j] >= 0, share of i's emissions reaching j [-].

    Each row sums to at most 1 (what leaves the region or deposits is the
    rest); rows summing to exactly 1 and rows of zeros are drawn too.
    """
    size = draw(_size(n, _SIZES))
    raw = draw(_nonnegative(size))
    totals = draw(hnp.arrays(np.float64, (size,), elements=st.one_of(st.just(1.0), unit_floats())))
    return _cap_rows(raw, totals)


@st.composite
def exposure_shares(draw: st.DrawFn, n: int | st.SearchStrategy[int] | None = None) -> np.ndarray:
    """Exposure shares P[i, j] >= 0: share of receptor j's pollution from source i [-].

    Each column sums to 1 (to rounding).  A column with no positive draw
    becomes the receptor's own source only (P[j, j] = 1).
    """
    size = draw(_size(n, _SIZES))
    p = draw(_nonnegative(size))
    sums = p.sum(axis=0)
    empty = sums == 0
    p[:, empty] = 0.0
    p[np.flatnonzero(empty), np.flatnonzero(empty)] = 1.0
    return p / p.sum(axis=0)


@st.composite
def neighbour_weights(draw: st.DrawFn, n: int | st.SearchStrategy[int] | None = None) -> np.ndarray:
    """Neighbour weights W[i, j] >= 0 with a zero diagonal [-].

    Each row sums to 1, or is all zero for a city without neighbours (an
    island, or the only city of a region).
    """
    size = draw(_size(n, _SIZES))
    w = draw(_nonnegative(size))
    np.fill_diagonal(w, 0.0)
    sums = w.sum(axis=1, keepdims=True)
    return np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)


def _bounded(name: str) -> st.SearchStrategy[float]:
    lo, hi = PARAMETER_INFO[name].bounds
    return st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)


def parameter_sets(names: Sequence[str] | None = None) -> st.SearchStrategy[dict[str, float]]:
    """Parameter values inside their declared bounds (:data:`PARAMETER_INFO`).

    Parameters
    ----------
    names : sequence of str, optional
        Parameters to draw (default all); the others are left out, so that
        the result can be given to :class:`~coopgov.model.ModelParameters`
        as overrides.
    """
    chosen = list(PARAMETER_INFO) if names is None else list(names)
    unknown = [n for n in chosen if n not in PARAMETER_INFO]
    if unknown:
        raise ValueError(f"unknown parameter(s): {unknown}")
    return st.fixed_dictionaries({n: _bounded(n) for n in chosen})


def model_parameters(names: Sequence[str] | None = None) -> st.SearchStrategy[ModelParameters]:
    """:class:`~coopgov.model.ModelParameters` with ``names`` drawn inside their bounds."""
    return parameter_sets(names).map(ModelParameters)


@st.composite
def lever_intensities(
    draw: st.DrawFn,
    years: int | st.SearchStrategy[int] | None = None,
    levers: Sequence[str] = LEVER_NAMES,
    n_scenarios: int | None = None,
) -> np.ndarray:
    """Lever intensities in [0, 1]: shape (Y, L), or (S, Y, L) with ``n_scenarios``."""
    y = draw(_size(years, st.integers(1, 10)))
    shape = (y, len(levers)) if n_scenarios is None else (n_scenarios, y, len(levers))
    return draw(hnp.arrays(np.float64, shape, elements=unit_floats()))


@st.composite
def lever_settings(draw: st.DrawFn, start_year: int = 2026, years: int = 10) -> dict[str, Any]:
    """The ``[levers]`` table of a scenario file: a constant or a schedule by year.

    Each chosen lever gets either one intensity in [0, 1] from the first
    year, or a step schedule ``{"YYYY": intensity}`` with years inside
    ``start_year .. start_year + years - 1`` (as TOML gives them: string keys).
    """
    names = draw(st.lists(st.sampled_from(LEVER_NAMES), unique=True, max_size=len(LEVER_NAMES)))
    out: dict[str, Any] = {}
    for name in names:
        if draw(st.booleans()):
            out[name] = draw(unit_floats())
        else:
            when = draw(
                st.lists(
                    st.integers(start_year, start_year + years - 1),
                    unique=True,
                    min_size=1,
                    max_size=4,
                )
            )
            out[name] = {str(y): draw(unit_floats()) for y in sorted(when)}
    return out
