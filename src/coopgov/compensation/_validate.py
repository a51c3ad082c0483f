"""Array checks shared by the compensation functions (raise located InputErrors)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coopgov.errors import InputError

__all__ = ["as_float_array", "require_finite", "require_nonnegative", "require_positive"]


def as_float_array(value: ArrayLike, field: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array or raise :class:`InputError` naming ``field``."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"must be numeric ({exc})", field=field, value=_short(value)) from None


def _short(value: Any) -> Any:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _first_bad(arr: NDArray[np.float64], bad: NDArray[np.bool_], field: str, reason: str) -> None:
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" (at index {index})" if arr.ndim else ""
        raise InputError(reason + where, field=field, value=float(arr[index]))


def require_finite(arr: NDArray[np.float64], field: str) -> NDArray[np.float64]:
    """Raise :class:`InputError` when ``arr`` holds NaN or infinity."""
    _first_bad(arr, ~np.isfinite(arr), field, "must be a finite number")
    return arr


def require_nonnegative(arr: NDArray[np.float64], field: str) -> NDArray[np.float64]:
    """Raise :class:`InputError` when ``arr`` holds NaN, infinity or a negative number."""
    require_finite(arr, field)
    _first_bad(arr, arr < 0, field, "must be >= 0")
    return arr


def require_positive(arr: NDArray[np.float64], field: str) -> NDArray[np.float64]:
    """Raise :class:`InputError` when ``arr`` holds NaN, infinity or a number <= 0."""
    require_finite(arr, field)
    _first_bad(arr, arr <= 0, field, "must be > 0")
    return arr
