"""imsim.explore and imsim.sweep: one row per run, independent of how runs are spread over
processes or Dask workers."""
import pandas as pd
import pytest

import imsim
from conftest import MUTANTS_EXPLORE, cli_json

COLUMNS = ["seed", "verdict", "ok", "anomalies", "trace_hash", "error", "sent",
           "stable_latency_p50_ms", "stable_latency_p99_ms", "safety_failed_rate",
           "network_frames_per_message", "store_reads_per_message", "store_writes_per_message"]


def test_explore_rows_do_not_depend_on_jobs():
    one = imsim.explore("swarm-smoke", seeds=range(1, 9), jobs=1)
    two = imsim.explore("swarm-smoke", seeds=range(1, 9), jobs=2, progress=True)
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns) == COLUMNS
    assert list(one.seed) == list(range(1, 9))
    assert one.ok.all() and (one.verdict == "VALID").all()
    assert (one.stable_latency_p99_ms >= one.stable_latency_p50_ms).all()
    # the same trace hashes as the CLI's runs of those seeds
    assert one.trace_hash[2] == cli_json("run", "swarm-smoke", "--seed", 3, "--swarm",
                                         "--no-out")["trace_hash"]
    listed = imsim.explore("swarm-smoke", seeds=[8, 3], jobs=2)
    assert list(listed.trace_hash) == [one.trace_hash[7], one.trace_hash[2]]
    assert len(imsim.explore("default", seeds=2, swarm=False)) == 2


def test_explore_finds_a_catalog_mutation(tmp_path):
    path = MUTANTS_EXPLORE / "no_client_dedup.json"
    rows = imsim.explore(path, seeds=range(1, 21), jobs=2, mutations=["no_client_dedup"],
                         checkers=["duplicated"])
    failing = rows[~rows.ok]
    assert len(failing) > 0
    assert set(failing.verdict) == {"ANOMALIES FOUND"}
    assert all(a == "duplicated" for a in failing.anomalies)
    reference = imsim.explore(path, seeds=range(1, 21), jobs=2, no_mutations=True)
    assert reference.ok.all()
    # as `imsim explore`: stop at the smallest failing seed, whatever the number of jobs
    first = int(failing.seed.iloc[0])
    for jobs in (1, 2):
        stopped = imsim.explore(path, seeds=range(1, 21), jobs=jobs, mutations=["no_client_dedup"],
                                checkers=["duplicated"], stop_at_first_failure=True)
        assert list(stopped.seed) == list(range(1, first + 1))
        assert not stopped.ok.iloc[-1]
    summary = cli_json("explore", path, "--swarm", "--mutation", "no_client_dedup", "--checkers",
                       "duplicated", "--seeds", 20, "--no-shrink", "--jobs", 2, "--out",
                       str(tmp_path))
    assert summary["failure"]["seed"] == first
    with pytest.raises(ValueError, match="range"):
        imsim.explore(path, seeds=[3, 1], stop_at_first_failure=True)


def test_sweep_locally():
    grid = {"engine.retry_budget": [1, 6], "network.servers.loss_p": [0.0, 0.2]}
    rows = imsim.sweep("default", grid, seeds=range(1, 3), jobs=2)
    assert list(rows.columns) == list(grid) + COLUMNS
    assert len(rows) == 2 * 2 * 2
    assert list(rows["engine.retry_budget"]) == [1, 1, 1, 1, 6, 6, 6, 6]
    assert list(rows.seed) == [1, 2] * 4
    # a combination equals the run of that scenario
    base = imsim.Scenario.load("default").replace({"engine.retry_budget": 6,
                                                     "network.servers.loss_p": 0.2})
    assert rows.trace_hash.iloc[-1] == imsim.run(base, seed=2).trace_hash
    # server link loss costs frames
    lossless = rows[rows["network.servers.loss_p"] == 0].network_frames_per_message.mean()
    lossy = rows[rows["network.servers.loss_p"] == 0.2].network_frames_per_message.mean()
    assert lossy > lossless
    with pytest.raises(imsim.ScenarioError, match="engine.retry_budget"):
        imsim.sweep("default", {"engine.retry_budget": [1, 0]}, seeds=[1])


def test_sweep_on_a_dask_local_cluster():
    from distributed import Client, LocalCluster
    grid = {"engine.retry_budget": [1, 6], "network.servers.loss_p": [0.0, 0.2]}
    local = imsim.sweep("default", grid, seeds=range(1, 3), jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        distributed = imsim.sweep("default", grid, seeds=range(1, 3), client=client,
                                  progress=True)
    pd.testing.assert_frame_equal(local, distributed)
