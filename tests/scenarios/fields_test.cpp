// Issue 12: every field of the scenario format acts. The fields are enumerated from what the
// writer (scenarios::to_json) produces for fully populated scenarios, so a field added later
// without an entry in the table below fails EveryFieldHasAnEntry. Each entry says how setting
// the field away from its baseline shows: the trace hash of some seed changes, or the loader
// refuses it (with the message), or — for the few fields that are output choices — the verdict
// or nothing at all, with the reason.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "imsim/model/world.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace {

using nlohmann::json;
using namespace imsim;

enum class Expect {
  kHash,      // the trace hash of at least one of the seeds changes
  kRejected,  // the loader refuses the changed document; its error contains `text`
  kVerdict,   // the same trace, but the checkers' verdict changes (what the run is judged by)
  kCounter,   // the same trace by design, but the counter named `text` changes (a cost knob)
  kOutput,    // a pure output choice: the trace hash stays the same (`text` says why)
};

struct Entry {
  std::string field;  // normalised path (see leaf_paths)
  Expect expect;
  json base;  // the baseline scenario document
  json set;   // an RFC 7386 merge patch applied to `base` for the changed run
  std::string text = {};
  // The seeds run (each overrides the document's seed); empty: the document's own seed.
  std::vector<std::uint64_t> seeds = {1, 2, 3, 4};
};

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

const char* const kDistributionKinds[] = {"constant", "uniform", "exponential", "lognormal"};

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
const char* const kShorthand[] = {
    "faults[]{partition}.for_s", "faults[]{partition_oneway}.for_s", "faults[]{link}.for_s",
    "faults[]{crash}.for_s",     "faults[]{offline}.for_s",
};

std::set<std::string> enumerated_fields() {
  std::set<std::string> fields;
  for (const json& doc : full_documents()) {
    const auto loaded = scenarios::load_scenario(doc);
    EXPECT_TRUE(loaded.ok()) << loaded.error();
    if (!loaded.ok()) continue;
    const json written = scenarios::to_json(loaded.value());
    // The writer's document loads back to the same world (so it is a fair list of fields).
    const auto again = scenarios::load_scenario(written);
    EXPECT_TRUE(again.ok()) << again.error();
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

// ---- The table ------------------------------------------------------------------------------

json parse(const char* text) { return json::parse(text); }

json library_document(const std::string& name) {
  std::ifstream in(std::string(IMSIM_SOURCE_DIR) + "/scenarios/library/" + name + ".json");
  EXPECT_TRUE(in.good()) << name;
  return json::parse(in);
}

std::vector<Entry> table() {
  std::vector<Entry> t;
  const json small = small_world();
  const json busy = busy_world();
  const json harsh = harsh_world();
  const json timeouts = timeout_world();
  // Short pages and roaming limit: a reinstalled device pages back, and stops at the limit
  // unless its user scrolls to the top.
  const json paging = with(busy, parse(R"({"engine": {"page_size": 5, "roam_messages_max": 5}})"));
  const json generated = generated_world();
  const auto hash = [&t](std::string field, json base, const char* set,
                         std::vector<std::uint64_t> seeds = {1, 2, 3, 4}) {
    t.push_back({std::move(field), Expect::kHash, std::move(base), parse(set), "",
                 std::move(seeds)});
  };
  const auto engine = [&](const char* field, const char* value) {
    hash(std::string("engine.") + field, harsh,
         (std::string(R"({"engine": {")") + field + "\": " + value + "}}").c_str());
  };

  // Top level.
  t.push_back({"name", Expect::kOutput, small, parse(R"({"name": "renamed"})"),
               "names the run in outputs and file names; the model never reads it"});
  t.push_back({"description", Expect::kOutput, small, parse(R"({"description": "other"})"),
               "prose for `imsim list`; the model never reads it"});
  hash("seed", small, R"({"seed": 2})", {});

  hash("durations.safety_s", small, R"({"durations": {"safety_s": 2.5}})");
  hash("durations.quiescence_s", busy, R"({"durations": {"quiescence_s": 0.05}})");
  hash("durations.workload_stop_s", small, R"({"durations": {"workload_stop_s": 1}})");

  hash("topology.gateways", small, R"({"topology": {"gateways": 3}})");
  hash("topology.queue_partitions", small, R"({"topology": {"queue_partitions": 3}})");
  hash("topology.processors", small, R"({"topology": {"processors": 3}})");
  hash("topology.stores", small, R"({"topology": {"stores": 2}})");
  hash("topology.clocks.<node>.drift_ppm", busy,
       R"({"topology": {"clocks": {"processor1": {"drift_ppm": 100000}}}})");

  // Engine: each field moved to where it binds in the busy world.
  engine("message_body_bytes_max", "100");
  for (const char* bound : {"frame_bytes_max", "page_size_max"}) {
    t.push_back({std::string("engine.") + bound, Expect::kRejected, harsh,
                 json{{"engine", {{bound, 1000000}}}},
                 std::string("engine.") + bound + ": only "});
  }
  engine("page_size", "1");
  engine("page_bytes_max", "4096");
  engine("outbox_length_max", "1");
  hash("engine.retry_budget", timeouts, R"({"engine": {"retry_budget": 1}})");
  engine("send_timeout_ms", "50");
  hash("engine.send_backoff_factor", timeouts, R"({"engine": {"send_backoff_factor": 1}})");
  hash("engine.send_timeout_max_ms", timeouts, R"({"engine": {"send_timeout_max_ms": 100}})");
  engine("pull_timeout_ms", "50");
  engine("sync_poll_interval_ms", "100");
  engine("push_buffer_max", "1");
  hash("engine.roam_messages_max", with(busy, parse(R"({"engine": {"page_size": 5}})")),
       R"({"engine": {"roam_messages_max": 0}})");
  engine("reconnect_backoff_ms", "10");
  {
    json down = busy;
    for (const char* gateway : {"gateway0", "gateway1"}) {
      down["faults"].push_back(
          {{"at_s", 0.3}, {"kind", "crash"}, {"node", gateway}, {"for_s", 2}});
    }
    hash("engine.reconnect_backoff_max_ms", down,
         R"({"engine": {"reconnect_backoff_max_ms": 200}})");
  }
  engine("inbox_ttl_s", "0.5");
  t.push_back({"engine.dedup_key_retention_s", Expect::kCounter, harsh,
               parse(R"({"engine": {"dedup_key_retention_s": 0.01}})"), "store.dedup_scans"});
  engine("large_group_threshold", "2");
  engine("queue_length_max", "1");
  engine("queue_delivery_window", "1");
  engine("queue_redelivery_timeout_ms", "5");
  engine("request_timeout_ms", "5");
  engine("request_retry_budget", "1");
  engine("request_timeout_max_ms", "200");
  hash("engine.conn_frames_per_s", with(harsh, parse(R"({"engine": {"conn_frame_burst": 5}})")),
       R"({"engine": {"conn_frames_per_s": 2}})");
  engine("conn_frame_burst", "1");
  engine("buggify", "true");
  engine("mutations", R"(["push_before_store"])");

  // Users, explicit and generated.
  hash("users[].id", small,
       R"({"users": [{"id": "u1", "devices": [{"id": "d1"}, {"id": "d2"}]},
                     {"id": "u2", "devices": [{"id": "d1"}]},
                     {"id": "a3", "devices": [{"id": "d1"}]}],
           "conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u2"]},
                             {"id": "c2", "kind": "group", "members": ["u1", "u2", "a3"]}]})");
  hash("users[].devices[].id", small,
       R"({"users": [{"id": "u1", "devices": [{"id": "d1"}, {"id": "a2"}]},
                     {"id": "u2", "devices": [{"id": "d1"}]},
                     {"id": "u3", "devices": [{"id": "d1"}]}]})");
  const auto device_field = [&](const char* field, const char* value) {
    json set = small;
    set["users"][0]["devices"][1] = json::parse(std::string(R"({"id": "d2", ")") + field +
                                                "\": " + value + "}");
    hash(std::string("users[].devices[].") + field, small, set.dump().c_str());
  };
  device_field("online_at_start", "false");
  device_field("login_at_s", "1");
  device_field("clock_offset_ms", "5000");
  device_field("clock_drift_ppm", "100000");
  hash("users.count", generated, R"({"users": {"count": 5}})");
  hash("users.devices_min", generated, R"({"users": {"devices_min": 2}})");
  hash("users.devices_max", generated, R"({"users": {"devices_max": 4}})");

  // Conversations, explicit and generated.
  hash("conversations[].id", small,
       R"({"conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u2"]},
                             {"id": "a2", "kind": "group", "members": ["u1", "u2", "u3"]}]})");
  hash("conversations[].kind", small,
       R"({"conversations": [{"id": "c1", "kind": "group", "members": ["u1", "u2"]},
                             {"id": "c2", "kind": "group", "members": ["u1", "u2", "u3"]}]})");
  hash("conversations[].members", small,
       R"({"conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u3"]},
                             {"id": "c2", "kind": "group", "members": ["u1", "u2", "u3"]}]})");
  hash("conversations.direct", generated, R"({"conversations": {"direct": 2}})");
  hash("conversations.groups[].count", generated,
       R"({"conversations": {"groups": [{"count": 2, "size": 3}]}})");
  hash("conversations.groups[].size", generated,
       R"({"conversations": {"groups": [{"count": 1, "size": 4}]}})");

  // Device behaviour.
  hash("devices.churn", small, R"({"devices": {"churn": true,
       "online_session": {"kind": "exponential", "mean_s": 0.5}}})");
  hash("devices.app_kill_mean_interval_s", small, R"({"devices": {"app_kill_mean_interval_s": 1}})");
  hash("devices.reinstall_mean_interval_s", small,
       R"({"devices": {"reinstall_mean_interval_s": 1}})");
  hash("devices.new_device_mean_interval_s", small,
       R"({"devices": {"new_device_mean_interval_s": 1}})");
  hash("devices.page_back_p", paging, R"({"devices": {"page_back_p": 0}})");

  // Workload.
  hash("workload.messages_per_s", small, R"({"workload": {"messages_per_s": 5}})");
  const json large = with(small, parse(R"({"engine": {"large_group_threshold": 2}})"));
  hash("workload.kind_weights.direct", large,
       R"({"workload": {"kind_weights": {"direct": 0}}})");
  hash("workload.kind_weights.group", with(small, parse(R"({"conversations": [
         {"id": "c1", "kind": "direct", "members": ["u1", "u2"]},
         {"id": "c2", "kind": "group", "members": ["u1", "u2"]},
         {"id": "c3", "kind": "group", "members": ["u1", "u2", "u3"]}],
         "engine": {"large_group_threshold": 2}})")),
       R"({"workload": {"kind_weights": {"group": 0}}})");
  hash("workload.kind_weights.large", large, R"({"workload": {"kind_weights": {"large": 0}}})");
  hash("workload.reply_p", small, R"({"workload": {"reply_p": 0}})");
  hash("workload.messages_max", small, R"({"workload": {"messages_max": 3}})");

  // Network. Device links: stream transport (loss shows as RTO delays and resets; dup/reorder
  // refused, tests/scenarios/loader_test.cpp) or datagram transport (all three act).
  hash("network.servers.loss_p", small, R"({"network": {"servers": {"loss_p": 0.2}}})");
  hash("network.servers.dup_p", small, R"({"network": {"servers": {"dup_p": 0.2}}})");
  hash("network.servers.reorder_p", small, R"({"network": {"servers": {"reorder_p": 0.5}}})");
  hash("network.mobile.loss_p", small, R"({"network": {"mobile": {"loss_p": 0.2}}})");
  const json datagram =
      with(small, parse(R"({"network": {"device_transport": "datagram"}})"));
  hash("network.mobile.dup_p", datagram, R"({"network": {"mobile": {"dup_p": 0.2}}})");
  hash("network.mobile.reorder_p", datagram, R"({"network": {"mobile": {"reorder_p": 0.5}}})");
  const json lossy = with(small, parse(R"({"network": {"mobile": {"loss_p": 0.2}}})"));
  hash("network.device_transport", lossy, R"({"network": {"device_transport": "datagram"}})");
  hash("network.stream.rto_initial_ms", lossy,
       R"({"network": {"stream": {"rto_initial_ms": 3000}}})");
  hash("network.stream.rto_min_ms", lossy, R"({"network": {"stream": {"rto_min_ms": 20}}})");
  hash("network.stream.rto_max_ms", with(small, parse(R"({"network": {"mobile": {"loss_p": 0.5}}})")),
       R"({"network": {"stream": {"rto_max_ms": 1000}}})");
  hash("network.stream.retransmit_max", lossy,
       R"({"network": {"stream": {"retransmit_max": 0}}})");
  // Adversarial devices (their own users x1..): each field moves what they do.
  const json attacked = with(small, parse(R"({"adversaries": {"count": 1, "conversations": 1,
      "attacks": "all", "attack_enable_p": 0.8, "attack_mean_interval_s": 0.2,
      "flood_frames": 50}})"));
  hash("adversaries.count", attacked, R"({"adversaries": {"count": 2}})");
  hash("adversaries.conversations", attacked, R"({"adversaries": {"conversations": 2}})");
  hash("adversaries.attacks", attacked, R"({"adversaries": {"attacks": ["garbage"]}})");
  hash("adversaries.attack_enable_p", attacked, R"({"adversaries": {"attack_enable_p": 0.3}})");
  hash("adversaries.attack_mean_interval_s", attacked,
       R"({"adversaries": {"attack_mean_interval_s": 0.05}})");
  hash("adversaries.flood_frames", with(attacked, parse(R"({"adversaries": {"attacks": ["flood"]}})")),
       R"({"adversaries": {"flood_frames": 5}})");
  engine("conn_pending_max", "1");
  engine("inbox_entries_max", "2");
  // The handshake times out only when its frames can be lost: the datagram transport.
  hash("engine.hello_timeout_ms",
       with(datagram, parse(R"({"network": {"mobile": {"loss_p": 0.3}}})")),
       R"({"engine": {"hello_timeout_ms": 300}})");

  // Faults: each kind's fields, moved one at a time.
  const auto fault = [&](const std::string& kind, const char* field, const char* base_fault,
                         const char* changed_fault, Expect expect = Expect::kHash,
                         std::string text = "") {
    json b = busy;
    b["faults"].push_back(json::parse(base_fault));
    json s = busy;
    s["faults"].push_back(json::parse(changed_fault));
    t.push_back({"faults[]{" + kind + "}." + field, expect, b, json{{"faults", s["faults"]}},
                 std::move(text)});
  };
  hash("faults[].kind", busy, R"({"faults": [{"at_s": 1.2, "kind": "reset", "node": "u3/d1"}]})");
  fault("partition", "at_s",
        R"({"at_s": 0.2, "kind": "partition", "groups": [["gateway0"], ["queue0"]], "for_s": 1})",
        R"({"at_s": 0.6, "kind": "partition", "groups": [["gateway0"], ["queue0"]], "for_s": 1})");
  fault("partition", "groups",
        R"({"at_s": 0.2, "kind": "partition", "groups": [["gateway0"], ["queue0"]], "for_s": 1})",
        R"({"at_s": 0.2, "kind": "partition", "groups": [["gateway1"], ["queue0"]], "for_s": 1})");
  fault("partition", "for_s",
        R"({"at_s": 0.2, "kind": "partition", "groups": [["gateway0"], ["queue0"]], "for_s": 1})",
        R"({"at_s": 0.2, "kind": "partition", "groups": [["gateway0"], ["queue0"]], "for_s": 2})");
  const char* oneway =
      R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway0", "to": "queue0", "for_s": 1})";
  fault("partition_oneway", "at_s", oneway,
        R"({"at_s": 0.4, "kind": "partition_oneway", "from": "gateway0", "to": "queue0", "for_s": 1})");
  fault("partition_oneway", "from", oneway,
        R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway1", "to": "queue0", "for_s": 1})");
  fault("partition_oneway", "to", oneway,
        R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway0", "to": "queue1", "for_s": 1})");
  fault("partition_oneway", "for_s", oneway,
        R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway0", "to": "queue0", "for_s": 2})");
  {
    json b = busy;
    b["faults"].push_back(parse(R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway0",
                                    "to": "queue0"})"));
    b["faults"].push_back(parse(R"({"at_s": 0.5, "kind": "heal"})"));
    json s = b;
    s["faults"].back()["at_s"] = 1.5;
    t.push_back({"faults[]{heal}.at_s", Expect::kHash, b, json{{"faults", s["faults"]}}});
  }
  const char* clog =
      R"({"at_s": 0.2, "kind": "clog", "from": "gateway0", "to": "queue0", "for_s": 0.5})";
  fault("clog", "at_s", clog,
        R"({"at_s": 0.4, "kind": "clog", "from": "gateway0", "to": "queue0", "for_s": 0.5})");
  fault("clog", "from", clog,
        R"({"at_s": 0.2, "kind": "clog", "from": "gateway1", "to": "queue0", "for_s": 0.5})");
  fault("clog", "to", clog,
        R"({"at_s": 0.2, "kind": "clog", "from": "gateway0", "to": "queue1", "for_s": 0.5})");
  fault("clog", "for_s", clog,
        R"({"at_s": 0.2, "kind": "clog", "from": "gateway0", "to": "queue0", "for_s": 1})");
  const char* link =
      R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "for_s": 1})";
  fault("link", "at_s", link,
        R"({"at_s": 0.5, "kind": "link", "links": "servers", "loss_p": 0.1, "for_s": 1})");
  fault("link", "links", link,
        R"({"at_s": 0.2, "kind": "link", "links": [["gateway0", "queue0"]], "loss_p": 0.1, "for_s": 1})");
  fault("link", "loss_p", link,
        R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.4, "for_s": 1})");
  fault("link", "dup_p", link,
        R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "dup_p": 0.5, "for_s": 1})");
  fault("link", "reorder_p", link,
        R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "reorder_p": 0.5, "for_s": 1})");
  fault("link", "for_s", link,
        R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "for_s": 2})");
  const char* crash = R"({"at_s": 0.2, "kind": "crash", "node": "queue0", "for_s": 0.5})";
  fault("crash", "at_s", crash, R"({"at_s": 0.4, "kind": "crash", "node": "queue0", "for_s": 0.5})");
  fault("crash", "node", crash, R"({"at_s": 0.2, "kind": "crash", "node": "store0", "for_s": 0.5})");
  fault("crash", "for_s", crash, R"({"at_s": 0.2, "kind": "crash", "node": "queue0", "for_s": 1})");
  {
    json b = busy;
    b["faults"].push_back(parse(R"({"at_s": 0.2, "kind": "crash", "node": "queue0"})"));
    b["faults"].push_back(parse(R"({"at_s": 0.5, "kind": "restart", "node": "queue0"})"));
    json s = b;
    s["faults"].back()["at_s"] = 1.5;
    t.push_back({"faults[]{restart}.at_s", Expect::kHash, b, json{{"faults", s["faults"]}}});
    s = b;
    s["faults"].back()["node"] = "queue1";
    t.push_back({"faults[]{restart}.node", Expect::kHash, b, json{{"faults", s["faults"]}}});
  }
  for (const char* kind : {"kill", "reinstall", "reset"}) {
    const std::string k = kind;
    fault(k, "at_s", (R"({"at_s": 0.2, "kind": ")" + k + R"(", "node": "u1/d1"})").c_str(),
          (R"({"at_s": 0.6, "kind": ")" + k + R"(", "node": "u1/d1"})").c_str());
    fault(k, "node", (R"({"at_s": 0.2, "kind": ")" + k + R"(", "node": "u1/d1"})").c_str(),
          (R"({"at_s": 0.2, "kind": ")" + k + R"(", "node": "u3/d1"})").c_str());
  }
  const char* offline = R"({"at_s": 0.2, "kind": "offline", "node": "u1/d1", "for_s": 1})";
  fault("offline", "at_s", offline,
        R"({"at_s": 0.6, "kind": "offline", "node": "u1/d1", "for_s": 1})");
  fault("offline", "node", offline,
        R"({"at_s": 0.2, "kind": "offline", "node": "u3/d1", "for_s": 1})");
  fault("offline", "for_s", offline,
        R"({"at_s": 0.2, "kind": "offline", "node": "u1/d1", "for_s": 2})");
  {
    json b = busy;
    b["faults"].push_back(parse(R"({"at_s": 0.2, "kind": "offline", "node": "u1/d1"})"));
    b["faults"].push_back(parse(R"({"at_s": 0.5, "kind": "online", "node": "u1/d1"})"));
    json s = b;
    s["faults"].back()["at_s"] = 1.5;
    t.push_back({"faults[]{online}.at_s", Expect::kHash, b, json{{"faults", s["faults"]}}});
    s = b;
    s["faults"].back()["node"] = "u3/d1";
    t.push_back({"faults[]{online}.node", Expect::kHash, b, json{{"faults", s["faults"]}}});
  }
  const char* step = R"({"at_s": 0.2, "kind": "clock_step", "node": "u1/d1", "by_ms": 2000})";
  fault("clock_step", "at_s", step,
        R"({"at_s": 0.6, "kind": "clock_step", "node": "u1/d1", "by_ms": 2000})");
  fault("clock_step", "node", step,
        R"({"at_s": 0.2, "kind": "clock_step", "node": "queue0", "by_ms": 2000})");
  fault("clock_step", "by_ms", step,
        R"({"at_s": 0.2, "kind": "clock_step", "node": "u1/d1", "by_ms": -2000})");
  const char* cut = R"({"at_s": 0.2, "kind": "cut", "from": "store0", "to": "gateway0",
                       "for_s": 0.5})";
  fault("cut", "at_s", cut,
        R"({"at_s": 0.4, "kind": "cut", "from": "store0", "to": "gateway0", "for_s": 0.5})");
  fault("cut", "from", cut,
        R"({"at_s": 0.2, "kind": "cut", "from": "store0", "to": "gateway1", "for_s": 0.5})");
  fault("cut", "to", cut,
        R"({"at_s": 0.2, "kind": "cut", "from": "processor0", "to": "gateway0", "for_s": 0.5})");
  fault("cut", "for_s", cut,
        R"({"at_s": 0.2, "kind": "cut", "from": "store0", "to": "gateway0", "for_s": 1})");
  fault("cut", "both_ways", cut,
        R"({"at_s": 0.2, "kind": "cut", "from": "store0", "to": "gateway0", "for_s": 0.5,
            "both_ways": true})");

  // Swarm: only with the swarm on (`imsim run --swarm` forces `enabled`).
  const json swarm = with(small, parse(R"({"swarm": {"enabled": true,
      "fault_mean_interval_s": 0.3, "kind_enable_p": 1}})"));
  const std::vector<std::uint64_t> seeds = {1, 2, 3};
  hash("swarm.enabled", small, R"({"swarm": {"enabled": true}})");
  hash("swarm.kinds", swarm, R"({"swarm": {"kinds": ["kill"]}})", seeds);
  hash("swarm.nodes", with(swarm, parse(R"({"swarm": {"kinds": ["kill"]}})")),
       R"({"swarm": {"nodes": ["u3/d1"]}})", seeds);
  hash("swarm.kind_enable_p", small,
       R"({"swarm": {"enabled": true, "kind_enable_p": 0.9}})", seeds);
  hash("swarm.fault_mean_interval_s", swarm, R"({"swarm": {"fault_mean_interval_s": 1}})", seeds);
  hash("swarm.faults_max", swarm, R"({"swarm": {"faults_max": 1}})", seeds);
  const auto swarm_kind = [&](const char* field, const char* kinds, const char* value) {
    json base = swarm;
    base["swarm"]["kinds"] = json::parse(kinds);
    hash(std::string("swarm.") + field, base,
         (std::string(R"({"swarm": {")") + field + "\": " + value + "}}").c_str(), seeds);
  };
  swarm_kind("partition_max_s", R"(["partition"])", "0.1");
  swarm_kind("clog_max_s", R"(["clog"])", "0.05");
  swarm_kind("down_max_s", R"(["crash", "offline"])", "0.1");
  swarm_kind("clock_step_max_ms", R"(["clock_step"])", "100");
  swarm_kind("loss_p_max", R"(["link"])", "1");
  swarm_kind("dup_p_max", R"(["link"])", "1");
  swarm_kind("reorder_p_max", R"(["link"])", "1");
  swarm_kind("latency_max_ms", R"(["link"])", "50");

  // The world swarm: every dimension drawn (enable_p 1), one range moved at a time.
  json world = with(timeouts, parse(R"({"swarm": {"enabled": true, "faults_max": 0,
      "world": {"enable_p": 1}}})"));
  const auto world_field = [&](const char* field, const char* base_value, const char* value,
                               const json& on = json()) {
    json base = on.is_null() ? world : on;
    base["swarm"]["world"][field] = json::parse(base_value);
    hash(std::string("swarm.world.") + field, base,
         (std::string(R"({"swarm": {"world": {")") + field + "\": " + value + "}}}").c_str(),
         seeds);
  };
  {
    json base = world;
    base["swarm"]["world"]["page_size"] = {1, 10};
    hash("swarm.world.enable_p", base, R"({"swarm": {"world": {"enable_p": 0}}})", seeds);
    hash("swarm.world_seed", base, R"({"swarm": {"world_seed": 99}})", seeds);
  }
  world_field("page_size", "[1, 10]", "[20, 40]");
  world_field("inbox_ttl_s", "[100, 600]", "[0.1, 0.5]");
  world_field("retry_budget", "[3, 8]", "[1, 1]");
  world_field("send_timeout_ms", "[250, 2000]", "[5, 10]");
  world_field("request_timeout_ms", "[50, 500]", "[1, 5]");
  world_field("page_bytes_max", "[60000, 65536]", "[4096, 4096]",
              with(busy, parse(R"({"workload": {"size": {"kind": "constant", "value_bytes": 1000}},
                                  "swarm": {"enabled": true, "faults_max": 0,
                                            "world": {"enable_p": 1}}})")));
  world_field("queue_length_max", "[1000, 2000]", "[1, 2]");
  world_field("push_buffer_max", "[100, 200]", "[1, 1]");
  world_field("outbox_length_max", "[100, 200]", "[1, 1]");
  world_field("buggify_p", "0.01", "1");
  {
    json base = world;
    base["swarm"]["world"]["dedup_key_retention_s"] = {1000, 2000};
    t.push_back({"swarm.world.dedup_key_retention_s", Expect::kCounter, base,
                 parse(R"({"swarm": {"world": {"dedup_key_retention_s": [0.001, 0.01]}}})"),
                 "store.dedup_scans", seeds});
  }
  world_field("message_bytes", "[100, 200]", "[3000, 4000]");
  world_field("servers_per_role", "[1, 1]", "[3, 4]");
  world_field("group_size", "[2, 2]", "[3, 4]",
              with(generated, parse(R"({"swarm": {"enabled": true, "faults_max": 0,
                                        "world": {"enable_p": 1}}})")));
  world_field("threshold_edge_p", "0.01", "1");
  const json world_long_offline = with(world, parse(R"({"swarm": {"world": {"long_offline":
      {"max": 2, "for_s": [0.5, 1]}}}})"));
  hash("swarm.world.long_offline.max", world_long_offline,
       R"({"swarm": {"world": {"long_offline": {"max": 4}}}})", seeds);
  hash("swarm.world.long_offline.for_s", world_long_offline,
       R"({"swarm": {"world": {"long_offline": {"for_s": [1.5, 2]}}}})", seeds);
  const json world_cuts = with(world, parse(R"({"swarm": {"world": {"pair_cuts":
      {"max": 2, "for_s": [0.5, 1], "one_way_p": 0.5}}}})"));
  hash("swarm.world.pair_cuts.max", world_cuts,
       R"({"swarm": {"world": {"pair_cuts": {"max": 5}}}})", seeds);
  hash("swarm.world.pair_cuts.for_s", world_cuts,
       R"({"swarm": {"world": {"pair_cuts": {"for_s": [1.5, 2]}}}})", seeds);
  hash("swarm.world.pair_cuts.one_way_p", world_cuts,
       R"({"swarm": {"world": {"pair_cuts": {"one_way_p": 0}}}})", seeds);

  // Checks: what the run is judged by, not what it does (same trace, another verdict).
  // The library's order_by_timestamp mutant: its run shows `reordered`.
  const json mutant = library_document("mutants/order_by_timestamp");
  t.push_back({"checks.checkers", Expect::kVerdict, with(mutant, parse(R"({"checks": null})")),
               parse(R"({"checks": {"checkers": ["lost", "duplicated"]}})"),
               "chooses the checkers run over the history", {}});
  t.push_back({"checks.expect", Expect::kVerdict, mutant,
               parse(R"({"checks": {"expect": ["lost"]}})"), "chooses what the run must show",
               {}});

  hash("quiescence.check_interval_ms", busy, R"({"quiescence": {"check_interval_ms": 1000}})");
  hash("quiescence.probe_devices_max", busy, R"({"quiescence": {"probe_devices_max": 0}})");

  // Distributions, at every place one is used, each kind's parameters moved one at a time.
  struct Site {
    std::string path;  // normalised path of the distribution
    std::string unit;
    double scale;
    json context;                   // the scenario it is used in
    std::vector<std::string> keys;  // JSON pointer-ish keys to the distribution in the document
  };
  const json churn = with(small, parse(R"({"devices": {"churn": true,
      "online_session": {"kind": "exponential", "mean_s": 0.5},
      "offline_session": {"kind": "exponential", "mean_s": 0.5}}})"));
  const json link_fault = with(small, parse(R"({"faults": [{"at_s": 0.2, "kind": "link",
      "links": "all", "latency": {"kind": "constant", "value_ms": 1}, "for_s": 2}]})"));
  const json paged = with(busy, parse(R"({"engine": {"page_bytes_max": 4096}})"));
  const std::vector<Site> sites = {
      {"devices.online_session", "s", 0.5, churn, {"devices", "online_session"}},
      {"devices.offline_session", "s", 0.5, churn, {"devices", "offline_session"}},
      {"workload.size", "bytes", 1000, paged, {"workload", "size"}},
      {"network.mobile.latency", "ms", 40, small, {"network", "mobile", "latency"}},
      {"network.servers.latency", "ms", 1, small, {"network", "servers", "latency"}},
      {"faults[]{link}.latency", "ms", 20, link_fault, {"faults", "0", "latency"}},
  };
  for (const Site& site : sites) {
    const auto place = [&site](json doc, const json& d) {
      json* at = &doc;
      for (const std::string& key : site.keys) {
        at = key == "0" ? &(*at)[0] : &(*at)[key];
      }
      *at = d;
      return doc;
    };
    const auto patch_of = [](const json& base, const json& changed) {
      return merge_diff(base, changed);
    };
    {
      json d = distribution("exponential", site.unit, site.scale);
      const json base = place(site.context, d);
      d = distribution("constant", site.unit, site.scale);
      t.push_back({site.path + ".kind", Expect::kHash, base, patch_of(base, place(base, d))});
    }
    for (const char* kind : kDistributionKinds) {
      const json d = distribution(kind, site.unit, site.scale);
      const json base = place(site.context, d);
      std::vector<std::string> params;
      for (const auto& [key, unused] : d.items()) {
        if (key != "kind") params.push_back(key);
      }
      for (const std::string& param : params) {
        json changed = d;
        changed[param] = param == "tail_p" ? json(0.9)
                         : param == "sigma" ? json(2.0)
                                            : json(site.scale * 3);
        if (param.starts_with("min_")) changed[param] = site.scale;
        t.push_back({site.path + "{" + kind + "}." + param, Expect::kHash, base,
                     patch_of(base, place(base, changed))});
      }
    }
  }
  return t;
}

// The link-fault fields on device connections (links "mobile"), as the network model is today:
// loss, duplication and reordering do not reach a device connection (loss-free while alive).
// The lead's network change (issue 12: TCP-like loss, a datagram transport for dup/reorder)
// turns these into kHash or kRejected. The table above covers the same fields on server links.
std::vector<Entry> device_connection_table() {
  std::vector<Entry> t;
  json base = small_world();
  base["faults"] = json::parse(R"([{"at_s": 0.2, "kind": "link", "links": "mobile",
      "latency": {"kind": "constant", "value_ms": 40}, "for_s": 2}])");
  json faults = base["faults"];
  faults[0]["loss_p"] = 0.5;
  t.push_back({"faults[]{link}.loss_p", Expect::kHash, base, json{{"faults", faults}},
               "links: \"mobile\", stream transport"});
  for (const char* field : {"dup_p", "reorder_p"}) {
    json changed = base["faults"];
    changed[0][field] = 0.5;
    t.push_back({std::string("faults[]{link}.") + field, Expect::kRejected, base,
                 json{{"faults", changed}}, "never duplicates or reorders a frame"});
    json datagram = base;
    datagram["network"]["device_transport"] = "datagram";
    t.push_back({std::string("faults[]{link}.") + field, Expect::kHash, datagram,
                 json{{"faults", changed}}, "links: \"mobile\", datagram transport"});
  }
  return t;
}

// ---- Running --------------------------------------------------------------------------------

// Runner::hash with this seed keeps the document's own.
constexpr std::uint64_t kDocumentSeed = ~std::uint64_t{0};

class Runner {
 public:
  // The trace hash of `doc` run with `seed` (cached); fails the test if it does not load.
  std::uint64_t hash(const json& doc, std::uint64_t seed, const std::string& field) {
    return run(doc, seed, field).trace_hash;
  }
  // The named counter of the same run (0 when absent).
  std::uint64_t counter(const json& doc, std::uint64_t seed, const std::string& field,
                        const std::string& name) {
    const Run& r = run(doc, seed, field);
    const auto it = r.counters.find(name);
    return it == r.counters.end() ? 0 : it->second;
  }
  int runs() const { return runs_; }

 private:
  struct Run {
    std::uint64_t trace_hash = 0;
    std::map<std::string, std::uint64_t> counters;
  };
  const Run& run(const json& doc, std::uint64_t seed, const std::string& field) {
    const std::string key = doc.dump() + "#" + std::to_string(seed);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    Run& out = cache_[key];
    auto loaded = scenarios::load_scenario(doc);
    EXPECT_TRUE(loaded.ok()) << field << ": " << loaded.error();
    if (!loaded.ok()) return out;
    model::WorldConfig config = std::move(loaded).value();
    if (seed != kDocumentSeed) config.seed = seed;
    const model::RunResult result = model::run_world(config, {});
    EXPECT_EQ(result.config_error, "") << field;
    runs_++;
    out.trace_hash = result.trace_hash;
    out.counters = result.counters;
    return out;
  }
  std::map<std::string, Run> cache_;
  int runs_ = 0;
};

std::string expect_name(Expect e) {
  switch (e) {
    case Expect::kHash:
      return "changes the trace hash";
    case Expect::kRejected:
      return "rejected by the loader";
    case Expect::kVerdict:
      return "changes the verdict";
    case Expect::kOutput:
      return "output only";
    case Expect::kCounter:
      return "changes a counter";
  }
  return "?";
}

// Checks one entry; returns "" when it holds, else why not.
std::string check(const Entry& e, Runner& runner) {
  const json changed = with(e.base, e.set);
  if (changed == e.base) return "the changed document is the baseline";
  if (e.expect == Expect::kRejected) {
    if (const auto base = scenarios::load_scenario(e.base); !base.ok()) {
      return "the baseline does not load: " + base.error();
    }
    const auto loaded = scenarios::load_scenario(changed);
    if (loaded.ok()) return "the loader accepted it";
    if (loaded.error().find(e.text) == std::string::npos) {
      return "the loader's error \"" + loaded.error() + "\" does not contain \"" + e.text + "\"";
    }
    return "";
  }
  bool differs = false;
  std::vector<std::uint64_t> seeds = e.seeds;
  if (seeds.empty()) seeds.push_back(kDocumentSeed);
  for (std::uint64_t seed : seeds) {
    differs = differs || runner.hash(e.base, seed, e.field) != runner.hash(changed, seed, e.field);
  }
  switch (e.expect) {
    case Expect::kHash:
      return differs ? "" : "the trace hash is the same for every seed";
    case Expect::kOutput:
      return differs ? "the trace hash changed (update the entry)" : "";
    case Expect::kCounter: {
      if (differs) return "the trace hash changed (update the entry)";
      for (std::uint64_t seed : seeds) {
        if (runner.counter(e.base, seed, e.field, e.text) !=
            runner.counter(changed, seed, e.field, e.text)) {
          return "";
        }
      }
      return "the counter " + e.text + " is the same for every seed";
    }
    case Expect::kVerdict: {
      if (differs) return "the trace hash changed";
      const auto verdict = [](const json& doc) {
        const auto loaded = scenarios::load_scenario(doc);
        if (!loaded.ok()) return std::string("ERROR ") + loaded.error();
        const scenarios::RunOutcome outcome = scenarios::run_scenario(loaded.value(), {});
        return scenarios::verdict_text(outcome) + " " + json(outcome.anomalies_found).dump();
      };
      return verdict(e.base) != verdict(changed) ? "" : "the verdict is the same";
    }
    case Expect::kRejected:
      break;
  }
  return "";
}

TEST(Fields, EveryFieldHasAnEntry) {
  const std::set<std::string> fields = enumerated_fields();
  std::set<std::string> listed;
  for (const Entry& e : table()) {
    EXPECT_TRUE(listed.insert(e.field).second) << "two entries for " << e.field;
  }
  std::set<std::string> expected = fields;
  for (const char* shorthand : kShorthand) {
    EXPECT_FALSE(fields.contains(shorthand)) << shorthand << " is written now: not a shorthand";
    expected.insert(shorthand);
  }
  for (const std::string& field : expected) {
    EXPECT_TRUE(listed.contains(field)) << "no entry for the field " << field;
  }
  for (const std::string& field : listed) {
    EXPECT_TRUE(expected.contains(field)) << "an entry for " << field << ", not a field";
  }
  // Sanity: the enumeration is not trivially small.
  EXPECT_GT(fields.size(), 150u);
}

TEST(Fields, EveryFieldActsOrIsRefused) {
  const auto start = std::chrono::steady_clock::now();
  Runner runner;
  std::map<Expect, int> counts;
  const std::vector<Entry> entries = table();
  for (const Entry& e : entries) {
    const std::string problem = check(e, runner);
    EXPECT_EQ(problem, "") << e.field << " (expected: " << expect_name(e.expect) << ")";
    counts[e.expect]++;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary;
  for (const auto& [expect, n] : counts) summary += expect_name(expect) + ": " + std::to_string(n) + "; ";
  std::printf("%zu fields: %s%d runs in %.1f s\n", entries.size(), summary.c_str(),
              runner.runs(), seconds);
}

// Link faults on device links: loss acts on streams; dup/reorder are refused there and act on
// the datagram transport.
TEST(Fields, LinkFaultsOnDeviceConnections) {
  Runner runner;
  for (const Entry& e : device_connection_table()) {
    EXPECT_EQ(check(e, runner), "") << e.field << " on " << e.text << " ("
                                    << expect_name(e.expect) << ")";
  }
}

// The checker can fail: an entry whose change does nothing is caught, as is a wrong
// rejection message.
TEST(Fields, CheckCatchesAFieldThatDoesNothing) {
  Runner runner;
  const json small = small_world();
  const Entry no_op{"description", Expect::kHash, small, parse(R"({"description": "x"})")};
  EXPECT_EQ(check(no_op, runner), "the trace hash is the same for every seed");
  const Entry acts{"seed", Expect::kOutput, small, parse(R"({"seed": 2})"), "?", {}};
  EXPECT_EQ(check(acts, runner), "the trace hash changed (update the entry)");
  const Entry accepted{"seed", Expect::kRejected, small, parse(R"({"seed": 2})"), "x"};
  EXPECT_EQ(check(accepted, runner), "the loader accepted it");
  const Entry uncounted{"description", Expect::kCounter, small, parse(R"({"description": "x"})"),
                        "store.dedup_scans"};
  EXPECT_EQ(check(uncounted, runner), "the counter store.dedup_scans is the same for every seed");
  const Entry wrong{"seed", Expect::kRejected, small, parse(R"({"seed": -1})"), "nonsense"};
  EXPECT_NE(check(wrong, runner).find("does not contain \"nonsense\""), std::string::npos);
}

// The enumeration finds a field it was not told about.
TEST(Fields, EnumerationSeesNestedFields) {
  std::set<std::string> fields;
  leaf_paths(parse(R"({"a": {"b": 1, "c": [{"kind": "k", "d": [1, 2]}]},
                       "topology": {"clocks": {"queue0": {"drift_ppm": 1}}}})"),
             "", fields);
  EXPECT_EQ(fields, (std::set<std::string>{"a.b", "a.c[].kind", "a.c[]{k}.d",
                                           "topology.clocks.<node>.drift_ppm"}));
}

}  // namespace
