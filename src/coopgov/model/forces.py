r"""The force field: the payoff difference Δ = U(C) − U(D) as named terms.

Each term is a pure function of the state features and the context, returns
an array broadcast to ``(..., N)``, and is expressed in units of the city's
reference yearly abatement cost

.. math:: c0_i = u \\cdot a \\cdot E_i

(``u`` unit abatement cost [yuan/t], ``a`` abatement rate, ``E_i`` air
emission base [t/yr]), so Δ is dimensionless.  Positive terms draw a city
towards cooperation; resistance terms are negative.

The state enters through four features: ``x_i`` the city's own cooperation,
``px_i = Σ_j P0[j, i] x_j`` the exposure-weighted cooperation of all
emitters that reach i, ``wx_i = Σ_j W[i, j] x_j`` the mean cooperation of
its neighbours, and ``qx_i = Σ_j PW[j, i] x_j`` the cooperation of the
cities whose water load reaches i (itself included).  Every payoff term is
*affine* in these features, which the engine exploits
(:func:`affine_coefficients`): the decomposition it reports and the Δ it
integrates come from the same functions.

The lateral thrust is not a payoff term: it is imitation of successful
neighbours in the update rule (:func:`lateral_flow`), shared by the
mean-field equation and the agent-based model
(:mod:`coopgov.dynamics.replicator`, :mod:`coopgov.dynamics.abm`).

References
----------
The study: cross-regional environmental governance of local governments in
the Yangtze River Delta — section 3 (the dynamic system: attraction,
pressure, thrust), section 4 (resistance: conceptual 4.1, institutional 4.2,
mechanism 4.3, technical 4.4) and section 5 (countermeasures).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numba
import numpy as np

from coopgov.model.cities import CityData
from coopgov.model.parameters import joint_maturity, monitoring_errors

__all__ = [
    "Features",
    "ForceContext",
    "ForceTerm",
    "FORCE_TERMS",
    "PAYOFF_TERMS",
    "FAMILIES",
    "lateral_flow",
    "lateral_equivalent",
    "payoff_difference",
    "decompose",
    "affine_coefficients",
    "probed_affine_coefficients",
    "features",
]

FAMILIES = ("attraction", "pressure", "thrust", "resistance")


@dataclass(frozen=True)
class Features:
    """State features a term may depend on (each broadcastable to (..., N))."""

    x: Any
    px: Any
    wx: Any
    qx: Any


@dataclass(frozen=True)
class ForceContext:
    """Everything but the state that the force terms read.

    Attributes
    ----------
    city : CityData
    params : mapping of str to ndarray
        Parameter values broadcastable to ``(..., N)`` (typically shape
        ``(S, Y, 1)``: scenario, year).
    fiscal_transfer : ndarray
        Fiscal transfer received per city [yuan/yr], broadcastable to (..., N).
    compensation_incentive : ndarray
        Compensation payment a city avoids by cooperating [yuan/yr].
    """

    city: CityData
    params: Mapping[str, Any]
    fiscal_transfer: Any = 0.0
    compensation_incentive: Any = 0.0

    def p(self, name: str) -> Any:
        """Parameter ``name``."""
        return self.params[name]

    @property
    def c0(self) -> Any:
        """Reference yearly abatement cost c0 [yuan/yr]."""
        return self.p("unit_abatement_cost") * self.p("abatement_rate") * self.city.air_emissions

    @property
    def pop_rel(self) -> np.ndarray:
        """Population relative to the regional mean [1]."""
        return self.city.population_relative

    @property
    def secondary_rel(self) -> np.ndarray:
        """Secondary-industry share relative to the regional mean [1]."""
        return self.city.secondary_relative


# --- the terms ------------------------------------------------------------


def _air_ratio(ctx: ForceContext) -> Any:
    r"""Value of the whole abatement of the region's air pollution reaching a city, per c0 [1].

    Only the PM2.5 the region's own emitters send is reducible by the region's
    abatement: the background share ``b`` and the share ``o_i`` transported
    from outside the region (``CityData.outside_share``) are not.

    .. math:: \frac{φ\, GDP_i (1-b)(1-o_i)}{u E_i}
    """
    city = ctx.city
    return (
        ctx.p("damage_gdp_share")
        * city.gdp
        * (1.0 - ctx.p("background_share"))
        * (1.0 - city.outside_share)
        / (ctx.p("unit_abatement_cost") * city.air_emissions)
    )


def _water_ratio(ctx: ForceContext) -> Any:
    """Value of the whole abatement of the water load reaching a city, per c0 [1]."""
    return ctx.p("water_damage_gdp_share") * ctx.p("water_abatement_rate") * ctx.city.gdp / ctx.c0


def shared_interest(f: Features, ctx: ForceContext) -> Any:
    r"""Attraction: partners' abatement secured by cooperating (conditional reciprocity).

    Under a joint mechanism of maturity ``m`` the abatement of cooperating
    partners is conditional on one's own cooperation, so a city that
    cooperates secures the share ``m`` of the partners' abatement that reaches
    it: through the air (exposure shares ``P0``) and, downstream, along the
    rivers (``PW``).  The more of a city's pollution comes from outside, the
    more it gains — "a government cannot govern alone".  Study section 3.1
    (attraction: shared interest); 4.2.2 (immature joint mechanism).  The
    city's own abatement is :func:`own_abatement_benefit`.

    .. math::
        m \left[\frac{φ\, GDP_i (1-b)(1-o_i)}{u E_i} \sum_{j \ne i} P0_{ji} x_j
        + \frac{φ_w a_w GDP_i}{c0_i} \sum_{j \ne i} PW_{ji} x_j\right]

    φ ``damage_gdp_share``, φ_w ``water_damage_gdp_share``, b
    ``background_share``, o_i the city's share of PM2.5 from outside the region
    (``CityData.outside_share``: cooperation inside the region cannot reduce
    it), a_w ``water_abatement_rate``; units c0.
    """
    city = ctx.city
    m = joint_maturity(ctx.params)
    air = _air_ratio(ctx) * (f.px - np.diagonal(city.exposure_shares) * f.x)
    water = _water_ratio(ctx) * (f.qx - np.diagonal(city.water_exposure_shares) * f.x)
    return m * (air + water)


def promotion(f: Features, ctx: ForceContext) -> Any:
    """Attraction: officials' career gain, weighted by the environmental assessment weight.

    Study section 3.1 (attraction: promotion); 5.1 (assessment weights).
    ``promotion_value × env_weight`` [c0].
    """
    return ctx.p("promotion_value") * ctx.p("env_weight")


def public_opinion(f: Features, ctx: ForceContext) -> Any:
    r"""Pressure: reputational cost of defecting.

    Rises with disclosure and with the city's population (the public that
    watches).  It does not fall when other cities cooperate: the public judges
    its own government's conduct.  Study section 3.2 (pressure: public
    opinion), 4.3.2 (disclosure).

    .. math:: ρ \, δ \, pop_i / \overline{pop}
    """
    return ctx.p("public_opinion") * ctx.p("disclosure") * ctx.pop_rel


def legitimacy(f: Features, ctx: ForceContext) -> Any:
    """Pressure: the service-oriented government norm.

    Study section 3.2 (legitimacy); 5.1 (change of development concept).
    ``legitimacy × development_concept`` [c0].
    """
    return ctx.p("legitimacy") * ctx.p("development_concept")


def administrative_cost(f: Features, ctx: ForceContext) -> Any:
    """Pressure: shared monitoring and enforcement cut each member's cost.

    Saving proportional to the share of cooperating neighbours.  Study section
    3.2 (administrative cost).  ``admin_saving × wx_i`` [c0].
    """
    return ctx.p("admin_saving") * f.wx


def vertical_thrust(f: Features, ctx: ForceContext) -> Any:
    r"""Thrust: central reward for cooperating, accountability for defecting.

    The centre rewards a city its assessment finds cooperating and, when it
    inspects (probability ``d``), penalises a city found defecting, with a
    penalty scaled by the completeness of the law.  With error-free
    monitoring the stake of cooperating is the reward plus the expected
    penalty avoided; monitoring errors take their part back
    (:func:`monitoring_disunity`).  Study section 3.3 (vertical thrust); 4.2
    (incomplete law, weak enforcement).

    .. math:: R + F \, \ell \, d
    """
    return ctx.p("central_reward") + ctx.p("central_penalty") * ctx.p("law_completeness") * ctx.p(
        "detection"
    )


def bottom_up_thrust(f: Features, ctx: ForceContext) -> Any:
    r"""Thrust: NGOs and enterprises press a defecting government.

    An external force with its own driver: civic activity ``ν``
    (``ngo_activity``), amplified towards 1 by information disclosure ``δ``.
    Study section 3.3 (bottom-up thrust), 4.3.2 (disclosure).

    .. math:: b \, (ν + (1 - ν) δ)
    """
    nu = ctx.p("ngo_activity")
    return ctx.p("bottom_up") * (nu + (1.0 - nu) * ctx.p("disclosure"))


def economic_interest(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: GDP lost to abatement, weighted by the GDP assessment weight.

    Heavier in cities with a large secondary industry.  Study section 4.1.1
    (local economic interest, GDP-based assessment).

    .. math:: -w_{GDP} \, g \, τ \, s_i / \bar s
    """
    return -ctx.p("gdp_weight") * ctx.p("gdp_loss") * ctx.p("technology_cost") * ctx.secondary_rel


def own_abatement_benefit(f: Features, ctx: ForceContext) -> Any:
    r"""Offset of resistance: the part of its own abatement's benefit a city keeps.

    Own abatement lowers the city's own PM2.5 by the share ``P0_ii`` of the
    abated pollution that stays at home, and its rivers by ``PW_ii``.  This is
    local interest, not shared interest: it shrinks as more of the city's
    pollution comes from outside.  Study section 4.1.1 (local interest).

    .. math::
        \frac{φ\, GDP_i (1-b)(1-o_i)}{u E_i} P0_{ii} + \frac{φ_w a_w GDP_i}{c0_i} PW_{ii}
    """
    city = ctx.city
    return _air_ratio(ctx) * np.diagonal(city.exposure_shares) + _water_ratio(ctx) * np.diagonal(
        city.water_exposure_shares
    )


def institutional(f: Features, ctx: ForceContext) -> Any:
    """Resistance: the sucker's loss under an immature joint mechanism.

    A cooperator whose neighbours defect loses when agreements have no teeth
    (maturity ``m``).  Study section 4.2 (incomplete law, immature joint
    mechanism).  ``−σ (1 − m)(1 − wx_i)`` [c0].
    """
    return -ctx.p("sucker_cost") * (1.0 - joint_maturity(ctx.params)) * (1.0 - f.wx)


def _fiscal_weight(ctx: ForceContext) -> Any:
    """Extra weight of the abatement cost on a weak government, β τ (1/k − 1)⁺ [c0]."""
    return (
        ctx.p("fiscal_burden")
        * ctx.p("technology_cost")
        * np.maximum(1.0 / ctx.city.fiscal_capacity - 1.0, 0.0)
    )


def fiscal_imbalance(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: abatement cost weighs more on fiscally weak governments.

    Fiscal capacity ``k_i`` is budget revenue per head relative to the
    regional mean; below the mean the cost carries the extra weight
    ``1/k_i − 1``.  Study section 4.3.1 (fiscal imbalance without
    compensation).  Offset by :func:`fiscal_transfer`.

    .. math:: -β τ \max(1/k_i - 1, 0)
    """
    return -_fiscal_weight(ctx)


def fiscal_transfer(f: Features, ctx: ForceContext) -> Any:
    r"""Offset of resistance: fiscal transfers paid to a weak government that cooperates.

    The regional fund is earmarked by need (:mod:`coopgov.compensation.fiscal`)
    and paid only while the government cooperates; a transfer offsets at most
    the extra fiscal weight of the abatement cost, so the fiscal terms
    together never push towards cooperation.  Study section 5.3 (transfers to
    weak governments).

    .. math:: \min\left(T_i / c0_i, \; β τ \max(1/k_i - 1, 0)\right)
    """
    return np.minimum(ctx.fiscal_transfer / ctx.c0, _fiscal_weight(ctx))


def information(f: Features, ctx: ForceContext) -> Any:
    """Resistance: transaction cost of cooperating without shared information.

    Study section 4.3.2.  ``−ι (1 − information_sharing)`` [c0].
    """
    return -ctx.p("information_cost") * (1.0 - ctx.p("information_sharing"))


def monitoring_disunity(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: monitoring errors take back part of the central stake.

    The centre judges by monitoring data: a cooperator passes with
    probability ``1 − e_fp`` and a defector is caught with probability
    ``1 − e_fn`` (both only on inspection for the penalty), so the expected
    stake of cooperating is ``(R + F ℓ d)(1 − e_fp − e_fn)``; disunited
    standards raise both error rates (:func:`~coopgov.model.parameters.monitoring_errors`).
    This term is the part lost to errors.  Study section 4.4.1.

    .. math:: -(R + F \ell d)(e_{fp} + e_{fn})
    """
    fp, fn = monitoring_errors(ctx.params)
    return -vertical_thrust(f, ctx) * (fp + fn)


def technology(f: Features, ctx: ForceContext) -> Any:
    """Resistance: the air abatement cost itself, at the current technology level.

    Study section 4.4.2 (weak technology).  ``−τ`` [c0].
    """
    return -ctx.p("technology_cost")


def water_abatement(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: the cost of cutting the city's river load while cooperating.

    Study section 4.4.2 (technology), 5.3 (water pollution cooperation).

    .. math:: -τ \, u_w a_w L_i / c0_i

    ``u_w`` ``unit_water_abatement_cost`` [yuan/t], ``L_i`` COD + NH3-N load [t/yr].
    """
    return (
        -ctx.p("technology_cost")
        * ctx.p("unit_water_abatement_cost")
        * ctx.p("water_abatement_rate")
        * ctx.city.water_load_total
        / ctx.c0
    )


def compensation(f: Features, ctx: ForceContext) -> Any:
    """Offset of resistance: what a river's two-way compensation bet pays for cooperating.

    Xin'an-type bet on every covered link from an upstream city to a
    downstream one: when the section meets its target the beneficiary
    (downstream) pays, otherwise the upstream city pays.  The difference of
    the bet's transfer between cooperating and defecting, computed with
    :func:`coopgov.compensation.bet.bet_transfer` in
    :func:`coopgov.dynamics.engine.compensation_incentive`.  Study section
    4.3.1, 5.3 (ecological compensation).  ``ΔT_i / c0_i`` [c0].
    """
    return ctx.compensation_incentive / ctx.c0


def lateral_thrust(f: Features, ctx: ForceContext) -> Any:
    """Thrust: demonstration by successful neighbours — enters the update rule.

    Not a payoff term: governments imitate a neighbouring city's strategy
    when it does better (payoff-biased imitation, :func:`lateral_flow`).  In
    the decomposition it is reported as the payoff difference that would
    produce the same flow (:func:`lateral_equivalent`).  Study section 3.3
    (lateral thrust: demonstration of successful experience).
    """
    return 0.0


def lateral_flow(x: Any, delta: Any, neighbour_weights: np.ndarray, kappa: Any) -> Any:
    r"""Flow of cooperation by imitation of successful neighbours [1/yr].

    A government of city i meets a government of a neighbouring city j
    (weight ``W_ij``) and adopts its strategy with a probability
    proportional to the payoff advantage, at rate ``κ``: a defector copies a
    cooperator of j when cooperating pays in j (``Δ_j > 0``), a cooperator
    copies a defector of j when cooperating does not pay at home
    (``Δ_i < 0``); payoffs are measured against defecting at home (Schlag
    1998, proportional imitation; Helbing 1992):

    .. math::
        L_i = κ \left[(1 - x_i) \sum_j W_{ij} x_j Δ_j^+
              - x_i Δ_i^- \sum_j W_{ij} (1 - x_j)\right]

    with ``z⁺ = max(z, 0)`` and ``z⁻ = max(−z, 0)``.

    Parameters
    ----------
    x : ndarray, shape (..., N)
        Cooperation [1].
    delta : ndarray, shape (..., N)
        Payoff difference Δ [c0].
    neighbour_weights : ndarray, shape (N, N)
        Row-normalised adjacency ``W`` [1].
    kappa : array_like, broadcastable to (..., 1)
        ``lateral_thrust`` [1/yr per c0].

    References
    ----------
    .. [1] Schlag, K. H. (1998). Why imitate, and if so, how? Journal of
       Economic Theory, 78(1), 130-156.
    .. [2] Helbing, D. (1992). Interrelations between stochastic equations for
       systems with pair interactions. Physica A, 181, 29-52.
    """
    x = np.asarray(x, float)
    delta = np.asarray(delta, float)
    w = np.asarray(neighbour_weights, float)
    gain = (x * np.maximum(delta, 0.0)) @ w.T
    loss = np.maximum(-delta, 0.0) * ((1.0 - x) @ w.T)
    return kappa * ((1.0 - x) * gain - x * loss)


def lateral_equivalent(
    x: Any, delta: Any, neighbour_weights: np.ndarray, kappa: Any, rate: Any
) -> Any:
    r"""Lateral flow expressed as the payoff difference that would drive it [c0].

    .. math:: L_i / (r \, x_i (1 - x_i))

    (``x (1 − x)`` floored at 1e-9), so that the decomposition's terms add up
    to the total selection pressure ``Δ + L / (r x (1 − x))``.
    """
    x = np.asarray(x, float)
    flow = lateral_flow(x, delta, neighbour_weights, kappa)
    return flow / (np.asarray(rate, float) * np.maximum(x * (1.0 - x), 1e-9))


@dataclass(frozen=True)
class ForceTerm:
    """A named force term: its family, the part of the study, and its function.

    ``depends_on`` names the state features the term is affine in (a subset
    of ``x``, ``px``, ``wx``, ``qx``); the engine evaluates slopes only for
    those, and a test checks the declaration against the function.
    ``in_payoff`` is False for the lateral thrust, which acts through the
    update rule (imitation of neighbours) rather than the payoff difference.
    """

    name: str
    family: str
    study: str
    function: Callable[[Features, ForceContext], Any]
    depends_on: tuple[str, ...] = ()
    in_payoff: bool = True


FEATURE_NAMES = ("x", "px", "wx", "qx")

FORCE_TERMS: tuple[ForceTerm, ...] = (
    ForceTerm("shared_interest", "attraction", "3.1", shared_interest, ("x", "px", "qx")),
    ForceTerm("promotion", "attraction", "3.1", promotion),
    ForceTerm("public_opinion", "pressure", "3.2", public_opinion),
    ForceTerm("legitimacy", "pressure", "3.2", legitimacy),
    ForceTerm("administrative_cost", "pressure", "3.2", administrative_cost, ("wx",)),
    ForceTerm("vertical_thrust", "thrust", "3.3", vertical_thrust),
    ForceTerm("lateral_thrust", "thrust", "3.3", lateral_thrust, in_payoff=False),
    ForceTerm("bottom_up_thrust", "thrust", "3.3", bottom_up_thrust),
    ForceTerm("economic_interest", "resistance", "4.1.1", economic_interest),
    ForceTerm("own_abatement_benefit", "resistance", "4.1.1", own_abatement_benefit),
    ForceTerm("institutional", "resistance", "4.2", institutional, ("wx",)),
    ForceTerm("fiscal_imbalance", "resistance", "4.3.1", fiscal_imbalance),
    ForceTerm("fiscal_transfer", "resistance", "5.3", fiscal_transfer),
    ForceTerm("information", "resistance", "4.3.2", information),
    ForceTerm("monitoring_disunity", "resistance", "4.4.1", monitoring_disunity),
    ForceTerm("technology", "resistance", "4.4.2", technology),
    ForceTerm("water_abatement", "resistance", "4.4.2", water_abatement),
    ForceTerm("compensation", "resistance", "4.3.1/5.3", compensation),
)

PAYOFF_TERMS: tuple[ForceTerm, ...] = tuple(t for t in FORCE_TERMS if t.in_payoff)


def features(x: np.ndarray, city: CityData) -> Features:
    """State features of cooperation states ``x`` of shape (..., N)."""
    x = np.asarray(x, dtype=float)
    return Features(
        x=x,
        px=x @ city.exposure_shares,
        wx=x @ city.neighbour_weights.T,
        qx=x @ city.water_exposure_shares,
    )


def decompose(x: np.ndarray, ctx: ForceContext, *, lateral: bool = True) -> dict[str, Any]:
    """Every force term at states ``x`` (shape (..., N)), by name [c0].

    The payoff terms add up to Δ; ``lateral_thrust`` (with ``lateral=True``)
    is the imitation flow of :func:`lateral_flow` expressed as an equivalent
    payoff difference (:func:`lateral_equivalent`), so that all terms add up
    to the selection pressure that moves each city.
    """
    f = features(x, ctx.city)
    shape = np.broadcast_shapes(np.shape(x), np.shape(ctx.c0))
    out: dict[str, Any] = {}
    for term in FORCE_TERMS:
        if term.in_payoff:
            out[term.name] = np.broadcast_to(term.function(f, ctx), shape)
    if lateral:
        delta = sum(out.values())
        eq = lateral_equivalent(
            f.x,
            delta,
            ctx.city.neighbour_weights,
            ctx.p("lateral_thrust"),
            ctx.p("adjustment_rate"),
        )
        out = {
            t.name: (out[t.name] if t.in_payoff else np.broadcast_to(eq, shape))
            for t in FORCE_TERMS
        }
    return out


def payoff_difference(x: np.ndarray, ctx: ForceContext) -> Any:
    """Δ = U(C) − U(D): the sum of the payoff terms at states ``x`` [c0]."""
    return sum(decompose(x, ctx, lateral=False).values())


def affine_coefficients(ctx: ForceContext, *, maturity: Any = None) -> np.ndarray:
    r"""Coefficients of Δ as an affine function of the state features.

    .. math:: Δ_i = d_i + c^x_i x_i + c^p_i px_i + c^w_i wx_i + c^q_i qx_i

    The closed form of the sum of :data:`PAYOFF_TERMS` (each term's formula
    is in its docstring; study sections 3 and 4).  With the air and water
    ratios ``A_i = φ GDP_i (1-b)(1-o_i) / (u E_i)`` and
    ``B_i = φ_w a_w GDP_i / c0_i``, maturity ``m``, the own-abatement share
    ``O_i = A_i P0_ii + B_i PW_ii`` and the fiscal weight
    ``f_i = β τ max(1/k_i − 1, 0)``:

    .. math::
        c^p = m A, \quad c^q = m B, \quad c^x = -m O, \quad
        c^w = s_a + σ (1 - m),

        d = π w_{env} + ρ δ \frac{pop_i}{\overline{pop}} + ℓ_g c_d
            + (R + F ℓ d_t)(1 - e_{fp} - e_{fn}) + b (ν + (1 - ν) δ)
            - w_{GDP} g τ \frac{s_i}{\bar s} + O_i - σ (1 - m) - f_i
            + \min(T_i / c0_i, f_i) - ι (1 - I) - τ
            - τ u_w a_w L_i / c0_i + ΔT_i / c0_i

    (symbols as in the terms' docstrings).  Equal to
    :func:`probed_affine_coefficients`, which evaluates the term functions
    themselves, to rounding (tested to 1e-12 over drawn parameter sets), so
    the integrated Δ and the reported decomposition cannot drift apart; the
    region-constant factors come from :attr:`CityData.force_constants
    <coopgov.model.cities.CityData.force_constants>`.

    The closed form is one compiled loop (:func:`_affine_kernel`) over the
    scenarios, years and cities: each point costs a few dozen
    floating-point operations, so a NumPy expression per factor would spend
    its time on the calls, not the arithmetic.  The parameter factors are
    evaluated once per scenario (and year, where a parameter varies by year)
    unless a parameter varies by city.

    Parameters
    ----------
    ctx : ForceContext
        Parameters, fiscal transfers [yuan/yr] and compensation incentive
        [yuan/yr], each broadcastable to ``(..., N)``.
    maturity : array_like, optional
        The joint mechanism's maturity ``m`` [1] when the caller has it
        already (:func:`~coopgov.model.parameters.joint_maturity` of
        ``ctx.params``); computed from ``ctx.params`` when omitted.

    Returns
    -------
    ndarray, shape (5, ..., N)
        ``[d, c_x, c_p, c_w, c_q]``; the middle axes are those the
        context's arrays broadcast to.  A new, writeable, C-contiguous array.
    """
    p = ctx.params
    m = joint_maturity(p) if maturity is None else maturity
    fp, fn = monitoring_errors(p)
    args = [p[name] for name in _COEFFICIENT_PARAMETERS]
    args += (m, fp, fn, ctx.fiscal_transfer, ctx.compensation_incentive)
    table = _city_table(ctx.city)
    try:
        # the engine's arrays are already (S, Y or 1, N or 1): no conversion
        return _compiled_kernel()(*args, table)
    except TypeError:  # not all three-dimensional float arrays: bring them to that form
        pass
    arrays = [np.asarray(a, dtype=float) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays), (ctx.city.n,))
    lead = shape[:-1]
    flat = len(lead) > 2
    three = []
    for a in arrays:
        a = a.reshape((1,) * (len(shape) - a.ndim) + a.shape)
        if flat:  # more than two leading axes: one axis of their product
            a = np.broadcast_to(a, lead + a.shape[-1:]).reshape(1, -1, a.shape[-1])
        else:
            a = a.reshape((1,) * (3 - a.ndim) + a.shape)
        three.append(a)
    return _compiled_kernel()(*three, table).reshape((5,) + shape)


#: The parameters the closed form reads, in the order of :func:`_affine_kernel`'s arguments.
_COEFFICIENT_PARAMETERS = (
    "unit_abatement_cost",
    "abatement_rate",
    "technology_cost",
    "sucker_cost",
    "ngo_activity",
    "disclosure",
    "central_reward",
    "central_penalty",
    "law_completeness",
    "detection",
    "promotion_value",
    "env_weight",
    "legitimacy",
    "development_concept",
    "bottom_up",
    "information_cost",
    "information_sharing",
    "damage_gdp_share",
    "background_share",
    "water_damage_gdp_share",
    "water_abatement_rate",
    "fiscal_burden",
    "public_opinion",
    "gdp_weight",
    "gdp_loss",
    "unit_water_abatement_cost",
    "admin_saving",
)

#: Rows of the city table the closed form reads (:attr:`CityData.force_constants`).
_CITY_FACTORS = (
    "gdp_reducible_per_e",
    "gdp_per_e",
    "p0_diag",
    "pw_diag",
    "fiscal_weight",
    "population_relative",
    "secondary_relative",
    "water_load_per_e",
    "air_emissions",
)

#: The last few regions' city tables, by identity (the region's constants never change:
#: CityData is frozen); each entry keeps its CityData alive so that an id is not reused.
_CITY_TABLES: dict[int, tuple[CityData, np.ndarray]] = {}


def _city_table(city: CityData) -> np.ndarray:
    """The region-constant factors of :data:`_CITY_FACTORS` as one read-only (9, N) array."""
    hit = _CITY_TABLES.get(id(city))
    if hit is not None and hit[0] is city:
        return hit[1]
    k = city.force_constants
    table = np.array([k[name] for name in _CITY_FACTORS], dtype=float)
    table.setflags(write=False)
    if len(_CITY_TABLES) >= 8:
        _CITY_TABLES.pop(next(iter(_CITY_TABLES)))
    _CITY_TABLES[id(city)] = (city, table)
    return table


@numba.njit(inline="always")
def _extent(extent: int, size: int) -> int:
    """Broadcast one axis of length ``size`` into ``extent`` (NumPy's rule)."""
    if size == 1 or size == extent:
        return extent
    if extent == 1:
        return size
    raise ValueError("force context arrays do not broadcast together")


@numba.njit(inline="always")
def _at(a: np.ndarray, s: int, y: int, i: int) -> float:
    """``a[s, y, i]`` with NumPy broadcasting of the axes of length 1."""
    return a[s if a.shape[0] > 1 else 0, y if a.shape[1] > 1 else 0, i if a.shape[2] > 1 else 0]


def _affine_kernel(
    u, a, tau, sucker_cost, nu, disclosure, reward, penalty, law, detection,
    promotion_value, env_weight, legitimacy_, concept, bottom_up, info_cost, info_sharing,
    phi, background, phi_w, a_w, beta, rho, gdp_weight, gdp_loss, u_w, admin, m, e_fp, e_fn,
    transfer, incentive, k,
):  # fmt: skip
    r"""The closed form of :func:`affine_coefficients` at every scenario, year and city.

    Each argument up to ``incentive`` is a three-dimensional array (S or 1,
    Y or 1, N or 1) broadcast as NumPy would: the parameters named in
    :data:`_COEFFICIENT_PARAMETERS` [their units], ``m`` the maturity [1],
    ``e_fp`` and ``e_fn`` the monitoring errors [1], ``transfer`` T [yuan/yr] and ``incentive``
    ΔT [yuan/yr]; ``k`` the (9, N) city factors of :data:`_CITY_FACTORS`.
    The factors that depend on parameters only are evaluated once per
    scenario and year (once per scenario if no parameter varies by year) and
    reused for every city unless some parameter varies by city.
    Returns the (5, S, Y, N) array ``[d, c_x, c_p, c_w, c_q]`` [c0].
    """
    n_c = k.shape[1]
    params = (
        u, a, tau, sucker_cost, nu, disclosure, reward, penalty, law, detection,
        promotion_value, env_weight, legitimacy_, concept, bottom_up, info_cost, info_sharing,
        phi, background, phi_w, a_w, beta, rho, gdp_weight, gdp_loss, u_w, admin, m, e_fp, e_fn,
    )  # fmt: skip
    s_n, y_n, per_year, per_city = 1, 1, False, False
    for v in params:
        s_n, y_n = _extent(s_n, v.shape[0]), _extent(y_n, v.shape[1])
        _extent(n_c, v.shape[2])
        per_year |= v.shape[1] > 1
        per_city |= v.shape[2] > 1
    for v in (transfer, incentive):
        s_n, y_n = _extent(s_n, v.shape[0]), _extent(y_n, v.shape[1])
        _extent(n_c, v.shape[2])
    out = np.empty((5, s_n, y_n, n_c))
    for s in range(s_n):
        f = _parameter_factors(params, s, 0, 0)
        for y in range(y_n):
            # the transfers and incentives of this scenario and year, by city (or one value)
            t_row = transfer[s if transfer.shape[0] > 1 else 0, y if transfer.shape[1] > 1 else 0]
            i_row = incentive[
                s if incentive.shape[0] > 1 else 0, y if incentive.shape[1] > 1 else 0
            ]
            t_step = 1 if t_row.shape[0] > 1 else 0
            i_step = 1 if i_row.shape[0] > 1 else 0
            if per_city:
                for i in range(n_c):
                    f = _parameter_factors(params, s, y, i)
                    _coefficients_at(out, s, y, i, f, k, t_row[i * t_step], i_row[i * i_step])
            else:  # the parameter factors once for all cities (and years, if constant)
                if per_year:
                    f = _parameter_factors(params, s, y, 0)
                for i in range(n_c):
                    _coefficients_at(out, s, y, i, f, k, t_row[i * t_step], i_row[i * i_step])
    return out


@numba.njit(inline="always")
def _parameter_factors(params, s, y, i):
    """The factors of the closed form that depend on parameters only, at one point."""
    (
        u, a, tau, sucker_cost, nu, disclosure, reward, penalty, law, detection,
        promotion_value, env_weight, legitimacy_, concept, bottom_up, info_cost, info_sharing,
        phi, background, phi_w, a_w, beta, rho, gdp_weight, gdp_loss, u_w, admin, m, e_fp, e_fn,
    ) = params  # fmt: skip
    u_i, a_i, tau_i = _at(u, s, y, i), _at(a, s, y, i), _at(tau, s, y, i)
    m_i, nu_i, dis_i = _at(m, s, y, i), _at(nu, s, y, i), _at(disclosure, s, y, i)
    ua = u_i * a_i
    sucker = _at(sucker_cost, s, y, i) * (1.0 - m_i)
    vertical = _at(reward, s, y, i) + _at(penalty, s, y, i) * _at(law, s, y, i) * _at(
        detection, s, y, i
    )
    flat = (
        _at(promotion_value, s, y, i) * _at(env_weight, s, y, i)
        + _at(legitimacy_, s, y, i) * _at(concept, s, y, i)
        + vertical * (1.0 - (_at(e_fp, s, y, i) + _at(e_fn, s, y, i)))
        + _at(bottom_up, s, y, i) * (nu_i + (1.0 - nu_i) * dis_i)
        - sucker
        - _at(info_cost, s, y, i) * (1.0 - _at(info_sharing, s, y, i))
        - tau_i
    )
    a_w_i = _at(a_w, s, y, i)
    return (
        ua,
        flat,
        _at(phi, s, y, i) * (1.0 - _at(background, s, y, i)) / u_i,  # air
        _at(phi_w, s, y, i) * a_w_i / ua,  # water
        _at(beta, s, y, i) * tau_i,  # fiscal weight
        _at(rho, s, y, i) * dis_i,  # public opinion
        _at(gdp_weight, s, y, i) * _at(gdp_loss, s, y, i) * tau_i,  # economic interest
        tau_i * _at(u_w, s, y, i) * a_w_i / ua,  # water abatement
        _at(admin, s, y, i) + sucker,  # c_w
        m_i,
    )


@numba.njit(inline="always")
def _coefficients_at(out, s, y, i, f, k, transfer, incentive):
    """The five coefficients at scenario s, year y, city i from the factors ``f``.

    ``transfer`` and ``incentive`` are the city's T and ΔT there [yuan/yr].
    """
    ua, flat, air_f, water_f, fiscal_f, pop_f, sec_f, load_f, c_w, m_i = f
    air = air_f * k[0, i]
    water = water_f * k[1, i]
    own = air * k[2, i] + water * k[3, i]
    fiscal = fiscal_f * k[4, i]
    inv_c0 = 1.0 / (ua * k[8, i])
    out[0, s, y, i] = (
        flat
        + pop_f * k[5, i]
        - sec_f * k[6, i]
        + own
        - fiscal
        + min(transfer * inv_c0, fiscal)
        - load_f * k[7, i]
        + incentive * inv_c0
    )
    out[1, s, y, i] = -m_i * own
    out[2, s, y, i] = m_i * air
    out[3, s, y, i] = c_w
    out[4, s, y, i] = m_i * water


_IN = numba.types.Array(numba.float64, 3, "A", readonly=True)
#: Every input read-only of any layout, so one compiled version serves every call.
_KERNEL_SIGNATURE = numba.types.Array(numba.float64, 4, "C")(
    *([_IN] * 32), numba.types.Array(numba.float64, 2, "C", readonly=True)
)


@lru_cache(maxsize=1)
def _compiled_kernel() -> Any:
    """:func:`_affine_kernel` compiled for :data:`_KERNEL_SIGNATURE` on first use (disk-cached)."""
    return numba.njit(_KERNEL_SIGNATURE, cache=True, error_model="numpy")(_affine_kernel)


def probed_affine_coefficients(ctx: ForceContext) -> np.ndarray:
    r"""Coefficients of Δ as an affine function of the state features, by probing the terms.

    .. math:: Δ_i = d_i + c^x_i x_i + c^p_i px_i + c^w_i wx_i + c^q_i qx_i

    Obtained by evaluating the very term functions at the zero state and at
    a unit value of each feature the term declares (every term is affine in
    the features).  The reference for :func:`affine_coefficients`, which
    gives the same coefficients from their closed form in a fraction of the
    time (a test holds the two together to 1e-12 over drawn parameters).

    Returns
    -------
    ndarray, shape (5, ..., N)
        ``[d, c_x, c_p, c_w, c_q]``; the middle axes are those the
        context's arrays broadcast to.
    """
    ndim = max(
        np.ndim(ctx.c0), np.ndim(ctx.fiscal_transfer), np.ndim(ctx.compensation_incentive), 1
    )
    parts: list[list[Any]] = [[] for _ in range(5)]
    for term in PAYOFF_TERMS:
        if not term.depends_on:
            parts[0].append(term.function(Features(0.0, 0.0, 0.0, 0.0), ctx))
            continue
        # one evaluation: row 0 at the zero state, row r at a unit value of the r-th
        # declared feature (a leading probe axis)
        k_n = len(term.depends_on)
        probe = np.zeros((k_n + 1, 4))
        for r, feature in enumerate(term.depends_on, start=1):
            probe[r, FEATURE_NAMES.index(feature)] = 1.0
        shape = (k_n + 1,) + (1,) * ndim
        out = term.function(Features(*(probe[:, j].reshape(shape) for j in range(4))), ctx)
        parts[0].append(out[0])
        for r, feature in enumerate(term.depends_on, start=1):
            parts[FEATURE_NAMES.index(feature) + 1].append(out[r] - out[0])
    shape = np.broadcast_shapes(*(np.shape(a) for group in parts for a in group), (ctx.city.n,))
    coef = np.empty((5,) + shape)
    for k, group in enumerate(parts):
        # add terms of equal shape first, so the full-size array is touched once per shape
        by_shape: dict[tuple[int, ...], Any] = {}
        for a in group:
            key = np.shape(a)
            by_shape[key] = a if key not in by_shape else by_shape[key] + a
        coef[k] = 0.0
        for a in by_shape.values():
            coef[k] += a
    return coef
