// A run's anomaly stories carry the run's faults: the minimal counterexample of the
// checkpoint_from_push mutation (u2/d1 offline from 0.5 s for 3 s) tells its lost messages with
// that offline period and the network counters, in the outcome and in results.json; a valid
// run has no story.
#include "imsim/scenarios/stories.hpp"

#include <gtest/gtest.h>

#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::scenarios {
namespace {

RunOutcome run_named(const std::string& name) {
  imsim::base::Result<model::WorldConfig> loaded = load_scenario_named(name);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return run_scenario(std::move(loaded).value(), RunSettings{});
}

TEST(RunStories, TellTheLostMessagesWithTheFaultsAroundThem) {
  const RunOutcome o = run_named(std::string(IMSIM_SOURCE_DIR) +
                                 "/scenarios/library/mutants/checkpoint_from_push.json");
  ASSERT_TRUE(o.report);
  ASSERT_GT(o.report->count("lost"), 0u);
  ASSERT_FALSE(o.stories.stories.empty());
  const properties::Story& s = o.stories.stories[0];
  EXPECT_EQ(s.anomaly, "lost");
  ASSERT_GE(s.faults.size(), 2u);
  EXPECT_EQ(s.faults[0], "0.500 s  offline node=u2/d1");
  EXPECT_EQ(s.faults[1], "3.500 s  online node=u2/d1");
  EXPECT_EQ(s.faults.back().rfind("network over the whole run: ", 0), 0u) << s.faults.back();
  // One story per conversation and clause: the lost messages of c1 on u2/d1 are folded.
  EXPECT_EQ(s.folded + 1, o.report->find("lost")->witnesses.size());
  const nlohmann::json j = results_json(o);
  EXPECT_EQ(j["stories"]["stories"][0]["faults"][0], s.faults[0]);
  EXPECT_EQ(j["stories"]["stories"].size(), o.stories.stories.size());
}

TEST(RunStories, AValidRunHasNone) {
  const RunOutcome o = run_named("default");
  ASSERT_EQ(o.exit_code, kExitValid);
  EXPECT_TRUE(o.stories.stories.empty());
  EXPECT_TRUE(results_json(o)["stories"]["stories"].empty());
}

}  // namespace
}  // namespace imsim::scenarios
