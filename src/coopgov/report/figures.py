"""Plotly figures shared by the run report, the experiment report and the dashboard.

Maps are drawn as filled polygons on plain longitude/latitude axes from the
region's bundled GeoJSON, so they need no base-map tiles or topology files
from the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from coopgov.region.outlines import outline_paths

__all__ = [
    "city_map_figure",
    "line_figure",
    "force_figure",
    "ranking_figure",
    "band_figure",
    "rank_probability_figure",
]


def city_map_figure(
    boundaries: str | Path,
    values: Mapping[int, float],
    *,
    labels: Mapping[int, str] | None = None,
    title: str = "",
    colorscale: str = "Viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    value_label: str = "",
    provinces: str | Path | None = None,
    fmt: str = ".2f",
) -> go.Figure:
    """Choropleth of cities as filled polygons.

    Parameters
    ----------
    boundaries : path
        GeoJSON of the cities (WGS84), features with an ``adcode`` property.
    values : mapping of adcode to float
        Value per city (missing cities drawn grey).
    labels : mapping of adcode to str, optional
        Names shown on hover.
    title, value_label : str
        Figure title; name of the value on hover and the colour bar.
    colorscale : str
        Plotly colour scale.
    vmin, vmax : float, optional
        Colour range (default: the values' range).
    fmt : str
        Format of the value on hover.
    provinces : path, optional
        GeoJSON of province borders drawn on top.
    """
    outlines = outline_paths(boundaries)
    vals = np.array([v for v in values.values() if np.isfinite(v)] or [0.0])
    lo = float(vals.min()) if vmin is None else vmin
    hi = float(vals.max()) if vmax is None else vmax
    span = hi - lo if hi > lo else 1.0
    fig = go.Figure()
    for adcode, (xs, ys) in outlines.items():
        v = values.get(adcode, float("nan"))
        colour = (
            "rgb(200,200,200)"
            if not np.isfinite(v)
            else sample_colorscale(colorscale, [min(max((v - lo) / span, 0.0), 1.0)])[0]
        )
        name = (labels or {}).get(adcode, str(adcode))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=colour,
                mode="lines",
                line={"color": "white", "width": 0.6},
                name=name,
                showlegend=False,
                hoveron="fills",
                text=f"{name}<br>{value_label}: {v:{fmt}}" if np.isfinite(v) else name,
                hoverinfo="text",
            )
        )
    if provinces is not None:
        for xs, ys in outline_paths(provinces).values():
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    hoverinfo="skip",
                    line={"color": "#333", "width": 1.4},
                    showlegend=False,
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={
                "colorscale": colorscale,
                "cmin": lo,
                "cmax": hi,
                "color": [lo],
                "showscale": True,
                "colorbar": {"title": value_label},
            },
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.15)
    fig.update_layout(
        title=title, plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 40, "b": 10}, height=520
    )
    return fig


def line_figure(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str,
    ylabel: str,
    percent: bool = False,
    styles: Mapping[str, tuple[str, str]] | None = None,
    names: Mapping[str, str] | None = None,
    xlabel: str = "year",
) -> go.Figure:
    """Lines, one per named series of (x, y).

    ``styles`` gives each series a (colour, dash) pair (see
    :func:`coopgov.report.labels.category_colours`: Okabe–Ito colours, then
    dashes, so that 13 scenarios stay distinct without colour vision);
    ``names`` its display name.
    """
    from coopgov.report.labels import category_colours

    styles = styles or dict(zip(series, category_colours(len(series)), strict=True))
    fig = go.Figure()
    for key, (x, y) in series.items():
        colour, dash = styles[key]
        fig.add_trace(
            go.Scatter(
                x=list(x),
                y=list(y),
                mode="lines",
                name=(names or {}).get(key, key),
                line={"color": colour, "dash": dash, "width": 2},
            )
        )
    fig.update_layout(
        title=title,
        yaxis_title=ylabel,
        xaxis_title=xlabel,
        height=480,
        legend={"orientation": "h", "y": -0.22},
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
    )
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig


def force_figure(
    years: Sequence[int],
    terms: Mapping[str, Sequence[float]],
    total: Sequence[float],
    *,
    title: str,
    colours: Mapping[str, str] | None = None,
    families: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    cooperation: Sequence[float] | None = None,
    lang: str = "en",
    total_label: str = "Δ = U(C) − U(D)",
    ylabel: str = "units of c0 (yearly abatement cost)",
    coop_label: str = "cooperation",
) -> go.Figure:
    """Stacked bars of force terms over time, the payoff difference as a line on top.

    Bars are grouped in the legend by family, in their family's hue
    (:func:`coopgov.report.labels.force_term_colours`); with
    ``cooperation`` a second panel below shows it on a 0–1 axis, so the
    line never hides behind the bars.
    """
    from plotly.subplots import make_subplots

    from coopgov.report.labels import FAMILY_LABELS, FAMILY_PATTERNS

    rows = 2 if cooperation is not None else 1
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.74, 0.26] if rows == 2 else [1.0],
    )
    k = 0 if lang == "en" else 1
    for name, values in terms.items():
        fam = (families or {}).get(name, "")
        fig.add_trace(
            go.Bar(
                x=list(years),
                y=list(values),
                name=(labels or {}).get(name, name),
                legendgroup=fam,
                legendgrouptitle_text=FAMILY_LABELS.get(fam, (fam, fam))[k],
                marker_color=(colours or {}).get(name),
                marker_pattern_shape=FAMILY_PATTERNS.get(fam, ""),
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=list(years),
            y=list(total),
            name=total_label,
            mode="lines+markers",
            line={"color": "black", "width": 2.5},
            marker={"size": 4},
        ),
        row=1,
        col=1,
    )
    if cooperation is not None:
        fig.add_trace(
            go.Scatter(
                x=list(years),
                y=list(cooperation),
                name=coop_label,
                mode="lines",
                line={"color": "#0072B2", "width": 2.5},
            ),
            row=2,
            col=1,
        )
        fig.update_yaxes(
            range=[0, 1], tickvals=[0, 0.25, 0.5, 0.75, 1], title_text=coop_label, row=2, col=1
        )
    fig.update_yaxes(title_text=ylabel, row=1, col=1)
    fig.update_layout(
        barmode="relative",
        title=title,
        height=760,
        legend={
            "groupclick": "toggleitem",
            "font": {"size": 10},
            "orientation": "h",
            "y": -0.08,
            "yanchor": "top",
        },
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
    )
    return fig


def ranking_figure(
    names: Sequence[str], values: Sequence[float], *, title: str, xlabel: str
) -> go.Figure:
    """Horizontal bars sorted by value."""
    order = np.argsort(values)
    fig = go.Figure(
        go.Bar(
            x=[values[i] for i in order],
            y=[names[i] for i in order],
            orientation="h",
            marker_color="#0072B2",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=xlabel,
        height=40 * len(names) + 120,
        yaxis={"automargin": True},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    return fig


def band_figure(
    series: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]]],
    *,
    title: str,
    ylabel: str,
    percent: bool = False,
) -> go.Figure:
    """Median lines with their shaded 90 % bands, one per named series of (x, q05, q50, q95)."""
    from plotly.colors import DEFAULT_PLOTLY_COLORS, unlabel_rgb

    fig = go.Figure()
    for k, (name, (x, lo, mid, hi)) in enumerate(series.items()):
        rgb = DEFAULT_PLOTLY_COLORS[k % len(DEFAULT_PLOTLY_COLORS)]
        r, g, b = unlabel_rgb(rgb)
        xs = list(x)
        fig.add_trace(
            go.Scatter(
                x=xs + xs[::-1],
                y=list(hi) + list(lo)[::-1],
                fill="toself",
                fillcolor=f"rgba({r:.0f},{g:.0f},{b:.0f},0.15)",
                line={"width": 0},
                hoverinfo="skip",
                legendgroup=name,
                showlegend=False,
                name=f"{name} 90 %",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=xs, y=list(mid), mode="lines", name=name, legendgroup=name, line={"color": rgb}
            )
        )
    fig.update_layout(
        title=title,
        yaxis_title=ylabel,
        xaxis_title="year",
        height=460,
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
    )
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig


def rank_probability_figure(
    names: Sequence[str],
    probability: Sequence[float],
    rank_low: Sequence[int],
    rank_median: Sequence[int],
    rank_high: Sequence[int],
    *,
    title: str,
) -> go.Figure:
    """Probability of ranking first (bars) beside the 5-95 % rank interval (lines), per item."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=(
            "probability of being the most effective",
            "rank, median and 5-95 % (1 = best)",
        ),
    )
    y = list(names)
    fig.add_trace(
        go.Bar(x=list(probability), y=y, orientation="h", name="P(best)", showlegend=False),
        row=1,
        col=1,
    )
    mid = np.asarray(rank_median, float)
    fig.add_trace(
        go.Scatter(
            x=mid,
            y=y,
            mode="markers",
            name="rank",
            showlegend=False,
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.asarray(rank_high, float) - mid,
                "arrayminus": mid - np.asarray(rank_low, float),
            },
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=1)
    fig.update_xaxes(range=[0.5, len(y) + 0.5], dtick=1, row=1, col=2)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title=title, height=40 * len(y) + 140, margin={"l": 220, "r": 10, "t": 70, "b": 40}
    )
    return fig
