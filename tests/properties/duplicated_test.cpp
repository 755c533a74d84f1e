// duplicated: each clause violated by a hand-built history, and a close variant that holds.
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

using ::testing::ElementsAre;

HistoryBuilder sent_and_acked() {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);  // lines 2, 3
  return b;
}

TEST(Duplicated, MessageTwiceInOneView) {
  HistoryBuilder b = sent_and_acked();
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m1").end(30);  // lines 4, 5
  const Report report = run(b);
  ASSERT_EQ(report.count("duplicated"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "duplicated", "twice_in_view");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1"));
  EXPECT_THAT(w[0].devices, ElementsAre("b1"));
  EXPECT_THAT(w[0].convs, ElementsAre("c1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(4u, 5u));
}

TEST(Duplicated, TopAndBottomCopiesAreTwiceInOneView) {
  HistoryBuilder b = sent_and_acked();
  b.display(20, "b1", "c1", "m1").display(21, "b1", "c1", "m1", DisplayAt::top).end(30);
  EXPECT_EQ(run(b).count("duplicated"), 1u);
}

TEST(Duplicated, OncePerDeviceIsNotDuplicated) {
  HistoryBuilder b = sent_and_acked();
  b.display(20, "b1", "c1", "m1").display(21, "b2", "c1", "m1").end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Duplicated, OncePerIncarnationIsNotDuplicated) {
  HistoryBuilder b = sent_and_acked();
  b.display(20, "b1", "c1", "m1").reinstall(21, "b1").display(22, "b1", "c1", "m1").end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Duplicated, TwiceInAnEarlierIncarnationCounts) {
  HistoryBuilder b = sent_and_acked();
  b.display(20, "b1", "c1", "m1").display(20, "b1", "c1", "m1").reinstall(21, "b1");
  b.display(22, "b1", "c1", "m1").end(30);
  const Report report = run(b);
  ASSERT_EQ(report.count("duplicated"), 1u) << dump(report);
  EXPECT_NE(witnesses(report, "duplicated")[0].summary.find("incarnation 0"), std::string::npos);
}

TEST(Duplicated, AcksWithTwoConvSeqs) {
  HistoryBuilder b = sent_and_acked();
  b.ack(12, "a1", "m1", 2).end(30);  // line 4
  const Report report = run(b);
  ASSERT_EQ(report.count("duplicated"), 1u) << dump(report);
  const auto w = witnesses(report, "duplicated", "two_conv_seqs");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1"));
  EXPECT_THAT(w[0].devices, ElementsAre("a1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(3u, 4u));
}

TEST(Duplicated, RepeatedAckWithTheSameConvSeqIsFine) {
  HistoryBuilder b = sent_and_acked();
  b.ack(12, "a1", "m1", 1).end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Duplicated, TimelineListsAMessageTwice) {
  HistoryBuilder b = sent_and_acked();
  b.timeline(30, "c1", {"m1", "m1"}).end(30);  // line 4
  const Report report = run(b);
  ASSERT_EQ(report.count("duplicated"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "duplicated", "twice_in_timeline");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1"));
  EXPECT_THAT(w[0].convs, ElementsAre("c1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(4u));
}

TEST(Duplicated, TimelineListingItOnceIsFine) {
  HistoryBuilder b = sent_and_acked();
  b.timeline(30, "c1", {"m1"}).end(30);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

// imsim's x-inbox extension: a sync timeline holding a message twice (a non-idempotent fan-out
// that every device hid by deduplicating) is a duplicate too; once is fine.
Report check_with_inbox(const std::string& inbox_msgs) {
  const std::string text =
      R"({"type":"header","format":"imsim-history","version":1,"devices":{"a1":"a","b1":"b"},)"
      R"("conversations":{"c1":{"members":["a","b"]}}})"
      "\n"
      R"({"t":10,"type":"send","device":"a1","conv":"c1","msg":"m1","vc":{"a1":1}})"
      "\n"
      R"({"t":30,"type":"timeline","conv":"c1","msgs":["m1"]})"
      "\n"
      R"({"t":30,"type":"x-inbox","user":"b","msgs":)" +
      inbox_msgs +
      "}\n"
      R"({"t":30,"type":"end","quiesced":true})"
      "\n";
  auto parsed = history::parse_history(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return check(parsed.value(), CheckOptions{.checkers = {"duplicated"}});
}

TEST(Duplicated, InboxHoldsAMessageTwice) {
  const Report report = check_with_inbox(R"(["m1","m1"])");
  ASSERT_EQ(report.count("duplicated"), 1u) << dump(report);
  const auto w = witnesses(report, "duplicated", "twice_in_inbox");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(4u));
}

TEST(Duplicated, InboxHoldingItOnceIsFine) {
  EXPECT_TRUE(check_with_inbox(R"(["m1"])").ok());
  EXPECT_TRUE(check_with_inbox(R"("not a list")").ok());  // malformed extension: skipped
}

}  // namespace
}  // namespace imsim::properties::testing
