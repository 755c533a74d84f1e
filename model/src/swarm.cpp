// Swarm testing (FoundationDB/VOPR style): per seed, draw which fault kinds are enabled and
// every parameter of every fault, and write each drawn value into swarm_parameters.
#include <algorithm>
#include <imsim/model/fault_kinds.hpp>
#include <imsim/sim/distributions.hpp>

#include "nemesis.hpp"

namespace imsim::model::detail {
namespace {

// Devices a drawn partition may name beside the servers (keeps the cut readable).
constexpr std::int64_t kSwarmPartitionDevicesMax = 8;
constexpr std::int64_t kSwarmDurationMin_ns = 1'000'000;

template <class T>
const T& pick(sim::Rng& rng, const std::vector<T>& items) {
  IMSIM_ASSERT(!items.empty());
  return items[uniform_index(rng, items.size())];
}

std::int64_t duration_up_to(sim::Rng& rng, std::int64_t max_ns) {
  return sim::uniform_int(rng, kSwarmDurationMin_ns, std::max(kSwarmDurationMin_ns, max_ns));
}

}  // namespace

FaultSwarm::FaultSwarm(const WorldConfig& config, const Population& population, const Hosts& hosts,
                       sim::Rng rng, std::map<std::string, std::string> world_parameters)
    : config_(config),
      population_(population),
      hosts_(hosts),
      rng_(rng),
      swarm_parameters_(std::move(world_parameters)) {}

void FaultSwarm::draw(std::vector<Fault>& fault_schedule) {
  sim::Rng& rng = rng_;
  const WorldConfig& config = config_;
  const Swarm& swarm = config.swarm;
  std::map<std::string, std::string>& swarm_parameters = swarm_parameters_;
  SwarmNodes nodes;
  for (const auto& server : hosts_.servers()) nodes.servers.push_back(server->name());
  for (const auto& plan : population_.device_plans()) nodes.devices.push_back(plan.name);
  nodes.all = nodes.servers;
  nodes.all.insert(nodes.all.end(), nodes.devices.begin(), nodes.devices.end());
  std::map<FaultKind, std::vector<std::string>> candidates;
  std::vector<FaultKind> kinds;
  for (const FaultKindInfo& info : kFaultKinds) {
    // heal, restart and online are drawn as the second half of a cut, crash or offline; pair
    // cuts by the world swarm.
    if (!info.swarm_drawn) continue;
    const FaultKind kind = info.kind;
    const bool listed = swarm.kinds.empty() || std::find(swarm.kinds.begin(), swarm.kinds.end(),
                                                         kind) != swarm.kinds.end();
    if (!listed) continue;
    candidates[kind] = swarm_candidates(kind, nodes);
    if (!candidates[kind].empty()) kinds.push_back(kind);
  }
  if (kinds.empty()) return;
  std::vector<FaultKind> enabled;
  for (FaultKind kind : kinds) {
    if (sim::bernoulli(rng, swarm.kind_enable_p)) enabled.push_back(kind);
  }
  if (enabled.empty()) enabled.push_back(pick(rng, kinds));
  std::string names;
  for (FaultKind kind : enabled)
    names += (names.empty() ? "" : ",") + std::string(fault_kind_name(kind));
  swarm_parameters["swarm.kinds_enabled"] = names;
  double t_ns = 0;
  std::int32_t drawn = 0;
  while (drawn < swarm.faults_max) {
    t_ns += sim::exponential(rng, static_cast<double>(swarm.fault_interval_mean_ns));
    if (t_ns >= static_cast<double>(config.durations.safety_ns)) break;
    const FaultKind kind = pick(rng, enabled);
    Fault fault =
        draw_swarm_fault(kind, static_cast<std::int64_t>(t_ns), rng, nodes, candidates.at(kind));
    char key[32];
    std::snprintf(key, sizeof(key), "swarm.fault.%03d", drawn);
    swarm_parameters[key] =
        "t=" + std::to_string(fault.at_ns / 1'000'000) + "ms " + describe_fault(fault);
    // Only a clog keeps its duration: every other fault is atomic, its undo half explicit, so
    // the expanded schedule round-trips through a failure file unchanged.
    const std::int64_t duration_ns = fault.for_ns;
    if (fault.kind != FaultKind::kClog) fault.for_ns = 0;
    fault_schedule.push_back(fault);
    drawn++;
    // The undo half (heal / restart / online), if it falls inside the safety phase.
    Fault undo;
    undo.at_ns = fault.at_ns + duration_ns;
    if (duration_ns <= 0 || undo.at_ns >= config.durations.safety_ns) continue;
    const std::optional<FaultKind> undo_kind = fault_kind_info(fault.kind).undo;
    if (!undo_kind) continue;  // a clog ends by itself
    undo.kind = *undo_kind;
    if (fault_kind_info(undo.kind).takes(kFieldNode)) undo.node = fault.node;
    fault_schedule.push_back(undo);
  }
  swarm_parameters["swarm.faults_drawn"] = std::to_string(drawn);
}

// The nodes a fault of `kind` that names one node may pick (swarm.nodes narrows them); every
// node for the other kinds.
std::vector<std::string> FaultSwarm::swarm_candidates(FaultKind kind,
                                                      const SwarmNodes& nodes) const {
  const WorldConfig& config = config_;
  std::vector<std::string> names;
  const FaultNode role = fault_kind_info(kind).node;
  if (role != FaultNode::kDevice) names = nodes.servers;
  if (role != FaultNode::kServer) {
    names.insert(names.end(), nodes.devices.begin(), nodes.devices.end());
  }
  const bool one_node = role != FaultNode::kNone;
  const std::vector<std::string>& only = config.swarm.nodes;
  if (one_node && !only.empty()) {
    std::erase_if(names, [&](const std::string& name) {
      return std::find(only.begin(), only.end(), name) == only.end();
    });
  }
  return names;
}

Fault FaultSwarm::draw_swarm_fault(FaultKind kind, std::int64_t at_ns, sim::Rng& rng,
                                   const SwarmNodes& nodes,
                                   const std::vector<std::string>& candidates) {
  const WorldConfig& config = config_;
  const Swarm& swarm = config.swarm;
  const std::vector<std::string>& server_names = nodes.servers;
  const std::vector<std::string>& device_names = nodes.devices;
  const std::vector<std::string>& all_names = nodes.all;
  Fault f;
  f.kind = kind;
  f.at_ns = at_ns;
  switch (kind) {
    case FaultKind::kPartition: {
      std::vector<std::string> pool = server_names;
      const auto extra = std::min<std::int64_t>(kSwarmPartitionDevicesMax,
                                                static_cast<std::int64_t>(device_names.size()));
      for (std::int64_t i = 0; i < extra; i++) pool.push_back(pick(rng, device_names));
      std::sort(pool.begin(), pool.end());
      pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
      f.groups.resize(2);
      for (const auto& name : pool)
        f.groups[static_cast<std::size_t>(sim::uniform_int(rng, 0, 1))].push_back(name);
      if (f.groups[0].empty()) std::swap(f.groups[0], f.groups[1]);
      if (f.groups[1].empty()) {
        f.groups[1].push_back(f.groups[0].back());
        f.groups[0].pop_back();
      }
      f.for_ns = duration_up_to(rng, swarm.partition_max_ns);
      break;
    }
    case FaultKind::kPartitionOneway:
    case FaultKind::kClog:
      // Devices only ever talk to gateways: a cut between a device and another role is moot.
      f.from = pick(rng, all_names);
      if (device_on_node(node_named(f.from)) != nullptr) {
        f.to = pick(rng, std::vector<std::string>(server_names.begin(),
                                                  server_names.begin() + config.topology.gateways));
      } else {
        do {
          f.to = pick(rng, server_names);
        } while (f.to == f.from && server_names.size() > 1);
      }
      f.for_ns = duration_up_to(
          rng, kind == FaultKind::kClog ? swarm.clog_max_ns : swarm.partition_max_ns);
      break;
    case FaultKind::kLink:
      f.link_class = static_cast<LinkClass>(sim::uniform_int(rng, 1, 3));
      f.loss_p = sim::uniform_real(rng, 0.0, swarm.loss_p_max);
      f.dup_p = sim::uniform_real(rng, 0.0, swarm.dup_p_max);
      f.reorder_p = sim::uniform_real(rng, 0.0, swarm.reorder_p_max);
      if (f.link_class == LinkClass::kMobile &&
          config.network.device_transport == DeviceTransport::kStream) {
        // Stream connections never duplicate or reorder: the fault says only what acts.
        f.dup_p.reset();
        f.reorder_p.reset();
      }
      f.latency_ns = Distribution{.kind = DistributionKind::kConstant,
                                  .value = sim::uniform_int(rng, 0, swarm.latency_max_ns)};
      f.for_ns = duration_up_to(rng, swarm.partition_max_ns);
      break;
    case FaultKind::kCrash:
      f.node = pick(rng, candidates);
      f.for_ns = duration_up_to(rng, swarm.down_max_ns);
      break;
    case FaultKind::kOffline:
      f.node = pick(rng, candidates);
      f.for_ns = duration_up_to(rng, swarm.down_max_ns);
      break;
    case FaultKind::kKill:
    case FaultKind::kReinstall:
    case FaultKind::kReset:
      f.node = pick(rng, candidates);
      break;
    case FaultKind::kClockStep:
      f.node = pick(rng, candidates);
      f.by_ns = sim::uniform_int(rng, -swarm.clock_step_max_ns, swarm.clock_step_max_ns);
      break;
    case FaultKind::kHeal:
    case FaultKind::kRestart:
    case FaultKind::kOnline:
      IMSIM_ASSERT_MSG(false, "undo halves are never drawn on their own");
      break;
    case FaultKind::kCut:
      IMSIM_ASSERT_MSG(false, "pair cuts are drawn by the world swarm (world_swarm.cpp)");
  }
  return f;
}

}  // namespace imsim::model::detail
