// model::WorldConfig -> the fully expanded scenario document (defaults written out).
#include "imsim/base/assert.hpp"
#include "imsim/scenarios/scenario.hpp"
#include "loader.hpp"

namespace imsim::scenarios {

namespace {

using detail::json;
using detail::time_to_json;
using detail::Unit;

json clock_json(const model::ClockSpec& clock, const char* offset_key, const char* drift_key) {
  return json{{offset_key, time_to_json(clock.offset_ns, "_ms")}, {drift_key, clock.drift_ppm}};
}

json topology_json(const model::Topology& t) {
  json clocks = json::object();
  for (const auto& [node, clock] : t.server_clocks) {
    IMSIM_ASSERT(clock.offset_ns == 0);  // the loader refuses server offsets
    clocks[node] = json{{"drift_ppm", clock.drift_ppm}};
  }
  return json{{"gateways", t.gateways},
              {"queue_partitions", t.queue_partitions},
              {"processors", t.processors},
              {"stores", t.stores},
              {"clocks", clocks}};
}

json users_json(const model::WorldConfig& c) {
  if (c.generated_users) {
    return json{{"count", c.generated_users->count},
                {"devices_min", c.generated_users->devices_min},
                {"devices_max", c.generated_users->devices_max}};
  }
  json users = json::array();
  for (const model::UserSpec& u : c.users) {
    json devices = json::array();
    for (const model::DeviceSpec& d : u.devices) {
      json device = clock_json(d.clock, "clock_offset_ms", "clock_drift_ppm");
      device["id"] = d.id;
      device["online_at_start"] = d.online_at_start;
      if (d.login_at_ns) device["login_at_s"] = time_to_json(*d.login_at_ns, "_s");
      devices.push_back(std::move(device));
    }
    users.push_back(json{{"id", u.id}, {"devices", devices}});
  }
  return users;
}

json conversations_json(const model::WorldConfig& c) {
  if (c.generated_conversations) {
    json groups = json::array();
    for (const model::GeneratedGroups& g : c.generated_conversations->groups) {
      groups.push_back(json{{"count", g.count}, {"size", g.size}});
    }
    return json{{"direct", c.generated_conversations->direct}, {"groups", groups}};
  }
  json convs = json::array();
  for (const model::ConversationSpec& conv : c.conversations) {
    const char* kind = conv.kind == model::ConversationKind::kDirect ? "direct" : "group";
    convs.push_back(json{{"id", conv.id}, {"kind", kind}, {"members", conv.members}});
  }
  return convs;
}

json devices_json(const model::DeviceBehaviour& b) {
  json out{{"churn", b.churn},
           {"app_kill_mean_interval_s", time_to_json(b.app_kill_interval_mean_ns, "_s")},
           {"reinstall_mean_interval_s", time_to_json(b.reinstall_interval_mean_ns, "_s")},
           {"new_device_mean_interval_s", time_to_json(b.new_device_interval_mean_ns, "_s")},
           {"page_back_p", b.page_back_p}};
  // Sessions are drawn only for churning devices (the loader refuses them otherwise).
  if (b.churn) {
    out["online_session"] = detail::distribution_to_json(b.online_session_ns, Unit::kSeconds);
    out["offline_session"] = detail::distribution_to_json(b.offline_session_ns, Unit::kSeconds);
  }
  return out;
}

json workload_json(const model::Workload& w) {
  return json{{"messages_per_s", w.messages_per_s},
              {"size", detail::distribution_to_json(w.size_bytes, Unit::kBytes)},
              {"kind_weights", json{{"direct", w.kind_weights.direct},
                                    {"group", w.kind_weights.group},
                                    {"large", w.kind_weights.large}}},
              {"reply_p", w.reply_p},
              {"messages_max", w.messages_max}};
}

json checks_json(const model::Checks& c) {
  json checkers = c.checkers.empty() ? json("all") : json(c.checkers);
  json expect = c.expect_valid ? json("valid") : json(c.expect_anomalies);
  return json{{"checkers", checkers}, {"expect", expect}};
}

json adversaries_json(const model::Adversaries& a) {
  json attacks = json::array();
  for (model::AttackKind kind : a.attacks) {
    attacks.push_back(model::kAttackKindNames[static_cast<std::size_t>(kind)]);
  }
  return json{{"count", a.count},
              {"conversations", a.conversations},
              {"attacks", attacks},
              {"attack_enable_p", a.attack_enable_p},
              {"attack_mean_interval_s", time_to_json(a.attack_interval_mean_ns, "_s")},
              {"flood_frames", a.flood_frames}};
}

}  // namespace

nlohmann::json to_json(const model::WorldConfig& c) {
  json durations = {{"safety_s", time_to_json(c.durations.safety_ns, "_s")},
                    {"quiescence_s", time_to_json(c.durations.quiescence_ns, "_s")}};
  if (c.durations.workload_stop_ns) {
    durations["workload_stop_s"] = time_to_json(*c.durations.workload_stop_ns, "_s");
  }
  json out{{"name", c.name},
           {"description", c.description},
           {"seed", c.seed},
           {"durations", durations},
           {"topology", topology_json(c.topology)},
           {"engine", detail::engine_to_json(c.engine)},
           {"users", users_json(c)},
           {"conversations", conversations_json(c)},
           {"devices", devices_json(c.device_behaviour)},
           {"workload", workload_json(c.workload)},
           {"network", detail::network_to_json(c.network)},
           {"faults", detail::faults_to_json(c.faults)},
           {"swarm", detail::swarm_to_json(c.swarm)},
           {"checks", checks_json(c.checks)},
           {"quiescence",
            json{{"check_interval_ms", time_to_json(c.quiescence.check_interval_ns, "_ms")},
                 {"probe_devices_max", c.quiescence.probe_devices_max}}}};
  // Written only when there are adversaries: documents without them stay as they were.
  if (c.adversaries.count > 0) out["adversaries"] = adversaries_json(c.adversaries);
  return out;
}

}  // namespace imsim::scenarios
