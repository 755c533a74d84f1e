// The scenario loader: a table of bad inputs, each with the exact error it must produce.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imsim/scenarios/scenario.hpp"

namespace {

using imsim::scenarios::load_scenario;
using nlohmann::json;

// A small valid scenario every bad input is derived from.
json base_scenario() {
  return json::parse(R"({
    "name": "t",
    "seed": 7,
    "durations": {"safety_s": 10, "quiescence_s": 20},
    "topology": {"gateways": 2, "queue_partitions": 1, "processors": 1, "stores": 1},
    "users": [
      {"id": "u1", "devices": [{"id": "d1"}, {"id": "d2"}]},
      {"id": "u2", "devices": [{"id": "d1"}]}
    ],
    "conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u2"]}],
    "faults": [
      {"at_s": 1, "kind": "offline", "node": "u1/d1"},
      {"at_s": 2, "kind": "crash", "node": "processor0"},
      {"at_s": 3, "kind": "heal"}
    ]
  })");
}

struct BadInput {
  const char* pointer;  // JSON pointer to change
  const char* value;    // new value (JSON text), or nullptr to remove the field
  std::string error;    // the exact error message
};

const std::string kNoDupOnStream =
    "device connections use network.device_transport \"stream\" (TCP-like), which never "
    "duplicates or reorders a frame; set network.device_transport to \"datagram\" for a "
    "transport that does, or remove this field";

const std::vector<BadInput> kBadInputs = {
    {"/faults/2/at_s", R"("ten")", R"(faults[2].at_s: expected a number >= 0, got "ten")"},
    {"/faults/0/at_s", "-1", "faults[0].at_s: expected a number >= 0, got -1"},
    {"/faults/0/at_s", "10",
     "faults[0].at_s: 10 is not before the end of the safety phase "
     "(durations.safety_s = 10)"},
    {"/faults/0/kind", R"("ofline")",
     R"(faults[0].kind: expected one of "partition", )"
     R"("partition_oneway", "heal", "clog", "link", "crash", "restart", "kill", "reinstall", )"
     R"("offline", "online", "reset", "clock_step", "cut", got "ofline" (did you mean "offline"?))"},
    {"/faults/0", R"({"at_s": 1, "kind": "cut", "from": "u1/d1", "to": "store0", "for_s": 2})",
     "faults[0].to: u1/d1 and store0 exchange no frames (devices talk only to gateways; servers "
     "to servers): a cut between them changes nothing"},
    {"/faults/0", R"({"at_s": 1, "kind": "cut", "from": "u1/d1", "to": "gateway0"})",
     R"(faults[0]: missing required field "for_s")"},
    {"/faults/0",
     R"({"at_s": 1, "kind": "cut", "from": "u1/d1", "to": "gateway1", "for_s": 2, )"
     R"("both_ways": "yes"})",
     R"(faults[0].both_ways: expected true or false, got "yes")"},
    {"/swarm", R"({"world": {"page_size": [0, 5]}})",
     "swarm.world.page_size[0]: expected a range [min, max] of integers in [1, 100] with min <= "
     "max, got 0"},
    {"/swarm", R"({"world": {"page_size": [5, 2]}})",
     "swarm.world.page_size: expected a range [min, max] of integers in [1, 100] with min <= max, "
     "got [5,2]"},
    {"/swarm", R"({"world": {"inbox_ttl_s": [0, 5]}})",
     "swarm.world.inbox_ttl_s[0]: expected a number in (0, 2592000], got 0"},
    {"/swarm", R"({"world": {"inbox_ttl_s": [1e-12, 5]}})",
     "swarm.world.inbox_ttl_s[0]: expected a time of at least 1 ns, got 1e-12"},
    {"/swarm", R"({"world": {"group_size": [2, 3]}})",
     "swarm.world.group_size: draws the sizes of generated groups, and this scenario lists its "
     "conversations (use threshold_edge_p to move the large-group threshold to a listed group's "
     "size)"},
    {"/swarm", R"({"world": {"threshold_edge_p": 0.5}})",
     "swarm.world.threshold_edge_p: moves the large-group threshold to a group's size, and this "
     "scenario has no group"},
    {"/swarm", R"({"world": {"pair_cuts": {"max": 2}}})",
     R"(swarm.world.pair_cuts: missing required field "for_s")"},
    {"/swarm", R"({"world": {"page_sizes": [1, 2]}})",
     R"(swarm.world.page_sizes: unknown field (did you mean "page_size"?))"},
    {"/faults/0/kind", nullptr, R"(faults[0]: missing required field "kind")"},
    {"/faults/0/node", R"("u9/d1")",
     R"(faults[0].node: expected a device node (gateway0..gateway1, )"
     R"(queue0, processor0, store0, devices like u1/d1 ...), got "u9/d1")"},
    {"/faults/1/node", R"("u1/d1")",
     R"(faults[1].node: expected a server node (gateway0..gateway1, )"
     R"(queue0, processor0, store0, devices like u1/d1 ...), got "u1/d1")"},
    {"/faults/1/for", "1", R"(faults[1].for: unknown field (did you mean "for_s"?))"},
    {"/faults/2/node", R"("u1/d1")", "faults[2].node: unknown field"},
    {"/faults", "{}", "faults: expected an array of faults, got {}"},
    {"/faults/0",
     R"({"at_s": 1, "kind": "clog", "from": "gateway0", "to": "gateway0", "for_s": 1})",
     R"(faults[0].to: must differ from "from")"},
    {"/faults/0", R"({"at_s": 1, "kind": "clog", "from": "gateway0", "to": "queue0"})",
     R"(faults[0]: missing required field "for_s")"},
    {"/faults/0", R"({"at_s": 1, "kind": "partition", "groups": [["gateway0"]]})",
     R"(faults[0].groups: expected an array of at least 2 groups (arrays of node names), got [["gateway0"]])"},
    {"/faults/0", R"({"at_s": 1, "kind": "partition", "groups": [["gateway0"], ["gateway0"]]})",
     "faults[0].groups[1][0]: gateway0 is in two groups"},
    {"/faults/0", R"({"at_s": 1, "kind": "link", "links": [["u1/d1", "queue0"]], "loss_p": 0.5})",
     "faults[0].links[0]: u1/d1 and queue0 are not linked (devices talk only to gateways; servers "
     "to servers)"},
    {"/faults/0", R"({"at_s": 1, "kind": "link", "links": "mobile"})",
     "faults[0]: a link fault changes at least one of latency, loss_p, dup_p, reorder_p"},
    {"/faults/0", R"({"at_s": 1, "kind": "link", "links": "mobile", "loss_p": 1.5})",
     "faults[0].loss_p: expected a number in [0, 1], got 1.5"},
    // A stream (TCP-like) device connection cannot duplicate or reorder: refused, not ignored.
    {"/network", R"({"mobile": {"dup_p": 0.1}})",
     std::string("network.mobile.dup_p: ") + kNoDupOnStream},
    {"/network", R"({"mobile": {"reorder_p": 0.1}})",
     std::string("network.mobile.reorder_p: ") + kNoDupOnStream},
    {"/faults/0", R"({"at_s": 1, "kind": "link", "links": "mobile", "dup_p": 0.1})",
     std::string("faults[0].dup_p: ") + kNoDupOnStream +
         " (this fault's links are all device links)"},
    {"/faults/0",
     R"({"at_s": 1, "kind": "link", "links": [["u1/d1", "gateway0"]], "reorder_p": 0.1})",
     std::string("faults[0].reorder_p: ") + kNoDupOnStream +
         " (this fault's links are all device links)"},
    {"/network", R"({"device_transport": "udp"})",
     R"(network.device_transport: expected one of "stream", "datagram", got "udp")"},
    {"/network", R"({"stream": {"rto_min_ms": 5000}})",
     "network.stream.rto_min_ms: must be at most rto_initial_ms"},
    {"/network", R"({"stream": {"rto_initial_ms": 90000}})",
     "network.stream.rto_max_ms: must be at least rto_initial_ms"},
    {"/network", R"({"stream": {"retransmit_max": 65}})",
     "network.stream.retransmit_max: expected an integer in [0, 64], got 65"},
    {"/faults/0", R"({"at_s": 1, "kind": "clock_step", "node": "store0", "by_ms": "x"})",
     R"(faults[0].by_ms: expected a number in [-86400000, 86400000], got "x")"},
    {"/adversaries", R"({"count": 65})",
     "adversaries.count: expected an integer in [0, 64], got 65"},
    {"/adversaries", R"({"count": 1, "attacks": ["flood", "flod"]})",
     R"(adversaries.attacks[1]: expected one of "impersonate", "foreign_conv", "foreign_inbox", )"
     R"("replay", "oversized", "truncated", "garbage", "flood", "no_ack", got "flod" (did you mean "flood"?))"},
    {"/adversaries", R"({"count": 1, "attacks": ["flood", "flood"]})",
     R"(adversaries.attacks[1]: "flood" listed twice)"},
    {"/adversaries", R"({"count": 1, "attacks": []})",
     R"(adversaries.attacks: expected "all" or a non-empty array of "impersonate", "foreign_conv", )"
     R"("foreign_inbox", "replay", "oversized", "truncated", "garbage", "flood", "no_ack", got [])"},
    {"/adversaries", R"({"count": 1, "attack_mean_interval_s": 0})",
     "adversaries.attack_mean_interval_s: expected a number in (0, 2592000], got 0"},
    {"/adversaries", R"({"count": 1, "attack_enable_p": 2})",
     "adversaries.attack_enable_p: expected a number in [0, 1], got 2"},
    {"/adversaries", R"({"count": 1, "flood_frames": 0})",
     "adversaries.flood_frames: expected an integer in [1, 100000], got 0"},
    {"/adversaries", R"({"count": 1, "flood": 3})", "adversaries.flood: unknown field"},
    {"/engine/inbox_entries_max", "0",
     "engine.inbox_entries_max: expected an integer in [1, 4294967295], got 0"},
    {"/engine/conn_pending_max", "0",
     "engine.conn_pending_max: expected an integer in [1, 4294967295], got 0"},
    {"/seed", "-3", "seed: expected an integer in [0, 18446744073709551615], got -3"},
    {"/seed", "1.5", "seed: expected an integer in [0, 18446744073709551615], got 1.5"},
    {"/sed", "1", R"(sed: unknown field (did you mean "seed"?))"},
    {"/name", R"("has space")",
     R"(name: expected an id: 1 to 64 characters from A-Z a-z 0-9 _ . -, got "has space")"},
    {"/durations/safety_s", "0", "durations.safety_s: expected a number in (0, 2592000], got 0"},
    {"/durations/workload_stop_s", "11",
     "durations.workload_stop_s: 11 is after the end of the safety phase (safety_s = 10)"},
    {"/topology/gateways", "0", "topology.gateways: expected an integer in [1, 64], got 0"},
    {"/topology/gateways", "2.0", "topology.gateways: expected an integer in [1, 64], got 2.0"},
    {"/topology/gatways", "2", R"(topology.gatways: unknown field (did you mean "gateways"?))"},
    {"/topology/clocks", R"({"gateway7": {"offset_ms": 1}})",
     "topology.clocks.gateway7: no such server node (servers: gateway0, gateway1, queue0, "
     "processor0, store0)"},
    {"/faults/0/at_ms", "1", R"(faults[0].at_ms: unknown field (did you mean "at_s"?))"},
    {"/topology/clocks", R"({"gateway1": {"drift_ppm": 1e9}})",
     "topology.clocks.gateway1.drift_ppm: expected a number in [-100000, 100000], got "
     "1000000000.0"},
    {"/engine", R"({"page_size": 0})",
     "engine.page_size: expected an integer in [1, 4294967295], got 0"},
    {"/engine", R"({"page_size": 500})", "engine.page_size: must be <= page_size_max"},
    {"/engine", R"({"inbox_ttl_s": -1})",
     "engine.inbox_ttl_s: expected a number in (0, 2592000], got -1"},
    {"/engine", R"({"queue_partitions": 4})",
     "engine.queue_partitions: set by topology.queue_partitions, not here"},
    {"/engine", R"({"mutations": ["push_before_stor"]})",
     "engine.mutations[0]: expected one of \"push_before_store\", \"checkpoint_from_push\", "
     "\"ack_before_durable\", \"no_server_dedup\", \"no_client_dedup\", "
     "\"checkpoint_before_apply\", "
     "\"order_by_timestamp\", \"no_fifo_holdback\", \"volatile_seq_allocator\", "
     "\"short_page_is_end\", \"ttl_gap_ignored\", \"fanout_not_idempotent\", "
     "\"cursor_from_client_id\", \"resume_counter_reset\", got \"push_before_stor\" (did you mean "
     "\"push_before_store\"?)"},
    {"/engine", R"({"mutations": ["no_client_dedup", "no_client_dedup"]})",
     R"(engine.mutations[1]: "no_client_dedup" listed twice)"},
    {"/users", "[]",
     "users: expected an array of 1 to 1000000 users or a population object "
     "{\"count\": N, ...}, got []"},
    {"/users", nullptr, R"(scenario: missing required field "users")"},
    {"/users/1/id", R"("u1")", R"(users[1].id: user "u1" listed twice)"},
    {"/users/0/devices/1/id", R"("d1")", R"(users[0].devices[1].id: device "d1" listed twice)"},
    {"/users/0/devices/0/online_at_start", "1",
     "users[0].devices[0].online_at_start: expected true or false, got 1"},
    {"/users/0/devices/0/login_at_s", "10",
     "users[0].devices[0].login_at_s: must be before the end of the safety phase"},
    {"/users/0/devices/1", R"({"id": "d2", "login_at_s": 2, "online_at_start": false})",
     "users[0].devices[1].online_at_start: false has no effect with login_at_s (a device that "
     "logs in is online from then on; use an offline fault after login_at_s)"},
    {"/workload", R"({"size": {"kind": "constant", "value_bytes": 10, "tail_p": 0.5}})",
     "workload.size.tail_p: has no effect with tail_bytes 0 (a sample gets tail_bytes added "
     "with probability tail_p)"},
    {"/network", R"({"servers": {"latency": {"kind": "exponential", "mean_ms": 1, "tail_ms": 9}}})",
     "network.servers.latency.tail_ms: has no effect with tail_p 0 (a sample gets tail_ms added "
     "with probability tail_p)"},
    {"/users", R"({"count": 3, "devices_min": 2, "devices_max": 1})",
     "users.devices_max: expected an integer in [2, 16], got 1"},
    {"/conversations/0/members", R"(["u1", "u3"])",
     R"(conversations[0].members[1]: no user "u3" in users)"},
    {"/conversations/0/members", R"(["u1", "u2", "u1"])",
     R"(conversations[0].members: expected an array of 2 user ids, got ["u1","u2","u1"])"},
    {"/conversations/0/kind", R"("large")",
     R"(conversations[0].kind: expected one of "direct", "group", got "large")"},
    {"/conversations", R"({"groups": [{"count": 1, "size": 3}]})",
     "conversations.groups[0].size: expected an integer in [2, 2], got 3"},
    {"/conversations", R"({"direct": 0})",
     "conversations: expected 1 to 1000000 conversations in all, got 0"},
    {"/workload", R"({"reply_p": 2})", "workload.reply_p: expected a number in [0, 1], got 2"},
    {"/workload", R"({"kind_weights": {"direct": 0, "group": 0, "large": 0}})",
     "workload.kind_weights: at least one weight must be > 0"},
    {"/workload", R"({"size": {"kind": "uniform", "min_bytes": 10, "max_bytes": 5}})",
     "workload.size.max_bytes: must be >= min_bytes (10)"},
    {"/workload", R"({"size": {"kind": "exponential", "mean_ms": 5}})",
     R"(workload.size.mean_ms: unknown field (did you mean "mean_bytes"?))"},
    {"/network", R"({"mobile": {"latency": {"kind": "lognormal", "median_ms": 0, "sigma": 1}}})",
     "network.mobile.latency.median_ms: expected a number in (0, 2592000000], got 0"},
    {"/network", R"({"mobile": {"latency": {"kind": "gaussian"}}})",
     R"(network.mobile.latency.kind: expected one of "constant", "uniform", "exponential", )"
     R"("lognormal", got "gaussian")"},
    {"/devices", R"({"churn": true, "online_session": {"kind": "constant", "value_ms": 5}})",
     R"(devices.online_session.value_ms: unknown field (did you mean "value_s"?))"},
    {"/swarm", R"({"enabled": true, "kinds": ["crash", "crash"]})", "swarm.kinds[1]: listed twice"},
    {"/swarm", R"({"nodes": ["store0", "store0"]})", "swarm.nodes[1]: listed twice"},
    {"/swarm", R"({"nodes": ["store9"]})",
     "swarm.nodes[0]: expected a node (gateway0..gateway1, queue0, processor0, store0, devices "
     "like u1/d1 ...), got \"store9\""},
    {"/swarm", R"({"nodes": "store0"})",
     R"(swarm.nodes: expected an array of node names, got "store0")"},
    {"/checks", R"({"expect": ["lost", "teleported"]})",
     R"(checks.expect[1]: expected one of "lost", "duplicated", "reordered", "fifo", "causal", )"
     R"("ghost", "liveness", "misnumbered", "gap", "unavailable", got "teleported")"},
    {"/checks", R"({"checkers": ["lost"], "expect": ["fifo"]})",
     R"(checks.expect[0]: "fifo" is expected but its checker is not in checks.checkers)"},
    {"/quiescence", R"({"check_interval_ms": 0})",
     "quiescence.check_interval_ms: expected a number in (0, 2592000000], got 0"},
    // Issue 17: values that pass their range but round to 0 in integer units (hang or abort).
    {"/quiescence", R"({"check_interval_ms": 1e-7})",
     "quiescence.check_interval_ms: 1e-07 is below 1 ns, the smallest time (expected at least "
     "1e-06)"},
    {"/quiescence", R"({"check_interval_ms": 0.001})",
     "quiescence.check_interval_ms: 0.001 would check more than 1000000 times in the quiescence "
     "window (durations.quiescence_s = 20): expected at least 0.02 ms"},
    {"/durations/safety_s", "1e-12",
     "durations.safety_s: 1e-12 is below 1 ns, the smallest time (expected at least 1e-09)"},
    {"/durations/quiescence_s", "1e-12",
     "durations.quiescence_s: 1e-12 is below 1 ns, the smallest time (expected at least 1e-09)"},
    {"/swarm", R"({"fault_mean_interval_s": 1e-12})",
     "swarm.fault_mean_interval_s: 1e-12 is below 1 ns, the smallest time (expected at least "
     "1e-09)"},
    {"/network", R"({"mobile": {"latency": {"kind": "exponential", "mean_ms": 1e-9}}})",
     "network.mobile.latency.mean_ms: 1e-09 is below 1 ns, the smallest time (expected at least "
     "1e-06)"},
    {"/network",
     R"({"servers": {"latency": {"kind": "lognormal", "median_ms": 1e-9, "sigma": 1}}})",
     "network.servers.latency.median_ms: 1e-09 is below 1 ns, the smallest time (expected at "
     "least 1e-06)"},
    {"/devices", R"({"churn": true, "online_session": {"kind": "exponential", "mean_s": 1e-12}})",
     "devices.online_session.mean_s: 1e-12 is below 1 ns, the smallest time (expected at least "
     "1e-09)"},
    {"/workload", R"({"size": {"kind": "exponential", "mean_bytes": 1e-9}})",
     "workload.size.mean_bytes: 1e-09 is below 1 byte, the smallest size (expected at least 1)"},
    {"/workload", R"({"messages_per_s": 1e-300})",
     "workload.messages_per_s: 1e-300 is below one message per 2592000 s, the longest run "
     "(expected 0 or at least 3.86e-07)"},
    {"/devices", R"({"app_kill_mean_interval_s": 1e-12})",
     "devices.app_kill_mean_interval_s: 1e-12 is below 1 ns, the smallest time (expected 0 or at "
     "least 1e-09)"},
    {"/engine", R"({"sync_poll_interval_ms": 1e-9})",
     "engine.sync_poll_interval_ms: 1e-09 is below 1 ns, the smallest time (expected 0 or at "
     "least 1e-06)"},
    {"/faults/0", R"({"at_s": 1, "kind": "offline", "node": "u1/d1", "for_s": 1e-10})",
     "faults[0].for_s: 1e-10 is below 1 ns, the smallest time (expected at least 1e-09)"},
    // Issue 17: silently accepted before.
    {"/seed", "null", "seed: null is not a value (leave the field out for its default)"},
    {"/workload", R"({"kind_weights": {"direct": 1e308, "group": 1e308, "large": 1e308}})",
     "workload.kind_weights: the weights must add up to a finite number (their sum overflows a "
     "double)"},
    {"/devices", R"({"online_session": {"kind": "constant", "value_s": 5}})",
     "devices.online_session: has no effect without \"churn\": true (sessions are drawn only for "
     "churning devices)"},
    {"/devices", R"({"churn": false, "offline_session": {"kind": "constant", "value_s": 5}})",
     "devices.offline_session: has no effect without \"churn\": true (sessions are drawn only for "
     "churning devices)"},
    {"/swarm", R"({"enabled": true, "kinds": ["heal", "restart", "online"]})",
     "swarm.kinds[0]: \"heal\" is not drawn on its own (heal follows each partition, clog and "
     "link; restart each crash; online each offline): list the fault it undoes"},
    {"/swarm", R"({"enabled": true, "kinds": ["crash", "restart"]})",
     "swarm.kinds[1]: \"restart\" is not drawn on its own (heal follows each partition, clog and "
     "link; restart each crash; online each offline): list the fault it undoes"},
};

json apply(json document, const BadInput& bad) {
  const json::json_pointer pointer(bad.pointer);
  if (bad.value == nullptr) {
    document.at(pointer.parent_pointer()).erase(pointer.back());
  } else {
    document[pointer] = json::parse(bad.value);
  }
  return document;
}

TEST(Loader, BaseScenarioLoads) {
  const auto loaded = load_scenario(base_scenario());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded.value().seed, 7u);
  EXPECT_EQ(loaded.value().faults.size(), 3u);
  EXPECT_EQ(loaded.value().engine.queue_partitions, 1u);
}

TEST(Loader, EveryBadInputHasItsExactError) {
  for (const BadInput& bad : kBadInputs) {
    const auto loaded = load_scenario(apply(base_scenario(), bad));
    ASSERT_FALSE(loaded.ok()) << bad.pointer << " = " << (bad.value ? bad.value : "(removed)");
    EXPECT_EQ(loaded.status().message(), bad.error) << bad.pointer;
  }
}

TEST(Loader, GeneratedDevicesNamedByFaultsMayExistForSomeSeed) {
  // A failure file of a swarm run names the devices its seed drew (e.g. u2/d2 when devices_max
  // is 3): it must load. A seed whose population lacks the device is a run-time error (see
  // GeneratedPopulation.AFaultOnADeviceTheSeedDidNotDrawIsAnError).
  json doc = base_scenario();
  doc["users"] = json{{"count", 3}, {"devices_min", 1}, {"devices_max", 3}};
  doc["faults"] = json::array({json{{"at_s", 1}, {"kind", "offline"}, {"node", "u3/d1"}}});
  EXPECT_TRUE(load_scenario(doc).ok()) << load_scenario(doc).status().message();
  doc["faults"][0]["node"] = "u2/d3";
  EXPECT_TRUE(load_scenario(doc).ok()) << load_scenario(doc).status().message();
  doc["faults"][0]["node"] = "u2/d4";  // beyond devices_max: no seed has it
  EXPECT_EQ(load_scenario(doc).status().message(),
            "faults[0].node: expected a device node (gateway0..gateway1, queue0, processor0, "
            "store0, devices like u<1..3>/d<1..3>), got \"u2/d4\"");
  doc["faults"][0]["node"] = "u4/d1";
  EXPECT_FALSE(load_scenario(doc).ok());
}

TEST(Loader, NonObjectDocumentsAreRejected) {
  for (const char* text : {"null", "[]", "1", "\"x\"", "true"}) {
    const auto loaded = load_scenario(json::parse(text));
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().message(), std::string("scenario: expected an object, got ") + text);
  }
}

TEST(Loader, InvalidJsonTextNamesTheOriginAndThePath) {
  const auto loaded = imsim::scenarios::load_scenario_text("{\"seed\": }", "x.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message().rfind(
                "x.json: seed: not valid JSON: parse error at line 1, column 10", 0),
            0u)
      << loaded.status().message();
}

}  // namespace
