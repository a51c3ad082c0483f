"""``coopgov games ...`` and ``coopgov allocate``: emission game, coalitions, allocation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from coopgov.cli._output import EncodingOpt, console, fail, print_json, utf8_copy
from coopgov.cli.app import app
from coopgov.errors import InputError
from coopgov.games.coalitions import symmetric_game, symmetric_stability
from coopgov.games.cooperative import (
    in_core,
    nucleolus,
    shapley_value,
    shapley_value_sampled,
)
from coopgov.games.emission import (
    DEFAULT_INCOME_ELASTICITY,
    DEFAULT_MAC_FULL_ABATEMENT,
    DEFAULT_MARGINAL_DAMAGE,
)
from coopgov.games.gamefile import read_game
from coopgov.games.river import (
    ambec_sprumont,
    downstream_equal_sharing,
    local_responsibility_sharing,
    river_cost_table,
    river_water_game,
    upstream_equal_sharing,
)

games_app = typer.Typer(
    help="Game theory: emission game, coalition stability.", no_args_is_help=True
)
app.add_typer(games_app, name="games")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _entries(text: str, field: str) -> list[str]:
    """Split a comma-separated list; an empty entry is an error (row = entry, from 1)."""
    parts = text.split(",")
    for k, part in enumerate(parts, start=1):
        if not part.strip():
            raise InputError(
                f"entry {k} of {len(parts)} is empty (give a number for every entry)",
                field=field,
                row=k,
                value=text,
            )
    return [p.strip() for p in parts]


def _floats(text: str, field: str) -> np.ndarray:
    """Parse ``"6,6,6"``; errors name the entry (row, from 1) and its text."""
    out = []
    for k, part in enumerate(_entries(text, field), start=1):
        try:
            out.append(float(part))
        except ValueError:
            raise InputError("not a number", field=field, row=k, value=part) from None
    return np.array(out, dtype=float)


def _ints(text: str, field: str) -> np.ndarray:
    """Parse ``"1,2,-1"`` as integers; errors name the entry (row, from 1) and its text."""
    out = []
    for k, part in enumerate(_entries(text, field), start=1):
        try:
            out.append(int(part))
        except ValueError:
            raise InputError("not an integer", field=field, row=k, value=part) from None
    return np.array(out, dtype=np.int64)


# ---------------------------------------------------------------------------
# games emissions
# ---------------------------------------------------------------------------
@games_app.command("emissions")
def emissions_command(
    region: Annotated[str, typer.Option(help="Region name or folder.")] = "yrd",
    pollutant: Annotated[str, typer.Option(help="so2, nox, pm, cod or nh3n.")] = "so2",
    transfer: Annotated[
        Path | None, typer.Option(help="CSV transfer matrix (row source, column receptor).")
    ] = None,
    marginal_damage: Annotated[
        float, typer.Option(help="Assumption: damage per tonne received, mean city [yuan/t].")
    ] = DEFAULT_MARGINAL_DAMAGE,
    income_elasticity: Annotated[
        float, typer.Option(help="Assumption: income elasticity of willingness to pay.")
    ] = DEFAULT_INCOME_ELASTICITY,
    mac: Annotated[
        float, typer.Option(help="Assumption: marginal abatement cost at zero emissions [yuan/t].")
    ] = DEFAULT_MAC_FULL_ABATEMENT,
    permutations: Annotated[
        int, typer.Option(help="Sampled orders for the Shapley transfers (0: skip).")
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed for sampling.")] = 0,
    encoding: EncodingOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Nash equilibrium vs full cooperation in the source-receptor emission game.

    A --transfer matrix is read and checked by the region loader (as
    `coopgov region --transfer`): rows and columns named by adcode, aligned with
    the region's cities, shares >= 0 summing to at most 1 per source.
    """
    try:
        from coopgov.region import load_region
        from coopgov.services.games import emission_game_analysis

        with utf8_copy(transfer, encoding) as transfer_csv:
            reg = load_region(region, transfer_csv=transfer_csv)
        analysis = emission_game_analysis(
            reg,
            pollutant,
            marginal_damage=marginal_damage,
            income_elasticity=income_elasticity,
            mac_full_abatement=mac,
            permutations=permutations,
            seed=seed,
        )
    except InputError as exc:
        fail(exc, as_json)
        return
    cities, game, res = reg.cities, analysis.game, analysis.result
    ct, equal, shapley = analysis.chander_tulkens, analysis.equal_surplus, analysis.shapley
    rows = []
    for k, rec in enumerate(cities.itertuples(index=False)):
        row: dict[str, Any] = {
            "adcode": int(rec.adcode),
            "name_zh": rec.name_zh,
            "name_en": rec.name_en,
            "emissions_nash_t": res.emissions_nash[k],
            "emissions_cooperative_t": res.emissions_cooperative[k],
            "payoff_nash_yuan": res.payoff_nash[k],
            "payoff_cooperative_yuan": res.payoff_cooperative[k],
            "gain_yuan": res.gain[k],
            "transfer_chander_tulkens_yuan": ct[k],
            "transfer_equal_surplus_yuan": equal[k],
        }
        if shapley is not None:
            row["transfer_shapley_yuan"] = shapley.value[k] - res.gain[k]
            row["shapley_std_error_yuan"] = shapley.std_error[k]
        rows.append(row)
    payload = {
        "region": reg.name,
        "pollutant": pollutant,
        "units": {"emissions": "t/yr", "payoffs": "yuan/yr"},
        "total_gain_yuan": res.total_gain,
        "cities_losing_without_transfers": int(np.sum(res.gain < 0)),
        "emissions_nash_total_t": float(res.emissions_nash.sum()),
        "emissions_cooperative_total_t": float(res.emissions_cooperative.sum()),
        "assumptions": game.assumptions | {"mac_full_abatement_yuan_per_t": mac},
        "shapley_permutations": 0 if shapley is None else shapley.n_permutations,
        "cities": rows,
    }
    if as_json:
        print_json(payload)
        return
    table = Table(title=f"Emission game, {reg.name}, {pollutant} (yuan/yr)")
    for col in ("city", "e Nash t", "e coop t", "gain", "CT transfer", "net with CT"):
        table.add_column(col, justify="right" if col != "city" else "left")
    for row in rows:
        table.add_row(
            f"{row['name_en']} {row['name_zh']}",
            f"{row['emissions_nash_t']:,.0f}",
            f"{row['emissions_cooperative_t']:,.0f}",
            f"{row['gain_yuan']:,.0f}",
            f"{row['transfer_chander_tulkens_yuan']:,.0f}",
            f"{row['gain_yuan'] + row['transfer_chander_tulkens_yuan']:,.0f}",
        )
    console.print(table)
    console.print(
        f"total gain from cooperation: {res.total_gain:,.0f} yuan/yr; "
        f"{payload['cities_losing_without_transfers']} cities lose without transfers"
    )


# ---------------------------------------------------------------------------
# games coalitions
# ---------------------------------------------------------------------------
@games_app.command("coalitions")
def coalitions_command(
    model: Annotated[
        str, typer.Option(help="linear-quadratic, quadratic-quadratic or barrett.")
    ] = "linear-quadratic",
    players: Annotated[int, typer.Option(help="Number of players N.")] = 10,
    benefit: Annotated[float, typer.Option(help="Benefit parameter b.")] = 1.0,
    cost: Annotated[float, typer.Option(help="Cost parameter c.")] = 1.0,
    intercept: Annotated[float, typer.Option(help="Benefit intercept a (quadratic models).")] = 1.0,
    ties: Annotated[str, typer.Option(help="Tie-breaking: stay, join or leave.")] = "stay",
    as_json: JsonOpt = False,
) -> None:
    """Stable coalition sizes of the published symmetric agreement games."""
    try:
        game = symmetric_game(model, players, benefit, cost, intercept)  # type: ignore[arg-type]
        stab = symmetric_stability(game, ties=ties)  # type: ignore[arg-type]
    except InputError as exc:
        fail(exc, as_json)
        return
    sizes = []
    for k in range(game.n_players + 1):
        sizes.append(
            {
                "k": k,
                "member_payoff": game.member_payoff[k],
                "nonmember_payoff": game.nonmember_payoff[k],
                "total_abatement": game.total_abatement[k],
                "internal": bool(stab.internal[k]),
                "external": bool(stab.external[k]),
                "stable": bool(stab.stable[k]),
            }
        )
    payload = {
        "model": game.model,
        "players": game.n_players,
        "parameters": game.parameters,
        "ties": stab.ties,
        "stable_sizes": stab.stable_sizes,
        "sizes": sizes,
    }
    if as_json:
        print_json(payload)
        return
    table = Table(title=f"{game.model}, N={game.n_players}, ties={stab.ties}")
    for col in ("k", "signatory", "non-signatory", "Q", "internal", "external"):
        table.add_column(col, justify="right")
    for s in sizes:
        table.add_row(
            str(s["k"]),
            f"{s['member_payoff']:.6g}",
            f"{s['nonmember_payoff']:.6g}",
            f"{s['total_abatement']:.6g}",
            "yes" if s["internal"] else "no",
            "yes" if s["external"] else "no",
        )
    console.print(table)
    console.print(f"stable sizes (>= 2): {stab.stable_sizes or 'none'}")


# ---------------------------------------------------------------------------
# allocate
# ---------------------------------------------------------------------------
@app.command("allocate")
def allocate_command(
    method: Annotated[
        str, typer.Option(help="shapley, nucleolus, lrs, ues, des or ambec-sprumont.")
    ] = "shapley",
    game: Annotated[
        Path | None, typer.Option(help="Game file (JSON or CSV; see coopgov.games.gamefile).")
    ] = None,
    costs: Annotated[
        str | None, typer.Option(help="River segment costs, source to mouth: 6,6,6 [yuan/yr].")
    ] = None,
    parent: Annotated[
        str | None,
        typer.Option(
            help="River tree: downstream neighbour of each region (0-based), -1 at mouth."
        ),
    ] = None,
    inflows: Annotated[
        str | None, typer.Option(help="Ambec-Sprumont: water inflow per region, source first.")
    ] = None,
    benefits: Annotated[
        str | None,
        typer.Option(help="Ambec-Sprumont: 'alpha:beta' per region, b(x)=alpha*x-beta*x^2/2."),
    ] = None,
    permutations: Annotated[
        int, typer.Option(help="Sampled orders when a game has more than 20 players.")
    ] = 100_000,
    encoding: EncodingOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Share a cost or a benefit: Shapley, nucleolus, river sharing, Ambec-Sprumont."""
    payload: dict[str, Any] = {"method": method}
    try:
        if method in ("shapley", "nucleolus"):
            alloc = _allocate_game_file(method, game, permutations, encoding, payload)
        elif method in ("lrs", "ues", "des"):
            alloc = _allocate_river_costs(method, costs, parent, payload)
        elif method == "ambec-sprumont":
            alloc = _allocate_river_water(inflows, benefits, payload)
        else:
            raise InputError(
                "method must be shapley, nucleolus, lrs, ues, des or ambec-sprumont",
                field="method",
                value=method,
            )
    except InputError as exc:
        fail(exc, as_json)
        return
    payload["allocation"] = np.asarray(alloc, dtype=float)
    payload["total"] = float(np.sum(alloc))
    if as_json:
        print_json(payload)
        return
    _print_allocation(method, payload)


def _allocate_game_file(
    method: str, game: Path | None, permutations: int, encoding: str, payload: dict[str, Any]
) -> np.ndarray:
    """Shapley value (sampled above 20 players) or nucleolus of a game file.

    Adds the players, the kind, the core check and any standard error to ``payload``.
    """
    if game is None:
        raise InputError(
            f"--method {method} needs --game FILE (a JSON or CSV game; see examples/allocate/)",
            field="game",
        )
    with utf8_copy(game, encoding) as game_file:
        assert game_file is not None  # utf8_copy maps a path to a path
        g = read_game(game_file)
    n = len(g.players)
    if method == "shapley" and n > 20:
        est = shapley_value_sampled(g.values, n_permutations=permutations)
        alloc = est.value
        payload["std_error"] = est.std_error
    elif method == "shapley":
        alloc = shapley_value(g.values)
    else:
        alloc = nucleolus(g.values, kind=g.kind)  # type: ignore[arg-type]
    payload |= {"players": list(g.players), "kind": g.kind}
    payload["in_core"] = in_core(g.values, alloc, kind=g.kind)  # type: ignore[arg-type]
    return alloc


def _allocate_river_costs(
    method: str, costs: str | None, parent: str | None, payload: dict[str, Any]
) -> np.ndarray:
    """LRS, UES or DES of the river's segment costs (core checked up to 16 regions)."""
    if costs is None:
        raise InputError(f"--method {method} needs --costs c1,c2,...", field="costs")
    c = _floats(costs, "costs")
    par = None if parent is None else _ints(parent, "parent")
    if method == "lrs":
        alloc = local_responsibility_sharing(c)
    elif method == "ues":
        alloc = upstream_equal_sharing(c, par)
    else:
        alloc = downstream_equal_sharing(c, par)
    payload |= {"players": [str(i + 1) for i in range(c.size)], "kind": "cost"}
    if c.size <= 16:
        costs_table = river_cost_table(c, par, method)  # type: ignore[arg-type]
        payload["in_core"] = in_core(costs_table, alloc, kind="cost")
    return alloc


def _quadratic_benefits(benefits: str) -> np.ndarray:
    """The ``alpha:beta`` entries of ``--benefits`` as an (n, 2) array; a bad entry is named."""
    pairs = _entries(benefits, "benefits")
    ab = np.empty((len(pairs), 2))
    for k, pair in enumerate(pairs, start=1):
        try:
            alpha, beta = (float(x) for x in pair.split(":"))
            ab[k - 1] = alpha, beta
        except ValueError:
            raise InputError("expected alpha:beta", field="benefits", row=k, value=pair) from None
    return ab


def _allocate_river_water(
    inflows: str | None, benefits: str | None, payload: dict[str, Any]
) -> np.ndarray:
    """Ambec-Sprumont shares of the river's water (core checked up to 12 regions)."""
    if inflows is None or benefits is None:
        raise InputError("--method ambec-sprumont needs --inflows and --benefits", field="benefits")
    e = _floats(inflows, "inflows")
    ab = _quadratic_benefits(benefits)
    alloc = ambec_sprumont(e, ab[:, 0], ab[:, 1])
    payload |= {"players": [str(i + 1) for i in range(e.size)], "kind": "profit"}
    if e.size <= 12:
        payload["in_core"] = in_core(river_water_game(e, ab[:, 0], ab[:, 1]), alloc)
    return alloc


def _print_allocation(method: str, payload: dict[str, Any]) -> None:
    """The allocation as a table, its total and whether it lies in the core."""
    table = Table(title=f"allocation: {method}")
    table.add_column("player")
    table.add_column("share", justify="right")
    for name, x in zip(payload["players"], payload["allocation"], strict=True):
        table.add_row(str(name), f"{x:,.6g}")
    console.print(table)
    console.print(f"total: {payload['total']:,.6g}")
    if "in_core" in payload:
        console.print(f"in the core: {'yes' if payload['in_core'] else 'no'}")
