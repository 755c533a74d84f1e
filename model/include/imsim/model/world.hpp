#pragma once
// run_world: build the modelled world from a WorldConfig, run the safety phase (workload +
// faults), then heal and run the liveness phase until quiescence or the window runs out.
// Deterministic: the same config (seed included) gives the same trace hash, always.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "imsim/engine/coverage.hpp"
#include "imsim/model/trace_log.hpp"
#include "imsim/model/world_config.hpp"

namespace imsim::model {

// Where a run is, in simulated time, for a progress display (RunOptions::on_progress).
struct RunProgress {
  std::int64_t sim_ns = 0;       // true simulated time now
  std::int64_t safety_ns = 0;    // the safety phase ends here
  std::int64_t deadline_ns = 0;  // the liveness phase ends here at the latest
  bool liveness = false;         // in the liveness phase (it ends earlier if quiescent)
  std::uint64_t events = 0;      // events executed so far
};

struct RunOptions {
  std::ostream* history_out = nullptr;  // if set, the history (HISTORY.md v1 JSONL) goes here
  bool record_trace_log = false;        // fill RunResult::trace_log (Perfetto / Lamport)
  std::ostream* log_out = nullptr;      // if set, human-readable swarm parameters, faults, ...
  // Called between events every progress_interval_ns of simulated time (and after each
  // quiescence check), never from inside an event: the run is the same with or without it
  // (same trace hash). The callee may read a wall clock; the model never does.
  std::function<void(const RunProgress&)> on_progress;
  std::int64_t progress_interval_ns = 0;  // 0: no progress calls
};

// What the adversaries (WorldConfig::adversaries) did, per attack kind. Every attack frame is
// answered by the gateway on the connection; the adversary waits for that answer:
//   rejected: a Reject or SendNack came back (by reason in `reasons`)
//   accepted: the gateway let it through (a HelloOk for a replayed Hello, another user's inbox
//             page, a SendAck) -- a breach
//   served:   no_ack only: its own inbox page came back (a legitimate read it never acknowledges)
//   conn_lost: the connection died before the answer came (network faults)
//   timed_out: no_ack only: its pull went on to a store and no page came back in time (a store
//             down, a datagram lost; an honest device would pull again)
//   unanswered: still waiting when the run ended on a live connection -- a breach too (the
//             gateway swallowed or forwarded the frame)
// attempted == rejected + accepted + served + conn_lost + timed_out + unanswered.
struct AttackTally {
  std::uint64_t attempted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t accepted = 0;
  std::uint64_t served = 0;
  std::uint64_t conn_lost = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t unanswered = 0;
  std::map<std::string, std::uint64_t> reasons;  // rejected, by RejectReason name
};

struct AdversaryReport {
  std::map<std::string, AttackTally> attacks;             // by attack kind name (all kinds)
  std::map<std::string, std::vector<std::string>> mixes;  // adversary device -> its attack kinds
  std::uint64_t breaches() const {
    std::uint64_t n = 0;
    for (const auto& [kind, t] : attacks) n += t.accepted + t.unanswered;
    return n;
  }
};

struct RunResult {
  std::uint64_t trace_hash = 0;
  std::uint64_t seed = 0;
  std::int64_t sim_time_ns = 0;  // true simulated time at the end of the run
  std::uint64_t events_executed = 0;
  bool quiesced = false;
  // Counts: messages sent by the workload, stored on the server (in some store timeline),
  // displayed (display events, all devices), acked and failed (final statuses).
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_stored = 0;
  std::uint64_t displays = 0;
  std::uint64_t messages_acked = 0;
  std::uint64_t messages_failed = 0;
  std::map<std::string, std::uint64_t> counters;  // engine + network counters, by name
  // Hits per engine coverage point (engine/coverage.hpp), summed over every node and life.
  engine::CoverageCounts coverage{};
  std::map<std::string, std::string> swarm_parameters;  // every drawn parameter, printed
  // The fully expanded fault schedule the run applied (scheduled + swarm-drawn, by time). A
  // config with these as `faults` and swarm off replays the same run (same trace hash).
  std::vector<Fault> fault_schedule;
  // With the world swarm on (swarm.enabled and swarm.world set): the world this run drew and
  // ran (draw_world). A failure file records it in place of the scenario.
  std::optional<WorldConfig> drawn_config;
  TraceLog trace_log;  // empty unless RunOptions::record_trace_log
  // Set when the config has adversaries (adversaries.count > 0).
  std::optional<AdversaryReport> adversary;
  // Non-empty: the config names a node the world drawn from its seed does not have (a device
  // of a generated population beyond what this seed drew); nothing ran.
  std::string config_error;
};

RunResult run_world(const WorldConfig& config, const RunOptions& options);

// The world swarm's draw (WorldSwarm): `config` with its world drawn from
// swarm.world_seed (absent: config.seed), the drawn faults merged into `faults`, and
// swarm.world cleared. Every drawn value goes into `params` as "world.*". run_world calls it
// when the swarm is on; exposed for tests and the shrinker.
WorldConfig draw_world(const WorldConfig& config, std::map<std::string, std::string>& params);

}  // namespace imsim::model
