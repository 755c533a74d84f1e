// Exploration and shrinking: shards partition the seeds, worker processes do not change any
// verdict, the time budget stops new seeds, explore finds a wired mutation in swarm mode, and
// the shrunk failure still fails the same way, with no more faults, and replays.
#include "imsim/scenarios/explore.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace {

using namespace imsim;
using scenarios::ExploreOptions;
using scenarios::ExploreResult;

// The default world with the no_client_dedup mutation: swarm seeds 1.. show `duplicated`
// within a handful of seeds (measured: the first at seed 3 or 4).
constexpr std::uint64_t kMutantSeeds = 30;

model::WorldConfig load(const std::string& file_or_name) {
  imsim::base::Result<model::WorldConfig> loaded = scenarios::load_scenario_named(file_or_name);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return std::move(loaded).value();
}

model::WorldConfig mutant() {
  return load(std::string(IMSIM_SOURCE_DIR) + "/tests/scenarios/data/mutant-no-client-dedup.json");
}

ExploreOptions options_of(std::uint64_t seeds, bool swarm, int jobs) {
  ExploreOptions options;
  options.first_seed = 1;
  options.seeds = seeds;
  options.swarm = swarm;
  options.jobs = jobs;
  return options;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(Explore, ShardsPartitionTheSeeds) {
  std::set<std::uint64_t> all;
  std::size_t total = 0;
  for (std::uint32_t k = 1; k <= 3; k++) {
    const auto seeds = scenarios::shard_seeds(10, 20, {.index = k, .count = 3});
    total += seeds.size();
    all.insert(seeds.begin(), seeds.end());
    for (std::uint64_t s : seeds) EXPECT_EQ((s - 10) % 3, k - 1);
  }
  EXPECT_EQ(total, 20u);
  EXPECT_EQ(all.size(), 20u);
  EXPECT_EQ(*all.begin(), 10u);
  EXPECT_EQ(*all.rbegin(), 29u);
}

TEST(Explore, VerdictLineRoundTrips) {
  scenarios::SeedVerdict v{.seed = 42,
                           .trace_hash = 0xfedcba9876543210ULL,
                           .as_expected = false,
                           .error = true,
                           .anomalies_found = {"lost", "fifo"},
                           .detail = "worker killed by signal 6 (Aborted)",
                           .world_seed = 18446744073709551615ULL,
                           .covered = scenarios::CoverageBits("1011"),
                           .metrics = {{"sent", 12}, {"stable_latency_p99_ms", 0.1 + 0.2}}};
  const auto decoded = scenarios::decode_verdict(scenarios::encode_verdict(v));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, v);
  v.anomalies_found.clear();
  v.detail.clear();
  v.world_seed.reset();
  v.metrics.clear();
  EXPECT_EQ(*scenarios::decode_verdict(scenarios::encode_verdict(v)), v);
  EXPECT_FALSE(scenarios::decode_verdict("garbage").has_value());
  EXPECT_FALSE(scenarios::decode_verdict("v 1 2 1 0 - - " + v.covered.to_string() + " sent=x d")
                   .has_value());
  // A world seed past 2^64 or a coverage field of the wrong length is a broken line.
  std::string line = scenarios::encode_verdict(v);
  const std::string bits = v.covered.to_string();
  std::string bad_world = line;
  bad_world.replace(bad_world.find(" - " + bits), 3, " 99999999999999999999 ");
  EXPECT_FALSE(scenarios::decode_verdict(bad_world).has_value());
  std::string bad_bits = line;
  bad_bits.replace(bad_bits.find(bits), bits.size(), bits.substr(1));
  EXPECT_FALSE(scenarios::decode_verdict(bad_bits).has_value());
}

// Coverage: a run reports the engine points it reached, explore counts runs per point, and
// the counts are the same for any number of workers.
TEST(Explore, CoverageIsCountedPerRun) {
  const model::WorldConfig config = load("default");
  ExploreOptions options = options_of(6, true, 1);
  options.stop_at_first_failure = false;
  const ExploreResult one = scenarios::explore(config, options);
  options.jobs = 2;
  const ExploreResult two = scenarios::explore(config, options);
  ASSERT_TRUE(one.error.empty()) << one.error;
  EXPECT_EQ(one.runs_reaching, two.runs_reaching);
  EXPECT_GT(one.points_reached(), 10u);
  EXPECT_LT(one.points_reached(), engine::kCoveragePointCount);
  // Every run writes: device.push_in_order is reached by all 6; store.overloaded by none.
  EXPECT_EQ(one.runs_reaching[std::size_t(engine::CoveragePoint::device_push_in_order)], 6u);
  EXPECT_EQ(one.runs_reaching[std::size_t(engine::CoveragePoint::store_overloaded)], 0u);
  for (const auto& v : one.verdicts) EXPECT_TRUE(v.covered.any());
}

// Guided exploration keeps the worlds of earlier runs: after the first round some runs carry a
// world seed that is an earlier run's, and the choice is the same for any number of workers.
TEST(Explore, GuidedReusesWorldsDeterministically) {
  model::WorldConfig config = load("swarm-smoke");
  config.swarm.world.page_size = model::Range{1, 10};
  config.swarm.world.threshold_edge_p = 0.5;
  ExploreOptions options = options_of(2 * scenarios::kGuidedRound, true, 1);
  options.guided = true;
  options.stop_at_first_failure = false;
  const ExploreResult one = scenarios::explore(config, options);
  options.jobs = 2;
  const ExploreResult two = scenarios::explore(config, options);
  ASSERT_TRUE(one.error.empty()) << one.error;
  ASSERT_EQ(one.verdicts.size(), 2 * scenarios::kGuidedRound);
  EXPECT_EQ(one.verdicts, two.verdicts);
  std::set<std::uint64_t> first_round;
  std::size_t reused = 0;
  for (const auto& v : one.verdicts) {
    if (v.seed < options.first_seed + scenarios::kGuidedRound) {
      EXPECT_FALSE(v.world_seed.has_value());
      first_round.insert(v.seed);
    } else if (v.world_seed) {
      EXPECT_TRUE(first_round.count(*v.world_seed)) << *v.world_seed;
      reused++;
    }
  }
  EXPECT_EQ(reused, scenarios::kGuidedRound * 3 / 4);
}

TEST(Explore, VerdictKeepsKeyMetrics) {
  const scenarios::SeedVerdict v =
      scenarios::verdict_of(scenarios::run_seed(load("default"), 1, false));
  for (const char* name : scenarios::kSeedMetricNames)
    EXPECT_TRUE(v.metrics.contains(name)) << name;
  EXPECT_EQ(v.metrics.size(), std::size(scenarios::kSeedMetricNames));
  EXPECT_GT(v.metrics.at("stable_latency_p99_ms"), 0.0);
}

TEST(Explore, JobsDoNotChangeVerdicts) {
  const model::WorldConfig config = load("default");
  ExploreOptions options = options_of(12, true, 1);
  options.stop_at_first_failure = false;
  const ExploreResult one = scenarios::explore(config, options);
  options.jobs = 2;
  const ExploreResult two = scenarios::explore(config, options);
  ASSERT_TRUE(one.error.empty()) << one.error;
  ASSERT_TRUE(two.error.empty()) << two.error;
  ASSERT_EQ(one.verdicts.size(), 12u);
  EXPECT_EQ(one.verdicts, two.verdicts);
  // ... and a worker's verdict is the one this process computes.
  const scenarios::SeedVerdict here =
      scenarios::verdict_of(scenarios::run_seed(config, 7, /*swarm=*/true));
  EXPECT_EQ(one.verdicts[6], here);
}

TEST(Explore, ProgressIsReportedPerSeed) {
  std::uint64_t calls = 0;
  ExploreOptions options = options_of(5, false, 2);
  options.on_progress = [&](const scenarios::ExploreProgress& p) {
    calls++;
    EXPECT_EQ(p.done, calls);
    EXPECT_EQ(p.total, 5u);
  };
  const ExploreResult result = scenarios::explore(load("default"), options);
  EXPECT_EQ(calls, 5u);
  EXPECT_EQ(result.failures, 0u);
}

TEST(Explore, SpentTimeBudgetStartsNoSeed) {
  ExploreOptions options = options_of(50, false, 2);
  options.time_budget_s = 1e-9;
  const ExploreResult result = scenarios::explore(load("default"), options);
  EXPECT_TRUE(result.error.empty()) << result.error;
  EXPECT_TRUE(result.budget_exhausted);
  EXPECT_LT(result.verdicts.size(), 50u);
  EXPECT_FALSE(result.first_failure.has_value());
}

// Explore finds the mutation; the failing run's explicit form replays it; the shrink keeps
// the anomaly with no more faults, within its bounds; the failure file replays.
TEST(Explore, FindsMutationShrinksAndReplays) {
  const model::WorldConfig config = mutant();
  ExploreOptions options = options_of(kMutantSeeds, true, 2);
  const ExploreResult result = scenarios::explore(config, options);
  ASSERT_TRUE(result.error.empty()) << result.error;
  ASSERT_TRUE(result.first_failure.has_value()) << "no failure in " << kMutantSeeds << " seeds";
  const scenarios::SeedVerdict& failed = *result.first_failure;
  EXPECT_TRUE(has(failed.anomalies_found, "duplicated"));
  EXPECT_TRUE(result.stopped_at_failure);
  // The failure found is the smallest failing seed, for any number of workers.
  const ExploreResult alone = scenarios::explore(config, options_of(kMutantSeeds, true, 1));
  ASSERT_TRUE(alone.first_failure.has_value());
  EXPECT_EQ(*alone.first_failure, failed);
  for (const scenarios::SeedVerdict& v : alone.verdicts) {
    EXPECT_TRUE(v.seed == failed.seed || !v.failed()) << v.seed;
  }

  const scenarios::RunOutcome swarm_run = scenarios::run_seed(config, failed.seed, true);
  EXPECT_EQ(swarm_run.result.trace_hash, failed.trace_hash);
  const scenarios::RunOutcome replay =
      scenarios::run_scenario(scenarios::explicit_config(swarm_run), {});
  ASSERT_EQ(replay.result.trace_hash, swarm_run.result.trace_hash);
  ASSERT_FALSE(replay.as_expected);

  const scenarios::ShrinkResult shrunk = scenarios::shrink(replay);
  const scenarios::ShrinkStats& s = shrunk.stats;
  EXPECT_LE(s.faults_after, s.faults_before);
  EXPECT_EQ(s.faults_before, replay.config.faults.size());
  EXPECT_EQ(s.faults_after, shrunk.outcome.config.faults.size());
  EXPECT_LE(s.devices_after.value(), s.devices_before.value());
  EXPECT_LE(s.messages_after, s.messages_before);
  EXPECT_LE(s.runs, scenarios::kShrinkRunsMax);
  EXPECT_TRUE(scenarios::fails_like(replay, shrunk.outcome));
  EXPECT_TRUE(has(shrunk.outcome.anomalies_found, "duplicated"));
  EXPECT_EQ(shrunk.outcome.config.seed, failed.seed);
  EXPECT_FALSE(shrunk.outcome.config.swarm.enabled);

  // The failure file, through JSON, replays to the same hash and the same anomaly.
  const scenarios::FailureFile file = scenarios::failure_file_of(shrunk.outcome);
  const auto loaded = scenarios::load_failure(scenarios::to_json(file));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const scenarios::RunOutcome again = scenarios::run_scenario(loaded.value().scenario, {});
  EXPECT_EQ(again.result.trace_hash, file.expected_trace_hash);
  EXPECT_TRUE(has(again.anomalies_found, "duplicated"));

  // Shrinking is deterministic, and shrinking the result again does not grow it.
  const scenarios::ShrinkResult twice = scenarios::shrink(replay);
  EXPECT_EQ(twice.outcome.result.trace_hash, shrunk.outcome.result.trace_hash);
  const scenarios::ShrinkResult further = scenarios::shrink(shrunk.outcome);
  EXPECT_LE(further.stats.faults_after, s.faults_after);
  EXPECT_TRUE(has(further.outcome.anomalies_found, "duplicated"));
}

TEST(Shrink, StopsAtItsRunLimit) {
  const model::WorldConfig config = mutant();
  ExploreOptions options = options_of(kMutantSeeds, true, 1);
  const ExploreResult result = scenarios::explore(config, options);
  ASSERT_TRUE(result.first_failure.has_value());
  const scenarios::RunOutcome replay = scenarios::run_scenario(
      scenarios::explicit_config(scenarios::run_seed(config, result.first_failure->seed, true)),
      {});
  scenarios::ShrinkOptions limited;
  limited.runs_max = 3;
  const scenarios::ShrinkResult shrunk = scenarios::shrink(replay, limited);
  EXPECT_LE(shrunk.stats.runs, 3u);
  EXPECT_TRUE(shrunk.stats.limit_reached);
  EXPECT_TRUE(scenarios::fails_like(replay, shrunk.outcome));
  EXPECT_LE(shrunk.stats.faults_after, shrunk.stats.faults_before);
}

}  // namespace
