// The mutation catalog (docs/mutations.md, issue "Mutation catalog"): for every mutation,
// exploration in swarm mode over its library scenario (scenarios/library/mutants/explore/M.json)
// finds the expected anomaly class within a stated seed budget; the failing seed's explicit
// fault schedule replays it; the shrunk counterexample still shows that class and replays
// through its failure file; and the reference engine passes the very same seeds, and the
// shrunk world, with the mutation off.
//
// Exploration hunts for one class: the scenario is judged as a valid run by that class's
// checker only, so a seed fails exactly when the class shows, and the shrink keeps it.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "imsim/engine/mutations.hpp"
#include "imsim/scenarios/explore.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace imsim {
namespace {

struct Entry {
  const char* mutation;
  const char* anomaly;  // the class exploration must find (the file's checks.expect)
};

// Every mutation must be found from seed 1 within this many seeds. `scripts/mutation-table`
// measures the seeds to first detection from five starting seeds (docs/mutations.md): the
// slowest median is 13 (push_before_store), the largest single count 20.
constexpr std::uint64_t kSeedBudget = 50;
// The shrink is bounded here for CI time; `imsim explore` uses the full limits.
constexpr std::uint32_t kShrinkRuns = 200;
constexpr double kShrinkSeconds = 30.0;

constexpr Entry kCatalog[] = {
    {"push_before_store", "lost"},       {"checkpoint_from_push", "lost"},
    {"ack_before_durable", "lost"},      {"no_server_dedup", "duplicated"},
    {"no_client_dedup", "duplicated"},   {"checkpoint_before_apply", "lost"},
    {"order_by_timestamp", "reordered"}, {"no_fifo_holdback", "fifo"},
    {"volatile_seq_allocator", "lost"},  {"short_page_is_end", "lost"},
    {"ttl_gap_ignored", "lost"},         {"fanout_not_idempotent", "duplicated"},
    {"cursor_from_client_id", "lost"},   {"resume_counter_reset", "duplicated"},
};

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

model::WorldConfig load(const std::string& path) {
  auto loaded = scenarios::load_scenario_named(path);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? std::move(loaded).value() : model::WorldConfig{};
}

std::string mutants_dir() { return std::string(IMSIM_SOURCE_DIR) + "/scenarios/library/mutants"; }

// Judged as a valid run by the checkers named (all if empty).
model::WorldConfig judged_valid(model::WorldConfig config, std::vector<std::string> checkers) {
  config.checks.expect_valid = true;
  config.checks.expect_anomalies.clear();
  config.checks.checkers = std::move(checkers);
  return config;
}

model::WorldConfig reference_of(model::WorldConfig config) {
  config.engine.mutations = engine::Mutations{};
  return judged_valid(std::move(config), {});
}

TEST(MutationCatalog, EveryMutationHasAnEntryAndBothScenarios) {
  std::set<std::string> listed;
  for (const Entry& e : kCatalog) listed.insert(e.mutation);
  const std::vector<std::string> names = engine::mutation_names();
  EXPECT_EQ(listed, std::set<std::string>(names.begin(), names.end()));
  for (const Entry& e : kCatalog) {
    for (const std::string& file : {mutants_dir() + "/" + e.mutation + ".json",
                                    mutants_dir() + "/explore/" + e.mutation + ".json"}) {
      SCOPED_TRACE(file);
      const model::WorldConfig config = load(file);
      EXPECT_EQ(engine::enabled_mutations(config.engine.mutations),
                std::vector<std::string>{e.mutation});
      EXPECT_FALSE(config.checks.expect_valid);
      EXPECT_TRUE(has(config.checks.expect_anomalies, e.anomaly));
    }
  }
}

class Mutant : public testing::TestWithParam<Entry> {};

TEST_P(Mutant, ExplorationFindsItShrinksItAndTheReferencePasses) {
  const Entry& e = GetParam();
  const model::WorldConfig scenario = load(mutants_dir() + "/explore/" + e.mutation + ".json");
  ASSERT_TRUE(engine::find_mutation(e.mutation) != nullptr);
  ASSERT_TRUE(scenario.engine.mutations.*(engine::find_mutation(e.mutation)->flag));
  const model::WorldConfig hunt = judged_valid(scenario, {e.anomaly});

  // 1. Swarm exploration from seed 1 finds the class within the budget.
  scenarios::ExploreOptions options;
  options.first_seed = 1;
  options.seeds = kSeedBudget;
  options.swarm = true;
  options.jobs = 2;
  const scenarios::ExploreResult found = scenarios::explore(hunt, options);
  ASSERT_TRUE(found.error.empty()) << found.error;
  ASSERT_TRUE(found.first_failure.has_value())
      << e.mutation << ": no " << e.anomaly << " in seeds 1.." << kSeedBudget;
  const scenarios::SeedVerdict& first = *found.first_failure;
  ASSERT_FALSE(first.error) << first.detail;
  EXPECT_TRUE(has(first.anomalies_found, e.anomaly));
  RecordProperty("first_seed", static_cast<int>(first.seed));

  // 2. The failing seed re-runs to the same hash, and so does its explicit fault schedule.
  const scenarios::RunOutcome swarm_run = scenarios::run_seed(hunt, first.seed, /*swarm=*/true);
  ASSERT_EQ(swarm_run.result.trace_hash, first.trace_hash);
  const scenarios::RunOutcome replay =
      scenarios::run_scenario(scenarios::explicit_config(swarm_run), {});
  ASSERT_EQ(replay.result.trace_hash, first.trace_hash);
  ASSERT_TRUE(has(replay.anomalies_found, e.anomaly));

  // 3. The shrunk counterexample shows the same class, with no more faults, and its failure
  //    file replays to the same hash and the same class.
  scenarios::ShrinkOptions limits;
  limits.runs_max = kShrinkRuns;
  limits.wall_seconds_max = kShrinkSeconds;
  const scenarios::ShrinkResult shrunk = scenarios::shrink(replay, limits);
  EXPECT_TRUE(has(shrunk.outcome.anomalies_found, e.anomaly));
  EXPECT_LE(shrunk.stats.faults_after, shrunk.stats.faults_before);
  RecordProperty("shrunk_faults", static_cast<int>(shrunk.stats.faults_after));
  const scenarios::FailureFile file = scenarios::failure_file_of(shrunk.outcome);
  const auto loaded = scenarios::load_failure(scenarios::to_json(file));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const scenarios::RunOutcome again = scenarios::run_scenario(loaded.value().scenario, {});
  EXPECT_EQ(again.result.trace_hash, file.expected_trace_hash);
  EXPECT_TRUE(has(again.anomalies_found, e.anomaly));

  // 4. The reference engine passes the same seeds with every checker, and the shrunk world.
  scenarios::ExploreOptions same = options;
  same.seeds = first.seed;
  same.stop_at_first_failure = false;
  const scenarios::ExploreResult reference = scenarios::explore(reference_of(scenario), same);
  ASSERT_TRUE(reference.error.empty()) << reference.error;
  EXPECT_EQ(reference.verdicts.size(), first.seed);
  for (const scenarios::SeedVerdict& v : reference.verdicts) {
    EXPECT_FALSE(v.failed()) << "reference, seed " << v.seed << ": " << v.detail << " "
                             << testing::PrintToString(v.anomalies_found);
  }
  const scenarios::RunOutcome shrunk_reference =
      scenarios::run_scenario(reference_of(shrunk.outcome.config), {});
  EXPECT_TRUE(shrunk_reference.as_expected)
      << testing::PrintToString(shrunk_reference.anomalies_found) << shrunk_reference.error;
}

INSTANTIATE_TEST_SUITE_P(Catalog, Mutant, testing::ValuesIn(kCatalog),
                         [](const testing::TestParamInfo<Entry>& info) {
                           return std::string(info.param.mutation);
                         });

}  // namespace
}  // namespace imsim
