"""Reading posteriors back: located errors, the shipped posterior, summaries."""

import pandas as pd
import pytest

from coopgov.calibration.posterior import (
    IDENTIFIED_RATIO,
    bundled_posterior_path,
    load_posterior,
    posterior_summary,
)
from coopgov.errors import InputError
from coopgov.model.parameters import PARAMETER_INFO


def test_shipped_posterior_loads_within_its_priors():
    draws = load_posterior(bundled_posterior_path())
    assert draws["weight"].sum() == pytest.approx(1.0)
    for name in draws.columns.drop("weight"):
        lo, hi = PARAMETER_INFO[name].bounds
        assert draws[name].between(lo, hi).all()


@pytest.mark.parametrize(
    ("frame", "row", "field"),
    [
        (pd.DataFrame({"noise": [0.01, 0.5]}), 2, "noise"),  # outside the declared bounds
        (pd.DataFrame({"noise": ["0.01", "x"]}), 2, "noise"),  # not a number
        (pd.DataFrame({"noise": [0.01], "weight": ["heavy"]}), 1, "weight"),
        (pd.DataFrame({"noise": pd.Series([], dtype=float)}), None, None),  # no rows
    ],
)
def test_malformed_posterior_is_located(tmp_path, frame, row, field):
    f = tmp_path / "p.parquet"
    frame.to_parquet(f)
    with pytest.raises(InputError) as exc:
        load_posterior(f)
    assert exc.value.file == str(f) and exc.value.row == row and exc.value.field == field


def test_summary_flags_what_the_data_narrow():
    lo, hi = PARAMETER_INFO["noise"].bounds
    wide = [lo + (hi - lo) * k / 99 for k in range(100)]  # uniform over the prior
    narrow = [lo + (hi - lo) * (0.5 + 0.01 * (k / 99 - 0.5)) for k in range(100)]
    table = posterior_summary(
        pd.DataFrame(
            {
                "noise": wide,
                "technology_cost": [
                    PARAMETER_INFO["technology_cost"].bounds[0] + 0.001 * k for k in range(100)
                ],
            }
        )
    )
    rows = table.set_index("parameter")
    # a flat sample over the prior keeps about its full 90 % width: ratio ~1, not identified
    assert rows.at["noise", "width_ratio"] == pytest.approx(1.0, abs=0.03)
    assert not rows.at["noise", "identified"]
    assert rows.at["technology_cost", "identified"]
    assert (
        posterior_summary(pd.DataFrame({"noise": narrow})).at[0, "width_ratio"] < IDENTIFIED_RATIO
    )
