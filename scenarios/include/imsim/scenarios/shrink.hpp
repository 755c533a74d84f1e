#pragma once
// Shrinking a failing run: a smaller config, same seed, that still fails the same way.
// Deterministic (the seed stays fixed; candidates are tried in a fixed order), bounded by a
// number of runs and wall seconds. Shared by `imsim explore`, `imsim shrink` and the bindings.
//
// A candidate is kept if its run still fails like the original: for a scenario that expects
// a valid run, it still shows at least one of the anomaly names the original showed; for a
// mutant scenario (expects anomalies), one of the originally missing names is still missing;
// for a run that could not be judged (error), it still cannot.
//
// Passes, repeated while one of them makes progress:
// - `durations.safety_ns`: to just after the last fault, then halved while it still fails
//   (faults at or after the new end are dropped);
// - faults: ddmin (all at once, then halves, quarters ... single faults);
// - device behaviour and network noise: churn, app kills, reinstalls, new logins, loss, dup,
//   reorder switched off one at a time;
// - `workload.messages_max`: to the messages actually sent, then halved;
//   `workload.messages_per_s`: halved;
// - explicit users: conversations dropped (one must remain), then users (removed from their
//   conversations; a conversation left with too few members goes too), then devices (a user
//   keeps one); faults that name a removed device are removed with it.
// Every candidate goes through the scenario loader first (to_json -> load_scenario), so the
// result is a valid scenario whose failure file loads; an invalid candidate costs no run.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::scenarios {

inline constexpr std::uint32_t kShrinkRunsMax = 500;
inline constexpr double kShrinkWallSecondsMax = 60.0;

struct ShrinkOptions {
  std::uint32_t runs_max = kShrinkRunsMax;
  double wall_seconds_max = kShrinkWallSecondsMax;
  // Called with one line each time a pass makes progress ("faults 14 -> 3").
  std::function<void(const std::string&)> on_step;
};

struct ShrinkStats {
  std::size_t faults_before = 0;
  std::size_t faults_after = 0;
  std::optional<std::size_t> devices_before;  // absent for a generated population
  std::optional<std::size_t> devices_after;
  std::uint64_t messages_before = 0;  // messages the workload sent in the run
  std::uint64_t messages_after = 0;
  std::uint32_t runs = 0;      // candidate runs (the original's run not included)
  bool limit_reached = false;  // runs_max or wall_seconds_max stopped it
  double wall_time_s = 0.0;
};

struct ShrinkResult {
  RunOutcome outcome;  // the run of the shrunk config (outcome.config), same seed, swarm off
  ShrinkStats stats;
};

// The explicit form of a run's config: the faults it applied (scheduled and swarm-drawn) as
// the schedule, swarm off. The model guarantees it replays the same run (same trace hash).
model::WorldConfig explicit_config(const RunOutcome& outcome);

// Whether `candidate` fails like `original` (see above). `original` must have failed.
bool fails_like(const RunOutcome& original, const RunOutcome& candidate);

// Devices of an explicit population; absent for a generated one.
std::optional<std::size_t> device_count(const model::WorldConfig& config);

// Precondition: `failing` failed (not as expected, or an error) and its config has the swarm
// off (use explicit_config and re-run first).
ShrinkResult shrink(const RunOutcome& failing, const ShrinkOptions& options = {});

}  // namespace imsim::scenarios
