"""imsim.Scenario: loading, errors with the CLI's JSON-path message, edits."""
import json

import pytest

import imsim
from conftest import ROOT, cli


def test_load_by_name_and_path_agree():
    by_name = imsim.Scenario.load("default")
    by_path = imsim.Scenario.load(ROOT / "scenarios" / "library" / "default.json")
    assert by_name == by_path
    assert by_name.name == "default"
    assert by_name.seed == 1
    assert by_name["workload.reply_p"] == 0.4


def test_to_dict_round_trips_and_is_fully_expanded(small):
    d = small.to_dict()
    assert d["engine"]["large_group_threshold"] == 20  # a default, written out
    assert imsim.Scenario.from_dict(d) == small
    d["workload"]["messages_per_s"] = 99  # a copy: the scenario does not change
    assert small.workload.messages_per_s == 5


def test_edits_by_attribute_item_and_dotted_path(small):
    small.workload.messages_per_s = 7
    small["engine"]["retry_budget"] = 3
    small["network.mobile.loss_p"] = 0.2
    small.seed = 9
    d = small.to_dict()
    assert (d["workload"]["messages_per_s"], d["engine"]["retry_budget"]) == (7, 3)
    assert d["network"]["mobile"]["loss_p"] == 0.2
    assert d["seed"] == 9
    assert "engine.retry_budget" in small
    assert "engine.no_such_field" not in small


def test_a_bad_edit_raises_with_the_path_and_is_undone(small):
    with pytest.raises(imsim.ScenarioError) as e:
        small.network.mobile.loss_p = 2
    assert str(e.value) == "network.mobile.loss_p: expected a number in [0, 1], got 2"
    assert small["network.mobile.loss_p"] == 0.01
    unknown = r'topology.gatways: unknown field \(did you mean "gateways"\?\)'
    with pytest.raises(imsim.ScenarioError, match=unknown):
        small["topology.gatways"] = 3
    assert "topology.gatways" not in small
    assert isinstance(e.value, ValueError)


def test_update_is_all_or_nothing(small):
    with pytest.raises(imsim.ScenarioError, match="engine.retry_budget"):
        small.update({"workload.messages_per_s": 8, "engine.retry_budget": 0})
    assert small.workload.messages_per_s == 5
    small.update({"engine.send_timeout_max_ms": 20000, "engine.send_timeout_ms": 15000})
    assert small.engine.send_timeout_ms == 15000
    copy = small.replace({"seed": 5})
    assert (copy.seed, small.seed) == (5, 1)


def test_load_error_is_the_clis_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"users": {"count": 2}, "conversations": {"direct": 1},
                               "faults": [{"at_s": "ten", "kind": "crash", "node": "queue0"}]}))
    with pytest.raises(imsim.ScenarioError) as e:
        imsim.Scenario.load(bad)
    code, _, err = cli("run", bad, "--no-out")
    assert code == 2
    assert err.strip() == f"imsim: error: {e.value}"
    assert "faults[0].at_s: expected a number >= 0" in str(e.value)
    with pytest.raises(imsim.ScenarioError, match="no-such-scenario"):
        imsim.Scenario.load("no-such-scenario")


def test_from_dict_errors_name_the_json_path():
    with pytest.raises(imsim.ScenarioError, match=r"missing required field \"users\""):
        imsim.Scenario.from_dict({"conversations": {"direct": 1}})
    with pytest.raises(imsim.ScenarioError, match=r"conversations\[0\].kind: expected one of"):
        imsim.Scenario.from_dict({"users": {"count": 2},
                                  "conversations": [{"id": "c1", "kind": "large",
                                                     "members": ["u1", "u2"]}]})
    with pytest.raises(imsim.ScenarioError, match="not representable as JSON"):
        imsim.Scenario.from_dict({"users": {"count": 2}, "conversations": {"direct": 1},
                                  "seed": float("nan")})
    with pytest.raises(TypeError):
        imsim.run(42)


def test_list_scenarios_and_mutations_match_the_cli():
    code, out, _ = cli("list", "--json")
    assert code == 0
    listed = json.loads(out)
    library = imsim.list_scenarios()
    assert list(library.name) == [s["name"] for s in listed["scenarios"]]
    assert library.error.isna().all()
    catalog = imsim.mutations()
    assert list(catalog.name) == [m["name"] for m in listed["mutations"]]
    assert "no_server_dedup" in set(catalog.name)
    assert len(catalog) == 14


def test_list_edits_in_place_are_validated_when_run(small):
    before = len(small.to_dict()["faults"])
    small.faults.append({"at_s": 1, "kind": "crash", "node": "processor1"})
    assert len(small.to_dict()["faults"]) == before + 1
    faults = imsim.run(small).scenario.to_dict()["faults"]
    assert {"at_s": 1, "kind": "crash", "node": "processor1"} in faults
    small.faults.append({"at_s": 1, "kind": "crash", "node": "nowhere"})
    with pytest.raises(imsim.ScenarioError, match=rf"faults\[{before + 1}\].node"):
        imsim.run(small)
