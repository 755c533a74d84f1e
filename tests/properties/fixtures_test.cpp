// The .jsonl fixtures under tests/properties/fixtures/, checked through check_file (the
// `imsim check` contract: exit 0 / 1 / 2).
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

std::string fixture(const std::string& name) {
  return std::string(IMSIM_SOURCE_DIR) + "/tests/properties/fixtures/" + name;
}

TEST(Fixtures, CleanHistoryPasses) {
  const CheckOutcome out = check_file(fixture("clean.jsonl"));
  ASSERT_EQ(out.exit_code, exit_ok) << (out.report ? dump(*out.report) : out.status.message());
  const Metrics& m = out.report->metrics;
  EXPECT_EQ(m.sent, 2u);
  EXPECT_EQ(m.stored, 2u);
  EXPECT_EQ(m.displays, 6u);
  ASSERT_TRUE(m.stable_latency.has_value());
  EXPECT_EQ(m.stable_latency->samples, 2u);
  EXPECT_EQ(m.stable_latency->p0_ns, 14);    // m2: sent 21, last shown 35
  EXPECT_EQ(m.stable_latency->p100_ns, 21);  // m1: sent 10, last shown 31
  EXPECT_DOUBLE_EQ(m.engine_ratios.at("network_frames_per_message"), 7.0);
  EXPECT_EQ(m.engine_counters.at("bytes_stored"), 300u);
  ASSERT_TRUE(m.cross_conv_inversions.has_value());
  EXPECT_EQ(*m.cross_conv_inversions, 0u);
}

struct Expected {
  const char* file;
  const char* anomaly;
  const char* clause;
  std::vector<std::string> msgs;
};

TEST(Fixtures, EachAnomalyFixtureFailsWithItsWitness) {
  const std::vector<Expected> table = {
      {"duplicated_view.jsonl", "duplicated", "twice_in_view", {"m1"}},
      {"reordered_cycle.jsonl", "reordered", "views_disagree", {"m1", "m2"}},
      {"lost_after_reinstall.jsonl", "lost", "missing_from_view", {"m3"}},
      {"causal_reply.jsonl", "causal", "view", {"m2", "m1"}},
  };
  for (const Expected& e : table) {
    const CheckOutcome out = check_file(fixture(e.file));
    ASSERT_EQ(out.exit_code, exit_anomaly) << e.file;
    const Report& report = *out.report;
    EXPECT_EQ(report.anomaly_count(), 1u) << e.file << "\n" << dump(report);
    const auto w = witnesses(report, e.anomaly, e.clause);
    ASSERT_EQ(w.size(), 1u) << e.file << "\n" << dump(report);
    EXPECT_EQ(w[0].msgs, e.msgs) << e.file;
  }
}

TEST(Fixtures, MalformedFixtureExitsTwoNamingTheLine) {
  const CheckOutcome out = check_file(fixture("malformed_ack_sender.jsonl"));
  ASSERT_EQ(out.exit_code, exit_malformed);
  ASSERT_FALSE(out.status.ok());
  EXPECT_EQ(out.status.message().rfind("line 3: ", 0), 0u) << out.status.message();
  EXPECT_FALSE(out.report.has_value());
}

}  // namespace
}  // namespace imsim::properties::testing
