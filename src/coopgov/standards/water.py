"""Surface-water quality classes of GB 3838-2002 (single-factor assessment).

Classes are integers internally: 1..5 for classes I..V, 6 for "inferior V"
(劣V, worse than class V), 0 for "not assessed" (NaN input or an indicator
not assessed for the water body).  Labels: :data:`CLASS_LABELS` (English
"I".."V", "inferior V") and :data:`CLASS_LABELS_ZH` ("Ⅰ类".."Ⅴ类", "劣Ⅴ类").

Indicators (mg/L): ``do`` dissolved oxygen (a *minimum*: higher is better),
``codmn`` permanganate index, ``cod`` chemical oxygen demand, ``bod5``
five-day biochemical oxygen demand, ``nh3_n`` ammonia nitrogen, ``tp`` total
phosphorus (different limits for rivers and for lakes and reservoirs),
``tn`` total nitrogen (lakes and reservoirs).  A value equal to a limit is
in that class.  ``ph`` [dimensionless] has one range for every class,
6-9 (Table 1 item 2): inside it pH meets class I and never decides the
section; outside it counts as worse than class V (inferior V).  The limits
are reproduced, with their sources, in ``docs/standards.md`` of the project
(Table W1).

References
----------
.. [1] GB 3838-2002, Environmental quality standards for surface water,
   Table 1 (basic items: limits of classes I-V).
.. [2] Ministry of Environmental Protection, Technical provisions for surface
   water environmental quality assessment (trial), 2011 (single-factor
   method, worst class; TN assessed for lakes and reservoirs only —
   **unconfirmed**, hence configurable).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, cast

import numpy as np
from numpy.typing import ArrayLike

from coopgov.errors import InputError

__all__ = [
    "ASSESSED_INDICATORS",
    "CLASS_LABELS",
    "CLASS_LABELS_ZH",
    "INDICATORS",
    "LIMITS",
    "PH_RANGE",
    "SectionClass",
    "class_label",
    "indicator_class",
    "section_class",
]

Water = Literal["river", "lake"]

#: Indicators with a class ladder in :data:`LIMITS` [mg/L], in GB 3838-2002 Table 1 order.
INDICATORS: tuple[str, ...] = ("do", "codmn", "cod", "bod5", "nh3_n", "tp", "tn")
#: pH range of every class I..V [dimensionless], GB 3838-2002 Table 1 item 2 (2002).
PH_RANGE: tuple[float, float] = (6.0, 9.0)
#: Every indicator :func:`section_class` assesses: pH (Table 1 item 2), then :data:`INDICATORS`.
ASSESSED_INDICATORS: tuple[str, ...] = ("ph", *INDICATORS)

#: Class limits of classes I..V [mg/L], GB 3838-2002 Table 1 (2002).
#: ``do`` is a lower limit (>=), all others upper limits (<=).
LIMITS: Mapping[str, Mapping[str, tuple[float, ...]]] = MappingProxyType(
    {
        "river": MappingProxyType(
            {
                "do": (7.5, 6.0, 5.0, 3.0, 2.0),
                "codmn": (2.0, 4.0, 6.0, 10.0, 15.0),
                "cod": (15.0, 15.0, 20.0, 30.0, 40.0),
                "bod5": (3.0, 3.0, 4.0, 6.0, 10.0),
                "nh3_n": (0.15, 0.5, 1.0, 1.5, 2.0),
                "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
                "tn": (0.2, 0.5, 1.0, 1.5, 2.0),
            }
        ),
        "lake": MappingProxyType(
            {
                "do": (7.5, 6.0, 5.0, 3.0, 2.0),
                "codmn": (2.0, 4.0, 6.0, 10.0, 15.0),
                "cod": (15.0, 15.0, 20.0, 30.0, 40.0),
                "bod5": (3.0, 3.0, 4.0, 6.0, 10.0),
                "nh3_n": (0.15, 0.5, 1.0, 1.5, 2.0),
                "tp": (0.01, 0.025, 0.05, 0.1, 0.2),
                "tn": (0.2, 0.5, 1.0, 1.5, 2.0),
            }
        ),
    }
)

#: Labels by class integer (index 0 = not assessed).
CLASS_LABELS: tuple[str | None, ...] = (None, "I", "II", "III", "IV", "V", "inferior V")
#: Chinese labels by class integer.
CLASS_LABELS_ZH: tuple[str | None, ...] = (None, "Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类")


def _water(water: str) -> Water:
    w = {"reservoir": "lake"}.get(water, water)
    if w not in LIMITS:
        raise InputError("water must be 'river' or 'lake'", field="water", value=water)
    return cast(Water, w)


def class_label(cls: ArrayLike, *, language: Literal["en", "zh"] = "en"):
    """Label(s) of class integers (0 -> None).

    Parameters
    ----------
    cls : int or array_like of int
        Class 0..6.
    language : {'en', 'zh'}
        English ("I".."V", "inferior V") or Chinese ("Ⅰ类".."劣Ⅴ类").

    Returns
    -------
    str or None, or numpy.ndarray of object
        Same shape as ``cls``.
    """
    labels = CLASS_LABELS if language == "en" else CLASS_LABELS_ZH
    a = np.asarray(cls)
    if a.ndim == 0:
        return labels[int(a)]
    return np.asarray(labels, dtype=object)[a]


def indicator_class(indicator: str, value: ArrayLike, *, water: Water = "river") -> np.ndarray:
    r"""GB 3838-2002 class of one indicator's concentration.

    Parameters
    ----------
    indicator : {'ph', 'do', 'codmn', 'cod', 'bod5', 'nh3_n', 'tp', 'tn'}
        Indicator.
    value : array_like
        Concentration [mg/L] (``ph``: pH [dimensionless], 0-14), any shape;
        NaN = not measured.
    water : {'river', 'lake'}
        Water body (``'reservoir'`` is read as ``'lake'``); changes TP limits.

    Returns
    -------
    numpy.ndarray of int8
        Class 1..5 (I..V), 6 (inferior V), 0 where ``value`` is NaN.

    Raises
    ------
    coopgov.errors.InputError
        Unknown indicator or water body; negative or infinite value; pH
        outside 0-14.

    Notes
    -----
    For upper limits L_1 <= ... <= L_5 the class is the best k with
    c <= L_k; for dissolved oxygen (lower limits) the best k with c >= L_k;
    none: 6.  Equal limits (COD, BOD5 in classes I and II) give the better
    class.  pH: class 1 when 6 <= pH <= 9 (the range of every class), else
    6 (worse than class V).

    References
    ----------
    .. [1] GB 3838-2002, Table 1 (items 2-9); see ``docs/standards.md``,
       Table W1.

    Examples
    --------
    >>> indicator_class("nh3_n", [0.1, 0.6, 2.5]).tolist()  # 2.5 mg/L: worse than V
    [1, 3, 6]
    >>> int(indicator_class("tp", 0.05, water="lake"))  # lakes have stricter TP limits
    3
    """
    water = _water(water)
    if indicator not in ASSESSED_INDICATORS:
        raise InputError(
            f"unknown indicator; expected one of {', '.join(ASSESSED_INDICATORS)}",
            field="indicator",
            value=indicator,
        )
    try:
        c = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numeric", field=indicator, value=value) from exc
    if indicator == "ph":
        return _ph_class(c)
    bad = (c < 0) | np.isinf(c)
    if np.any(bad):
        raise InputError(
            "concentration must be finite and >= 0 mg/L",
            field=indicator,
            value=float(c[bad].flat[0]) if c.ndim else float(c),
        )
    limits = np.asarray(LIMITS[water][indicator])
    if indicator == "do":
        # first k with limit_k <= c: search the negated (ascending) limits
        k = np.searchsorted(-limits, -c, side="left")
    else:
        k = np.searchsorted(limits, c, side="left")
    cls = (k + 1).astype(np.int8)
    cls = np.where(np.isnan(c), np.int8(0), cls).astype(np.int8)
    return cls


def _ph_class(ph: np.ndarray) -> np.ndarray:
    """Class of pH values: 1 inside :data:`PH_RANGE`, 6 outside, 0 for NaN."""
    bad = (ph < 0) | (ph > 14) | np.isinf(ph)
    if np.any(bad):
        raise InputError(
            "pH must be between 0 and 14",
            field="ph",
            value=float(ph[bad].flat[0]) if ph.ndim else float(ph),
        )
    lo, hi = PH_RANGE
    cls = np.where((ph >= lo) & (ph <= hi), np.int8(1), np.int8(6))
    return np.where(np.isnan(ph), np.int8(0), cls).astype(np.int8)


@dataclass(frozen=True)
class SectionClass:
    """Single-factor class of a monitoring section.

    Attributes
    ----------
    cls : int or numpy.ndarray of int8
        Worst class 1..6 of the assessed indicators; 0 if none assessed.
    label : str or None, or numpy.ndarray of object
        English label ("I".."V", "inferior V").
    label_zh : str or None, or numpy.ndarray of object
        Chinese label ("Ⅰ类".."劣Ⅴ类").
    by_indicator : Mapping[str, int or numpy.ndarray]
        Class of each assessed indicator (0 = missing).
    limiting : tuple of str
        For scalar input: indicators whose class equals the section class
        (the deciding ones, when worse than class I); empty for arrays.
    """

    cls: int | np.ndarray
    label: str | None | np.ndarray
    label_zh: str | None | np.ndarray
    by_indicator: Mapping[str, int | np.ndarray]
    limiting: tuple[str, ...] = ()


def section_class(
    values: Mapping[str, ArrayLike],
    water: Water = "river",
    *,
    assess_tn_for_rivers: bool = False,
) -> SectionClass:
    r"""Class of a section: the worst class of its indicators (single factor).

    Parameters
    ----------
    values : Mapping[str, array_like]
        Indicator (:data:`ASSESSED_INDICATORS`) -> concentration [mg/L] or,
        for ``ph``, pH [dimensionless]; scalars or arrays that broadcast.
        NaN or absent: not assessed.
    water : {'river', 'lake'}
        Water body (``'reservoir'`` is read as ``'lake'``).
    assess_tn_for_rivers : bool
        Include TN for rivers.  Default False: TN is assessed for lakes and
        reservoirs only (2011 assessment provisions; **unconfirmed**).  A TN
        value given for a river is then listed with class 0.

    Returns
    -------
    SectionClass
        Python ints and strings for scalar input, arrays otherwise.

    Notes
    -----
    .. math:: class = \max_i class_i

    A pH outside 6-9 makes the section inferior V whatever the other
    indicators are; a pH inside never changes the class.

    References
    ----------
    .. [1] GB 3838-2002, Table 1 and section 5 (assessment); see
       ``docs/standards.md``, Table W1.
    .. [2] Technical provisions for surface water environmental quality
       assessment (trial), 2011 (unconfirmed details).

    Examples
    --------
    >>> r = section_class({"do": 6.5, "nh3_n": 0.6, "tp": 0.05})
    >>> r.label, r.by_indicator
    ('III', {'do': 2, 'nh3_n': 3, 'tp': 2})
    >>> section_class({"ph": 9.5, "do": 8.0}).label
    'inferior V'
    """
    water = _water(water)
    for name in values:
        if name not in ASSESSED_INDICATORS:
            raise InputError(
                f"unknown indicator; expected one of {', '.join(ASSESSED_INDICATORS)}",
                field=name,
                value=name,
            )
    by: dict[str, np.ndarray] = {}
    for name in ASSESSED_INDICATORS:
        if name not in values:
            continue
        cls = indicator_class(name, values[name], water=water)
        if name == "tn" and water == "river" and not assess_tn_for_rivers:
            cls = np.zeros_like(cls)
        by[name] = cls
    shape = np.broadcast_shapes(*(v.shape for v in by.values())) if by else ()
    worst = np.zeros(shape, dtype=np.int8)
    for cls in by.values():
        worst = np.maximum(worst, cls)
    if worst.ndim == 0:
        w = int(worst)
        limiting = tuple(n for n, c in by.items() if w > 1 and int(c) == w)
        return SectionClass(
            cls=w,
            label=CLASS_LABELS[w],
            label_zh=CLASS_LABELS_ZH[w],
            by_indicator={n: int(c) for n, c in by.items()},
            limiting=limiting,
        )
    return SectionClass(
        cls=worst,
        label=class_label(worst),
        label_zh=class_label(worst, language="zh"),
        by_indicator=by,
    )
