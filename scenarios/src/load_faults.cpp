// The fault schedule and the swarm section of a scenario.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "imsim/base/assert.hpp"
#include "imsim/model/fault_kinds.hpp"
#include "loader.hpp"

namespace imsim::scenarios::detail {

namespace {

using model::Fault;
using model::FaultKind;

enum class NodeRole : std::uint8_t { kAny, kServer, kDevice };

std::string read_node(const json& value, const std::string& path, const NodeSet& nodes,
                      NodeRole role) {
  const char* what = role == NodeRole::kServer   ? "a server node"
                     : role == NodeRole::kDevice ? "a device node"
                                                 : "a node";
  const std::string expectation = fmt::format("{} ({})", what, nodes.summary());
  if (!value.is_string()) fail_expected(path, expectation, value);
  const std::string name = value.get<std::string>();
  const bool ok = role == NodeRole::kServer   ? nodes.is_server(name)
                  : role == NodeRole::kDevice ? nodes.is_device(name)
                                              : nodes.exists(name);
  if (!ok) fail_expected(path, expectation, value);
  return name;
}

// Which fields `kind` takes besides at_s and kind, in the table's order.
std::vector<std::string> fault_fields(FaultKind kind) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < model::kFaultFieldNames.size(); i++) {
    if (model::fault_kind_info(kind).takes(std::uint16_t(1u << i))) {
      out.emplace_back(model::kFaultFieldNames[i]);
    }
  }
  return out;
}

void read_groups(const ObjectReader& r, Fault& fault, const NodeSet& nodes) {
  const json& groups = r.get("groups");
  const std::string path = r.field_path("groups");
  const std::string expectation = "an array of at least 2 groups (arrays of node names)";
  if (!groups.is_array() || groups.size() < 2) fail_expected(path, expectation, groups);
  std::set<std::string> seen;
  for (std::size_t g = 0; g < groups.size(); g++) {
    const std::string group_path = index_path(path, g);
    if (!groups[g].is_array() || groups[g].empty()) {
      fail_expected(group_path, "a non-empty array of node names", groups[g]);
    }
    std::vector<std::string> group;
    for (std::size_t i = 0; i < groups[g].size(); i++) {
      const std::string node_path = index_path(group_path, i);
      std::string node = read_node(groups[g][i], node_path, nodes, NodeRole::kAny);
      if (!seen.insert(node).second) fail(node_path, fmt::format("{} is in two groups", node));
      group.push_back(std::move(node));
    }
    fault.groups.push_back(std::move(group));
  }
}

void read_links(const ObjectReader& r, Fault& fault, const NodeSet& nodes) {
  const json& links = r.get("links");
  const std::string path = r.field_path("links");
  if (links.is_string()) {
    const std::vector<std::string> classes = {"mobile", "servers", "all"};
    fault.link_class = model::LinkClass(1 + read_enum(links, path, classes));
  } else {
    const std::string expectation =
        "\"mobile\", \"servers\", \"all\" or a non-empty array of [node, node] pairs";
    if (!links.is_array() || links.empty()) fail_expected(path, expectation, links);
    for (std::size_t i = 0; i < links.size(); i++) {
      const std::string link_path = index_path(path, i);
      if (!links[i].is_array() || links[i].size() != 2) {
        fail_expected(link_path, "a [node, node] pair", links[i]);
      }
      const std::string a = read_node(links[i][0], index_path(link_path, 0), nodes, NodeRole::kAny);
      const std::string b = read_node(links[i][1], index_path(link_path, 1), nodes, NodeRole::kAny);
      const bool a_device = nodes.is_device(a);
      const bool b_device = nodes.is_device(b);
      const bool linked =
          a != b && ((!a_device && !b_device) || (a_device && nodes.is_gateway(b)) ||
                     (b_device && nodes.is_gateway(a)));
      if (!linked) {
        fail(link_path, fmt::format("{} and {} are not linked (devices talk only to gateways; "
                                    "servers to servers)",
                                    a, b));
      }
      fault.links.emplace_back(a, b);
    }
  }
  if (r.has("latency")) {
    fault.latency_ns =
        read_distribution(r.get("latency"), r.field_path("latency"), Unit::kMilliseconds);
  }
  if (r.has("loss_p")) fault.loss_p = r.require_number("loss_p", kProbability);
  if (r.has("dup_p")) fault.dup_p = r.require_number("dup_p", kProbability);
  if (r.has("reorder_p")) fault.reorder_p = r.require_number("reorder_p", kProbability);
  if (!fault.latency_ns && !fault.loss_p && !fault.dup_p && !fault.reorder_p) {
    fail(r.path(), "a link fault changes at least one of latency, loss_p, dup_p, reorder_p");
  }
  // On stream connections duplication and reordering cannot happen: refuse a fault whose
  // dup_p / reorder_p would reach no link at all (mobile links only, or device pairs only).
  const bool stream = nodes.config().network.device_transport == model::DeviceTransport::kStream;
  if (stream && (fault.dup_p.value_or(0) > 0 || fault.reorder_p.value_or(0) > 0)) {
    bool reaches_datagrams = fault.link_class == model::LinkClass::kServers ||
                             fault.link_class == model::LinkClass::kAll;
    for (const auto& [a, b] : fault.links) {
      if (!nodes.is_device(a) && !nodes.is_device(b)) reaches_datagrams = true;
    }
    if (!reaches_datagrams) {
      fail(r.field_path(fault.dup_p.value_or(0) > 0 ? "dup_p" : "reorder_p"),
           std::string(kStreamDupReorder) + " (this fault's links are all device links)");
    }
  }
}

void read_from_to(const ObjectReader& r, Fault& fault, const NodeSet& nodes) {
  fault.from = read_node(r.get("from"), r.field_path("from"), nodes, NodeRole::kAny);
  fault.to = read_node(r.get("to"), r.field_path("to"), nodes, NodeRole::kAny);
  if (fault.from == fault.to) fail(r.field_path("to"), "must differ from \"from\"");
}

// A cut names a pair that exchanges frames: a device and a gateway, or two servers.
void read_cut(const ObjectReader& r, Fault& fault, const NodeSet& nodes) {
  read_from_to(r, fault, nodes);
  const bool from_device = nodes.is_device(fault.from);
  const bool to_device = nodes.is_device(fault.to);
  const bool linked = (!from_device && !to_device) || (from_device && nodes.is_gateway(fault.to)) ||
                      (to_device && nodes.is_gateway(fault.from));
  if (!linked) {
    fail(r.field_path("to"),
         fmt::format("{} and {} exchange no frames (devices talk only to gateways; servers to "
                     "servers): a cut between them changes nothing",
                     fault.from, fault.to));
  }
  fault.both_ways = r.boolean("both_ways", false);
}

NodeRole node_role(FaultKind kind) {
  switch (model::fault_kind_info(kind).node) {
    case model::FaultNode::kServer:
      return NodeRole::kServer;
    case model::FaultNode::kDevice:
      return NodeRole::kDevice;
    case model::FaultNode::kAny:
    case model::FaultNode::kNone:
      break;
  }
  return NodeRole::kAny;
}

// The fault that undoes `fault` at the end of its `for_s` (the kind's table row says which).
Fault undo_of(const Fault& fault, std::int64_t at_ns) {
  const std::optional<FaultKind> undo_kind = model::fault_kind_info(fault.kind).undo;
  IMSIM_ASSERT_MSG(undo_kind.has_value(), "for_s is sugar only for kinds with an undo");
  Fault undo;
  undo.at_ns = at_ns;
  undo.kind = *undo_kind;
  if (model::fault_kind_info(undo.kind).takes(model::kFieldNode)) undo.node = fault.node;
  return undo;
}

// Reads faults[index]; appends it (and its undo, if any) to `out`.
void read_fault(const json& value, const std::string& path, const model::WorldConfig& config,
                const NodeSet& nodes, std::vector<Fault>& out) {
  ObjectReader r(value, path);
  Fault fault;
  fault.kind = FaultKind(read_enum(r.get("kind"), r.field_path("kind"), fault_kind_names()));
  std::vector<std::string> allowed = fault_fields(fault.kind);
  allowed.push_back("at_s");
  allowed.push_back("kind");
  r.allow(allowed);
  fault.at_ns = r.require_duration_ns("at_s", kNonNegative);
  if (fault.at_ns >= config.durations.safety_ns) {
    fail(r.field_path("at_s"),
         fmt::format("{} is not before the end of the safety phase (durations.safety_s = {})",
                     describe(r.get("at_s")),
                     time_to_json(config.durations.safety_ns, "safety_s").dump()));
  }
  // Each kind takes one of these shapes (its table row): groups, from/to (a cut: also
  // both_ways), links, or one node.
  const model::FaultKindInfo& info = model::fault_kind_info(fault.kind);
  if (info.takes(model::kFieldGroups)) read_groups(r, fault, nodes);
  if (info.takes(model::kFieldBothWays)) {
    read_cut(r, fault, nodes);
  } else if (info.takes(model::kFieldFrom)) {
    read_from_to(r, fault, nodes);
  }
  if (info.takes(model::kFieldLinks)) read_links(r, fault, nodes);
  if (info.takes(model::kFieldNode)) {
    fault.node = read_node(r.get("node"), r.field_path("node"), nodes, node_role(fault.kind));
  }
  if (info.takes(model::kFieldByMs)) {
    const double max_ms = double(model::kClockOffsetMax_ns) / 1e6;
    fault.by_ns = r.require_duration_ns("by_ms", NumberRange{-max_ms, max_ms, false});
  }
  // A required for_s is the fault's own duration (clog, cut); an optional one is sugar for
  // its undo.
  std::int64_t for_ns = 0;
  const NumberRange duration{0.0, double(model::kRunDurationMax_ns) / 1e9, true};
  if (info.requires_field(model::kFieldForS)) {
    fault.for_ns = r.require_duration_ns("for_s", duration);
  } else if (info.takes(model::kFieldForS) && r.has("for_s")) {
    for_ns = r.require_duration_ns("for_s", duration);
  }
  out.push_back(fault);
  // An undo at or past the end of the safety phase is left to the final heal.
  if (for_ns > 0 && fault.at_ns + for_ns < config.durations.safety_ns) {
    out.push_back(undo_of(fault, fault.at_ns + for_ns));
  }
}

}  // namespace

std::vector<Fault> read_faults(const json& value, const std::string& path,
                               const model::WorldConfig& config) {
  if (!value.is_array()) fail_expected(path, "an array of faults", value);
  if (value.size() > std::size_t(model::kFaultsMax)) {
    fail(path, fmt::format("more than {} faults", model::kFaultsMax));
  }
  const NodeSet nodes(config);
  std::vector<Fault> faults;
  for (std::size_t i = 0; i < value.size(); i++) {
    read_fault(value[i], index_path(path, i), config, nodes, faults);
  }
  std::stable_sort(faults.begin(), faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  return faults;
}

namespace {

json link_fault_fields(const Fault& fault, json out) {
  if (fault.link_class != model::LinkClass::kNone) {
    out["links"] = link_class_names()[std::size_t(fault.link_class)];
  } else {
    json links = json::array();
    for (const auto& [a, b] : fault.links) links.push_back(json::array({a, b}));
    out["links"] = links;
  }
  if (fault.latency_ns)
    out["latency"] = distribution_to_json(*fault.latency_ns, Unit::kMilliseconds);
  if (fault.loss_p) out["loss_p"] = *fault.loss_p;
  if (fault.dup_p) out["dup_p"] = *fault.dup_p;
  if (fault.reorder_p) out["reorder_p"] = *fault.reorder_p;
  return out;
}

}  // namespace

json faults_to_json(const std::vector<Fault>& faults) {
  json out = json::array();
  for (const Fault& fault : faults) {
    json f = {{"at_s", time_to_json(fault.at_ns, "at_s")},
              {"kind", fault_kind_names()[std::size_t(fault.kind)]}};
    // The fields its kind takes (an optional for_s was expanded into the undo fault).
    const model::FaultKindInfo& info = model::fault_kind_info(fault.kind);
    if (info.takes(model::kFieldGroups)) f["groups"] = fault.groups;
    if (info.takes(model::kFieldFrom)) f["from"] = fault.from;
    if (info.takes(model::kFieldTo)) f["to"] = fault.to;
    if (info.requires_field(model::kFieldForS)) f["for_s"] = time_to_json(fault.for_ns, "for_s");
    if (info.takes(model::kFieldBothWays)) f["both_ways"] = fault.both_ways;
    if (info.takes(model::kFieldLinks)) f = link_fault_fields(fault, std::move(f));
    if (info.takes(model::kFieldNode)) f["node"] = fault.node;
    if (info.takes(model::kFieldByMs)) f["by_ms"] = time_to_json(fault.by_ns, "by_ms");
    out.push_back(std::move(f));
  }
  return out;
}

model::Swarm read_swarm(const json& value, const std::string& path,
                        const model::WorldConfig& config) {
  ObjectReader r(value, path);
  r.allow({"enabled", "kinds", "nodes", "kind_enable_p", "fault_mean_interval_s", "faults_max",
           "partition_max_s", "clog_max_s", "down_max_s", "clock_step_max_ms", "loss_p_max",
           "dup_p_max", "reorder_p_max", "latency_max_ms", "world", "world_seed"});
  model::Swarm s;
  s.enabled = r.boolean("enabled", s.enabled);
  if (r.has("kinds")) {
    const json& kinds = r.get("kinds");
    if (!kinds.is_array()) fail_expected(r.field_path("kinds"), "an array of fault kinds", kinds);
    for (std::size_t i = 0; i < kinds.size(); i++) {
      const auto kind =
          FaultKind(read_enum(kinds[i], index_path(r.field_path("kinds"), i), fault_kind_names()));
      if (std::find(s.kinds.begin(), s.kinds.end(), kind) != s.kinds.end()) {
        fail(index_path(r.field_path("kinds"), i), "listed twice");
      }
      // These are drawn only as the second half of a cut, crash or offline: listed alone they
      // would draw nothing, listed with others they change nothing.
      if (model::fault_kind_info(kind).undo_half) {
        fail(index_path(r.field_path("kinds"), i),
             fmt::format("\"{}\" is not drawn on its own (heal follows each partition, clog and "
                         "link; restart each crash; online each offline): list the fault it undoes",
                         fault_kind_names()[std::size_t(kind)]));
      }
      s.kinds.push_back(kind);
    }
  }
  if (r.has("nodes")) {
    const json& nodes = r.get("nodes");
    if (!nodes.is_array()) fail_expected(r.field_path("nodes"), "an array of node names", nodes);
    const NodeSet node_set(config);
    for (std::size_t i = 0; i < nodes.size(); i++) {
      const std::string item = index_path(r.field_path("nodes"), i);
      std::string name = read_node(nodes[i], item, node_set, NodeRole::kAny);
      if (std::find(s.nodes.begin(), s.nodes.end(), name) != s.nodes.end()) {
        fail(item, "listed twice");
      }
      s.nodes.push_back(std::move(name));
    }
  }
  const double run_max_s = double(model::kRunDurationMax_ns) / 1e9;
  const NumberRange span_s{0.0, run_max_s, false};
  const NumberRange span_ms{0.0, run_max_s * 1e3, false};
  s.kind_enable_p = r.number("kind_enable_p", s.kind_enable_p, kProbability);
  s.fault_interval_mean_ns = r.duration_ns("fault_mean_interval_s", s.fault_interval_mean_ns,
                                           NumberRange{0.0, run_max_s, true});
  s.faults_max = std::int32_t(r.integer("faults_max", s.faults_max, 0, model::kFaultsMax));
  s.partition_max_ns = r.duration_ns("partition_max_s", s.partition_max_ns, span_s);
  s.clog_max_ns = r.duration_ns("clog_max_s", s.clog_max_ns, span_s);
  s.down_max_ns = r.duration_ns("down_max_s", s.down_max_ns, span_s);
  const double clock_max_ms = double(model::kClockOffsetMax_ns) / 1e6;
  s.clock_step_max_ns = r.duration_ns("clock_step_max_ms", s.clock_step_max_ns,
                                      NumberRange{0.0, clock_max_ms, false});
  s.loss_p_max = r.number("loss_p_max", s.loss_p_max, kProbability);
  s.dup_p_max = r.number("dup_p_max", s.dup_p_max, kProbability);
  s.reorder_p_max = r.number("reorder_p_max", s.reorder_p_max, kProbability);
  s.latency_max_ns = r.duration_ns("latency_max_ms", s.latency_max_ns, span_ms);
  if (r.has("world")) s.world = read_world_swarm(r.get("world"), r.field_path("world"), config);
  if (r.has("world_seed")) s.world_seed = r.unsigned_integer("world_seed", 0);
  return s;
}

json swarm_to_json(const model::Swarm& s) {
  json kinds = json::array();
  for (FaultKind kind : s.kinds) kinds.push_back(fault_kind_names()[std::size_t(kind)]);
  json out = json{{"enabled", s.enabled},
                  {"kinds", kinds},
                  {"nodes", s.nodes},
                  {"kind_enable_p", s.kind_enable_p},
                  {"fault_mean_interval_s", time_to_json(s.fault_interval_mean_ns, "_s")},
                  {"faults_max", s.faults_max},
                  {"partition_max_s", time_to_json(s.partition_max_ns, "_s")},
                  {"clog_max_s", time_to_json(s.clog_max_ns, "_s")},
                  {"down_max_s", time_to_json(s.down_max_ns, "_s")},
                  {"clock_step_max_ms", time_to_json(s.clock_step_max_ns, "_ms")},
                  {"loss_p_max", s.loss_p_max},
                  {"dup_p_max", s.dup_p_max},
                  {"reorder_p_max", s.reorder_p_max},
                  {"latency_max_ms", time_to_json(s.latency_max_ns, "_ms")},
                  {"world", world_swarm_to_json(s.world)}};
  if (s.world_seed) out["world_seed"] = *s.world_seed;
  return out;
}

}  // namespace imsim::scenarios::detail
