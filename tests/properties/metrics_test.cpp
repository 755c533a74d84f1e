// Metrics (counts, stable latency, cross-conversation inversions, engine counters) and the
// report: witness cap, checker subsets, JSON and text rendering.
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

TEST(Metrics, CountsAndStableLatencyByNearestRank) {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").phase(2, PhaseKind::liveness);  // b2 not required
  const std::vector<int> latencies = {40, 10, 30, 20};
  for (std::size_t i = 0; i < latencies.size(); ++i) {
    const std::string m = "m" + std::to_string(i);
    const int t = 100 * static_cast<int>(i + 1);
    b.send(t, "a1", "c1", m).ack(t, "a1", m, i + 1);
    b.display(t + 1, "a1", "c1", m);
    b.display(t + latencies[i], "b1", "c1", m);
  }
  b.send(900, "a1", "c1", "late").fail(901, "a1", "late");  // not displayed on b1: no sample
  b.display(902, "a1", "c1", "late");
  b.timeline(950, "c1", {"m0", "m1", "m2", "m3"}).end(950);
  const Report report = run(b);
  const Metrics& m = report.metrics;
  EXPECT_EQ(m.sent, 5u);
  EXPECT_EQ(m.acked, 4u);
  EXPECT_EQ(m.failed, 1u);
  EXPECT_EQ(m.stored, 4u);
  EXPECT_EQ(m.displays, 9u);
  ASSERT_TRUE(m.stable_latency.has_value());
  EXPECT_EQ(m.stable_latency->samples, 4u);
  EXPECT_EQ(m.stable_latency->p0_ns, 10);
  EXPECT_EQ(m.stable_latency->p50_ns, 20);
  EXPECT_EQ(m.stable_latency->p95_ns, 40);
  EXPECT_EQ(m.stable_latency->p99_ns, 40);
  EXPECT_EQ(m.stable_latency->p100_ns, 40);
  EXPECT_FALSE(m.cross_conv_inversions.has_value());
}

TEST(Metrics, NoRequiredDeviceNoLatency) {
  HistoryBuilder b = two_users();
  b.send(1, "a1", "c1", "m1").ack(2, "a1", "m1", 1).display(3, "b1", "c1", "m1").end(4);
  EXPECT_FALSE(run(b).metrics.stable_latency.has_value());
}

// a sends m1 into c1; b sees it and writes n1 into c2; c sees n1 and writes m3 into c1. m1
// happened-before m3 only through c2: shown m3 before m1, it is an inversion, not causal.
HistoryBuilder through_another_conversation() {
  HistoryBuilder b;
  b.device("a1", "a").device("b1", "b").device("c1d", "c");
  b.conversation("c1", {"a", "b", "c"}).conversation("c2", {"b", "c"}).with_gvc();
  b.send(1, "a1", "c1", "m1").ack(1, "a1", "m1", 1);
  b.display(2, "b1", "c1", "m1");
  b.send(3, "b1", "c2", "n1").ack(3, "b1", "n1", 1);
  b.display(4, "c1d", "c2", "n1");
  b.send(5, "c1d", "c1", "m3").ack(5, "c1d", "m3", 2);
  return b;
}

TEST(Metrics, CrossConversationInversionsUseGvc) {
  HistoryBuilder b = through_another_conversation();
  b.display(6, "a1", "c1", "m3").display(6, "a1", "c1", "m1").end(9);
  const Report report = run(b);
  EXPECT_EQ(report.count("causal"), 0u) << dump(report);
  ASSERT_TRUE(report.metrics.cross_conv_inversions.has_value());
  EXPECT_EQ(*report.metrics.cross_conv_inversions, 1u);
}

TEST(Metrics, NoCrossConversationInversionInCausalOrder) {
  HistoryBuilder b = through_another_conversation();
  b.display(6, "a1", "c1", "m1").display(6, "a1", "c1", "m3").end(9);
  const Report report = run(b);
  ASSERT_TRUE(report.metrics.cross_conv_inversions.has_value());
  EXPECT_EQ(*report.metrics.cross_conv_inversions, 0u);
}

TEST(Metrics, EngineCountersFromTheLastXMetrics) {
  HistoryBuilder b = two_users();
  b.send(1, "a1", "c1", "m1").ack(2, "a1", "m1", 1).send(3, "a1", "c1", "m2").ack(4, "a1", "m2", 2);
  b.metrics(5, {{"network_frames", 3}});
  b.metrics(
      6, {{"network_frames", 10}, {"store_reads", 4}, {"store_writes", 6}, {"bytes_stored", 512}});
  b.end(7);
  const Metrics m = run(b).metrics;
  EXPECT_EQ(m.engine_counters.at("network_frames"), 10u);
  EXPECT_EQ(m.engine_counters.at("bytes_stored"), 512u);
  EXPECT_DOUBLE_EQ(m.engine_ratios.at("network_frames_per_message"), 5.0);
  EXPECT_DOUBLE_EQ(m.engine_ratios.at("store_reads_per_message"), 2.0);
  EXPECT_DOUBLE_EQ(m.engine_ratios.at("store_writes_per_message"), 3.0);
}

HistoryBuilder five_ghosts() {
  HistoryBuilder b = two_users();
  for (int i = 0; i < 5; ++i) {
    const std::string m = "m" + std::to_string(i);
    b.send(i, "a1", "c1", m).display(i, "b1", "c1", m);
  }
  b.end(9, false);
  return b;
}

TEST(Report, WitnessesAreCappedButAllCounted) {
  const Report report = run(five_ghosts(), {.checkers = {}, .witnesses_per_anomaly_max = 2});
  EXPECT_EQ(report.count("ghost"), 5u);
  EXPECT_EQ(report.find("ghost")->witnesses.size(), 2u);
  const nlohmann::json j = to_json(report);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["anomaly_count"], 6);
  EXPECT_EQ(j["metrics"]["anomalies"]["ghost"], 5);
  const nlohmann::json& ghost = j["anomalies"][5];
  EXPECT_EQ(ghost["name"], "ghost");
  EXPECT_EQ(ghost["witnesses_omitted"], 3);
  EXPECT_EQ(ghost["witnesses"][0]["clause"], "not_acked_but_seen");
  EXPECT_EQ(ghost["witnesses"][0]["msgs"][0], "m0");
  EXPECT_EQ(ghost["witnesses"][0]["events"][0]["line"], 2);
  EXPECT_EQ(ghost["witnesses"][0]["events"][0]["type"], "send");
}

TEST(Report, ChosenCheckersOnly) {
  const Report report = run(five_ghosts(), {.checkers = {"liveness", "lost"}});
  EXPECT_EQ(report.checkers, (std::vector<std::string>{"lost", "liveness"}));
  EXPECT_EQ(report.find("ghost"), nullptr);
  EXPECT_EQ(report.anomaly_count(), 1u);
}

TEST(Report, TextNamesAnomaliesWitnessesAndLines) {
  const std::string text =
      to_text(run(five_ghosts(), {.checkers = {}, .witnesses_per_anomaly_max = 1}));
  EXPECT_NE(text.find("ANOMALIES: 6"), std::string::npos) << text;
  EXPECT_NE(text.find("ghost (5)"), std::string::npos) << text;
  EXPECT_NE(text.find("[not_acked_but_seen] m0 is displayed but its status is none"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("line 2 t=0 send"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 4 more"), std::string::npos) << text;
}

TEST(Report, CleanHistoryIsOk) {
  HistoryBuilder b = two_users();
  b.end(1);
  const Report report = run(b);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.checkers.size(), 7u);  // a version-1 file: the v1 checkers only
  EXPECT_NE(to_text(report).find("OK: no anomaly"), std::string::npos);
}

}  // namespace
}  // namespace imsim::properties::testing
