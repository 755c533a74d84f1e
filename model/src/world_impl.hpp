#pragma once
// The modelled world of one run (private to model/). World is a thin coordinator: it owns the
// simulator and the parts below, wires each to the others it needs, and runs the phases.
//   Population     population.hpp  users, devices, conversations, topology (read-only)
//   Hosts          hosts.hpp       server/device/adversary hosts on sim nodes; lookups
//   Recorder       recorder.hpp    history events and vector clocks
//   TraceRecorder  recorder.hpp    the trace log (frames paired send -> arrival), optional
//   Workload       workload.hpp    sends, device behaviour, probes
//   Nemesis        nemesis.hpp     applies the fault schedule; the final heal
//   FaultSwarm     nemesis.hpp     draws swarm faults into the schedule
// docs/architecture.md ("model/") shows who calls whom.
#include <cstdint>
#include <imsim/engine/config.hpp>
#include <imsim/model/world.hpp>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <memory>
#include <string>

#include "hosts.hpp"
#include "nemesis.hpp"
#include "population.hpp"
#include "recorder.hpp"
#include "run_support.hpp"
#include "workload.hpp"

namespace imsim::model::detail {

class World {
 public:
  // `world_parameters`: what the world swarm drew for `config` (reported with the run).
  World(const WorldConfig& config, const RunOptions& options,
        std::map<std::string, std::string> world_parameters = {});
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  RunResult run();

 private:
  std::string absent_node_error() const;
  void start();
  void run_liveness();
  // sim_.run_until(limit), in steps of the progress interval with a progress call after each.
  void run_reporting(sim::SimTime limit);
  void report_progress();
  void finish(RunResult& result, bool quiesced);
  void collect_counters(RunResult& result) const;

  const WorldConfig& config_;
  RunOptions options_;
  sim::Simulator sim_;
  engine::Config engine_config_;
  RunCounters counters_;
  RunLog log_;
  Population population_;
  std::unique_ptr<TraceRecorder> trace_;  // null unless RunOptions::record_trace_log
  // Declared (so built) before the recorder and the hosts, which report to it; it reads them
  // only once the run starts.
  Workload workload_;
  Recorder recorder_;
  Hosts hosts_;
  Nemesis nemesis_;
  FaultSwarm swarm_;
  sim::SimTime safety_end_;
  bool safety_phase_ = true;
};

}  // namespace imsim::model::detail
