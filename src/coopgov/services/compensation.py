"""Choosing a Xin'an-type bet scheme: a bundled round, a scheme file, or the round of a year."""

from __future__ import annotations

from pathlib import Path

from coopgov.compensation import BetScheme, load_preset, load_scheme
from coopgov.errors import InputError

__all__ = ["XINAN_ROUNDS", "choose_bet_scheme"]

#: The bundled rounds of the Xin'an River bet, by number (presets of
#: :mod:`coopgov.compensation`; years and amounts in ``docs/compensation.md``).
XINAN_ROUNDS: dict[int, str] = {1: "xinan-round1", 2: "xinan-round2", 3: "xinan-round3"}


def choose_bet_scheme(
    round_: int | None = None, config: str | Path | None = None, year: int | None = None
) -> BetScheme:
    """Return the bet scheme a user asked for.

    Parameters
    ----------
    round_ : int, optional
        Bundled round 1, 2 or 3.
    config : str or Path, optional
        Scheme TOML file (``scheme = "bet"``).
    year : int, optional
        Assessment year [calendar year]; alone, it picks the bundled round
        whose years cover it (the first such round).

    Returns
    -------
    BetScheme
        The scheme.

    Raises
    ------
    InputError
        Both a round and a file; an unknown round; no bundled round covering
        ``year``; none of the three given; a file that is not a bet scheme.
    """
    if round_ is not None and config is not None:
        raise InputError("give --round or --config, not both", field="round", value=round_)
    if config is not None:
        scheme = load_scheme(config)
    elif round_ is not None:
        if round_ not in XINAN_ROUNDS:
            raise InputError("must be 1, 2 or 3", field="round", value=round_)
        scheme = load_preset(XINAN_ROUNDS[round_])
    elif year is not None:
        covering = [
            s
            for s in map(load_preset, XINAN_ROUNDS.values())
            if isinstance(s, BetScheme) and s.years[0] <= year <= s.years[1]
        ]
        if not covering:
            raise InputError(
                "no bundled round covers this year; give --round or --config",
                field="year",
                value=year,
            )
        scheme = covering[0]
    else:
        raise InputError("give --round 1|2|3, --config FILE or --year", field="round")
    if not isinstance(scheme, BetScheme):
        raise InputError(
            "not a bet scheme (scheme = 'bet' expected)",
            file=str(config),
            field="scheme",
            value=scheme.scheme,
        )
    return scheme
