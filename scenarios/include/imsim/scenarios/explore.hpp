#pragma once
// Exploration: run one scenario over many seeds (optionally in swarm mode), in worker
// processes, and judge each run against the scenario's `checks`. Shared by `imsim explore` and
// the Python bindings; the CLI only parses flags and prints.
//
// Determinism: a seed's run depends only on (config, seed, swarm); how many workers run the
// seeds, and in what order they finish, changes nothing but the wall time. The wall clock is
// read here (time budget, progress), never inside sim/model/engine.
#include <bitset>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "imsim/engine/coverage.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::scenarios {

inline constexpr std::uint64_t kExploreSeedsMax = 100'000'000;
inline constexpr int kExploreJobsMax = 64;

// The engine coverage points (engine/coverage.hpp) one run reached, by CoveragePoint.
using CoverageBits = std::bitset<engine::kCoveragePointCount>;
CoverageBits coverage_bits(const engine::CoverageCounts& counts);

// The config of one seed: `base` with that seed and, if `swarm`, the swarm switched on (its
// knobs as the scenario sets them); `world_seed`, if set, seeds the world swarm's draw instead
// of `seed` (guided exploration keeps a world and varies the rest).
model::WorldConfig seed_config(const model::WorldConfig& base, std::uint64_t seed, bool swarm,
                               std::optional<std::uint64_t> world_seed = std::nullopt);

// What one seed's run showed.
struct SeedVerdict {
  std::uint64_t seed = 0;
  std::uint64_t trace_hash = 0;
  bool as_expected = false;  // the verdict matches checks.expect
  bool error = false;        // the run could not be judged, or its worker died (crashed)
  std::vector<std::string> anomalies_found;  // names with at least one occurrence
  std::string detail;                        // error: why (e.g. "worker killed by signal 6")
  std::optional<std::uint64_t> world_seed;   // guided: the world swarm's seed, if not `seed`
  CoverageBits covered;                      // coverage points the run reached
  // Key metrics of the run (kSeedMetricNames; each present when the report has it): what a
  // table of many seeds compares.
  std::map<std::string, double> metrics;

  bool failed() const { return error || !as_expected; }
  bool operator==(const SeedVerdict&) const = default;
};

// The metrics a SeedVerdict keeps: messages sent (distinct sends of the history),
// stable-latency quantiles in ms, the safety phase's failed-send rate, and per chat message
// sent: network frames, store reads and store writes.
inline constexpr const char* kSeedMetricNames[] = {"sent",
                                                   "stable_latency_p50_ms",
                                                   "stable_latency_p99_ms",
                                                   "safety_failed_rate",
                                                   "network_frames_per_message",
                                                   "store_reads_per_message",
                                                   "store_writes_per_message"};

// Runs one seed in this process (no output files) and judges it.
RunOutcome run_seed(const model::WorldConfig& base, std::uint64_t seed, bool swarm,
                    std::optional<std::uint64_t> world_seed = std::nullopt);
SeedVerdict verdict_of(const RunOutcome& outcome);

// The seeds of a shard: first_seed + i for i in [0, seeds) with i % count == index - 1.
struct Shard {
  std::uint32_t index = 1;  // 1-based. Valid: 1..count
  std::uint32_t count = 1;  // Valid: >= 1
};
std::vector<std::uint64_t> shard_seeds(std::uint64_t first_seed, std::uint64_t seeds,
                                       const Shard& shard);

struct ExploreProgress {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::uint64_t failures = 0;
  double elapsed_s = 0.0;
};

struct ExploreOptions {
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 100;  // Valid: 1..kExploreSeedsMax
  bool swarm = false;
  int jobs = 1;  // worker processes (fork). Valid: 1..kExploreJobsMax
  Shard shard;
  // Stop launching new seeds after this many wall seconds (seeds under way finish).
  std::optional<double> time_budget_s;
  // Stop at the first failure (explore's default): seeds above the smallest failing seed are
  // not run, seeds below it are (so the failure found does not depend on `jobs`); false: run
  // every seed.
  bool stop_at_first_failure = true;
  // Coverage-guided (needs swarm and a swarm.world section): seeds are run in rounds of
  // kGuidedRound; after the first round, three runs in four keep the world (world seed) of an
  // earlier run chosen by how rare the coverage points it reached are, with a fresh seed for
  // everything else (faults, workload); the fourth draws a fresh world. Seeds stay
  // first_seed, first_seed + 1, ... (a run's seed is its identity); shards do not apply.
  bool guided = false;
  // Called in the calling process after each seed's verdict arrives.
  std::function<void(const ExploreProgress&)> on_progress;
};

inline constexpr std::uint64_t kGuidedRound = 32;

struct ExploreResult {
  std::vector<SeedVerdict> verdicts;  // every seed that finished, by seed
  std::uint64_t seeds_planned = 0;    // the shard's seeds
  std::uint64_t failures = 0;
  // The smallest failing seed among those that finished (with stop_at_first_failure, the
  // smallest failing seed of the shard when no time budget cut the run short).
  std::optional<SeedVerdict> first_failure;
  bool budget_exhausted = false;  // the time budget stopped it before every seed ran
  bool stopped_at_failure = false;
  double wall_time_s = 0.0;
  std::string error;  // the exploration itself broke (fork, pipe): exit 2
  // How many runs reached each coverage point (index = CoveragePoint).
  std::array<std::uint64_t, engine::kCoveragePointCount> runs_reaching{};

  double seeds_per_s() const;
  std::size_t points_reached() const;
};

ExploreResult explore(const model::WorldConfig& base, const ExploreOptions& options);

// Encoding of a verdict on a worker's pipe: one line, no '\n' inside. Exposed for tests.
std::string encode_verdict(const SeedVerdict& verdict);
std::optional<SeedVerdict> decode_verdict(const std::string& line);

}  // namespace imsim::scenarios
