"""Regenerate the bundled posterior: src/coopgov/data/posterior/history.parquet.

    PYTHONPATH=src python scripts/build_posterior.py [--particles 1000] [--generations 10]

Calibrates on every observation bundled (``coopgov calibrate`` defaults,
seed 20140107) and writes the weighted posterior particles, plus a JSON
note of how it was made, atomically.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from coopgov.calibration.posterior import calibrate
from coopgov.io import atomic_write_bytes, atomic_write_text

OUT = Path(__file__).resolve().parents[1] / "src" / "coopgov" / "data" / "posterior"


def write_figure(cal, path: Path) -> None:
    """Observed against fitted PM2.5 (median and 90 % band) for the README (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no figure")
        return
    from coopgov.calibration.observed import pm25_series

    pred = cal.predictive_table()
    p = pred[(pred["quantity"] == "pm25") & (pred["year"] >= 2010)]
    obs = pm25_series()
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    ax.fill_between(
        p["year"],
        p["q05"],
        p["q95"],
        color="#0b4f6c",
        alpha=0.25,
        label="90 % posterior predictive",
    )
    ax.plot(p["year"], p["q50"], color="#0b4f6c", label="fitted median")
    ax.plot(obs.index, obs.to_numpy(), "ko", label="observed (MEE releases)")
    ax.set_ylabel("YRD mean PM2.5 [µg/m³]")
    ax.set_title(f"coopgov calibrate, observations to {cal.problem.until}")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--particles", type=int, default=1000)
    ap.add_argument("--generations", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20140107)
    ap.add_argument("--until", type=int, default=2022)
    args = ap.parse_args()
    cal = calibrate(
        until=args.until, n_particles=args.particles, n_generations=args.generations, seed=args.seed
    )
    import io

    buf = io.BytesIO()
    cal.posterior_table().to_parquet(buf, index=False)
    atomic_write_bytes(OUT / "history.parquet", buf.getvalue())
    payload = cal.to_json()
    note = {
        k: payload[k]
        for k in ("until", "fitted_to", "posterior", "milestone", "simulations", "seed")
    }
    note.update(
        particles=args.particles,
        generations=args.generations,
        command="PYTHONPATH=src python scripts/build_posterior.py",
    )
    atomic_write_text(OUT / "history.json", json.dumps(note, indent=2, default=float))
    write_figure(cal, Path(__file__).resolve().parents[1] / "docs" / "calibration_fit.png")
    print(
        f"wrote {OUT / 'history.parquet'} ({len(cal.posterior_table())} particles, "
        f"{cal.result.n_simulations} simulations, {cal.result.wall_s:.0f} s)"
    )


if __name__ == "__main__":
    main()
