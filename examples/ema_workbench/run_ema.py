"""coopgov through EMA Workbench: scenarios x policies, then PRIM on the results.

Run:  python examples/ema_workbench/run_ema.py [--scenarios 20] [--policies 3] [--processes 2]

The model is `coopgov.experiments.ema.coopgov_model`, a plain function of named
parameters and lever intensities returning named outcomes; `ema_model()` declares
its uncertainties and levers from coopgov's own declarations (bounds, units).
"""

from __future__ import annotations

import argparse
import logging
import warnings

import numpy as np

warnings.filterwarnings("ignore", message="ipyparallel not installed")

from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator, ema_logging  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402

from coopgov.experiments.ema import ema_model  # noqa: E402


def main() -> None:
    """Run the example."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=20)
    ap.add_argument("--policies", type=int, default=3)
    ap.add_argument("--processes", type=int, default=0, help="0: sequential evaluator")
    ap.add_argument("--years", type=int, default=30)
    args = ap.parse_args()
    ema_logging.log_to_stderr(logging.WARNING)

    model = ema_model(
        uncertainties=[
            "lateral_thrust",
            "central_penalty",
            "gdp_loss",
            "sucker_cost",
            "damage_gdp_share",
            "agreement_decay",
        ],
        levers=["joint_mechanism", "enforcement", "information_sharing"],
        years=args.years,
    )
    evaluator = (
        SequentialEvaluator(model)
        if args.processes == 0
        else MultiprocessingEvaluator(model, n_processes=args.processes)
    )
    with evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=args.scenarios, policies=args.policies
        )

    y = outcomes["final_cooperation"]
    print(
        f"{len(experiments)} runs; final cooperation: mean {y.mean():.3f}, "
        f"min {y.min():.3f}, max {y.max():.3f}"
    )
    print(
        experiments.groupby("policy")[["joint_mechanism", "enforcement", "information_sharing"]]
        .first()
        .assign(final_cooperation=lambda d: [y[experiments.policy == p].mean() for p in d.index])
        .round(3)
    )
    # Scenario discovery with EMA Workbench's own PRIM: where does cooperation stay low?
    x = experiments[[u.name for u in model.uncertainties]]
    interest = y < np.quantile(y, 0.25)
    box = prim.Prim(x, interest, threshold=0.5).find_box()
    print(box.peeling_trajectory.tail(3).round(3).to_string())


if __name__ == "__main__":
    main()
