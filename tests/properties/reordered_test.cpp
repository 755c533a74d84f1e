// reordered: against T(C), and without T(C) (cycles in the union of consecutive pairs).
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

using ::testing::ElementsAre;

// m1 from a1, m2 from b2: concurrent (neither displayed the other before sending).
HistoryBuilder two_concurrent() {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);  // lines 2, 3
  b.send(12, "b2", "c1", "m2").ack(13, "b2", "m2", 2);  // lines 4, 5
  return b;
}

TEST(Reordered, ViewAgainstTimeline) {
  HistoryBuilder b = two_concurrent();
  b.display(20, "b1", "c1", "m2").display(21, "b1", "c1", "m1");  // lines 6, 7
  b.timeline(30, "c1", {"m1", "m2"}).end(30);                     // line 8
  const Report report = run(b);
  ASSERT_EQ(report.count("reordered"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "reordered", "against_timeline");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m2", "m1"));
  EXPECT_THAT(w[0].devices, ElementsAre("b1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(6u, 7u, 8u));
}

TEST(Reordered, ViewInTimelineOrderIsFine) {
  HistoryBuilder b = two_concurrent();
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m2");
  b.timeline(30, "c1", {"m1", "m2"}).end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Reordered, TopInsertsOlderHistoryAbove) {
  HistoryBuilder b = two_concurrent();
  b.display(20, "b1", "c1", "m2").display(21, "b1", "c1", "m1", DisplayAt::top);  // view [m1, m2]
  b.timeline(30, "c1", {"m1", "m2"}).end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Reordered, TopInsertOfANewerMessageIsAgainstTimeline) {
  HistoryBuilder b = two_concurrent();
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m2", DisplayAt::top);  // view [m2, m1]
  b.timeline(30, "c1", {"m1", "m2"}).end(30);
  EXPECT_EQ(run(b).count("reordered"), 1u);
}

TEST(Reordered, OrderUsesFirstOccurrences) {
  HistoryBuilder b = two_concurrent();
  // View [m1, m2, m1]: first occurrences m1, m2 agree with T; only duplicated fires.
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m2").display(22, "b1", "c1", "m1");
  b.timeline(30, "c1", {"m1", "m2"}).end(30);
  const Report report = run(b);
  EXPECT_EQ(report.count("reordered"), 0u) << dump(report);
  EXPECT_EQ(report.count("duplicated"), 1u) << dump(report);
}

TEST(Reordered, ViewsDisagreeWithoutTimeline) {
  HistoryBuilder b = two_concurrent();
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m2");  // lines 6, 7
  b.display(22, "a1", "c1", "m2").display(23, "a1", "c1", "m1");  // lines 8, 9
  b.end(30);
  const Report report = run(b);
  ASSERT_EQ(report.count("reordered"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "reordered", "views_disagree");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(sorted(w[0].msgs), strings({"m1", "m2"}));
  EXPECT_EQ(sorted(w[0].devices), strings({"a1", "b1"}));
  EXPECT_EQ(sorted(lines(w[0])), (std::vector<std::uint32_t>{6u, 7u, 8u, 9u}));
}

TEST(Reordered, CompatibleViewsWithoutTimelineAreFine) {
  HistoryBuilder b = two_concurrent();
  b.send(14, "b1", "c1", "m3").ack(15, "b1", "m3", 3);
  b.display(20, "b2", "c1", "m1").display(21, "b2", "c1", "m2");
  b.display(22, "a1", "c1", "m2").display(23, "a1", "c1", "m3");  // m1 < m2 < m3: acyclic
  b.end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Reordered, ThreeViewCycleReportsAShortCycle) {
  HistoryBuilder b = two_concurrent();
  b.send(14, "b1", "c1", "m3").ack(15, "b1", "m3", 3);
  b.display(20, "b2", "c1", "m1").display(21, "b2", "c1", "m2");
  b.display(22, "a1", "c1", "m2").display(23, "a1", "c1", "m3");
  b.display(24, "b1", "c1", "m3").display(25, "b1", "c1", "m1");  // closes m1 < m2 < m3 < m1
  b.end(30);
  const Report report = run(b);
  ASSERT_EQ(report.count("reordered"), 1u) << dump(report);
  const auto w = witnesses(report, "reordered", "views_disagree");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(sorted(w[0].msgs), strings({"m1", "m2", "m3"}));
  EXPECT_EQ(w[0].events.size(), 6u);
}

TEST(Reordered, ShortestCycleInsideALargerComponent) {
  HistoryBuilder b = two_users();
  for (int i = 1; i <= 6; ++i) {
    const std::string m = "m" + std::to_string(i);
    b.send(i, "a1", "c1", m).ack(i, "a1", m, static_cast<std::uint64_t>(i));
  }
  // a1's views would make this fifo too; b1 and b2 carry the order: 1<2<3<4<5<6 and 6<1, 2<1.
  for (int i = 1; i <= 6; ++i) b.display(11, "b1", "c1", "m" + std::to_string(i));
  b.display(12, "b2", "c1", "m6").display(12, "b2", "c1", "m1");
  b.reinstall(13, "b2");
  b.display(14, "b2", "c1", "m2").display(14, "b2", "c1", "m1");
  b.end(30);
  const Report report = run(b, {.checkers = {"reordered"}});
  ASSERT_EQ(report.count("reordered"), 1u) << dump(report);
  const auto w = witnesses(report, "reordered");
  // The cycle through m1 is m1 -> m2 -> m1 (length 2), not the 6-long one.
  EXPECT_EQ(sorted(w[0].msgs), strings({"m1", "m2"})) << w[0].summary;
}

TEST(Reordered, MessagesNotInTimelineAreIgnored) {
  HistoryBuilder b = two_concurrent();
  b.display(20, "b1", "c1", "m2").display(21, "b1", "c1", "m1");
  b.timeline(30, "c1", {"m1"}).end(30);
  EXPECT_EQ(run(b).count("reordered"), 0u);
}

}  // namespace
}  // namespace imsim::properties::testing
