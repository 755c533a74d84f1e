"""imsim.shrink and imsim.replay on a failure of a catalog mutation."""
import json

import pytest

import imsim
from conftest import MUTANTS_EXPLORE, cli


@pytest.fixture(scope="module")
def failing():
    """The first failing swarm seed of the no_server_dedup exploration scenario."""
    path = MUTANTS_EXPLORE / "no_server_dedup.json"
    rows = imsim.explore(path, seeds=range(1, 31), jobs=2, mutations=["no_server_dedup"])
    seed = int(rows[~rows.ok].seed.iloc[0])
    result = imsim.run(path, seed=seed, swarm=True, mutations=["no_server_dedup"])
    assert not result.ok
    assert result.trace_hash == rows[rows.seed == seed].trace_hash.iloc[0]
    return result


def test_replay_gives_the_same_run(failing, tmp_path):
    again = imsim.replay(failing)
    assert again.trace_hash == failing.trace_hash
    assert [a["name"] for a in again.anomalies] == [a["name"] for a in failing.anomalies]
    path = failing.save_failure(tmp_path / "failure.json")
    assert imsim.replay(path).trace_hash == failing.trace_hash
    code, out, _ = cli("replay", path)
    assert code == 1 and "trace hash matches" in out


def test_shrink_keeps_the_failure_with_fewer_faults(failing, tmp_path):
    shrunk = imsim.shrink(failing, time_max_s=30)
    s = shrunk.stats
    assert s["faults_after"] <= s["faults_before"]
    assert s["messages_after"] <= s["messages_before"]
    assert s["runs"] >= 1
    assert not shrunk.result.ok
    found = {a["name"] for a in shrunk.result.anomalies}
    assert found & {a["name"] for a in failing.anomalies}
    assert imsim.replay(shrunk).trace_hash == shrunk.result.trace_hash
    path = shrunk.save(tmp_path / "shrunk.json")
    assert json.loads(path.read_text())["expected_trace_hash"] == shrunk.result.trace_hash
    assert "<svg" in shrunk._repr_html_()
    assert "faults" in repr(shrunk)


def test_replay_detects_nondeterminism_and_bad_files(failing, tmp_path):
    doc = failing.failure
    doc["expected_trace_hash"] = "0x0000000000000001"
    with pytest.raises(imsim.NonDeterminismError, match="NON-DETERMINISM: trace hash"):
        imsim.replay(doc)
    with pytest.raises(imsim.ScenarioError, match="format"):
        imsim.replay({"format": "nope"})
    with pytest.raises(imsim.ScenarioError):
        imsim.replay(tmp_path / "missing.json")


def test_shrink_refuses_a_passing_run():
    with pytest.raises(ValueError, match="nothing to shrink"):
        imsim.shrink(imsim.run("default"))
