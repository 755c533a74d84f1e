// fifo and causal: each clause violated, and a close variant that holds.
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

using ::testing::ElementsAre;

// a1 sends m1 then m2 (lines 2..5).
HistoryBuilder two_from_a1() {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.send(12, "a1", "c1", "m2").ack(13, "a1", "m2", 2);
  return b;
}

TEST(Fifo, ViewAgainstSendOrder) {
  HistoryBuilder b = two_from_a1();
  b.display(20, "b1", "c1", "m2").display(21, "b1", "c1", "m1").end(30);  // lines 6, 7
  const Report report = run(b);
  ASSERT_EQ(report.count("fifo"), 1u) << dump(report);
  const auto w = witnesses(report, "fifo", "view");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m2", "m1"));
  EXPECT_THAT(w[0].devices, ElementsAre("a1", "b1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(2u, 4u, 6u, 7u));
  // Same sender, so m1 happened-before m2: causal fires too; no timeline, one view: no cycle.
  EXPECT_EQ(report.count("causal"), 1u) << dump(report);
  EXPECT_EQ(report.count("reordered"), 0u) << dump(report);
}

TEST(Fifo, ViewInSendOrderIsFine) {
  HistoryBuilder b = two_from_a1();
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m2").end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Fifo, DifferentSendersInAnyOrderAreFine) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.send(12, "b2", "c1", "m2").ack(13, "b2", "m2", 2);
  b.display(20, "b1", "c1", "m2").display(21, "b1", "c1", "m1").end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Fifo, TimelineAgainstSendOrder) {
  HistoryBuilder b = two_from_a1();
  b.timeline(30, "c1", {"m2", "m1"}).end(30);  // line 6
  const Report report = run(b);
  ASSERT_EQ(report.count("fifo"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "fifo", "timeline");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m2", "m1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(2u, 4u, 6u));
}

TEST(Fifo, TimelineInSendOrderIsFine) {
  HistoryBuilder b = two_from_a1();
  b.timeline(30, "c1", {"m1", "m2"}).end(30);
  EXPECT_TRUE(run(b).ok());
}

// a1 sends m1; b1 displays it, then replies m2 (m1 happened-before m2). Lines 2..6.
HistoryBuilder reply() {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.display(12, "b1", "c1", "m1");
  b.send(13, "b1", "c1", "m2").ack(14, "b1", "m2", 2);
  return b;
}

TEST(Causal, ReplyShownBeforeTheMessageItAnswers) {
  HistoryBuilder b = reply();
  b.display(20, "b2", "c1", "m2").display(21, "b2", "c1", "m1");  // lines 7, 8
  b.display(22, "a1", "c1", "m1").display(23, "a1", "c1", "m2").end(30);
  const Report report = run(b);
  ASSERT_EQ(report.count("causal"), 1u) << dump(report);
  EXPECT_EQ(report.count("fifo"), 0u) << dump(report);
  const auto w = witnesses(report, "causal", "view");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m2", "m1"));
  EXPECT_EQ(w[0].devices[0], "b2");
  EXPECT_THAT(lines(w[0]), ElementsAre(2u, 5u, 7u, 8u));
}

TEST(Causal, ReplyShownAfterIsFine) {
  HistoryBuilder b = reply();
  b.display(20, "b2", "c1", "m1").display(21, "b2", "c1", "m2").end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Causal, ConcurrentMessagesInAnyOrderAreFine) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.send(13, "b1", "c1", "m2").ack(14, "b1", "m2", 2);  // b1 had not displayed m1
  b.display(20, "b2", "c1", "m2").display(21, "b2", "c1", "m1").end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Causal, TransitiveHappenedBeforeIsCaught) {
  HistoryBuilder b = reply();
  // a1 sees m2, then sends m3: m1 -> m2 -> m3. b2 shows m3 before m1.
  b.display(15, "a1", "c1", "m1").display(15, "a1", "c1", "m2");
  b.send(16, "a1", "c1", "m3").ack(17, "a1", "m3", 3);
  b.display(20, "b2", "c1", "m3").display(21, "b2", "c1", "m2").end(30);
  const Report report = run(b, {.checkers = {"causal"}});
  ASSERT_EQ(report.count("causal"), 1u) << dump(report);
  EXPECT_THAT(witnesses(report, "causal")[0].msgs, ElementsAre("m3", "m2"));
}

TEST(Causal, ExplicitClockEntriesAreTrusted) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.send_vc(13, "b1", "c1", "m2", {{"a1", 1}, {"b1", 1}}).ack(14, "b1", "m2", 2);
  b.display(20, "b2", "c1", "m2").display(21, "b2", "c1", "m1").end(30);
  EXPECT_EQ(run(b).count("causal"), 1u);
}

}  // namespace
}  // namespace imsim::properties::testing
