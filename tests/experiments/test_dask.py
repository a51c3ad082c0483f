from __future__ import annotations

import pandas as pd
import pytest

from coopgov.experiments import SerialExecutor, load_results, run_experiment, spec_from_dict

distributed = pytest.importorskip("distributed")


@pytest.mark.dask
@pytest.mark.timeout(180)
def test_local_dask_cluster_gives_the_serial_results(tmp_path, abm_dict):
    spec = spec_from_dict(abm_dict)
    run_experiment(spec, tmp_path / "serial", executor=SerialExecutor())
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    try:
        summary = run_experiment(
            spec, tmp_path / "dask", scheduler=cluster.scheduler_address, chunk_size=4
        )
    finally:
        cluster.close()
    assert summary.complete and summary.executor.startswith("dask scheduler")
    pd.testing.assert_frame_equal(
        load_results(tmp_path / "serial"), load_results(tmp_path / "dask")
    )


@pytest.mark.dask
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_workers_option_starts_a_local_cluster(tmp_path, tiny_dict):
    spec = spec_from_dict(tiny_dict)
    summary = run_experiment(spec, tmp_path / "w", workers=2)
    assert summary.complete and "local cluster (2 workers)" in summary.executor
