"""The outputs of ``coopgov run``: its summary and its report folder.

Module-level imports are light (NumPy and the output helpers), so that the
command line can import :func:`strict_json` without loading the engine.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from coopgov.io import atomic_directory, atomic_write_text

__all__ = ["dumps_strict", "run_payload", "strict_json", "write_run_outputs"]


def strict_json(obj: Any) -> Any:
    """``obj`` with NumPy values made plain and NaN or infinite numbers made ``null``.

    The result always passes ``json.dumps(..., allow_nan=False)`` (RFC 8259
    has no NaN or Infinity).
    """
    if isinstance(obj, dict):
        return {str(k): strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict_json(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [strict_json(v) for v in obj.tolist()]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(float(obj)) else None
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def dumps_strict(payload: Any) -> str:
    """Strict JSON text of ``payload`` (:func:`strict_json`), indented, UTF-8 characters kept."""
    return json.dumps(strict_json(payload), ensure_ascii=False, indent=2, allow_nan=False)


def run_payload(results: Any, *, seed: int, replications: int) -> dict[str, Any]:
    """The summary of a run: what ``summary.json`` holds and ``--json`` prints.

    Parameters
    ----------
    results : coopgov.scenarios.run.RunResults
        Results of :func:`coopgov.scenarios.run.run_scenarios`.
    seed : int
        Root random seed of the run.
    replications : int
        Agent-based replications per scenario [-].

    Returns
    -------
    dict
        ``scenarios`` (summaries), ``ranking``, ``uncertainty``,
        ``calibrated`` (posterior quantiles of the fitted parameters),
        ``seed``, ``replications``, ``region``.
    """
    return {
        "scenarios": results.summary(),
        "ranking": results.ranking(),
        "uncertainty": results.uncertainty(),
        "calibrated": (
            []
            if results.posterior_summary is None
            else results.posterior_summary.to_dict(orient="records")
        ),
        "seed": seed,
        "replications": replications,
        "region": results.region_name,
    }


def write_run_outputs(
    results: Any,
    out: str | Path,
    *,
    payload: dict[str, Any],
    force: bool = False,
    lang: str = "en",
) -> Path:
    """Write a run's report folder atomically: tables, ``report.html``, ``summary.json``.

    The folder is built beside ``out`` and swapped in whole
    (:func:`coopgov.io.atomic_directory`): an interrupted write leaves the
    previous folder as it was, and only a folder coopgov wrote is replaced
    unless ``force``.

    Parameters
    ----------
    results : coopgov.scenarios.run.RunResults
        Results of :func:`coopgov.scenarios.run.run_scenarios`.
    out : str or Path
        Output folder.
    payload : dict
        The summary (:func:`run_payload`), written as ``summary.json``.
    force : bool
        Replace ``out`` even if coopgov did not write it.
    lang : {"en", "zh"}
        Language of the HTML report.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    coopgov.io.OutputRefused
        ``out`` holds something coopgov did not write.
    """
    from coopgov.region import load_region
    from coopgov.report import write_run_report

    region = load_region(results.region_name)
    tables = results.tables()
    with atomic_directory(out, force=force, kind="run") as tmp:
        for name, frame in tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        write_run_report(results, tmp / "report.html", region=region, lang=lang)
        atomic_write_text(tmp / "summary.json", dumps_strict(payload))
    return Path(out)
