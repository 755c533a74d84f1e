// Loader pieces shared by several sections: distributions, link models, node names, swarm.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "imsim/base/assert.hpp"
#include "imsim/model/fault_kinds.hpp"
#include "loader.hpp"

namespace imsim::scenarios::detail {

namespace {

const char* unit_suffix(Unit unit) {
  switch (unit) {
    case Unit::kSeconds:
      return "s";
    case Unit::kMilliseconds:
      return "ms";
    case Unit::kBytes:
      return "bytes";
  }
  IMSIM_ASSERT(false);
}

double unit_scale(Unit unit) {
  switch (unit) {
    case Unit::kSeconds:
      return 1e9;
    case Unit::kMilliseconds:
      return 1e6;
    case Unit::kBytes:
      return 1.0;
  }
  IMSIM_ASSERT(false);
}

// The largest amount (in the JSON unit) a distribution parameter may take.
double unit_max(Unit unit) {
  if (unit == Unit::kBytes) return double(model::kMessageSizeMax_bytes);
  return double(model::kRunDurationMax_ns) / unit_scale(unit);
}

json amount_to_json(std::int64_t amount, Unit unit) {
  const auto scale = std::int64_t(unit_scale(unit));
  if (amount % scale == 0) return amount / scale;
  return double(amount) / double(scale);
}

const std::vector<std::string> kDistributionKinds = {"constant", "uniform", "exponential",
                                                     "lognormal"};

}  // namespace

model::Distribution read_distribution(const json& value, const std::string& path, Unit unit) {
  ObjectReader reader(value, path);
  const std::string suffix = unit_suffix(unit);
  const auto key = [&suffix](const char* name) { return fmt::format("{}_{}", name, suffix); };
  model::Distribution d;
  d.kind = model::DistributionKind(
      read_enum(reader.get("kind"), reader.field_path("kind"), kDistributionKinds));
  std::vector<std::string> allowed = {"kind", "tail_p", key("tail")};
  switch (d.kind) {
    case model::DistributionKind::kConstant:
      allowed.push_back(key("value"));
      break;
    case model::DistributionKind::kUniform:
      allowed.push_back(key("min"));
      allowed.push_back(key("max"));
      break;
    case model::DistributionKind::kExponential:
      allowed.push_back(key("mean"));
      break;
    case model::DistributionKind::kLognormal:
      allowed.push_back(key("median"));
      allowed.push_back("sigma");
      break;
  }
  reader.allow(allowed);
  const NumberRange amount{0.0, unit_max(unit), false};
  const NumberRange positive{0.0, unit_max(unit), true};
  const double scale = unit_scale(unit);
  // In integer units (ns or bytes): a nonzero amount must not round to 0, since a sampler given a
  // zero mean or median aborts and a zero elsewhere is not what was written.
  const auto to_units = [&](const std::string& field, double number) {
    const std::int64_t units = std::llround(number * scale);
    if (units == 0 && number != 0.0) {
      const bool bytes = unit == Unit::kBytes;
      fail(reader.field_path(field),
           fmt::format("{} is below 1 {}, the smallest {} (expected at least {})",
                       describe(reader.get(field)), bytes ? "byte" : "ns", bytes ? "size" : "time",
                       1.0 / scale));
    }
    return units;
  };
  const auto read = [&](const char* name, NumberRange range) {
    return to_units(key(name), reader.require_number(key(name), range));
  };
  switch (d.kind) {
    case model::DistributionKind::kConstant:
      d.value = read("value", amount);
      break;
    case model::DistributionKind::kUniform:
      d.min = read("min", amount);
      d.max = read("max", amount);
      if (d.min > d.max) {
        fail(reader.field_path(key("max")),
             fmt::format("must be >= {} ({})", key("min"), describe(reader.get(key("min")))));
      }
      break;
    case model::DistributionKind::kExponential:
      d.mean = read("mean", positive);
      break;
    case model::DistributionKind::kLognormal:
      d.median = read("median", positive);
      d.sigma = reader.require_number("sigma", NumberRange{0.0, 10.0, false});
      break;
  }
  d.tail_p = reader.number("tail_p", 0.0, kProbability);
  d.tail = to_units(key("tail"), reader.number(key("tail"), 0.0, amount));
  // A tail adds tail_<u> with probability tail_p: one of them at 0 and the other not would do
  // nothing (but draw a random number).
  if (d.tail_p > 0 && d.tail == 0) {
    fail(reader.field_path("tail_p"),
         fmt::format("has no effect with {} 0 (a sample gets {} added with probability tail_p)",
                     key("tail"), key("tail")));
  }
  if (d.tail > 0 && d.tail_p == 0) {
    fail(reader.field_path(key("tail")),
         fmt::format("has no effect with tail_p 0 (a sample gets {} added with probability "
                     "tail_p)",
                     key("tail")));
  }
  return d;
}

json distribution_to_json(const model::Distribution& d, Unit unit) {
  const std::string suffix = unit_suffix(unit);
  const auto key = [&suffix](const char* name) { return fmt::format("{}_{}", name, suffix); };
  json out = json::object();
  out["kind"] = kDistributionKinds[std::size_t(d.kind)];
  switch (d.kind) {
    case model::DistributionKind::kConstant:
      out[key("value")] = amount_to_json(d.value, unit);
      break;
    case model::DistributionKind::kUniform:
      out[key("min")] = amount_to_json(d.min, unit);
      out[key("max")] = amount_to_json(d.max, unit);
      break;
    case model::DistributionKind::kExponential:
      out[key("mean")] = amount_to_json(d.mean, unit);
      break;
    case model::DistributionKind::kLognormal:
      out[key("median")] = amount_to_json(d.median, unit);
      out["sigma"] = d.sigma;
      break;
  }
  out["tail_p"] = d.tail_p;
  out[key("tail")] = amount_to_json(d.tail, unit);
  return out;
}

model::LinkModel read_link_model(const json& value, const std::string& path,
                                 const model::LinkModel& defaults) {
  ObjectReader reader(value, path);
  reader.allow({"latency", "loss_p", "dup_p", "reorder_p"});
  model::LinkModel link = defaults;
  if (reader.has("latency")) {
    link.latency_ns =
        read_distribution(reader.get("latency"), reader.field_path("latency"), Unit::kMilliseconds);
  }
  link.loss_p = reader.number("loss_p", defaults.loss_p, kProbability);
  link.dup_p = reader.number("dup_p", defaults.dup_p, kProbability);
  link.reorder_p = reader.number("reorder_p", defaults.reorder_p, kProbability);
  return link;
}

json link_model_to_json(const model::LinkModel& link) {
  return json{{"latency", distribution_to_json(link.latency_ns, Unit::kMilliseconds)},
              {"loss_p", link.loss_p},
              {"dup_p", link.dup_p},
              {"reorder_p", link.reorder_p}};
}

json time_to_json(std::int64_t ns, std::string_view key) {
  const auto scale = std::int64_t(ns_per_unit(key));
  if (ns % scale == 0) return ns / scale;
  return double(ns) / double(scale);
}

const std::vector<std::string>& fault_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const model::FaultKindInfo& info : model::kFaultKinds) out.emplace_back(info.name);
    return out;
  }();
  return names;
}

const std::vector<std::string>& device_transport_names() {
  static const std::vector<std::string> names = {"stream", "datagram"};
  return names;
}

json network_to_json(const model::NetworkModel& network) {
  const model::StreamModel& stream = network.stream;
  return json{{"device_transport", device_transport_names()[std::size_t(network.device_transport)]},
              {"stream", json{{"rto_initial_ms", time_to_json(stream.rto_initial_ns, "_ms")},
                              {"rto_min_ms", time_to_json(stream.rto_min_ns, "_ms")},
                              {"rto_max_ms", time_to_json(stream.rto_max_ns, "_ms")},
                              {"retransmit_max", stream.retransmit_max}}},
              {"mobile", link_model_to_json(network.mobile)},
              {"servers", link_model_to_json(network.servers)}};
}

const std::vector<std::string>& link_class_names() {
  static const std::vector<std::string> names = {"none", "mobile", "servers", "all"};
  return names;
}

NodeSet::NodeSet(const model::WorldConfig& config)
    : config_(config), servers_(model::server_node_names(config.topology)) {}

bool NodeSet::is_server(std::string_view name) const {
  return std::find(servers_.begin(), servers_.end(), name) != servers_.end();
}

bool NodeSet::is_gateway(std::string_view name) const {
  return is_server(name) && name.starts_with("gateway");
}

bool NodeSet::is_device(std::string_view name) const {
  const std::size_t slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view user = name.substr(0, slash);
  const std::string_view device = name.substr(slash + 1);
  for (const model::UserSpec& u : config_.users) {
    if (u.id != user) continue;
    return std::any_of(u.devices.begin(), u.devices.end(),
                       [&](const model::DeviceSpec& d) { return d.id == device; });
  }
  if (!config_.generated_users) return false;
  // Generated population: u1..u<count>, each with devices_min..devices_max devices d1.. (the
  // seed draws how many). A name up to devices_max is accepted here (a failure file names the
  // devices its seed drew); a run whose drawn population lacks a named device stops with an
  // error before it starts (model::RunResult::config_error).
  const auto index = [](std::string_view s, char prefix) -> std::int64_t {
    if (s.size() < 2 || s[0] != prefix || s[1] == '0' || s.size() > 7) return -1;
    std::int64_t n = 0;
    for (char c : s.substr(1)) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  const std::int64_t u = index(user, 'u');
  const std::int64_t d = index(device, 'd');
  return u >= 1 && u <= config_.generated_users->count && d >= 1 &&
         d <= config_.generated_users->devices_max;
}

std::string NodeSet::summary() const {
  const model::Topology& t = config_.topology;
  const auto range = [](const char* role, std::int32_t n) {
    return n == 1 ? fmt::format("{}0", role) : fmt::format("{}0..{}{}", role, role, n - 1);
  };
  std::string devices = "u<i>/d<j>";
  if (config_.generated_users) {
    devices = fmt::format("u<1..{}>/d<1..{}>", config_.generated_users->count,
                          config_.generated_users->devices_max);
  } else if (!config_.users.empty()) {
    const model::UserSpec& first = config_.users.front();
    devices = fmt::format("{}/{} ...", first.id, first.devices.front().id);
  }
  return fmt::format("{}, {}, {}, {}, devices like {}", range("gateway", t.gateways),
                     range("queue", t.queue_partitions), range("processor", t.processors),
                     range("store", t.stores), devices);
}

}  // namespace imsim::scenarios::detail
