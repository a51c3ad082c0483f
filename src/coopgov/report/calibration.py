"""HTML diagnostics page of a calibration (plotly, inlined once, opens offline)."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from coopgov.calibration.posterior import IDENTIFIED_RATIO, Calibration
from coopgov.io import atomic_write_text

__all__ = ["write_diagnostics"]


def _fig(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


def _fit_figure(cal: Calibration) -> go.Figure:
    from coopgov.calibration.observed import pm25_series

    pred = cal.predictive_table()
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Regional mean PM2.5 [µg/m³]", "Regional cooperation rate [1]"),
    )
    for col, quantity in ((1, "pm25"), (2, "cooperation")):
        p = pred[pred["quantity"] == quantity]
        fig.add_trace(
            go.Scatter(
                x=p["year"], y=p["q95"], line={"width": 0}, showlegend=False, hoverinfo="skip"
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=p["year"],
                y=p["q05"],
                fill="tonexty",
                line={"width": 0},
                fillcolor="rgba(11,79,108,0.25)",
                name="90 % predictive",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=p["year"],
                y=p["q50"],
                line={"color": "#0b4f6c"},
                name="median",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
    obs = pm25_series()
    used = obs.index <= cal.problem.until
    fig.add_trace(
        go.Scatter(
            x=obs.index[used],
            y=obs[used],
            mode="markers",
            marker={"color": "black", "size": 8},
            name="observed (fitted)",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=obs.index[~used],
            y=obs[~used],
            mode="markers",
            marker={"color": "#c0392b", "size": 9, "symbol": "diamond"},
            name="observed (held out)",
        ),
        row=1,
        col=1,
    )
    m = cal.problem.milestone
    fig.add_vrect(
        x0=m.first, x1=m.last + 1, fillcolor="rgba(200,160,0,0.15)", line_width=0, row=1, col=2
    )
    fig.update_layout(height=420, margin={"t": 40})
    return fig


def _marginals(cal: Calibration) -> go.Figure:
    names = cal.result.names
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names)
    for k in range(len(names)):
        r, c = k // cols + 1, k % cols + 1
        fig.add_trace(
            go.Histogram(
                x=cal.result.particles[:, k],
                histnorm="probability density",
                y=None,
                nbinsx=30,
                marker={"color": "#0b4f6c"},
                showlegend=False,
            ),
            row=r,
            col=c,
        )
        fig.update_xaxes(range=[cal.problem.lower[k], cal.problem.upper[k]], row=r, col=c)
    fig.update_layout(
        height=230 * rows,
        margin={"t": 40},
        title="Posterior marginals (x-axis = prior range; unweighted histogram "
        "of the final population)",
    )
    return fig


def _pairs(cal: Calibration, top: int = 5) -> go.Figure:
    ident = cal.identifiability().sort_values("width_ratio")
    chosen = list(ident["parameter"][:top])
    idx = [cal.result.names.index(c) for c in chosen]
    dims = [
        {"label": n, "values": cal.result.particles[:, i]} for n, i in zip(chosen, idx, strict=True)
    ]
    fig = go.Figure(
        go.Splom(
            dimensions=dims,
            marker={
                "size": 3,
                "opacity": 0.4,
                "color": cal.result.weights,
                "colorscale": "Viridis",
            },
            diagonal_visible=False,
            showupperhalf=False,
        )
    )
    fig.update_layout(height=700, title=f"Posterior pairs of the {top} best-identified parameters")
    return fig


def _ess(cal: Calibration) -> go.Figure:
    g = cal.generations_table()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=g["index"], y=g["ess"], name="ESS"), secondary_y=False)
    fig.add_trace(
        go.Scatter(x=g["index"][1:], y=g["epsilon"][1:], name="tolerance ε", mode="lines+markers"),
        secondary_y=True,
    )
    fig.update_xaxes(title="generation")
    fig.update_yaxes(title="effective sample size", secondary_y=False)
    fig.update_yaxes(title="ε", secondary_y=True)
    fig.update_layout(height=360)
    return fig


def _table(frame, fmt: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f"<td>{html.escape(format(v, fmt.get(c, '')) if not isinstance(v, str) else v)}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_diagnostics(cal: Calibration, path: str | Path) -> Path:
    """Write the diagnostics page atomically: fit over time, marginals, pairs, ESS, tables."""
    from coopgov.report.html import html_page

    ident = cal.identifiability()
    ident_fmt = {c: ".4g" for c in ("prior_low", "prior_high", "q05", "q50", "q95")}
    ident_fmt["width_ratio"] = ".2f"
    flagged = ident[~ident["identified"]]["parameter"].tolist()
    hold = cal.holdout()
    ms = cal.milestone_check()
    sections = [
        (
            "Fit over time",
            _fig(_fit_figure(cal)) + "<p class='note'>Band: 90 % posterior "
            f"predictive interval (meteorology included). Fitted to observations up to "
            f"{cal.problem.until}; later observations are held out. Shaded years on the right: "
            "milestone window.</p>",
        ),
        (
            "Identifiability",
            _table(ident, ident_fmt) + "<p class='note'>width_ratio = posterior "
            f"90 % width / prior 90 % width; above {IDENTIFIED_RATIO} the data do not identify "
            "the parameter. Not identified: " + html.escape(", ".join(flagged) or "none") + "</p>",
        ),
        (
            "Hold-out check",
            _table(hold, {"observed": ".1f", "q05": ".1f", "q50": ".1f", "q95": ".1f"})
            if len(hold)
            else "<p>No observation after the fitted period.</p>",
        ),
        (
            "Milestone timing",
            "<p>"
            + html.escape(
                f"First year the regional cooperation rate reaches {ms['threshold']}: median "
                f"{ms['q50']:.0f} (90 %: {ms['q05']:.0f}-{ms['q95']:.0f}); probability inside "
                f"{ms['window_first']}-{ms['window_last']}: {ms['probability_in_window']:.2f}"
            )
            + "</p>",
        ),
        ("Posterior marginals", _fig(_marginals(cal))),
        ("Posterior pairs", _fig(_pairs(cal))),
        (
            "Effective sample size per generation",
            _fig(_ess(cal))
            + _table(
                cal.generations_table(),
                {"epsilon": ".4f", "acceptance_rate": ".3f", "ess": ".0f", "wall_s": ".2f"},
            ),
        ),
    ]
    page = html_page(
        "coopgov calibration",
        sections,
        subtitle=f"ABC-SMC on the history scenario, {cal.result.n_simulations} "
        f"simulations, seed {cal.seed}",
    )
    return atomic_write_text(path, page)
