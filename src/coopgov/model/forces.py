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
its neighbours, and ``xbar`` the regional mean.  Every term is *affine* in
these features, which the engine exploits (:func:`affine_coefficients`): the
decomposition it reports and the Δ it integrates come from the same
functions.

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
from typing import Any

import numpy as np

from coopgov.model.cities import CityData

__all__ = [
    "Features",
    "ForceContext",
    "ForceTerm",
    "FORCE_TERMS",
    "FAMILIES",
    "payoff_difference",
    "decompose",
    "affine_coefficients",
    "features",
]

FAMILIES = ("attraction", "pressure", "thrust", "resistance")


@dataclass(frozen=True)
class Features:
    """State features a term may depend on (each broadcastable to (..., N))."""

    x: Any
    px: Any
    wx: Any
    xbar: Any


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

def shared_interest(f: Features, ctx: ForceContext) -> Any:
    r"""Attraction: damage avoided at home by own and partners' reciprocal abatement.

    Own abatement lowers the city's PM2.5 by ``a (1 − b) P0[i, i]`` of its
    level; under a joint mechanism of maturity ``m`` (``reciprocity``) the
    partners' abatement that reaches i is conditional on i's cooperation and
    counts too.  A city whose pollution comes mostly from outside gains
    little alone — "a government cannot govern alone" — and much from
    reciprocity.  Study section 3.1 (attraction: shared interest).

    .. math::
        \\frac{φ \\, GDP_i (1-b)}{u E_i}\\left[P0_{ii} + m \\left(px_i - P0_{ii} x_i\\right)\\right]

    φ ``damage_gdp_share``, b ``background_share``; units c0.
    """
    city = ctx.city
    ratio = (ctx.p("damage_gdp_share") * city.gdp * (1.0 - ctx.p("background_share"))
             / (ctx.p("unit_abatement_cost") * city.air_emissions))
    own = np.diagonal(city.exposure_shares)
    return ratio * (own + ctx.p("reciprocity") * (f.px - own * f.x))


def promotion(f: Features, ctx: ForceContext) -> Any:
    """Attraction: officials' career gain, weighted by the environmental assessment weight.

    Study section 3.1 (attraction: promotion); 5.1 (assessment weights).
    ``promotion_value × env_weight`` [c0].
    """
    return ctx.p("promotion_value") * ctx.p("env_weight")


def public_opinion(f: Features, ctx: ForceContext) -> Any:
    r"""Pressure: reputational cost of defecting.

    Rises with disclosure, with the city's population and with its exposure
    (PM2.5 relative to the no-cooperation level, which falls as emitters
    reaching it cooperate).  Study section 3.2 (pressure: public opinion),
    4.3.2 (disclosure).

    .. math::
        ρ \\, δ \\, \\frac{pop_i}{\\overline{pop}} \\left[1 - a (1-b) px_i\\right]
    """
    exposure = 1.0 - ctx.p("abatement_rate") * (1.0 - ctx.p("background_share")) * f.px
    return ctx.p("public_opinion") * ctx.p("disclosure") * ctx.pop_rel * exposure


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

    The penalty is scaled by the completeness of the law and applies when a
    defector is detected.  Study section 3.3 (vertical thrust); 4.2
    (incomplete law, weak enforcement).

    .. math:: R + F \\, \\ell \\, p_{det}
    """
    return (ctx.p("central_reward")
            + ctx.p("central_penalty") * ctx.p("law_completeness") * ctx.p("detection")
            )


def lateral_thrust(f: Features, ctx: ForceContext) -> Any:
    """Thrust: demonstration effect of neighbours (mean-field form).

    Pull towards the neighbours' cooperation level; zero for a city without
    neighbours.  In the agent-based model the same strength drives imitation
    (Fermi rule) instead.  Study section 3.3 (lateral thrust).
    ``κ (wx_i − x_i)`` [c0].
    """
    return ctx.p("lateral_thrust") * ctx.city.has_neighbours * (f.wx - f.x)


def bottom_up_thrust(f: Features, ctx: ForceContext) -> Any:
    """Thrust: NGOs and enterprises — a social norm that grows with regional cooperation.

    Study section 3.3 (bottom-up thrust).  ``bottom_up × xbar`` [c0].
    """
    return ctx.p("bottom_up") * f.xbar


def economic_interest(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: GDP lost to abatement, weighted by the GDP assessment weight.

    Heavier in cities with a large secondary industry.  Study section 4.1.1
    (local economic interest, GDP-based assessment).

    .. math:: -w_{GDP} \\, g \\, τ \\, s_i / \\bar s
    """
    return (-ctx.p("gdp_weight") * ctx.p("gdp_loss") * ctx.p("technology_cost")
            * ctx.secondary_rel)


def institutional(f: Features, ctx: ForceContext) -> Any:
    """Resistance: the sucker's loss under an immature joint mechanism.

    A cooperator whose neighbours defect loses when agreements have no teeth
    (no reciprocity).  Study section 4.2 (incomplete law, immature joint
    mechanism).  ``−σ (1 − m)(1 − wx_i)`` [c0].
    """
    return -ctx.p("sucker_cost") * (1.0 - ctx.p("reciprocity")) * (1.0 - f.wx)


def fiscal_imbalance(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: abatement cost weighs more on fiscally weak governments.

    Fiscal capacity ``k_i`` is budget revenue per head relative to the
    regional mean; the extra weight of the cost is ``1/k_i − 1`` (zero at
    the mean, negative — a lighter burden — for strong governments).  Fiscal
    transfers ``T_i`` cover the share ``θ_i = min(1, T_i / (τ c0_i))`` of a
    weak government's abatement cost, which then carries no extra weight.
    Study section 4.3.1 (fiscal imbalance); 5.3 (transfers to weak
    governments).

    .. math:: -β τ \\left(\\frac{1}{k_i} - 1\\right)(1 - θ_i)
    """
    covered = np.minimum(1.0, ctx.fiscal_transfer / (ctx.p("technology_cost") * ctx.c0))
    return (-ctx.p("fiscal_burden") * ctx.p("technology_cost")
            * (1.0 / ctx.city.fiscal_capacity - 1.0) * (1.0 - covered))


def information(f: Features, ctx: ForceContext) -> Any:
    """Resistance: transaction cost of cooperating without shared information.

    Study section 4.3.2.  ``−ι (1 − information_sharing)`` [c0].
    """
    return -ctx.p("information_cost") * (1.0 - ctx.p("information_sharing"))


def monitoring_disunity(f: Features, ctx: ForceContext) -> Any:
    r"""Resistance: verification error of disunited monitoring standards.

    A cooperator misjudged as a defector (probability ε) loses the reward and
    is held accountable.  Study section 4.4.1.

    .. math:: -ε (1 - υ)(R + F \\ell)
    """
    err = ctx.p("verification_error") * (1.0 - ctx.p("monitoring_unification"))
    stake = ctx.p("central_reward") + ctx.p("central_penalty") * ctx.p("law_completeness")
    return -err * stake


def technology(f: Features, ctx: ForceContext) -> Any:
    """Resistance: the abatement cost itself, at the current technology level.

    Study section 4.4.2 (weak technology).  ``−τ`` [c0].
    """
    return -ctx.p("technology_cost")


def compensation(f: Features, ctx: ForceContext) -> Any:
    """Offset of resistance: ecological-compensation payment avoided by cooperating.

    Per-tonne compensation at transboundary sections (Jiangsu type): an
    upstream city pays for its load above the target; cooperating lowers the
    load and the payment.  Computed by :mod:`coopgov.compensation` rules in
    :func:`coopgov.dynamics.engine.compensation_incentive`.  Study section
    4.3.1, 5.3 (ecological compensation).  ``ΔPay_i / c0_i`` [c0].
    """
    return ctx.compensation_incentive / ctx.c0


@dataclass(frozen=True)
class ForceTerm:
    """A named force term: its family, the part of the study, and its function.

    ``depends_on`` names the state features the term is affine in (a subset
    of ``x``, ``px``, ``wx``, ``xbar``); the engine evaluates slopes only for
    those, and a test checks the declaration against the function.
    """

    name: str
    family: str
    study: str
    function: Callable[[Features, ForceContext], Any]
    depends_on: tuple[str, ...] = ()


FEATURE_NAMES = ("x", "px", "wx", "xbar")

FORCE_TERMS: tuple[ForceTerm, ...] = (
    ForceTerm("shared_interest", "attraction", "3.1", shared_interest, ("x", "px")),
    ForceTerm("promotion", "attraction", "3.1", promotion),
    ForceTerm("public_opinion", "pressure", "3.2", public_opinion, ("px",)),
    ForceTerm("legitimacy", "pressure", "3.2", legitimacy),
    ForceTerm("administrative_cost", "pressure", "3.2", administrative_cost, ("wx",)),
    ForceTerm("vertical_thrust", "thrust", "3.3", vertical_thrust),
    ForceTerm("lateral_thrust", "thrust", "3.3", lateral_thrust, ("x", "wx")),
    ForceTerm("bottom_up_thrust", "thrust", "3.3", bottom_up_thrust, ("xbar",)),
    ForceTerm("economic_interest", "resistance", "4.1", economic_interest),
    ForceTerm("institutional", "resistance", "4.2", institutional, ("wx",)),
    ForceTerm("fiscal_imbalance", "resistance", "4.3.1", fiscal_imbalance),
    ForceTerm("information", "resistance", "4.3.2", information),
    ForceTerm("monitoring_disunity", "resistance", "4.4.1", monitoring_disunity),
    ForceTerm("technology", "resistance", "4.4.2", technology),
    ForceTerm("compensation", "resistance", "4.3.1/5.3", compensation),
)


def features(x: np.ndarray, city: CityData) -> Features:
    """State features of cooperation states ``x`` of shape (..., N)."""
    x = np.asarray(x, dtype=float)
    return Features(
        x=x,
        px=x @ city.exposure_shares,
        wx=x @ city.neighbour_weights.T,
        xbar=x.mean(axis=-1, keepdims=True),
    )


def decompose(x: np.ndarray, ctx: ForceContext, *, mean_field: bool = True) -> dict[str, Any]:
    """Every force term at states ``x`` (shape (..., N)), by name [c0].

    With ``mean_field=False`` the lateral term is left out: the agent-based
    model represents lateral thrust by imitation instead.
    """
    f = features(x, ctx.city)
    shape = np.broadcast_shapes(np.shape(x), np.shape(ctx.c0))
    out = {}
    for term in FORCE_TERMS:
        if not mean_field and term.name == "lateral_thrust":
            continue
        out[term.name] = np.broadcast_to(term.function(f, ctx), shape)
    return out


def payoff_difference(x: np.ndarray, ctx: ForceContext, *, mean_field: bool = True) -> Any:
    """Δ = U(C) − U(D): the sum of the force terms at states ``x`` [c0]."""
    return sum(decompose(x, ctx, mean_field=mean_field).values())


def affine_coefficients(ctx: ForceContext, *, mean_field: bool = True) -> np.ndarray:
    r"""Coefficients of Δ as an affine function of the state features.

    .. math:: Δ_i = d_i + c^x_i x_i + c^p_i px_i + c^w_i wx_i + c^{\\bar x}_i \\bar x

    Obtained by evaluating the very term functions at the zero state and at
    a unit value of each feature the term declares (every term is affine in
    the features), so the integrated Δ and the reported decomposition cannot
    drift apart.

    Returns
    -------
    ndarray, shape (5, ..., N)
        ``[d, c_x, c_p, c_w, c_xbar]``; the middle axes are those the
        context's arrays broadcast to.
    """
    ndim = max(np.ndim(ctx.c0), np.ndim(ctx.fiscal_transfer),
               np.ndim(ctx.compensation_incentive), 1)
    parts: list[list[Any]] = [[] for _ in range(5)]
    for term in FORCE_TERMS:
        if not mean_field and term.name == "lateral_thrust":
            continue
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
    shape = np.broadcast_shapes(*(np.shape(a) for group in parts for a in group),
                                (ctx.city.n,))
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
