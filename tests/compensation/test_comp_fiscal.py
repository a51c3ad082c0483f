"""Fiscal transfers toward weak governments: hand examples and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from coopgov.compensation import (
    fiscal_levies,
    fiscal_need,
    fiscal_transfers,
    net_fiscal_transfers,
    regional_mean_capacity,
    relative_fiscal_capacity,
)
from coopgov.errors import InputError

# Three cities: revenue per head 1,000 / 2,000 / 6,000 yuan; population 200 / 100 / 100.
# Population-weighted mean = (200,000 + 200,000 + 600,000) / 400 = 2,500 yuan per head.
FC = np.array([1_000.0, 2_000.0, 6_000.0])
POP = np.array([200.0, 100.0, 100.0])


def test_regional_mean_and_relative_capacity():
    assert regional_mean_capacity(FC, POP) == pytest.approx(2_500.0)
    assert regional_mean_capacity(FC, POP, mean="simple") == pytest.approx(3_000.0)
    assert relative_fiscal_capacity(FC, POP) == pytest.approx([0.4, 0.8, 2.4])


def test_need_hand_example():
    # Need to reach the mean 2,500: (2,500 - 1,000) x 200 = 300,000; (2,500 - 2,000) x 100
    # = 50,000; the rich city needs nothing.
    assert fiscal_need(FC, POP) == pytest.approx([300_000.0, 50_000.0, 0.0])
    # Threshold 0.6: level 1,500 -> only the first city: (1,500 - 1,000) x 200 = 100,000.
    assert fiscal_need(FC, POP, threshold=0.6) == pytest.approx([100_000.0, 0.0, 0.0])


def test_transfers_short_fund_proportional_to_need():
    # Fund 70,000 < total need 350,000: shares 300/350 and 50/350 -> 60,000 and 10,000.
    assert fiscal_transfers(FC, POP, 70_000.0) == pytest.approx([60_000.0, 10_000.0, 0.0])


def test_transfers_capped_at_need():
    # Fund 1,000,000 > need 350,000: each gets its need, 650,000 stays unspent.
    out = fiscal_transfers(FC, POP, 1_000_000.0)
    assert out == pytest.approx([300_000.0, 50_000.0, 0.0])
    uncapped = fiscal_transfers(FC, POP, 1_000_000.0, cap_at_need=False)
    assert uncapped.sum() == pytest.approx(1_000_000.0)


def test_net_regional_is_budget_neutral_hand_example():
    # Surplus above 2,500: only the rich city, (6,000 - 2,500) x 100 = 350,000.
    # Fund 70,000: weak cities receive 60,000 and 10,000; the rich one pays 70,000.
    out = net_fiscal_transfers(FC, POP, 70_000.0)
    assert out == pytest.approx([60_000.0, 10_000.0, -70_000.0])
    assert fiscal_levies(FC, POP, 70_000.0) == pytest.approx([0.0, 0.0, 70_000.0])
    central = net_fiscal_transfers(FC, POP, 70_000.0, financing="central")
    assert central == pytest.approx([60_000.0, 10_000.0, 0.0])


def test_nobody_qualifies_when_all_equal():
    out = fiscal_transfers([3_000.0, 3_000.0], [10.0, 20.0], 1e6)
    assert out.tolist() == [0.0, 0.0]


def test_bad_inputs_name_field_and_value():
    with pytest.raises(InputError) as err:
        fiscal_transfers([1_000.0, -5.0], [1.0, 1.0], 10.0)
    assert (err.value.field, err.value.value) == ("fiscal_capacity", -5.0)
    with pytest.raises(InputError) as err:
        fiscal_transfers([1_000.0, 5.0], [1.0, 0.0], 10.0)
    assert (err.value.field, err.value.value) == ("population", 0.0)
    with pytest.raises(InputError) as err:
        fiscal_transfers([1_000.0, 5.0], [1.0, 1.0], -10.0)
    assert (err.value.field, err.value.value) == ("fund", -10.0)


cities = st.integers(2, 41)


@st.composite
def regions(draw, batch: int | None = None):
    n = draw(cities)
    shape = (n,) if batch is None else (batch, n)
    fc = draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 50_000)))
    pop = draw(hnp.arrays(np.float64, shape, elements=st.floats(1e3, 3e7)))
    return fc, pop


@given(regions(), st.floats(0, 1e12), st.floats(0.3, 1.5))
def test_transfers_nonnegative_within_fund_only_weak_receive(region, fund, threshold):
    fc, pop = region
    out = fiscal_transfers(fc, pop, fund, threshold)
    assert np.all(out >= 0)
    need = fiscal_need(fc, pop, threshold)
    assert out.sum() == pytest.approx(min(fund, need.sum()), rel=1e-9, abs=1e-3)
    level = threshold * regional_mean_capacity(fc, pop)
    assert np.all(out[fc >= level] == 0)
    assert np.all(out <= need * (1 + 1e-9) + 1e-6)


@given(regions(), st.floats(0, 1e12))
def test_regional_financing_is_budget_neutral(region, fund):
    fc, pop = region
    net = net_fiscal_transfers(fc, pop, fund)
    scale = max(1.0, float(np.abs(net).max()))
    assert abs(net.sum()) <= 1e-9 * scale * len(net)
    level = regional_mean_capacity(fc, pop)
    assert np.all(net[fc < level] >= 0)  # weak governments never pay
    assert np.all(net[fc > level] <= 0)  # strong governments never receive


@given(regions(batch=3), hnp.arrays(np.float64, 3, elements=st.floats(0, 1e11)))
def test_scenario_axis_matches_one_at_a_time(region, funds):
    fc, pop = region
    batched = fiscal_transfers(fc, pop, funds)
    for s in range(3):
        assert batched[s] == pytest.approx(fiscal_transfers(fc[s], pop[s], funds[s]), abs=1e-6)
