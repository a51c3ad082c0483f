"""Configuration of compensation schemes: validated models, TOML presets.

Two kinds of scheme:

* :class:`BetScheme` - a two-way water-quality bet of the Xin'an type
  (``scheme = "bet"`` in TOML);
* :class:`PerTonneScheme` - per-tonne payment for exceedance at sections,
  Jiangsu type (``scheme = "per_tonne"``).

Presets ship as TOML under ``coopgov/compensation/presets/`` with the source
and year of every number beside it in comments, and the names of the
unconfirmed fields in ``unconfirmed``.  :func:`load_preset` reads one by
name, :func:`load_scheme` reads a user's file; both turn validation
problems into :class:`coopgov.errors.InputError` naming the file, the field
and the value.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coopgov.errors import InputError
from coopgov.io import read_text

__all__ = [
    "FACTORS",
    "FACTOR_ALIASES",
    "canonical_factor",
    "PaymentBand",
    "BetScheme",
    "PriceTier",
    "FactorRule",
    "SectionInfo",
    "PerTonneScheme",
    "Scheme",
    "list_presets",
    "load_preset",
    "load_scheme",
    "scheme_from_dict",
]

#: Canonical factor names and their meaning.
FACTORS: dict[str, str] = {
    "permanganate_index": "permanganate index, CODMn (高锰酸盐指数)",
    "nh3_n": "ammonia nitrogen, NH3-N (氨氮)",
    "tn": "total nitrogen, TN (总氮)",
    "tp": "total phosphorus, TP (总磷)",
    "cod": "chemical oxygen demand, COD (化学需氧量)",
    "bod5": "five-day biochemical oxygen demand, BOD5 (五日生化需氧量)",
    "do": "dissolved oxygen, DO (溶解氧)",
}

#: Names accepted in tables and files (compared after lower-casing and
#: stripping spaces), mapped to the canonical name.
FACTOR_ALIASES: dict[str, str] = {
    **{k: k for k in FACTORS},
    "codmn": "permanganate_index",
    "cod_mn": "permanganate_index",
    "permanganate": "permanganate_index",
    "permanganateindex": "permanganate_index",
    "高锰酸盐指数": "permanganate_index",
    "nh3-n": "nh3_n",
    "nh3n": "nh3_n",
    "nh4-n": "nh3_n",
    "ammonia": "nh3_n",
    "ammonia_nitrogen": "nh3_n",
    "氨氮": "nh3_n",
    "total_nitrogen": "tn",
    "总氮": "tn",
    "total_phosphorus": "tp",
    "总磷": "tp",
    "codcr": "cod",
    "化学需氧量": "cod",
    "五日生化需氧量": "bod5",
    "溶解氧": "do",
}


def canonical_factor(name: Any) -> str | None:
    """Return the canonical factor name for ``name``, or None if unknown."""
    if not isinstance(name, str):
        return None
    key = name.strip().lower().replace(" ", "_")
    return FACTOR_ALIASES.get(key) or FACTOR_ALIASES.get(key.replace("_", ""))


def _canonical_keys(mapping: dict[str, Any], field: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        name = canonical_factor(key)
        if name is None:
            known = ", ".join(FACTORS)
            raise InputError(f"unknown factor (known: {known})", field=str(key), value=key)
        out[name] = value
    return out


NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Yuan = Annotated[float, Field(ge=0, allow_inf_nan=False, description="yuan")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Documented(_Model):
    name: str = Field(description="Preset or scheme identifier, e.g. 'xinan-round1'.")
    title: str = ""
    sources: list[str] = Field(default_factory=list, description="Where the numbers come from.")
    unconfirmed: list[str] = Field(
        default_factory=list,
        description="Fields whose values were not confirmed from a primary text.",
    )
    notes: str = ""


class PaymentBand(_Model):
    """One band of a graded bet: applies while P <= ``p_max`` (None: above the last edge)."""

    p_max: float | None = Field(default=None, description="upper edge of P [dimensionless]")
    transfer: float = Field(
        description="signed yuan per year: positive = downstream pays upstream",
        allow_inf_nan=False,
    )


class BetScheme(_Documented):
    """A two-way water-quality bet (Xin'an River type).

    Amounts are yuan per assessment year; concentrations mg/L.  See
    :func:`coopgov.compensation.bet.bet_index` for the index.
    """

    scheme: Literal["bet"] = "bet"
    round: int | None = None
    years: tuple[int, int] = Field(description="first and last assessment year, inclusive")
    section: str = Field(description="assessed section, e.g. 'Jiekou' (街口)")
    section_aliases: list[str] = Field(default_factory=list)
    upstream: str
    downstream: str
    central_government: str = "central government"
    weights: dict[str, NonNegative] = Field(description="k_i per factor [dimensionless]")
    weights_by_year: dict[int, dict[str, NonNegative]] = Field(default_factory=dict)
    k0: Positive = Field(description="stability coefficient [dimensionless]")
    k0_by_year: dict[int, Positive] = Field(default_factory=dict)
    threshold: Positive = 1.0
    baseline: dict[str, Positive] = Field(
        default_factory=dict, description="explicit C_i0 per factor [mg/L]"
    )
    baseline_years: tuple[int, int] | None = Field(
        default=None, description="years whose mean is C_i0 when no explicit baseline is given"
    )
    downstream_pays: Yuan = Field(description="paid to upstream when P <= threshold [yuan/yr]")
    upstream_pays: Yuan = Field(description="paid to downstream when P > threshold [yuan/yr]")
    bands: list[PaymentBand] = Field(
        default_factory=list, description="optional graded schedule replacing the two amounts"
    )
    central_to_upstream: Yuan | None = Field(
        default=None, description="central funds to the upstream side [yuan/yr]; None = unknown"
    )
    central_by_year: dict[int, Yuan] = Field(default_factory=dict)

    @field_validator("weights", "baseline")
    @classmethod
    def _factor_keys(cls, value: dict[str, float], info: Any) -> dict[str, float]:
        return _canonical_keys(value, info.field_name)

    @field_validator("weights_by_year")
    @classmethod
    def _year_factor_keys(cls, value: dict[int, dict[str, float]]) -> dict[int, dict[str, float]]:
        return {y: _canonical_keys(w, f"weights_by_year.{y}") for y, w in value.items()}

    @model_validator(mode="after")
    def _check(self) -> BetScheme:
        if self.years[0] > self.years[1]:
            raise ValueError(f"years {list(self.years)}: first year after last year")
        if self.baseline_years is not None and self.baseline_years[0] > self.baseline_years[1]:
            raise ValueError(f"baseline_years {list(self.baseline_years)}: first after last")
        for label, w in [
            ("weights", self.weights),
            *[(f"weights_by_year.{y}", wy) for y, wy in self.weights_by_year.items()],
        ]:
            if not any(v > 0 for v in w.values()):
                raise ValueError(f"{label}: at least one weight must be > 0")
        if self.bands:
            edges = [b.p_max for b in self.bands]
            for k, edge in enumerate(edges):
                last = k == len(edges) - 1
                if (edge is None) != last:
                    raise InputError(
                        "every band but the last needs p_max; the last has none",
                        field=f"bands[{k}].p_max",
                        value=edge,
                    )
                before = edges[k - 1] if k else None
                if edge is not None and before is not None and edge <= before:
                    raise InputError(
                        f"p_max must be strictly increasing ({edge} after {before})",
                        field=f"bands[{k}].p_max",
                        value=edge,
                    )
        return self

    def weights_for(self, year: int) -> dict[str, float]:
        """Weights k_i that apply in ``year``."""
        return dict(self.weights_by_year.get(year, self.weights))

    def k0_for(self, year: int) -> float:
        """Stability coefficient k0 that applies in ``year``."""
        return float(self.k0_by_year.get(year, self.k0))

    def central_for(self, year: int) -> float | None:
        """Central funds to the upstream side in ``year`` [yuan], None if unknown."""
        return self.central_by_year.get(year, self.central_to_upstream)

    def matches_section(self, name: str) -> bool:
        """Tell whether ``name`` names this scheme's section (case-insensitive)."""
        key = str(name).strip().casefold()
        return key in {s.strip().casefold() for s in [self.section, *self.section_aliases]}


class PriceTier(_Model):
    """One tier: applies up to ``up_to_multiple`` x target of excess (None: open-ended)."""

    up_to_multiple: Positive | None = Field(
        default=None, description="upper edge as exceedance multiple (C - target)/target"
    )
    price: NonNegative = Field(description="yuan per tonne")


class FactorRule(_Model):
    """Target and unit price(s) of one factor."""

    target: Positive = Field(description="target concentration [mg/L]")
    price: NonNegative | None = Field(default=None, description="single price [yuan/t]")
    tiers: list[PriceTier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> FactorRule:
        if (self.price is None) == (not self.tiers):
            raise ValueError("give either 'price' or 'tiers', not both or neither")
        if self.tiers:
            edges = [t.up_to_multiple for t in self.tiers]
            for k, edge in enumerate(edges):
                last = k == len(edges) - 1
                if (edge is None) != last:
                    raise InputError(
                        "every tier but the last needs up_to_multiple; the last has none",
                        field=f"tiers[{k}].up_to_multiple",
                        value=edge,
                    )
                if 0 < k and not last and edge is not None:
                    before = edges[k - 1]
                    if before is not None and edge <= before:
                        raise InputError(
                            f"tier edges must be strictly increasing ({edge} after {before})",
                            field=f"tiers[{k}].up_to_multiple",
                            value=edge,
                        )
            for k in range(1, len(self.tiers)):
                if self.tiers[k].price < self.tiers[k - 1].price:
                    raise InputError(
                        f"tier prices must not decrease with exceedance "
                        f"({self.tiers[k].price} after {self.tiers[k - 1].price})",
                        field=f"tiers[{k}].price",
                        value=self.tiers[k].price,
                    )
        return self

    def price_arrays(self) -> tuple[list[float], list[float]]:
        """Return (prices, bounds) for :class:`~coopgov.compensation.per_tonne.PriceTiers`."""
        if self.price is not None:
            return [float(self.price)], []
        return (
            [float(t.price) for t in self.tiers],
            [float(t.up_to_multiple) for t in self.tiers[:-1] if t.up_to_multiple is not None],
        )


class SectionInfo(_Model):
    """What a per-tonne scheme knows about one section."""

    downstream: str | None = Field(default=None, description="payee (downstream jurisdiction)")
    contributions: dict[str, NonNegative] = Field(
        default_factory=dict, description="upstream jurisdiction -> contribution share"
    )
    targets: dict[str, Positive] = Field(default_factory=dict, description="factor -> mg/L")

    @field_validator("targets")
    @classmethod
    def _factor_keys(cls, value: dict[str, float]) -> dict[str, float]:
        return _canonical_keys(value, "targets")


class PerTonneScheme(_Documented):
    """Per-tonne compensation for exceedance at sections (Jiangsu type)."""

    scheme: Literal["per_tonne"] = "per_tonne"
    tier_mode: Literal["step", "marginal"] = "step"
    period: Literal["month"] = Field(
        default="month",
        description="accounting period of one measurement row when no period_days is given",
    )
    default_payee: str = Field(description="payee when neither the table nor the section names one")
    factors: dict[str, FactorRule]
    sections: dict[str, SectionInfo] = Field(default_factory=dict)

    @field_validator("factors")
    @classmethod
    def _factor_keys(cls, value: dict[str, FactorRule]) -> dict[str, FactorRule]:
        if not value:
            raise ValueError("at least one factor is needed")
        return _canonical_keys(value, "factors")


Scheme = BetScheme | PerTonneScheme

_PRESET_PACKAGE = "coopgov.compensation"


def list_presets() -> list[str]:
    """Names of the bundled presets (file names without ``.toml``)."""
    folder = resources.files(_PRESET_PACKAGE).joinpath("presets")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _located(exc: ValidationError, file: str | None) -> InputError:
    err = exc.errors()[0]
    parts = [str(part) for part in err.get("loc", ())]
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, InputError):
        # A check that located the problem itself: keep its field and value.
        if inner.field:
            parts.append(inner.field)
        return InputError(inner.reason, file=file, field=".".join(parts) or None, value=inner.value)
    value = err.get("input")
    if isinstance(value, (dict, list)):
        value = None
    if isinstance(value, float) and not math.isfinite(value):
        value = repr(value)
    reason = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return InputError(reason, file=file, field=".".join(parts) or None, value=value)


def scheme_from_dict(data: dict[str, Any], *, file: str | Path | None = None) -> Scheme:
    """Validate a mapping (parsed TOML) into a :class:`BetScheme` or :class:`PerTonneScheme`."""
    where = None if file is None else str(file)
    kind = data.get("scheme")
    model: type[BetScheme] | type[PerTonneScheme]
    if kind == "bet":
        model = BetScheme
    elif kind == "per_tonne":
        model = PerTonneScheme
    else:
        raise InputError(
            "must be 'bet' (Xin'an-type) or 'per_tonne' (Jiangsu-type)",
            file=where,
            field="scheme",
            value=kind,
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _located(exc, where) from None


def load_scheme(path: str | Path) -> Scheme:
    """Read and validate a scheme from a TOML file.

    Raises
    ------
    coopgov.errors.InputError
        Unreadable file, TOML syntax error (with its line), or a field that
        fails validation (named with its value).
    """
    path = Path(path)
    text = read_text(path)  # UTF-8, else GB18030 (coopgov.io.read_text); InputError otherwise
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path)) from None
    return scheme_from_dict(data, file=path)


def load_preset(name: str) -> Scheme:
    """Load a bundled preset by name, e.g. ``load_preset("xinan-round1")``.

    Bundled: ``xinan-round1``, ``xinan-round2``, ``xinan-round3``,
    ``jiangsu-taihu`` and ``jiangsu-taihu-2021`` (see :func:`list_presets`).
    """
    names = list_presets()
    if name not in names:
        raise InputError(
            f"unknown preset (bundled: {', '.join(names)})", field="preset", value=name
        )
    resource = resources.files(_PRESET_PACKAGE).joinpath("presets", f"{name}.toml")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    return scheme_from_dict(data, file=f"preset:{name}")
