// Every library scenario runs in the suite, twice: the two runs give the same trace hash and the
// same history, and the checkers' verdict matches the scenario's `checks.expect`.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <imsim/history/reader.hpp>
#include <imsim/model/world.hpp>
#include <imsim/properties/check.hpp>
#include <imsim/properties/report.hpp>
#include <imsim/scenarios/scenario.hpp>

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
  ASSERT_TRUE(loaded.ok()) << loaded.error();
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
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  properties::CheckOptions check_options;
  check_options.checkers = config.checks.checkers;
  const properties::Report report = properties::check(parsed.history(), check_options);
  if (config.checks.expect_valid) {
    EXPECT_TRUE(report.ok()) << properties::to_text(report);
    EXPECT_TRUE(first.quiesced);
  } else {
    for (const auto& name : config.checks.expect_anomalies) {
      EXPECT_GT(report.count(name), 0u) << "expected anomaly " << name << " not found";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, LibraryScenario, testing::ValuesIn(library_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace imsim
