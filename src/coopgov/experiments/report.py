"""Self-contained HTML report of an analysed experiment (plotly, works offline).

plotly.js is embedded inline once at the top of the page; every figure is a
``<div>`` drawn by it, so the file opens without a network connection.
Figures: Sobol bars with confidence intervals, Morris μ*–σ, lever ranking
with rank shares, PRIM coverage/density trade-off and the chosen box,
feature scores, a pairs scatter of the most influential factors coloured by
policy, and maps of each lever's effect (or each factor's total Sobol
index) by city, drawn on the region's city boundaries.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the analysis calls the report; the report only reads its result
    from coopgov.experiments.analysis import Analysis

__all__ = ["report_html", "figures"]


def _fig_html(fig: Any) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True}
    )


def _sobol_fig(an: Analysis):
    import plotly.graph_objects as go

    t = an.tables["sobol"]
    t = t[(t.outcome == an.outcome) & (t.policy == t.policy.iloc[0])].sort_values("ST")
    fig = go.Figure()
    for col, name in (("S1", "first order S1"), ("ST", "total order ST")):
        fig.add_bar(
            y=t.factor,
            x=t[col],
            orientation="h",
            name=name,
            error_x={"type": "data", "array": t[f"{col}_conf"]},
        )
    fig.update_layout(
        title=f"Sobol indices of {an.outcome} (95 % bootstrap CI)",
        barmode="group",
        height=max(350, 28 * len(t)),
        xaxis_title="index",
    )
    return fig


def _morris_fig(an: Analysis):
    import plotly.graph_objects as go

    t = an.tables["morris"]
    t = t[(t.outcome == an.outcome) & (t.policy == t.policy.iloc[0])]
    fig = go.Figure(
        go.Scatter(
            x=t.mu_star,
            y=t.sigma,
            mode="markers+text",
            text=t.factor,
            textposition="top center",
            error_x={"type": "data", "array": t.mu_star_conf},
        )
    )
    fig.update_layout(
        title=f"Morris screening of {an.outcome}",
        xaxis_title="μ* (mean |elementary effect| per factor range)",
        yaxis_title="σ (interactions / non-linearity)",
    )
    return fig


def _ranking_fig(an: Analysis):
    from plotly.subplots import make_subplots

    t = an.tables["lever_ranking"]
    shares = an.tables["lever_rank_shares"].set_index("lever")
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.18,
        subplot_titles=(
            "effect against baseline (median, 5-95 %)",
            "share of scenarios at each rank",
        ),
    )
    fig.add_bar(
        y=t.label,
        x=t["median"],
        orientation="h",
        name="median effect",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": t.p95 - t["median"],
            "arrayminus": t["median"] - t.p05,
        },
        row=1,
        col=1,
    )
    fig.add_heatmap(
        z=shares.to_numpy(),
        x=[str(c) for c in shares.columns],
        y=[an.spec and t.set_index("lever").label[lv] for lv in shares.index],
        colorscale="Blues",
        zmin=0,
        zmax=1,
        colorbar={"title": "share"},
        row=1,
        col=2,
    )
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    stab = an.summary.get("lever_ranking", {})
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title=(
            f"Which countermeasure raises {an.outcome} most? Kendall W = "
            f"{stab.get('kendall_w', float('nan')):.2f}; top lever first in "
            f"{stab.get('top_share', float('nan')):.0%} of scenarios"
        ),
        height=max(380, 40 * len(t)),
        showlegend=False,
    )
    return fig


def _prim_fig(an: Analysis):
    import plotly.graph_objects as go

    res = an.prim
    assert res is not None
    fig = go.Figure(
        go.Scatter(
            x=res.coverage,
            y=res.density,
            mode="lines+markers",
            marker={
                "color": res.n_restricted,
                "colorscale": "Viridis",
                "size": 8,
                "colorbar": {"title": "restricted<br>dims"},
            },
            text=[f"step {k}, mass {m:.2f}" for k, m in enumerate(res.mass)],
            hovertemplate="coverage %{x:.2f}<br>density %{y:.2f}<br>%{text}<extra></extra>",
        )
    )
    k = res.chosen
    fig.add_scatter(
        x=[res.coverage[k]],
        y=[res.density[k]],
        mode="markers",
        marker={"symbol": "star", "size": 16, "color": "red"},
        name=f"chosen box (step {k})",
    )
    q = an.summary.get("prim_pasted")
    if q is not None and q.get("pastes"):
        fig.add_scatter(
            x=[q["coverage"]],
            y=[q["density"]],
            mode="markers",
            marker={"symbol": "diamond", "size": 13, "color": "orange"},
            name=f"chosen box after pasting ({q['pastes']} pastes)",
        )
    p = an.summary.get("prim", {})
    fig.update_layout(
        title=f"PRIM peeling trajectory — cases: {p.get('cases_of_interest', '')}"
        f" under {p.get('policy', '')}",
        xaxis_title="coverage",
        yaxis_title="density",
        showlegend=False,
    )
    return fig


def _scores_fig(an: Analysis):
    import plotly.graph_objects as go

    t = an.tables["feature_scores"].set_index("factor")
    fig = go.Figure(
        go.Heatmap(
            z=t.to_numpy(),
            x=list(t.columns),
            y=list(t.index),
            colorscale="Reds",
            colorbar={"title": "score"},
        )
    )
    fig.update_layout(
        title=f"Feature scores for {an.outcome} by policy "
        f"({an.summary.get('feature_scoring', '')})",
        height=max(350, 24 * len(t)),
    )
    return fig


def _pairs_fig(an: Analysis):
    import plotly.express as px

    s = an.sample
    assert s is not None
    scores = an.tables["feature_scores"].set_index("factor")
    top = list(scores.mean(axis=1).sort_values(ascending=False).index[:4])
    ycol = [c for c in s.columns if c.startswith(an.outcome)][0]
    fig = px.scatter_matrix(s, dimensions=[*top, ycol], color="policy", opacity=0.5)
    fig.update_traces(diagonal_visible=False, marker={"size": 3})
    fig.update_layout(
        title="Pairs of the most influential factors and the outcome, by policy", height=750
    )
    return fig


def _map_fig(an: Analysis, values: pd.DataFrame, title: str, colorbar: str):
    """Map of the cities coloured by ``values`` (index: layer, columns: adcode).

    Drawn as filled outlines on plain axes (equal aspect) rather than a
    plotly geo trace, which fetches a base-map topology from the network:
    the report must open offline.  A menu switches layers.
    """
    import plotly.graph_objects as go
    from plotly.colors import sample_colorscale

    from coopgov.region import load_region
    from coopgov.region.outlines import outline_paths

    region = load_region(an.spec.experiment.region)
    if region.boundaries_path is None:
        return None
    paths = outline_paths(region.boundaries_path)
    names = dict(zip(an.manifest["adcodes"], an.manifest["city_names"], strict=False))
    layers = list(values.index)
    data = values.to_numpy(dtype=float)
    diverging = np.nanmin(data) < 0
    vmax = float(np.nanmax(np.abs(data))) or 1.0
    vmin = -vmax if diverging else 0.0
    scale = "RdBu" if diverging else "Viridis"
    adcodes = [int(a) for a in values.columns if int(a) in paths]

    def colours(k: int) -> list[str]:
        row = values.iloc[k]
        return sample_colorscale(
            scale,
            [
                float(np.clip((row[a] - vmin) / (vmax - vmin), 0, 1))
                if np.isfinite(row[a])
                else 0.5
                for a in adcodes
            ],
        )

    def texts(k: int) -> list[str]:
        row = values.iloc[k]
        return [f"{names.get(a, a)} ({a}): {row[a]:.3g}" for a in adcodes]

    fig = go.Figure()
    first_c, first_t = colours(0), texts(0)
    for j, a in enumerate(adcodes):
        xs, ys = paths[a]
        fig.add_scatter(
            x=xs,
            y=ys,
            fill="toself",
            fillcolor=first_c[j],
            mode="lines",
            line={"color": "#555", "width": 0.6},
            hoveron="fills",
            text=first_t[j],
            hoverinfo="text",
            showlegend=False,
            name=str(a),
        )
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        showlegend=False,
        hoverinfo="skip",
        marker={
            "colorscale": scale,
            "cmin": vmin,
            "cmax": vmax,
            "color": [vmin],
            "showscale": True,
            "colorbar": {"title": colorbar},
        },
    )
    n_city = len(adcodes)
    buttons = []
    for k, layer in enumerate(layers):
        c, t = colours(k), texts(k)
        buttons.append(
            {
                "label": str(layer),
                "method": "update",
                "args": [
                    {"fillcolor": c + [None], "text": t + [None]},
                    {"title": f"{title}: {layer}"},
                    list(range(n_city + 1)),
                ],
            }
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.15)
    fig.update_layout(
        title=f"{title}: {layers[0]}",
        height=650,
        plot_bgcolor="white",
        updatemenus=[
            {"buttons": buttons, "direction": "down", "x": 0.0, "y": 1.08, "xanchor": "left"}
        ],
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
    )
    return fig


def figures(an: Analysis) -> list[tuple[str, Any]]:
    """Build the report's figures as (heading, plotly figure)."""
    out: list[tuple[str, Any]] = []
    if "lever_ranking" in an.tables:
        out.append(("Lever ranking and its robustness", _ranking_fig(an)))
    if "city_effects" in an.tables:
        fig = _map_fig(
            an, an.tables["city_effects"], f"Effect on {an.outcome} by city of lever", "effect"
        )
        if fig is not None:
            out.append(("Which cities respond to which lever", fig))
    if "sobol" in an.tables:
        out.append(("Sobol sensitivity indices", _sobol_fig(an)))
    if "sobol_city" in an.tables:
        t = an.tables["sobol_city"].pivot(index="factor", columns="adcode", values="ST")
        fig = _map_fig(an, t, "Total Sobol index by city of", "ST")
        if fig is not None:
            out.append(("Which cities are sensitive to which factor", fig))
    if "morris" in an.tables:
        out.append(("Morris screening", _morris_fig(an)))
    if an.prim is not None:
        out.append(("Scenario discovery (PRIM)", _prim_fig(an)))
    if "feature_scores" in an.tables:
        out.append(("Feature scores", _scores_fig(an)))
    if an.sample is not None and "feature_scores" in an.tables:
        out.append(("Pairs scatter by policy", _pairs_fig(an)))
    return out


def _table_html(df: pd.DataFrame, max_rows: int = 60) -> str:
    return df.head(max_rows).to_html(
        index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="tbl"
    )


def report_html(an: Analysis) -> str:
    """Render the report as one self-contained HTML string (plotly.js inline once)."""
    from plotly.offline import get_plotlyjs

    s = an.summary
    parts = [
        f"<h1>Experiment {html.escape(an.spec.experiment.name)}</h1>",
        f"<p>{html.escape(an.spec.experiment.description)}</p>",
        "<p>"
        + html.escape(
            f"{s['n_runs']:,} runs = {s['n_scenarios']:,} scenarios × "
            f"{len(s['policies'])} policies ({s['sampler']} sampler); factors: "
            f"{', '.join(s['factors']) or 'none'}; main outcome: {s['main_outcome']}."
        )
        + "</p>",
    ]
    if "lever_ranking" in s:
        r = s["lever_ranking"]
        parts.append(
            "<p><b>"
            + html.escape(
                f"Top lever: {r['top_lever']} (ranked first in {r['top_share']:.0%} of "
                f"{r['n_scenarios']} scenarios); Kendall's W = {r['kendall_w']:.2f}, mean Spearman "
                f"correlation with the overall ranking {r['mean_spearman']:.2f}."
            )
            + "</b></p>"
        )
        parts.append(_table_html(an.tables["lever_ranking"]))
    if "prim" in s:
        p = s["prim"]
        parts.append(
            "<p>"
            + html.escape(
                f"PRIM box (step {p['chosen_step']}): coverage {p['coverage']:.2f}, density "
                f"{p['density']:.2f}, mass {p['mass']:.2f} for cases {p['cases_of_interest']}."
            )
            + "</p>"
        )
        parts.append(_table_html(an.tables["prim_box"]))
        for key, label in (
            ("simplified", "Simplified (restrictions adding < 1 point of density dropped)"),
            (
                "pasted",
                "Pasted (faces widened while density rises, "
                f"{s.get('prim_pasted', {}).get('pastes', 0)} pastes)",
            ),
        ):
            if f"prim_{key}" in s:
                q = s[f"prim_{key}"]
                parts.append(
                    "<p>"
                    + html.escape(
                        f"{label}: coverage {q['coverage']:.2f}, density {q['density']:.2f}, "
                        f"mass {q['mass']:.2f}."
                    )
                    + "</p>"
                )
                parts.append(_table_html(an.tables[f"prim_box_{key}"]))
    for heading, fig in figures(an):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(_fig_html(fig))
    if "sobol" in an.tables:
        parts.append("<h2>Sobol indices (all outcomes and policies)</h2>")
        parts.append(_table_html(an.tables["sobol"], 200))
    if "morris" in an.tables:
        parts.append("<h2>Morris statistics</h2>")
        parts.append(_table_html(an.tables["morris"], 200))
    style = (
        "body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
        ".tbl{border-collapse:collapse;font-size:0.85em}"
        ".tbl td,.tbl th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>coopgov experiment {html.escape(an.spec.experiment.name)}</title>"
        f"<style>{style}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        + "\n".join(parts)
        + "</body></html>\n"
    )
