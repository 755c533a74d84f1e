// The every-field test's table: for each field of the scenario format, the baseline, the
// change and how it shows (fields.hpp).
#include "fields.hpp"

namespace imsim::fields_test {

// ---- The table ------------------------------------------------------------------------------

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
    t.push_back(
        {std::move(field), Expect::kHash, std::move(base), parse(set), "", std::move(seeds)});
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
                 json{{"engine", {{bound, 1000000}}}}, std::string("engine.") + bound + ": only "});
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
      down["faults"].push_back({{"at_s", 0.3}, {"kind", "crash"}, {"node", gateway}, {"for_s", 2}});
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
    set["users"][0]["devices"][1] =
        json::parse(std::string(R"({"id": "d2", ")") + field + "\": " + value + "}");
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
  hash("devices.app_kill_mean_interval_s", small,
       R"({"devices": {"app_kill_mean_interval_s": 1}})");
  hash("devices.reinstall_mean_interval_s", small,
       R"({"devices": {"reinstall_mean_interval_s": 1}})");
  hash("devices.new_device_mean_interval_s", small,
       R"({"devices": {"new_device_mean_interval_s": 1}})");
  hash("devices.page_back_p", paging, R"({"devices": {"page_back_p": 0}})");

  // Workload.
  hash("workload.messages_per_s", small, R"({"workload": {"messages_per_s": 5}})");
  const json large = with(small, parse(R"({"engine": {"large_group_threshold": 2}})"));
  hash("workload.kind_weights.direct", large, R"({"workload": {"kind_weights": {"direct": 0}}})");
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
  const json datagram = with(small, parse(R"({"network": {"device_transport": "datagram"}})"));
  hash("network.mobile.dup_p", datagram, R"({"network": {"mobile": {"dup_p": 0.2}}})");
  hash("network.mobile.reorder_p", datagram, R"({"network": {"mobile": {"reorder_p": 0.5}}})");
  const json lossy = with(small, parse(R"({"network": {"mobile": {"loss_p": 0.2}}})"));
  hash("network.device_transport", lossy, R"({"network": {"device_transport": "datagram"}})");
  hash("network.stream.rto_initial_ms", lossy,
       R"({"network": {"stream": {"rto_initial_ms": 3000}}})");
  hash("network.stream.rto_min_ms", lossy, R"({"network": {"stream": {"rto_min_ms": 20}}})");
  hash("network.stream.rto_max_ms",
       with(small, parse(R"({"network": {"mobile": {"loss_p": 0.5}}})")),
       R"({"network": {"stream": {"rto_max_ms": 1000}}})");
  hash("network.stream.retransmit_max", lossy, R"({"network": {"stream": {"retransmit_max": 0}}})");
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
  hash("adversaries.flood_frames",
       with(attacked, parse(R"({"adversaries": {"attacks": ["flood"]}})")),
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
  fault(
      "partition_oneway", "at_s", oneway,
      R"({"at_s": 0.4, "kind": "partition_oneway", "from": "gateway0", "to": "queue0", "for_s": 1})");
  fault(
      "partition_oneway", "from", oneway,
      R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway1", "to": "queue0", "for_s": 1})");
  fault(
      "partition_oneway", "to", oneway,
      R"({"at_s": 0.2, "kind": "partition_oneway", "from": "gateway0", "to": "queue1", "for_s": 1})");
  fault(
      "partition_oneway", "for_s", oneway,
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
  fault(
      "link", "links", link,
      R"({"at_s": 0.2, "kind": "link", "links": [["gateway0", "queue0"]], "loss_p": 0.1, "for_s": 1})");
  fault("link", "loss_p", link,
        R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.4, "for_s": 1})");
  fault(
      "link", "dup_p", link,
      R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "dup_p": 0.5, "for_s": 1})");
  fault(
      "link", "reorder_p", link,
      R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "reorder_p": 0.5, "for_s": 1})");
  fault("link", "for_s", link,
        R"({"at_s": 0.2, "kind": "link", "links": "servers", "loss_p": 0.1, "for_s": 2})");
  const char* crash = R"({"at_s": 0.2, "kind": "crash", "node": "queue0", "for_s": 0.5})";
  fault("crash", "at_s", crash,
        R"({"at_s": 0.4, "kind": "crash", "node": "queue0", "for_s": 0.5})");
  fault("crash", "node", crash,
        R"({"at_s": 0.2, "kind": "crash", "node": "store0", "for_s": 0.5})");
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
  hash("swarm.kind_enable_p", small, R"({"swarm": {"enabled": true, "kind_enable_p": 0.9}})",
       seeds);
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
  t.push_back({"checks.checkers",
               Expect::kVerdict,
               with(mutant, parse(R"({"checks": null})")),
               parse(R"({"checks": {"checkers": ["lost", "duplicated"]}})"),
               "chooses the checkers run over the history",
               {}});
  t.push_back({"checks.expect",
               Expect::kVerdict,
               mutant,
               parse(R"({"checks": {"expect": ["lost"]}})"),
               "chooses what the run must show",
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
        changed[param] = param == "tail_p"  ? json(0.9)
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

}  // namespace imsim::fields_test
