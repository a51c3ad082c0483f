from __future__ import annotations

import copy
from pathlib import Path

import pytest

TINY = {
    "experiment": {"name": "tiny", "years": 5, "chunk_size": 7},
    "sampler": {"method": "lhs", "n": 12, "seed": 7},
    "uncertainties": {"lateral_thrust": {}, "central_penalty": {"low": 0.5, "high": 4.0}},
    "policies": {"baseline": True, "single_levers": ["enforcement", "joint_mechanism"]},
    "outcomes": [
        {"name": "final_cooperation", "variable": "cooperation", "scope": "both"},
        {"name": "pm25", "variable": "pm25_change"},
        {"name": "lever_cost", "variable": "lever_cost", "reduce": "sum"},
    ],
}

ABM = {
    "experiment": {
        "name": "tiny-abm",
        "years": 3,
        "chunk_size": 5,
        "engine": "agent_based",
        "replications": 3,
    },
    "agent_based": {"agents_per_city": 4},
    "sampler": {"method": "lhs", "n": 4, "seed": 11},
    "uncertainties": {"lateral_thrust": {}, "gdp_loss": {}},
    "policies": {"baseline": True, "single_levers": ["enforcement"]},
    "outcomes": [{"name": "final_cooperation", "variable": "cooperation"}],
}


@pytest.fixture
def tiny_dict():
    return copy.deepcopy(TINY)


@pytest.fixture
def abm_dict():
    return copy.deepcopy(ABM)


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
