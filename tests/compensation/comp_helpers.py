"""Helpers shared by the compensation tests (imported by name; not a conftest)."""

from __future__ import annotations

import pandas as pd

# Baselines chosen as powers of two (mg/L) so that C = r * C0 and C / C0 = r are
# exact in floating point and the index can be hand-computed to the last bit.
BASELINE = {"permanganate_index": 2.0, "nh3_n": 0.125, "tn": 1.0, "tp": 0.03125}


def jiekou_table(year: int, ratios: dict[str, float], baseline_year: int = 2009) -> pd.DataFrame:
    """One baseline sample per factor in ``baseline_year`` and one in ``year`` at r x C0."""
    rows = []
    for factor, c0 in BASELINE.items():
        rows.append(
            {
                "section": "Jiekou",
                "date": f"{baseline_year}-06-15",
                "factor": factor,
                "value": c0,
                "unit": "mg/L",
            }
        )
        rows.append(
            {
                "section": "Jiekou",
                "date": f"{year}-06-15",
                "factor": factor,
                "value": ratios[factor] * c0,
                "unit": "mg/L",
            }
        )
    return pd.DataFrame(rows)


def uniform(r: float) -> dict[str, float]:
    return dict.fromkeys(BASELINE, r)
