"""River sharing: LRS, UES, DES (Ni & Wang 2007; Dong, Ni & Wang 2012), Ambec-Sprumont."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgov.errors import InputError
from coopgov.games.cooperative import (
    _prefix_values_generic,
    in_core,
    shapley_value,
    shapley_value_sampled,
)
from coopgov.games.river import (
    CallableBenefit,
    LogBenefit,
    PowerBenefit,
    QuadraticBenefit,
    ambec_sprumont,
    downstream_equal_sharing,
    downstream_matrix,
    line_parents,
    local_responsibility_sharing,
    river_cost_game,
    river_cost_table,
    river_water_game,
    river_water_welfare,
    upstream_equal_sharing,
)
from coopgov.testing.strategies import bounded_arrays

METHODS = {
    "lrs": lambda c, p: local_responsibility_sharing(c),
    "ues": upstream_equal_sharing,
    "des": downstream_equal_sharing,
}


def test_three_regions_on_a_line():
    # Ni & Wang (2007), three regions on a line, source first: UES shares the cost of
    # segment j equally among regions 1..j, x_i = sum_{j>=i} c_j / j.  Hand-derived
    # for c = (6, 6, 6): UES = (6+3+2, 3+2, 2) = (11, 5, 2); DES (Dong, Ni & Wang 2012)
    # mirrors it: (2, 5, 11); LRS = (6, 6, 6).
    c = [6.0, 6.0, 6.0]
    np.testing.assert_allclose(local_responsibility_sharing(c), [6, 6, 6])
    np.testing.assert_allclose(upstream_equal_sharing(c), [11, 5, 2])
    np.testing.assert_allclose(downstream_equal_sharing(c), [2, 5, 11])


def test_unequal_costs_on_a_line():
    # Hand-derived, c = (12, 6, 3): UES = (12 + 3 + 1, 3 + 1, 1) = (16, 4, 1);
    # DES = (12/3, 12/3 + 6/2, 12/3 + 6/2 + 3) = (4, 7, 10).
    np.testing.assert_allclose(upstream_equal_sharing([12, 6, 3]), [16, 4, 1])
    np.testing.assert_allclose(downstream_equal_sharing([12, 6, 3]), [4, 7, 10])


def test_tree_example():
    # Two tributaries (regions 0 and 1) join at region 2, which flows to the mouth 3.
    # UES: c0 -> {0}; c1 -> {1}; c2 -> {0,1,2} / 3; c3 -> all / 4.
    parent = [2, 2, 3, -1]
    c = np.array([4.0, 8.0, 6.0, 12.0])
    np.testing.assert_allclose(upstream_equal_sharing(c, parent), [4 + 2 + 3, 8 + 2 + 3, 2 + 3, 3])
    # DES: c0 -> {0,2,3}/3; c1 -> {1,2,3}/3; c2 -> {2,3}/2; c3 -> {3}.
    des = [4 / 3, 8 / 3, 4 / 3 + 8 / 3 + 3, 4 / 3 + 8 / 3 + 3 + 12]
    np.testing.assert_allclose(downstream_equal_sharing(c, parent), des)


@st.composite
def rivers(draw):
    n = draw(st.integers(1, 8))
    # random tree: each region's downstream neighbour has a larger index; last is the mouth
    parent = [draw(st.integers(i + 1, n - 1)) for i in range(n - 1)] + [-1]
    costs = draw(st.lists(st.floats(0, 100), min_size=n, max_size=n))
    return np.array(parent), np.array(costs)


@settings(max_examples=40, deadline=None)
@given(rivers(), st.sampled_from(["lrs", "ues", "des"]))
def test_each_method_is_the_shapley_value_of_its_game_and_in_its_core(river, doctrine):
    parent, c = river
    x = METHODS[doctrine](c, parent)
    assert x.sum() == pytest.approx(c.sum(), abs=1e-9)  # allocations sum to the total
    table = river_cost_table(c, parent, doctrine)
    np.testing.assert_allclose(shapley_value(table), x, atol=1e-9)
    assert in_core(table, x, kind="cost")
    # fast prefix evaluation agrees with the generic membership evaluation
    game = river_cost_game(c, parent, doctrine)
    orders = np.array([np.random.default_rng(k).permutation(c.size) for k in range(4)])
    np.testing.assert_allclose(
        game.prefix_values(orders), _prefix_values_generic(game, orders), atol=1e-9
    )


def test_sampled_shapley_on_a_long_river():
    c = np.random.default_rng(5).random(41) * 10
    est = shapley_value_sampled(river_cost_game(c, None, "des"), 41, n_permutations=20_000)
    exact = downstream_equal_sharing(c)
    assert np.all(np.abs(est.value - exact) <= 5 * est.std_error + 1e-9)


def test_bad_rivers():
    with pytest.raises(InputError):
        downstream_matrix([1, 0, -1])  # cycle
    with pytest.raises(InputError):
        downstream_matrix([-1, -1])  # two mouths
    with pytest.raises(InputError):
        upstream_equal_sharing([1.0, -2.0])
    np.testing.assert_array_equal(line_parents(3), [1, 2, -1])


def test_ambec_sprumont_hand_example():
    # Three identical regions, b(x) = 10x - x^2/2, all water (10) enters at the source.
    # v({1}) = b(10) = 50; v({1,2}) = 2 b(5) = 75; v({1,2,3}) = 3 b(10/3) = 250/3.
    # Downstream incremental distribution (Ambec & Sprumont 2002): (50, 25, 25/3).
    z = ambec_sprumont([10, 0, 0], [10, 10, 10], [1, 1, 1])
    np.testing.assert_allclose(z, [50, 25, 25 / 3])
    welfare, use = river_water_welfare([10, 0, 0], [10, 10, 10], [1, 1, 1])
    assert welfare == pytest.approx(250 / 3)
    np.testing.assert_allclose(use, [10 / 3] * 3)
    # water entering downstream cannot flow up: upstream regions get nothing
    z = ambec_sprumont([0, 0, 30], [10, 10, 10], [1, 1, 1])
    np.testing.assert_allclose(z, [0, 0, 50], atol=1e-9)


@st.composite
def quadratic_rivers(draw, max_regions=6):
    """Inflows e in [0, 5] and quadratic benefits a x - b x^2 / 2, a in [1, 6], b in [0.5, 1.5]."""
    n = draw(st.integers(1, max_regions))
    return (
        draw(bounded_arrays(n, 0.0, 5.0)),
        draw(bounded_arrays(n, 1.0, 6.0)),
        draw(bounded_arrays(n, 0.5, 1.5)),
    )


@settings(max_examples=25, deadline=None)
@given(quadratic_rivers())
def test_ambec_sprumont_in_core_and_efficient(river):
    e, a, b = river
    z = ambec_sprumont(e, a, b)
    table = river_water_game(e, a, b)
    assert z.sum() == pytest.approx(table[-1])
    assert in_core(table, z, tol=1e-7)
    # the optimum respects the upstream-to-downstream flow constraints
    _, use = river_water_welfare(e, a, b)
    assert np.all(np.cumsum(use) <= np.cumsum(e) + 1e-9)


def test_ambec_sprumont_square_root_benefit_hand_computed():
    r"""Square-root benefits b_i(x) = sqrt(x), three regions, inflows e = (1, 3, 0).

    Derivation.  With b = sqrt, the marginal benefit 1/(2 sqrt x) is equal
    across regions that share water freely, so an unconstrained stretch splits
    its water equally; a flow constraint sum_{j<=i} x_j <= sum_{j<=i} e_j that
    binds cuts the stretch in two.

    * v({1}) = sqrt(1) = 1 (region 1 uses its own unit).
    * v({1, 2}): 4 units; the equal split (2, 2) needs x_1 = 2 > e_1 = 1, so
      x_1 = 1, x_2 = 3 and v = 1 + sqrt 3.
    * v({1, 2, 3}): 4 units; the equal split 4/3 each needs x_1 = 4/3 > 1, so
      x_1 = 1 and regions 2, 3 split 3 equally: v = 1 + 2 sqrt(3/2) = 1 + sqrt 6.

    Downstream incremental distribution (Ambec & Sprumont 2002):
    z = (1, sqrt 3, sqrt 6 - sqrt 3) ~ (1, 1.7321, 0.7174).  With all water at the
    source, e = (1, 0, 0): v = 1, 2 sqrt(1/2) = sqrt 2, 3 sqrt(1/3) = sqrt 3, so
    z = (1, sqrt 2 - 1, sqrt 3 - sqrt 2).
    """
    sqrt_benefit = PowerBenefit([1.0, 1.0, 1.0], 0.5)
    z = ambec_sprumont([1.0, 3.0, 0.0], benefit=sqrt_benefit)
    np.testing.assert_allclose(z, [1.0, np.sqrt(3), np.sqrt(6) - np.sqrt(3)], rtol=1e-12)
    welfare, use = river_water_welfare([1.0, 3.0, 0.0], benefit=sqrt_benefit)
    assert welfare == pytest.approx(1 + np.sqrt(6), rel=1e-12)
    np.testing.assert_allclose(use, [1.0, 1.5, 1.5], rtol=1e-12)
    z = ambec_sprumont([1.0, 0.0, 0.0], benefit=sqrt_benefit)
    np.testing.assert_allclose(z, [1.0, np.sqrt(2) - 1, np.sqrt(3) - np.sqrt(2)], rtol=1e-12)
    # the same benefit given as a plain function: numerical demand, same answer
    as_function = CallableBenefit(3, np.sqrt)
    np.testing.assert_allclose(
        ambec_sprumont([1.0, 3.0, 0.0], benefit=as_function),
        z_expected := [1, 3**0.5, 6**0.5 - 3**0.5],
        rtol=1e-6,
    )
    with_marginal = CallableBenefit(3, np.sqrt, lambda x: 0.5 / np.sqrt(np.maximum(x, 1e-300)))
    np.testing.assert_allclose(
        ambec_sprumont([1.0, 3.0, 0.0], benefit=with_marginal), z_expected, rtol=1e-9
    )


def test_ambec_sprumont_log_benefit_hand_computed():
    # b_i(x) = ln(1 + x): marginal 1/(1 + x), equal shares where water is shared.
    # e = (2, 0): v({1}) = ln 3; v({1, 2}) = 2 ln 2 (one unit each) -> z = (ln 3, 2 ln 2 - ln 3)
    z = ambec_sprumont([2.0, 0.0], benefit=LogBenefit([1.0, 1.0], 1.0))
    np.testing.assert_allclose(z, [np.log(3), 2 * np.log(2) - np.log(3)], rtol=1e-12)
    # a downstream region with no upstream water of its own: prefix price is infinite
    z = ambec_sprumont([0.0, 2.0], benefit=PowerBenefit([1.0, 1.0], 0.5))
    np.testing.assert_allclose(z, [0.0, np.sqrt(2)], atol=1e-12)


def test_quadratic_family_is_the_default_alpha_beta():
    e, a, b = [3.0, 1.0, 2.0], [4.0, 6.0, 5.0], [1.0, 2.0, 0.5]
    np.testing.assert_allclose(
        ambec_sprumont(e, a, b), ambec_sprumont(e, benefit=QuadraticBenefit(a, b)), rtol=1e-14
    )


def test_benefit_errors_name_the_field():
    with pytest.raises(InputError) as err:
        PowerBenefit([1.0, 1.0], 1.0)  # linear: not strictly concave
    assert err.value.field == "exponent"
    with pytest.raises(InputError) as err:
        LogBenefit([1.0, -1.0])
    assert (err.value.field, err.value.row) == ("scale", 2)
    with pytest.raises(InputError) as err:
        ambec_sprumont([1.0, 1.0], benefit=PowerBenefit([1.0, 1.0, 1.0]))
    assert err.value.field == "benefit"
    with pytest.raises(InputError):
        ambec_sprumont([1.0], [1.0], [1.0], benefit=PowerBenefit([1.0]))
    with pytest.raises(InputError):
        ambec_sprumont([1.0], benefit=np.sqrt)  # type: ignore[arg-type]


@st.composite
def concave_rivers(draw, max_regions=5):
    """Inflows e in [0, 5] and a power (k x^p, p in [0.2, 0.9]) or log benefit per region."""
    n = draw(st.integers(1, max_regions))
    e = draw(bounded_arrays(n, 0.0, 5.0))
    k = draw(bounded_arrays(n, 0.5, 3.5))
    if draw(st.sampled_from(["power", "log"])) == "power":
        return e, PowerBenefit(k, draw(bounded_arrays(n, 0.2, 0.9)))
    return e, LogBenefit(k, draw(bounded_arrays(n, 0.1, 1.1)))


@settings(max_examples=25, deadline=None)
@given(concave_rivers())
def test_ambec_sprumont_in_core_for_concave_families(river):
    e, benefit = river
    z = ambec_sprumont(e, benefit=benefit)
    table = river_water_game(e, benefit=benefit)
    assert z.sum() == pytest.approx(table[-1], rel=1e-9)
    assert in_core(table, z, tol=1e-7)
    _, use = river_water_welfare(e, benefit=benefit)
    assert np.all(np.cumsum(use) <= np.cumsum(e) + 1e-9)
