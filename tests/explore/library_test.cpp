// Every library scenario runs in the suite, twice: the two runs give the same trace hash and the
// same history, and the checkers' verdict matches the scenario's `checks.expect`.
#include <gtest/gtest.h>

#include <algorithm>
#include <imsim/history/reader.hpp>
#include <imsim/model/world.hpp>
#include <imsim/properties/check.hpp>
#include <imsim/properties/report.hpp>
#include <imsim/scenarios/explore.hpp>
#include <imsim/scenarios/failure_file.hpp>
#include <imsim/scenarios/run.hpp>
#include <imsim/scenarios/scenario.hpp>
#include <sstream>

namespace imsim {
namespace {

std::vector<std::string> library_names() {
  std::vector<std::string> names;
  for (const auto& entry : scenarios::list_library()) names.push_back(entry.name);
  return names;
}

class LibraryScenario : public testing::TestWithParam<std::string> {};

TEST_P(LibraryScenario, RunsDeterministicallyWithTheExpectedVerdict) {
  auto loaded = scenarios::load_scenario_named(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const model::WorldConfig& config = loaded.value();
  std::ostringstream first_history;
  std::ostringstream second_history;
  model::RunOptions options;
  options.history_out = &first_history;
  const model::RunResult first = model::run_world(config, options);
  options.history_out = &second_history;
  const model::RunResult second = model::run_world(config, options);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first_history.str(), second_history.str());
  EXPECT_GT(first.messages_sent, 0u);

  auto parsed = history::parse_history(first_history.str());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  properties::CheckOptions check_options;
  check_options.checkers = config.checks.checkers;
  const properties::Report report = properties::check(parsed.value(), check_options);
  if (config.checks.expect_valid) {
    EXPECT_TRUE(report.ok()) << properties::to_text(report);
    EXPECT_TRUE(first.quiesced);
  } else {
    for (const auto& name : config.checks.expect_anomalies) {
      EXPECT_GT(report.count(name), 0u) << "expected anomaly " << name << " not found";
    }
  }
}

// The failure file of a swarm run (every drawn fault made explicit, devices of a generated
// population named as the seed drew them) loads back through JSON and replays to the same
// trace hash. (History v2 issue, item 6: `devices_max > devices_min` used to be rejected.)
TEST_P(LibraryScenario, SwarmFailureFilesLoadAndReplay) {
  auto loaded = scenarios::load_scenario_named(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const scenarios::RunOutcome run =
        scenarios::run_scenario(scenarios::seed_config(loaded.value(), seed, true), {});
    ASSERT_TRUE(run.error.empty()) << run.error;
    const nlohmann::json file = scenarios::to_json(scenarios::failure_file_of(run));
    auto failure = scenarios::load_failure(nlohmann::json::parse(file.dump()));
    ASSERT_TRUE(failure.ok()) << "seed " << seed << ": " << failure.status().message();
    const scenarios::RunOutcome replay = scenarios::run_scenario(failure.value().scenario, {});
    ASSERT_TRUE(replay.error.empty()) << replay.error;
    EXPECT_EQ(replay.result.trace_hash, failure.value().expected_trace_hash) << "seed " << seed;
  }
}

// A fault may name a generated device up to devices_max (a failure file names what its seed
// drew); a seed whose population lacks the device stops the run with a clear error.
// The two knobs of the availability probes and paging back (docs/model.md) change the run.
// Paging back acts only on views that roaming left short of the first message (reinstalls after
// the inbox expired, small pages, a short roam limit): a view anchored at an empty
// conversation, or one roamed whole, already holds everything.
scenarios::RunOutcome run_knobs(double page_back_p, std::int64_t probe_devices_max) {
  auto loaded = scenarios::load_scenario_text(
      R"({"name": "knobs", "seed": 3, "durations": {"safety_s": 6, "quiescence_s": 30},
          "users": {"count": 6, "devices_min": 1, "devices_max": 2},
          "conversations": {"direct": 3, "groups": [{"count": 1, "size": 4}]},
          "engine": {"roam_messages_max": 2, "inbox_ttl_s": 1, "page_size": 2},
          "devices": {"reinstall_mean_interval_s": 1, "page_back_p": )" +
          std::to_string(page_back_p) + R"(},
          "quiescence": {"probe_devices_max": )" +
          std::to_string(probe_devices_max) + "}}",
      "inline");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  if (!loaded.ok()) return {};
  return scenarios::run_scenario(loaded.value(), {});
}

std::uint64_t counter(const scenarios::RunOutcome& run, const std::string& name) {
  auto it = run.result.counters.find(name);
  return it == run.result.counters.end() ? 0 : it->second;
}

TEST(WorldKnobs, PageBackProbabilityChangesTheRun) {
  const scenarios::RunOutcome never = run_knobs(0.0, 32);
  const scenarios::RunOutcome always = run_knobs(1.0, 32);
  ASSERT_EQ(never.exit_code, scenarios::kExitValid) << never.error;
  ASSERT_EQ(always.exit_code, scenarios::kExitValid) << always.error;
  EXPECT_EQ(counter(never, "model.page_backs"), 0u);
  EXPECT_GT(counter(always, "model.page_backs"), 0u);
  EXPECT_GT(counter(always, "device.tops_reached"), counter(never, "device.tops_reached"));
  EXPECT_NE(never.result.trace_hash, always.result.trace_hash);
}

TEST(WorldKnobs, ProbeDevicesMaxBoundsTheProbes) {
  const scenarios::RunOutcome none = run_knobs(0.0, 0);
  const scenarios::RunOutcome one = run_knobs(0.0, 1);
  const scenarios::RunOutcome all = run_knobs(0.0, 32);
  for (const auto* run : {&none, &one, &all}) {
    ASSERT_EQ(run->exit_code, scenarios::kExitValid) << run->error;
  }
  EXPECT_EQ(counter(none, "model.probes_sent"), 0u);
  EXPECT_GT(counter(one, "model.probes_sent"), 0u);
  EXPECT_GT(counter(all, "model.probes_sent"), counter(one, "model.probes_sent"));
  EXPECT_NE(none.result.trace_hash, one.result.trace_hash);
  EXPECT_NE(one.result.trace_hash, all.result.trace_hash);
}

TEST(GeneratedPopulation, AFaultOnADeviceTheSeedDidNotDrawIsAnError) {
  auto loaded = scenarios::load_scenario_text(
      R"({"name": "absent", "seed": 1, "durations": {"safety_s": 2, "quiescence_s": 10},
          "users": {"count": 3, "devices_min": 1, "devices_max": 2},
          "conversations": {"direct": 1},
          "faults": [{"at_s": 1, "kind": "kill", "node": "u1/d2"}]})",
      "inline");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  int absent = 0;
  int present = 0;
  for (std::uint64_t seed = 1; seed <= 20; seed++) {
    const scenarios::RunOutcome run =
        scenarios::run_scenario(scenarios::seed_config(loaded.value(), seed, false), {});
    if (run.error.empty()) {
      present++;
      continue;
    }
    absent++;
    EXPECT_EQ(run.exit_code, scenarios::kExitError);
    EXPECT_NE(run.error.find("names \"u1/d2\", which the population drawn for seed " +
                             std::to_string(seed) + " does not have"),
              std::string::npos)
        << run.error;
  }
  EXPECT_GT(absent, 0);
  EXPECT_GT(present, 0);
  // Beyond devices_max the loader says no.
  auto beyond = scenarios::load_scenario_text(
      R"({"name": "beyond", "users": {"count": 3, "devices_min": 1, "devices_max": 2},
          "conversations": {"direct": 1},
          "faults": [{"at_s": 1, "kind": "kill", "node": "u1/d3"}]})",
      "inline");
  EXPECT_FALSE(beyond.ok());
}

INSTANTIATE_TEST_SUITE_P(All, LibraryScenario, testing::ValuesIn(library_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace imsim
