"""Ecological compensation and fiscal transfers.

Three instruments the source study names for cross-regional environmental
governance (``docs/compensation.md``):

* the two-way water-quality **bet** of the Xin'an River type
  (:func:`bet_index`, :func:`bet_transfer`, :func:`banded_transfer`;
  table level :func:`xinan_compensation`; presets ``xinan-round1..3``);
* **per-tonne** compensation for exceedance at a section, Jiangsu type
  (:func:`per_tonne_payment`, :func:`split_by_contribution`; table level
  :func:`per_tonne_compensation`; presets ``jiangsu-taihu`` and
  ``jiangsu-taihu-2021``);
* **fiscal transfers** toward weak governments (:func:`fiscal_transfers`,
  :func:`net_fiscal_transfers`).

The array functions are pure, vectorised and broadcast over leading
(scenario) axes: the dynamics' compensation lever calls them directly.
Imports nothing of coopgov beyond the shared utilities :mod:`coopgov.errors`,
:mod:`coopgov.io` and :mod:`coopgov.tabular`.

Inside a simulation step, for S scenarios (shapes in brackets)::

    s = load_preset("xinan-round1")                   # once, outside the loop
    w = [s.weights[f] for f in ("permanganate_index", "nh3_n", "tn", "tp")]
    p = bet_index(conc, baseline, w, s.k0)             # conc (S, 4) mg/L -> (S,)
    t = bet_transfer(p, s.downstream_pays, s.upstream_pays)  # yuan, + = downstream pays
    y = per_tonne_payment(c, target, q, dt, tiers)      # yuan, any broadcast shape
    parts = split_by_contribution(y, shares)            # (S, J), sums to y
    r = fiscal_transfers(revenue_per_head, pop, fund)   # (S, N) yuan, sums <= fund
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from coopgov.compensation.bet import banded_transfer, bet_index, bet_transfer
from coopgov.compensation.config import (
    FACTORS,
    BetScheme,
    FactorRule,
    PaymentBand,
    PerTonneScheme,
    PriceTier,
    Scheme,
    SectionInfo,
    canonical_factor,
    list_presets,
    load_preset,
    load_scheme,
    scheme_from_dict,
)
from coopgov.compensation.fiscal import (
    fiscal_levies,
    fiscal_need,
    fiscal_surplus,
    fiscal_transfers,
    net_fiscal_transfers,
    regional_mean_capacity,
    relative_fiscal_capacity,
)
from coopgov.compensation.measurements import parse_contributions, read_measurements
from coopgov.compensation.per_tonne import (
    TONNES_PER_MG_L_M3,
    PriceTiers,
    exceedance_multiple,
    excess_load,
    per_tonne_payment,
    split_by_contribution,
)
from coopgov.compensation.schemes import (
    PAYMENT_COLUMNS,
    PerTonneResult,
    XinanResult,
    per_tonne_assessment,
    per_tonne_compensation,
    table_records,
    xinan_assessment,
    xinan_compensation,
)

__all__ = [
    "FACTORS",
    "PAYMENT_COLUMNS",
    "TONNES_PER_MG_L_M3",
    "BetScheme",
    "FactorRule",
    "PaymentBand",
    "PerTonneResult",
    "PerTonneScheme",
    "PriceTier",
    "PriceTiers",
    "Scheme",
    "SectionInfo",
    "XinanResult",
    "banded_transfer",
    "bet_index",
    "bet_transfer",
    "canonical_factor",
    "example_path",
    "exceedance_multiple",
    "excess_load",
    "fiscal_levies",
    "fiscal_need",
    "fiscal_surplus",
    "fiscal_transfers",
    "list_presets",
    "load_preset",
    "load_scheme",
    "net_fiscal_transfers",
    "parse_contributions",
    "per_tonne_assessment",
    "per_tonne_compensation",
    "per_tonne_payment",
    "read_measurements",
    "regional_mean_capacity",
    "relative_fiscal_capacity",
    "scheme_from_dict",
    "split_by_contribution",
    "table_records",
    "xinan_assessment",
    "xinan_compensation",
]

_EXAMPLES = {
    "xinan": "xinan_jiekou_synthetic.csv",
    "per-tonne": "taihu_sections_synthetic.csv",
}


def example_path(kind: str) -> Path:
    """Path of a bundled example table: ``"xinan"`` or ``"per-tonne"``.

    The examples are **synthetic, illustrative data**, not monitoring
    records (see ``examples/README.md``).
    """
    if kind not in _EXAMPLES:
        from coopgov.errors import InputError

        raise InputError(f"unknown example (use {', '.join(_EXAMPLES)})", field="kind", value=kind)
    return Path(str(resources.files(__name__).joinpath("examples", _EXAMPLES[kind])))
