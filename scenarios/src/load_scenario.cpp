// The scenario loader: JSON document -> model::WorldConfig, every section validated with the
// JSON path of each bad value (see docs/scenario-format.md).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "imsim/scenarios/scenario.hpp"
#include "loader.hpp"

namespace imsim::scenarios {

namespace detail {

namespace {

const double kRunMax_s = double(model::kRunDurationMax_ns) / 1e9;
const double kClockOffsetMax_ms = double(model::kClockOffsetMax_ns) / 1e6;
const NumberRange kDrift_ppm{-model::kClockDriftMax_ppm, model::kClockDriftMax_ppm, false};

void read_durations(const json& value, const std::string& path, model::Durations& d) {
  ObjectReader r(value, path);
  r.allow({"safety_s", "quiescence_s", "workload_stop_s"});
  const NumberRange run{0.0, kRunMax_s, true};
  d.safety_ns = r.duration_ns("safety_s", d.safety_ns, run);
  d.quiescence_ns = r.duration_ns("quiescence_s", d.quiescence_ns, run);
  if (r.has("workload_stop_s")) {
    d.workload_stop_ns = r.require_duration_ns("workload_stop_s", NumberRange{0.0, kRunMax_s});
    if (*d.workload_stop_ns > d.safety_ns) {
      fail(r.field_path("workload_stop_s"),
           fmt::format("{} is after the end of the safety phase (safety_s = {})",
                       describe(r.get("workload_stop_s")), time_to_json(d.safety_ns, "_s").dump()));
    }
  }
}

model::ClockSpec read_clock(const ObjectReader& r, const char* offset_key, const char* drift_key) {
  model::ClockSpec clock;
  clock.offset_ns =
      r.duration_ns(offset_key, 0, NumberRange{-kClockOffsetMax_ms, kClockOffsetMax_ms});
  clock.drift_ppm = r.number(drift_key, 0.0, kDrift_ppm);
  return clock;
}

void read_topology(const json& value, const std::string& path, model::Topology& t) {
  ObjectReader r(value, path);
  r.allow({"gateways", "queue_partitions", "processors", "stores", "clocks"});
  const auto count = [&r](const char* key, std::int32_t fallback) {
    return std::int32_t(r.integer(key, fallback, 1, model::kServersPerRoleMax));
  };
  t.gateways = count("gateways", t.gateways);
  t.queue_partitions = count("queue_partitions", t.queue_partitions);
  t.processors = count("processors", t.processors);
  t.stores = count("stores", t.stores);
  if (!r.has("clocks")) return;
  ObjectReader clocks(r.get("clocks"), r.field_path("clocks"));
  const std::vector<std::string> servers = model::server_node_names(t);
  for (const auto& [node, unused] : clocks.raw().items()) {
    if (std::find(servers.begin(), servers.end(), node) == servers.end()) {
      fail(clocks.field_path(node),
           fmt::format("no such server node (servers: {})", fmt::join(servers, ", ")));
    }
  }
  for (const auto& [node, spec] : clocks.raw().items()) {
    ObjectReader c(spec, clocks.field_path(node));
    // Servers only measure intervals on their own clock (timeouts, the TTL): a constant offset
    // cannot be observed, so it is refused rather than silently ignored. Drift stretches those
    // intervals; a clock_step fault moves the pending timers and ages the stored entries.
    if (c.raw().contains("offset_ms")) {
      fail(c.field_path("offset_ms"),
           "a server's clock offset has no effect (servers only measure intervals on their own "
           "clock): use drift_ppm, or a clock_step fault");
    }
    c.allow({"drift_ppm"});
    t.server_clocks[node] = read_clock(c, "offset_ms", "drift_ppm");
  }
}

model::DeviceSpec read_device(const json& value, const std::string& path,
                              const model::Durations& durations) {
  ObjectReader r(value, path);
  r.allow({"id", "online_at_start", "login_at_s", "clock_offset_ms", "clock_drift_ppm"});
  model::DeviceSpec d;
  d.id = read_id(r.get("id"), r.field_path("id"));
  d.online_at_start = r.boolean("online_at_start", d.online_at_start);
  if (r.has("login_at_s")) {
    d.login_at_ns = r.require_duration_ns("login_at_s", kNonNegative);
    if (*d.login_at_ns >= durations.safety_ns) {
      fail(r.field_path("login_at_s"), "must be before the end of the safety phase");
    }
  }
  // A device that logs in is online from then on: online_at_start would do nothing.
  if (d.login_at_ns && !d.online_at_start) {
    fail(r.field_path("online_at_start"),
         "false has no effect with login_at_s (a device that logs in is online from then on; "
         "use an offline fault after login_at_s)");
  }
  d.clock = read_clock(r, "clock_offset_ms", "clock_drift_ppm");
  return d;
}

model::UserSpec read_user(const json& value, const std::string& path,
                          const model::Durations& durations) {
  ObjectReader r(value, path);
  r.allow({"id", "devices"});
  model::UserSpec user;
  user.id = read_id(r.get("id"), r.field_path("id"));
  const json& devices = r.get("devices");
  const std::string dpath = r.field_path("devices");
  const std::string expectation =
      fmt::format("an array of 1 to {} devices", model::kDevicesPerUserMax);
  if (!devices.is_array() || devices.empty() ||
      devices.size() > std::size_t(model::kDevicesPerUserMax)) {
    fail_expected(dpath, expectation, devices);
  }
  for (std::size_t i = 0; i < devices.size(); i++) {
    model::DeviceSpec device = read_device(devices[i], index_path(dpath, i), durations);
    for (const model::DeviceSpec& other : user.devices) {
      if (other.id == device.id) {
        fail(index_path(dpath, i) + ".id", fmt::format("device \"{}\" listed twice", device.id));
      }
    }
    user.devices.push_back(std::move(device));
  }
  return user;
}

void read_users(const json& value, const std::string& path, model::WorldConfig& config) {
  if (value.is_object()) {
    ObjectReader r(value, path);
    r.allow({"count", "devices_min", "devices_max"});
    model::GeneratedUsers g;
    g.count = std::int32_t(r.integer("count", 0, 1, model::kUsersMax));
    if (!r.has("count")) fail(path, "missing required field \"count\"");
    g.devices_min = std::int32_t(r.integer("devices_min", 1, 1, model::kDevicesPerUserMax));
    g.devices_max = std::int32_t(
        r.integer("devices_max", g.devices_min, g.devices_min, model::kDevicesPerUserMax));
    config.generated_users = g;
    return;
  }
  const std::string expectation = fmt::format(
      "an array of 1 to {} users or a population object {{\"count\": N, ...}}", model::kUsersMax);
  if (!value.is_array() || value.empty() || value.size() > std::size_t(model::kUsersMax)) {
    fail_expected(path, expectation, value);
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < value.size(); i++) {
    model::UserSpec user = read_user(value[i], index_path(path, i), config.durations);
    if (!ids.insert(user.id).second) {
      fail(index_path(path, i) + ".id", fmt::format("user \"{}\" listed twice", user.id));
    }
    config.users.push_back(std::move(user));
  }
}

}  // namespace

// Defined in load_sections.cpp.
void read_conversations(const json& value, const std::string& path, model::WorldConfig& config);
void read_device_behaviour(const json& value, const std::string& path, model::DeviceBehaviour& b);
void read_workload(const json& value, const std::string& path, model::Workload& w);
void read_checks(const json& value, const std::string& path, model::Checks& c);
void read_adversaries(const json& value, const std::string& path, model::Adversaries& a);

namespace {

void read_stream(const json& value, const std::string& path, model::StreamModel& stream) {
  ObjectReader r(value, path);
  r.allow({"rto_initial_ms", "rto_min_ms", "rto_max_ms", "retransmit_max"});
  const NumberRange rto_range{0.0, 3600e3, true};
  stream.rto_initial_ns = r.duration_ns("rto_initial_ms", stream.rto_initial_ns, rto_range);
  stream.rto_min_ns = r.duration_ns("rto_min_ms", stream.rto_min_ns, rto_range);
  stream.rto_max_ns = r.duration_ns("rto_max_ms", stream.rto_max_ns, rto_range);
  stream.retransmit_max = r.integer("retransmit_max", stream.retransmit_max, 0, 64);
  if (stream.rto_min_ns > stream.rto_initial_ns) {
    fail(r.field_path("rto_min_ms"), "must be at most rto_initial_ms");
  }
  if (stream.rto_initial_ns > stream.rto_max_ns) {
    fail(r.field_path("rto_max_ms"), "must be at least rto_initial_ms");
  }
}

void read_network(const json& value, const std::string& path, model::NetworkModel& network) {
  ObjectReader r(value, path);
  r.allow({"device_transport", "stream", "mobile", "servers"});
  if (r.has("device_transport")) {
    network.device_transport = static_cast<model::DeviceTransport>(read_enum(
        r.get("device_transport"), r.field_path("device_transport"), device_transport_names()));
  }
  if (r.has("stream")) read_stream(r.get("stream"), r.field_path("stream"), network.stream);
  if (r.has("mobile")) {
    network.mobile = read_link_model(r.get("mobile"), r.field_path("mobile"), network.mobile);
  }
  if (r.has("servers")) {
    network.servers = read_link_model(r.get("servers"), r.field_path("servers"), network.servers);
  }
  // A TCP-like connection never duplicates or reorders: such a value would change nothing.
  if (network.device_transport == model::DeviceTransport::kStream) {
    const std::string mobile = r.field_path("mobile");
    if (network.mobile.dup_p > 0) fail(child_path(mobile, "dup_p"), kStreamDupReorder);
    if (network.mobile.reorder_p > 0) fail(child_path(mobile, "reorder_p"), kStreamDupReorder);
  }
}

void read_quiescence(const json& value, const std::string& path, model::WorldConfig& c) {
  ObjectReader q(value, path);
  q.allow({"check_interval_ms", "probe_devices_max"});
  c.quiescence.check_interval_ns = q.duration_ns(
      "check_interval_ms", c.quiescence.check_interval_ns, NumberRange{0.0, kRunMax_s * 1e3, true});
  // Bounds the checks of the liveness phase (a run must end in reasonable time).
  const std::int64_t checks = c.durations.quiescence_ns / c.quiescence.check_interval_ns;
  if (checks > model::kQuiescenceChecksMax) {
    const double min_ms =
        double(c.durations.quiescence_ns) / double(model::kQuiescenceChecksMax) / 1e6;
    fail(q.field_path("check_interval_ms"),
         fmt::format("{} would check more than {} times in the quiescence window "
                     "(durations.quiescence_s = {}): expected at least {} ms",
                     describe(q.get("check_interval_ms")), model::kQuiescenceChecksMax,
                     time_to_json(c.durations.quiescence_ns, "_s").dump(), min_ms));
  }
  c.quiescence.probe_devices_max = static_cast<std::int32_t>(
      q.integer("probe_devices_max", c.quiescence.probe_devices_max, 0,
                std::int64_t{model::kUsersMax} * model::kDevicesPerUserMax));
}

const std::vector<std::string> kTopLevelFields = {
    "name",  "description",   "seed",       "durations",  "topology", "engine",
    "users", "conversations", "devices",    "workload",   "network",  "faults",
    "swarm", "checks",        "quiescence", "adversaries"};

}  // namespace

model::WorldConfig read_world(const json& document, std::string_view default_name,
                              const std::string& path) {
  ObjectReader r(document, path);
  r.allow(kTopLevelFields);
  const auto at = [&r](const char* key) { return r.field_path(key); };
  model::WorldConfig c;
  c.name = r.has("name") ? read_id(r.get("name"), at("name")) : std::string(default_name);
  c.description = r.string("description", "");
  c.seed = r.unsigned_integer("seed", c.seed);
  if (r.has("durations")) read_durations(r.get("durations"), at("durations"), c.durations);
  if (r.has("topology")) read_topology(r.get("topology"), at("topology"), c.topology);
  if (r.has("engine")) read_engine(r.get("engine"), at("engine"), c.engine);
  finish_engine(c.topology, c.engine);
  read_users(r.get("users"), at("users"), c);
  read_conversations(r.get("conversations"), at("conversations"), c);
  if (r.has("devices")) read_device_behaviour(r.get("devices"), at("devices"), c.device_behaviour);
  if (r.has("workload")) read_workload(r.get("workload"), at("workload"), c.workload);
  if (r.has("network")) read_network(r.get("network"), at("network"), c.network);
  if (r.has("faults")) c.faults = read_faults(r.get("faults"), at("faults"), c);
  if (r.has("swarm")) c.swarm = read_swarm(r.get("swarm"), at("swarm"), c);
  if (r.has("checks")) read_checks(r.get("checks"), at("checks"), c.checks);
  if (r.has("quiescence")) read_quiescence(r.get("quiescence"), at("quiescence"), c);
  if (r.has("adversaries")) {
    read_adversaries(r.get("adversaries"), at("adversaries"), c.adversaries);
  }
  return c;
}

}  // namespace detail

base::Result<model::WorldConfig> load_scenario(const nlohmann::json& document,
                                               std::string_view default_name) {
  try {
    return detail::read_world(document, default_name, "");
  } catch (const detail::LoadFailure& failure) {
    return base::Status::invalid_input(failure.message);
  } catch (const std::exception& e) {
    // Every bad input should be caught above with its path; this is a loader bug, but the
    // input is still rejected rather than crashing the caller.
    return base::Status::invalid_input(fmt::format("internal loader error: {}", e.what()));
  }
}

}  // namespace imsim::scenarios
