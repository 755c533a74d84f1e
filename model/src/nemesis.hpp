#pragma once
// Nemesis: applies the run's fault schedule (scheduled faults and swarm-drawn ones) to the
// network, the servers and the devices, and heals everything when the safety phase ends.
// FaultSwarm: draws the swarm's faults (FoundationDB-style: which kinds are on, and every
// parameter, from the seed) into the same explicit schedule.
#include <cstdint>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hosts.hpp"
#include "population.hpp"
#include "recorder.hpp"
#include "run_support.hpp"

namespace imsim::model::detail {

class Nemesis {
 public:
  Nemesis(sim::Simulator& sim, const NetworkModel& network, Hosts& hosts, Recorder& recorder,
          TraceRecorder* trace, RunCounters& counters, const RunLog& log);

  // Servers on the default link, every gateway <-> device link mobile (a class link each way).
  void set_base_links();
  // Orders the faults by time (stable: equal times keep their order) and schedules each.
  void schedule(std::vector<Fault> faults);
  // The end of the safety phase: every cut healed, every server up, every device online.
  void heal_all();
  // The schedule the run applies (scheduled + swarm-drawn), by time.
  const std::vector<Fault>& fault_schedule() const { return fault_schedule_; }

 private:
  void apply_fault(const Fault& fault);
  void apply_cut(const Fault& fault);
  void apply_link_fault(const Fault& fault);
  std::vector<std::vector<sim::NodeId>> nodes_in_groups(
      const std::vector<std::vector<std::string>>& groups) const;
  std::vector<std::pair<sim::NodeId, sim::NodeId>> links_of(const Fault& fault) const;

  sim::Simulator& sim_;
  const NetworkModel& network_;
  Hosts& hosts_;
  Recorder& recorder_;
  TraceRecorder* trace_;
  RunCounters& counters_;
  const RunLog& log_;
  std::vector<Fault> fault_schedule_;
  bool safety_phase_ = true;
};

class FaultSwarm {
 public:
  // `world_parameters`: what the world swarm drew (draw_world), reported beside the faults'.
  FaultSwarm(const WorldConfig& config, const Population& population, const Hosts& hosts,
             sim::Rng rng, std::map<std::string, std::string> world_parameters);

  // Appends the drawn faults (each with its undo half, if any) to `schedule`.
  void draw(std::vector<Fault>& schedule);
  // Every drawn value, by name ("swarm.kinds_enabled", "swarm.fault.000", "world.*").
  const std::map<std::string, std::string>& parameters() const { return swarm_parameters_; }

 private:
  // The node names a swarm draws from, built once per run: servers, devices, both.
  struct SwarmNodes {
    std::vector<std::string> servers;
    std::vector<std::string> devices;
    std::vector<std::string> all;
  };
  Fault draw_swarm_fault(FaultKind kind, std::int64_t at_ns, sim::Rng& rng, const SwarmNodes& nodes,
                         const std::vector<std::string>& candidates);
  std::vector<std::string> swarm_candidates(FaultKind kind, const SwarmNodes& nodes) const;
  sim::NodeId node_named(const std::string& name) const { return hosts_.node_named(name); }
  DeviceHost* device_on_node(sim::NodeId node) const { return hosts_.device_on_node(node); }

  const WorldConfig& config_;
  const Population& population_;
  const Hosts& hosts_;
  sim::Rng rng_;
  std::map<std::string, std::string> swarm_parameters_;
};

}  // namespace imsim::model::detail
