// The every-field test: enumerating the scenario format's fields from what the writer
// (scenarios::to_json) produces for fully populated scenarios, and the worlds the table uses.
#include <gtest/gtest.h>

#include <fstream>

#include "fields.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::fields_test {

// ---- Enumeration ----------------------------------------------------------------------------

// Leaf paths of a scenario document: array items are `[]`; an object with a string "kind"
// (a fault or a distribution) labels its other fields with `{kind}`; the keys of
// topology.clocks are `<node>`. Arrays of scalars (and empty arrays) are leaves.
void leaf_paths(const json& value, const std::string& path, std::set<std::string>& out) {
  if (value.is_object()) {
    std::string label = path;
    // (a conversation's kind is a field like its others)
    if (value.contains("kind") && value["kind"].is_string() && path != "conversations[]") {
      label += "{" + value["kind"].get<std::string>() + "}";
    }
    for (const auto& [key, child] : value.items()) {
      if (path == "topology.clocks") {
        leaf_paths(child, path + ".<node>", out);
      } else if (key == "kind") {
        out.insert(path.empty() ? key : path + "." + key);
      } else {
        leaf_paths(child, label.empty() ? key : label + "." + key, out);
      }
    }
    return;
  }
  if (value.is_array() && !value.empty() && value[0].is_object()) {
    for (const json& item : value) leaf_paths(item, path + "[]", out);
    return;
  }
  out.insert(path);
}

// A distribution of `kind` with every parameter and a tail, in `unit` ("s", "ms", "bytes"),
// around `scale` units.
json distribution(const std::string& kind, const std::string& unit, double scale) {
  const auto key = [&unit](const char* name) { return std::string(name) + "_" + unit; };
  json d = {{"kind", kind}, {"tail_p", 0.3}, {key("tail"), scale}};
  if (kind == "constant") d[key("value")] = scale;
  if (kind == "uniform") {
    d[key("min")] = scale / 2;
    d[key("max")] = scale * 2;
  }
  if (kind == "exponential") d[key("mean")] = scale;
  if (kind == "lognormal") {
    d[key("median")] = scale;
    d["sigma"] = 0.5;
  }
  return d;
}

const char* const kDistributionKinds[4] = {"constant", "uniform", "exponential", "lognormal"};

// A small world: 3 users, 4 devices, a direct chat and a group; short phases.
json small_world() {
  return json::parse(R"({
    "durations": {"safety_s": 3, "quiescence_s": 10},
    "users": [{"id": "u1", "devices": [{"id": "d1"}, {"id": "d2"}]},
              {"id": "u2", "devices": [{"id": "d1"}]},
              {"id": "u3", "devices": [{"id": "d1"}]}],
    "conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u2"]},
                      {"id": "c2", "kind": "group", "members": ["u1", "u2", "u3"]}],
    "workload": {"messages_per_s": 20}
  })");
}

// The small world with a few faults, so that timeouts, retries, syncs and roaming happen.
json busy_world() {
  json w = small_world();
  w["faults"] = json::parse(R"([
    {"at_s": 0.5, "kind": "offline", "node": "u2/d1", "for_s": 1.5},
    {"at_s": 1, "kind": "crash", "node": "processor0", "for_s": 0.5},
    {"at_s": 1.2, "kind": "kill", "node": "u3/d1"},
    {"at_s": 1.5, "kind": "reinstall", "node": "u1/d2"}
  ])");
  return w;
}

// The busy world with its devices and servers cut off for a while: sends and requests time
// out, retry and back off, connections are reset and reconnect.
json harsh_world() {
  json w = busy_world();
  for (const char* fault : {
           R"({"at_s": 0.3, "kind": "partition", "groups": [["u1/d1"], ["gateway0", "gateway1"]],
               "for_s": 2})",
           R"({"at_s": 0.5, "kind": "reset", "node": "u1/d1"})",
           R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.3, "for_s": 1.5})",
           R"({"at_s": 1.8, "kind": "clog", "from": "processor1", "to": "queue1", "for_s": 1})"}) {
    w["faults"].push_back(json::parse(fault));
  }
  return w;
}

// The harsh world with the gateways cut off from the queues and a short send timeout: sends
// time out while connected, so the device spends its retry budget and backs off.
json timeout_world() {
  json w = harsh_world();
  w["faults"].push_back(json::parse(R"({"at_s": 0.4, "kind": "partition",
      "groups": [["gateway0", "gateway1"], ["queue0", "queue1"]], "for_s": 2})"));
  w["engine"] = {{"send_timeout_ms", 100}};
  return w;
}

// The small world with generated users and conversations.
json generated_world() {
  json w = small_world();
  w["users"] = {{"count", 4}, {"devices_min", 1}, {"devices_max", 2}};
  w["conversations"] = json::parse(R"({"direct": 1, "groups": [{"count": 1, "size": 3}]})");
  return w;
}

// The merge patch that turns `from` into `to` (null removes a key; arrays are replaced).
json merge_diff(const json& from, const json& to) {
  if (!from.is_object() || !to.is_object()) return to;
  json patch = json::object();
  for (const auto& [key, value] : from.items()) {
    if (!to.contains(key)) patch[key] = nullptr;
  }
  for (const auto& [key, value] : to.items()) {
    if (!from.contains(key)) {
      patch[key] = value;
    } else if (from[key] != value) {
      patch[key] = merge_diff(from[key], value);
    }
  }
  return patch;
}

json with(json doc, const json& patch) {
  doc.merge_patch(patch);
  return doc;
}

// One fault of every kind (fields the writer keeps; `for_s` is expanded on loading).
json every_fault(const json& link_latency) {
  json faults = json::parse(R"([
    {"at_s": 0.1, "kind": "partition", "groups": [["gateway0"], ["queue0"]]},
    {"at_s": 0.2, "kind": "partition_oneway", "from": "gateway1", "to": "queue1"},
    {"at_s": 0.3, "kind": "heal"},
    {"at_s": 0.4, "kind": "clog", "from": "queue0", "to": "processor0", "for_s": 0.2},
    {"at_s": 0.5, "kind": "link", "links": [["u1/d1", "gateway0"]], "loss_p": 0.1,
     "dup_p": 0.1, "reorder_p": 0.1},
    {"at_s": 0.6, "kind": "crash", "node": "processor1"},
    {"at_s": 0.7, "kind": "restart", "node": "processor1"},
    {"at_s": 0.8, "kind": "kill", "node": "u1/d1"},
    {"at_s": 0.9, "kind": "reinstall", "node": "u1/d2"},
    {"at_s": 1.0, "kind": "offline", "node": "u2/d1"},
    {"at_s": 1.1, "kind": "online", "node": "u2/d1"},
    {"at_s": 1.2, "kind": "reset", "node": "u3/d1"},
    {"at_s": 1.3, "kind": "clock_step", "node": "store0", "by_ms": 50},
    {"at_s": 1.4, "kind": "cut", "from": "u3/d1", "to": "gateway1", "for_s": 0.3,
     "both_ways": true}
  ])");
  faults[4]["latency"] = link_latency;
  return faults;
}

json full_world_swarm(bool generated) {
  json w = json::parse(R"({
    "enable_p": 0.9, "page_size": [1, 10], "inbox_ttl_s": [2, 60], "retry_budget": [2, 6],
    "send_timeout_ms": [100, 900], "request_timeout_ms": [50, 400],
    "page_bytes_max": [4096, 8192], "queue_length_max": [4, 64], "push_buffer_max": [1, 16],
    "outbox_length_max": [4, 64], "buggify_p": 0.5, "dedup_key_retention_s": [0.5, 30],
    "message_bytes": [100, 2000], "servers_per_role": [1, 3], "threshold_edge_p": 0.3,
    "long_offline": {"max": 2, "for_s": [0.5, 1]},
    "pair_cuts": {"max": 2, "for_s": [0.5, 1], "one_way_p": 0.5}
  })");
  if (generated) w["group_size"] = {2, 3};
  return w;
}

// Fully populated documents: together they hold every field the format accepts (but the
// `for_s` shorthand, see kShorthand), every distribution kind at every place one is used.
std::vector<json> full_documents() {
  std::vector<json> docs;
  for (const char* kind : kDistributionKinds) {
    json doc = busy_world();
    doc.merge_patch(json::parse(R"({
      "name": "full", "description": "every field", "seed": 3,
      "durations": {"workload_stop_s": 2.5},
      "topology": {"gateways": 2, "queue_partitions": 2, "processors": 2, "stores": 2,
                   "clocks": {"queue0": {"drift_ppm": 10}}},
      "engine": {"mutations": ["no_client_dedup"]},
      "devices": {"churn": true, "app_kill_mean_interval_s": 5, "reinstall_mean_interval_s": 5,
                  "new_device_mean_interval_s": 5, "page_back_p": 0.2},
      "workload": {"kind_weights": {"direct": 1, "group": 2, "large": 0}, "reply_p": 0.2,
                   "messages_max": 100},
      "adversaries": {"count": 2, "conversations": 1, "attacks": ["flood", "garbage"],
                      "attack_enable_p": 0.9, "attack_mean_interval_s": 0.2,
                      "flood_frames": 20},
      "network": {"device_transport": "datagram",
                  "stream": {"rto_initial_ms": 900, "rto_min_ms": 150, "rto_max_ms": 30000,
                             "retransmit_max": 4},
                  "mobile": {"loss_p": 0.01, "dup_p": 0.01, "reorder_p": 0.01},
                  "servers": {"loss_p": 0.01, "dup_p": 0.01, "reorder_p": 0.01}},
      "swarm": {"enabled": true, "kinds": ["crash", "kill"], "nodes": ["processor0", "u1/d1"],
                "kind_enable_p": 0.7, "fault_mean_interval_s": 1, "faults_max": 5,
                "partition_max_s": 1, "clog_max_s": 1, "down_max_s": 1,
                "clock_step_max_ms": 100, "loss_p_max": 0.2, "dup_p_max": 0.1,
                "reorder_p_max": 0.2, "latency_max_ms": 500, "world_seed": 5},
      "checks": {"checkers": ["lost", "duplicated"], "expect": ["lost"]},
      "quiescence": {"check_interval_ms": 50, "probe_devices_max": 2}
    })"));
    doc["users"][0]["devices"][0]["clock_offset_ms"] = 5;
    doc["users"][0]["devices"][0]["clock_drift_ppm"] = 1;
    doc["users"][0]["devices"][1]["online_at_start"] = false;
    doc["users"][1]["devices"][0]["login_at_s"] = 1;
    doc["devices"]["online_session"] = distribution(kind, "s", 2);
    doc["devices"]["offline_session"] = distribution(kind, "s", 1);
    doc["workload"]["size"] = distribution(kind, "bytes", 200);
    doc["network"]["mobile"]["latency"] = distribution(kind, "ms", 40);
    doc["network"]["servers"]["latency"] = distribution(kind, "ms", 1);
    doc["faults"] = every_fault(distribution(kind, "ms", 20));
    doc["swarm"]["world"] = full_world_swarm(false);
    docs.push_back(std::move(doc));
  }
  json generated = with(generated_world(), json::parse(R"({"swarm": {"enabled": true}})"));
  generated["swarm"]["world"] = full_world_swarm(true);
  docs.push_back(std::move(generated));
  return docs;
}

// Input-only fields: the loader expands them (`for_s` becomes the undoing fault), so the
// writer never holds them. Each still has an entry.
const char* const kShorthand[5] = {
    "faults[]{partition}.for_s", "faults[]{partition_oneway}.for_s", "faults[]{link}.for_s",
    "faults[]{crash}.for_s",     "faults[]{offline}.for_s",
};

std::set<std::string> enumerated_fields() {
  std::set<std::string> fields;
  for (const json& doc : full_documents()) {
    const auto loaded = scenarios::load_scenario(doc);
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    if (!loaded.ok()) continue;
    const json written = scenarios::to_json(loaded.value());
    // The writer's document loads back to the same world (so it is a fair list of fields).
    const auto again = scenarios::load_scenario(written);
    EXPECT_TRUE(again.ok()) << again.status().message();
    if (again.ok()) {
      EXPECT_EQ(scenarios::to_json(again.value()), written);
    }
    leaf_paths(written, "", fields);
  }
  // An empty array (no faults) is not a field of its own where other documents have items.
  std::set<std::string> containers;
  for (const std::string& f : fields) {
    const auto next = fields.lower_bound(f + "[]");
    if (next != fields.end() && next->starts_with(f + "[]")) containers.insert(f);
  }
  for (const std::string& f : containers) fields.erase(f);
  return fields;
}
json parse(const char* text) { return json::parse(text); }

json library_document(const std::string& name) {
  std::ifstream in(std::string(IMSIM_SOURCE_DIR) + "/scenarios/library/" + name + ".json");
  EXPECT_TRUE(in.good()) << name;
  return json::parse(in);
}

}  // namespace imsim::fields_test
