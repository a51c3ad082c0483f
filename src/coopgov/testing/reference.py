"""Reference implementations, written from the definitions, to test the fast paths against.

:func:`levers_one_at_a_time` applies the levers as the module docstring of
:mod:`coopgov.model.levers` defines them, one lever after the other with
plain NumPy; the engine applies them in one compiled pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from coopgov.model.levers import LEVER_NAMES, LEVERS
from coopgov.model.parameters import PARAMETER_INFO

__all__ = ["levers_one_at_a_time"]


def levers_one_at_a_time(
    params: Mapping[str, Any], intensity: np.ndarray, levers: Sequence[str] = LEVER_NAMES
) -> dict[str, np.ndarray]:
    """Parameters moved by the levers, lever by lever (the definition).

    Parameters
    ----------
    params : mapping
        Parameter name to values of shape (S,).
    intensity : ndarray, shape (S, Y, L) or (S, Y, L, N)
        Lever intensities [1] along ``levers``.
    levers : sequence of str
        Lever names along the third axis of ``intensity``.

    Returns
    -------
    dict
        Each parameter, of shape (S, 1, 1) where no lever moves it, else
        (S, Y, 1) or (S, Y, N).
    """
    out = {k: np.asarray(v, float).reshape(-1, 1, 1) for k, v in params.items()}
    for k, name in enumerate(levers):
        level = intensity[:, :, k]
        if not level.any():
            continue
        level = level[:, :, None] if level.ndim == 2 else level
        for pname, target in LEVERS[name].targets.items():
            gap = target - out[pname]
            up = target >= PARAMETER_INFO[pname].default
            out[pname] = out[pname] + level * (np.maximum(gap, 0) if up else np.minimum(gap, 0))
        for pname, amount in LEVERS[name].scales.items():
            out[pname] = out[pname] + level * amount
    return out
