// Nemesis: the scheduled faults, the swarm-drawn faults (FoundationDB-style: which kinds are
// on, and every parameter, drawn from the seed), and the final heal before the liveness phase.
// Swarm faults are drawn up front into the same explicit schedule as scheduled faults, so a
// failure file with the expanded schedule (swarm off) replays the very same run.
#include "nemesis.hpp"

#include <algorithm>
#include <imsim/model/fault_kinds.hpp>
#include <imsim/sim/distributions.hpp>

namespace imsim::model::detail {
namespace {

sim::LinkParams link_params(const LinkModel& model) {
  sim::LinkParams params;
  params.latency = latency_model(model.latency_ns);
  params.loss_probability = model.loss_p;
  params.duplicate_probability = model.dup_p;
  params.reorder_probability = model.reorder_p;
  return params;
}

}  // namespace

sim::NetworkConfig network_config(const NetworkModel& model) {
  sim::NetworkConfig config;
  config.rto_initial = sim::Duration::from_ns(model.stream.rto_initial_ns);
  config.rto_min = sim::Duration::from_ns(model.stream.rto_min_ns);
  config.rto_max = sim::Duration::from_ns(model.stream.rto_max_ns);
  config.retransmit_max = static_cast<std::uint32_t>(model.stream.retransmit_max);
  return config;
}

const char* fault_kind_name(FaultKind kind) {
  // The table's names are string literals: data() is NUL-terminated.
  return fault_kind_info(kind).name.data();
}

std::string describe_fault(const Fault& f) {
  std::string s = std::string(fault_kind_name(f.kind));
  const auto ms = [](std::int64_t ns) { return std::to_string(ns / 1'000'000) + "ms"; };
  for (std::size_t g = 0; g < f.groups.size(); g++) {
    s += g == 0 ? " [" : " | ";
    for (std::size_t i = 0; i < f.groups[g].size(); i++) s += (i ? "," : "") + f.groups[g][i];
    if (g + 1 == f.groups.size()) s += "]";
  }
  if (!f.from.empty()) s += " " + f.from + (f.both_ways ? "<->" : "->") + f.to;
  if (!f.node.empty()) s += " " + f.node;
  if (f.for_ns > 0) s += " for " + ms(f.for_ns);
  if (f.kind == FaultKind::kClockStep) s += " by " + ms(f.by_ns);
  if (f.loss_p) s += " loss=" + std::to_string(*f.loss_p);
  if (f.dup_p) s += " dup=" + std::to_string(*f.dup_p);
  if (f.reorder_p) s += " reorder=" + std::to_string(*f.reorder_p);
  return s;
}

Nemesis::Nemesis(sim::Simulator& sim, const NetworkModel& network, Hosts& hosts, Recorder& recorder,
                 TraceRecorder* trace, RunCounters& counters, const RunLog& log)
    : sim_(sim),
      network_(network),
      hosts_(hosts),
      recorder_(recorder),
      trace_(trace),
      counters_(counters),
      log_(log) {}

void Nemesis::schedule(std::vector<Fault> faults) {
  IMSIM_ASSERT(fault_schedule_.empty());
  fault_schedule_ = std::move(faults);
  std::stable_sort(fault_schedule_.begin(), fault_schedule_.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  for (std::size_t i = 0; i < fault_schedule_.size(); i++) {
    IMSIM_ASSERT(fault_schedule_[i].at_ns >= sim_.now().ns());
    sim_.schedule_at(sim::SimTime::from_ns(fault_schedule_[i].at_ns),
                     [this, i] { apply_fault(fault_schedule_[i]); });
  }
}

void Nemesis::apply_fault(const Fault& f) {
  IMSIM_ASSERT(safety_phase_);
  auto& network = sim_.network();
  const std::string label = describe_fault(f);
  if (trace_ != nullptr) {
    const std::int32_t lane =
        f.node.empty() ? -1 : static_cast<std::int32_t>(hosts_.node_named(f.node).value);
    trace_->fault(lane, label);
  }
  recorder_.fault(label);
  log_.line("fault " + label);
  counters_.count(std::string("nemesis.") + fault_kind_name(f.kind));
  switch (f.kind) {
    case FaultKind::kPartition:
      network.add_partition(nodes_in_groups(f.groups));
      break;
    case FaultKind::kPartitionOneway:
      network.block(hosts_.node_named(f.from), hosts_.node_named(f.to));
      break;
    case FaultKind::kHeal:
      network.heal();
      network.unclog_all();
      network.clear_link_overrides();
      set_base_links();
      break;
    case FaultKind::kClog:
      network.clog(hosts_.node_named(f.from), hosts_.node_named(f.to),
                   sim_.now() + sim::Duration::from_ns(f.for_ns));
      break;
    case FaultKind::kLink:
      apply_link_fault(f);
      break;
    case FaultKind::kCrash:
      if (hosts_.server_named(f.node).up())
        hosts_.server_named(f.node).crash(/*tear_last_write=*/false);
      break;
    case FaultKind::kRestart:
      if (!hosts_.server_named(f.node).up()) {
        sim_.restart(hosts_.server_named(f.node).node());
        hosts_.server_named(f.node).start();
      }
      break;
    case FaultKind::kKill:
      hosts_.device_named(f.node).kill();
      break;
    case FaultKind::kReinstall:
      hosts_.device_named(f.node).reinstall();
      break;
    case FaultKind::kOffline:
      hosts_.device_named(f.node).set_online(false);
      break;
    case FaultKind::kOnline:
      hosts_.device_named(f.node).set_online(true);
      break;
    case FaultKind::kReset:
      hosts_.device_named(f.node).reset_connection();
      break;
    case FaultKind::kClockStep:
      sim_.clock(hosts_.node_named(f.node)).step(sim_.now(), sim::Duration::from_ns(f.by_ns));
      hosts_.host_named(f.node).clock_stepped();
      break;
    case FaultKind::kCut:
      apply_cut(f);
      break;
  }
}

// A cut of one pair that heals on its own: its blocks are lifted for_ns later (a heal, or the
// final heal, may have lifted them already; lifting twice is harmless).
void Nemesis::apply_cut(const Fault& f) {
  auto& network = sim_.network();
  const sim::NodeId from = hosts_.node_named(f.from);
  const sim::NodeId to = hosts_.node_named(f.to);
  network.block(from, to);
  if (f.both_ways) network.block(to, from);
  const bool both = f.both_ways;
  sim_.schedule_at(sim_.now() + sim::Duration::from_ns(f.for_ns), [this, from, to, both] {
    if (!safety_phase_) return;  // the final heal lifted every block
    sim_.network().unblock(from, to);
    if (both) sim_.network().unblock(to, from);
    counters_.count("nemesis.cut_healed");
  });
}

// The directed node pairs a `link` fault (or a link class) covers.
std::vector<std::pair<sim::NodeId, sim::NodeId>> Nemesis::links_of(const Fault& f) const {
  std::vector<std::pair<sim::NodeId, sim::NodeId>> pairs;
  for (const auto& [a, b] : f.links) {
    pairs.emplace_back(hosts_.node_named(a), hosts_.node_named(b));
    pairs.emplace_back(hosts_.node_named(b), hosts_.node_named(a));
  }
  // The mobile class (every gateway <-> device link) is not listed: apply_link_fault changes
  // its class link instead (link_fault_reaches_mobile).
  const bool between_servers =
      f.link_class == LinkClass::kServers || f.link_class == LinkClass::kAll;
  for (const auto& s : hosts_.servers()) {
    if (!between_servers) continue;
    for (const auto& t : hosts_.servers()) {
      if (s != t) pairs.emplace_back(s->node(), t->node());
    }
  }
  return pairs;
}

namespace {

bool link_fault_reaches_mobile(const Fault& f) {
  return f.link_class == LinkClass::kMobile || f.link_class == LinkClass::kAll;
}

sim::LinkParams with_fault(sim::LinkParams params, const Fault& f) {
  if (f.latency_ns.has_value()) params.latency = latency_model(*f.latency_ns);
  if (f.loss_p.has_value()) params.loss_probability = *f.loss_p;
  if (f.dup_p.has_value()) params.duplicate_probability = *f.dup_p;
  if (f.reorder_p.has_value()) params.reorder_probability = *f.reorder_p;
  return params;
}

}  // namespace

void Nemesis::apply_link_fault(const Fault& f) {
  auto& network = sim_.network();
  for (const auto& [src, dst] : links_of(f)) {
    network.set_link(src, dst, with_fault(network.link(src, dst), f));
  }
  if (!link_fault_reaches_mobile(f)) return;
  // Every gateway <-> device link changes: the two class links, and the links among them that
  // carry an override of their own (from a fault naming them).
  for (const auto& [src, dst] : network.overridden_links()) {
    const std::uint8_t a = network.class_of(src);
    const std::uint8_t b = network.class_of(dst);
    if ((a == kLinkClassGateway && b == kLinkClassDevice) ||
        (a == kLinkClassDevice && b == kLinkClassGateway)) {
      network.set_link(src, dst, with_fault(network.link(src, dst), f));
    }
  }
  for (const auto& [a, b] : {std::pair{kLinkClassGateway, kLinkClassDevice},
                             std::pair{kLinkClassDevice, kLinkClassGateway}}) {
    network.set_class_link(a, b, with_fault(network.class_link(a, b), f));
  }
}

// Servers talk over the default link; every device <-> gateway link is mobile: one class link
// each way (sim::Network link classes), not an override per pair.
void Nemesis::set_base_links() {
  auto& network = sim_.network();
  network.set_default_link(link_params(network_.servers));
  const sim::LinkParams mobile = link_params(network_.mobile);
  for (const auto& server : hosts_.servers()) {
    if (server->address().kind == engine::RoleKind::gateway) {
      network.set_node_class(server->node(), kLinkClassGateway);
    }
  }
  for (const auto& device : hosts_.devices())
    network.set_node_class(device->node(), kLinkClassDevice);
  // Adversaries are on the mobile network too, but `link` faults on the mobile class leave
  // them alone: a class of their own.
  for (const auto& adversary : hosts_.adversaries()) {
    network.set_node_class(adversary->node(), kLinkClassAdversary);
  }
  for (const std::uint8_t client : {kLinkClassDevice, kLinkClassAdversary}) {
    network.set_class_link(kLinkClassGateway, client, mobile);
    network.set_class_link(client, kLinkClassGateway, mobile);
  }
}

// The end of the safety phase: every cut healed, every server up, every device online.
void Nemesis::heal_all() {
  IMSIM_ASSERT(safety_phase_);
  safety_phase_ = false;
  auto& network = sim_.network();
  network.heal();
  network.unclog_all();
  network.clear_link_overrides();
  set_base_links();
  for (const auto& server : hosts_.servers()) {
    if (server->up()) continue;
    sim_.restart(server->node());
    server->start();
  }
  for (const auto& device : hosts_.devices()) {
    if (!device->exists()) device->login();
    device->set_online(true);
  }
}

std::vector<std::vector<sim::NodeId>> Nemesis::nodes_in_groups(
    const std::vector<std::vector<std::string>>& groups) const {
  std::vector<std::vector<sim::NodeId>> result;
  for (const auto& group : groups) {
    auto& nodes = result.emplace_back();
    for (const auto& name : group) nodes.push_back(hosts_.node_named(name));
  }
  return result;
}

}  // namespace imsim::model::detail
