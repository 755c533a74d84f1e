// History format version 2 (shared/HISTORY.md "Version 2"): the reader's new fields and event,
// and the rules it adds: misnumbered, gap, unavailable, and lost after top_reached. Each rule
// has a history that violates it and a tricky clean one; version-1 files keep their verdicts.
#include <sstream>

#include "imsim/history/reader.hpp"
#include "imsim/history/writer.hpp"
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// a1 sends m1..m3 into c1, each acked at its place; everyone online; liveness from t=5.
HistoryBuilder three_sent(int version) {
  HistoryBuilder b = two_users();
  b.version(version);
  b.online(1, "a1").online(1, "b1").online(1, "b2").phase(5, PhaseKind::liveness);
  for (int i = 1; i <= 3; ++i) {
    const std::string m = "m" + std::to_string(i);
    b.send(10 * i, "a1", "c1", m).ack(10 * i + 1, "a1", m, static_cast<std::uint64_t>(i));
  }
  return b;
}

void show(HistoryBuilder& b, const std::string& device, std::vector<std::string> msgs,
          DisplayAt at = DisplayAt::bottom) {
  for (const std::string& m : msgs) b.display(50, device, "c1", m, at);
}

void show_everywhere(HistoryBuilder& b, std::vector<std::string> msgs) {
  for (const std::string device : {"a1", "b1", "b2"}) show(b, device, msgs);
}

// ---- Reader ----------------------------------------------------------------------------------

TEST(HistoryV2, ReaderAcceptsVersionTwoAndItsAdditions) {
  HistoryBuilder b = two_users();
  b.version(2).online(1, "b1").send(2, "a1", "c1", "m1").top_reached(3, "b1", "c1");
  b.timeline(4, "c1", {"m1"}, 7).end(4);
  const history::History h = b.build();
  EXPECT_EQ(h.header.version, 2);
  const auto& timeline = std::get<history::Timeline>(h.events[3].body);
  EXPECT_EQ(timeline.first_conv_seq, 7u);
  EXPECT_TRUE(std::holds_alternative<history::TopReached>(h.events[2].body));
}

TEST(HistoryV2, ReaderRejectsTopReachedInVersionOne) {
  const std::string text =
      R"({"type":"header","format":"imsim-history","version":1,"devices":{"a1":"a"},)"
      R"("conversations":{"c1":{"members":["a"]}}})"
      "\n"
      R"({"t":1,"type":"top_reached","device":"a1","conv":"c1"})"
      "\n"
      R"({"t":2,"type":"end","quiesced":true})"
      "\n";
  const auto parsed = history::parse_history(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), StartsWith("line 2: "));
  EXPECT_THAT(parsed.status().message(), HasSubstr("top_reached is version 2"));
}

TEST(HistoryV2, ReaderValidatesTopReachedAndFirstConvSeq) {
  const std::string header =
      R"({"type":"header","format":"imsim-history","version":2,"devices":{"a1":"a","b1":"b"},)"
      R"("conversations":{"c1":{"members":["a"]}}})"
      "\n";
  const auto bad_member = history::parse_history(
      header + R"({"t":1,"type":"top_reached","device":"b1","conv":"c1"})" + "\n");
  ASSERT_FALSE(bad_member.ok());
  EXPECT_THAT(bad_member.status().message(), HasSubstr("not a member"));
  const auto zero = history::parse_history(
      header + R"({"t":1,"type":"timeline","conv":"c1","msgs":[],"first_conv_seq":0})" + "\n");
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("first_conv_seq"));
  const auto text = history::parse_history(
      header + R"({"t":1,"type":"timeline","conv":"c1","msgs":[],"first_conv_seq":"1"})" + "\n");
  ASSERT_FALSE(text.ok());
  // Version 1 ignores the field as an unknown extra.
  std::string v1 = header;
  v1.replace(v1.find("\"version\":2"), 11, "\"version\":1");
  const auto ignored = history::parse_history(
      v1 + R"({"t":1,"type":"timeline","conv":"c1","msgs":[],"first_conv_seq":0})" + "\n" +
      R"({"t":1,"type":"end","quiesced":true})" + "\n");
  EXPECT_TRUE(ignored.ok()) << ignored.status().message();
}

TEST(HistoryV2, ReaderRejectsVersionThree) {
  const auto parsed = history::parse_history(
      R"({"type":"header","format":"imsim-history","version":3,"devices":{},"conversations":{}})"
      "\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("versions 1 and 2"));
}

TEST(HistoryV2, WriterRoundTripsVersionTwo) {
  HistoryBuilder b = three_sent(2);
  show_everywhere(b, {"m1", "m2", "m3"});
  b.top_reached(55, "b2", "c1").timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const history::History h = b.build();
  std::ostringstream out;
  history::HistoryWriter(out).write(h);
  EXPECT_EQ(out.str(), b.jsonl());
}

// ---- misnumbered -----------------------------------------------------------------------------

TEST(Misnumbered, AnAckAtTheWrongConvSeq) {
  HistoryBuilder b = two_users();
  b.version(2).online(1, "a1").online(1, "b1").online(1, "b2").phase(5, PhaseKind::liveness);
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 3);  // stored second: conv_seq 2
  show_everywhere(b, {"m1", "m2"});
  b.timeline(60, "c1", {"m1", "m2"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("misnumbered"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);  // not ghost, not duplicated
  const auto w = witnesses(report, "misnumbered", "ack_conv_seq");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m2"));
  EXPECT_THAT(w[0].summary, HasSubstr("conv_seq 3, but it stands at conv_seq 2"));
}

TEST(Misnumbered, ADisplayCarryingTheWrongConvSeq) {
  HistoryBuilder b = three_sent(2);
  show(b, "a1", {"m1", "m2", "m3"});
  show(b, "b1", {"m1", "m2", "m3"});
  b.display_seq(50, "b2", "c1", "m1", 1).display_seq(50, "b2", "c1", "m2", 2);
  b.display_seq(50, "b2", "c1", "m3", 2);
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("misnumbered"), 1u) << dump(report);
  EXPECT_EQ(witnesses(report, "misnumbered")[0].clause, "display_conv_seq");
}

TEST(Misnumbered, FirstConvSeqShiftsTheNumbering) {
  // Clean: a timeline that starts at conv_seq 5 (an older part trimmed by the system).
  HistoryBuilder b = two_users();
  b.version(2).online(1, "a1").online(1, "b1").online(1, "b2").phase(5, PhaseKind::liveness);
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 5);
  b.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 6);
  for (const std::string d : {"a1", "b1", "b2"}) {
    b.display_seq(50, d, "c1", "m1", 5).display_seq(50, d, "c1", "m2", 6);
  }
  b.timeline(60, "c1", {"m1", "m2"}, 5).end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
  // The same acks against a timeline from 1 are both misnumbered.
  HistoryBuilder from_one = two_users();
  from_one.version(2).send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 5);
  from_one.timeline(60, "c1", {"m1"}).end(60);
  EXPECT_EQ(run(from_one).count("misnumbered"), 1u);
}

TEST(Misnumbered, OnlyStoredMessagesAreJudgedAndVersionOneIsNot) {
  // m2 is acked at 9 but not stored: that is lost/ghost (acked, not stored), not misnumbered.
  HistoryBuilder b = two_users();
  b.version(2).send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 9);
  b.timeline(60, "c1", {"m1"}).end(60);
  const Report report = run(b);
  EXPECT_EQ(report.count("misnumbered"), 0u) << dump(report);
  EXPECT_EQ(report.count("ghost"), 1u) << dump(report);
  // Version 1: an ack at a conv_seq other than the message's place passes, as it always did,
  // and the report does not even list the version-2 checkers.
  for (const int version : {1, 2}) {
    HistoryBuilder w = two_users();
    w.version(version).send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 4);
    w.timeline(60, "c1", {"m1"}).end(60);
    const Report r = run(w);
    EXPECT_EQ(r.count("misnumbered"), version == 1 ? 0u : 1u) << dump(r);
    EXPECT_EQ(r.checkers.size(), version == 1 ? 7u : 10u);
  }
}

// ---- gap -------------------------------------------------------------------------------------

HistoryBuilder gap_world(int version) {
  HistoryBuilder b = two_users();
  b.version(version).online(1, "a1").online(1, "b1").online(1, "b2");
  b.send(10, "a1", "c1", "m1").fail(11, "a1", "m1");  // never stored
  return b;
}

TEST(Gap, ALaterSendStoredWhileAnEarlierOneIsNot) {
  HistoryBuilder b = gap_world(2);
  b.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 1).phase(30, PhaseKind::liveness);
  show_everywhere(b, {"m2"});
  b.timeline(60, "c1", {"m2"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("gap"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "gap", "earlier_send_not_stored");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1", "m2"));
  EXPECT_EQ(report.metrics.gap, 1u);
  // Version 1 does not judge it.
  HistoryBuilder v1 = gap_world(1);
  v1.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 1).phase(30, PhaseKind::liveness);
  show_everywhere(v1, {"m2"});
  v1.timeline(60, "c1", {"m2"}).end(60);
  EXPECT_TRUE(run(v1).ok()) << dump(run(v1));
}

TEST(Gap, ANewIncarnationStartsItsOwnOrder) {
  // Clean: m1 failed in the first incarnation, m2 is the reinstalled app's first send.
  HistoryBuilder b = gap_world(2);
  b.reinstall(15, "a1").online(15, "a1");
  b.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 1).phase(30, PhaseKind::liveness);
  show_everywhere(b, {"m2"});
  b.timeline(60, "c1", {"m2"}).end(60);
  EXPECT_TRUE(run(b).ok()) << dump(run(b));
}

TEST(Gap, OtherConversationsAndUnquiescedRunsAreNotJudged) {
  HistoryBuilder b;
  b.version(2).device("a1", "a").device("b1", "b");
  b.conversation("c1", {"a", "b"}).conversation("c2", {"a", "b"});
  b.send(10, "a1", "c1", "m1").fail(11, "a1", "m1");
  b.send(20, "a1", "c2", "m2").ack(21, "a1", "m2", 1);  // another conversation: no gap
  b.timeline(60, "c1", {}).timeline(60, "c2", {"m2"}).end(60);
  EXPECT_EQ(run(b).count("gap"), 0u) << dump(run(b));
  HistoryBuilder stuck = gap_world(2);
  stuck.send(20, "a1", "c1", "m2").ack(21, "a1", "m2", 1);
  stuck.timeline(60, "c1", {"m2"}).end(60, /*quiesced=*/false);
  const Report report = run(stuck);
  EXPECT_EQ(report.count("gap"), 0u) << dump(report);
  EXPECT_EQ(report.count("liveness"), 1u) << dump(report);
}

// ---- unavailable -----------------------------------------------------------------------------

TEST(Unavailable, ASendAfterHealingThatFails) {
  HistoryBuilder b = three_sent(2);
  b.send(40, "b1", "c1", "p1").fail(45, "b1", "p1");
  show_everywhere(b, {"m1", "m2", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("unavailable"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "unavailable", "not_acked_after_heal");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("p1"));
  EXPECT_EQ(report.metrics.unavailable, 1u);
}

TEST(Unavailable, AckedButNotStoredAndSendsWithoutStatus) {
  HistoryBuilder b = three_sent(2);
  b.send(40, "b1", "c1", "p1");                         // no status at all
  b.send(41, "b2", "c1", "p2").ack(42, "b2", "p2", 4);  // acked, never stored
  show_everywhere(b, {"m1", "m2", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  EXPECT_EQ(report.count("unavailable"), 2u) << dump(report);
  EXPECT_EQ(witnesses(report, "unavailable", "not_stored_after_heal").size(), 1u);  // p2
  EXPECT_EQ(witnesses(report, "unavailable", "not_acked_after_heal").size(), 1u);   // p1
}

TEST(Unavailable, ADeviceThatLeavesAfterSendingIsNotJudged) {
  HistoryBuilder b = three_sent(2);
  b.send(40, "b1", "c1", "p1").fail(45, "b1", "p1").offline(46, "b1").online(47, "b1");
  show_everywhere(b, {"m1", "m2", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  EXPECT_TRUE(run(b).ok()) << dump(run(b));
}

TEST(Unavailable, SafetyPhaseFailuresAreAMetricNotAnAnomaly) {
  HistoryBuilder b = two_users();
  b.version(2).online(1, "a1").online(1, "b1").online(1, "b2");
  b.send(2, "a1", "c1", "s1").fail(3, "a1", "s1");
  b.send(3, "b1", "c1", "s2").ack(4, "b1", "s2", 1);
  b.phase(5, PhaseKind::liveness);
  show_everywhere(b, {"s2"});
  b.timeline(60, "c1", {"s2"}).end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
  EXPECT_EQ(report.metrics.safety_sent, 2u);
  EXPECT_EQ(report.metrics.safety_failed, 1u);
  ASSERT_TRUE(report.metrics.safety_failed_rate.has_value());
  EXPECT_DOUBLE_EQ(*report.metrics.safety_failed_rate, 0.5);
}

TEST(Unavailable, OfflineSendersAndUnquiescedRuns) {
  // A liveness send is judged even if the device was offline when it sent...
  HistoryBuilder b = three_sent(2);
  b.offline(39, "b1").send(40, "b1", "c1", "p1").online(48, "b1");
  show_everywhere(b, {"m1", "m2", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  EXPECT_EQ(run(b).count("unavailable"), 1u) << dump(run(b));
  // ...and not at all when the run did not quiesce (liveness says so).
  HistoryBuilder stuck = three_sent(2);
  stuck.send(40, "b1", "c1", "p1");
  show_everywhere(stuck, {"m1", "m2", "m3"});
  stuck.timeline(60, "c1", {"m1", "m2", "m3"}).end(60, false);
  EXPECT_EQ(run(stuck).count("unavailable"), 0u) << dump(run(stuck));
}

// ---- lost after top_reached -----------------------------------------------------------------

TEST(LostV2, TopReachedRequiresTheWholeTimeline) {
  HistoryBuilder b = three_sent(2);
  show(b, "a1", {"m1", "m2", "m3"});
  show(b, "b2", {"m1", "m2", "m3"});
  b.reinstall(50, "b1").online(50, "b1");
  show(b, "b1", {"m3"});
  show(b, "b1", {"m2"}, DisplayAt::top);
  b.top_reached(55, "b1", "c1");  // claims the top, but m1 is missing
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  const auto w = witnesses(report, "lost", "missing_after_top_reached");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1"));
  EXPECT_THAT(w[0].devices, ElementsAre("b1"));
}

TEST(LostV2, TopReachedOfAnEarlierIncarnationDoesNotCount) {
  HistoryBuilder b = three_sent(2);
  show(b, "a1", {"m1", "m2", "m3"});
  show(b, "b2", {"m1", "m2", "m3"});
  b.reinstall(50, "b1").online(50, "b1").top_reached(50, "b1", "c1");
  b.reinstall(50, "b1").online(50, "b1");
  show(b, "b1", {"m2", "m3"});  // a suffix: fine without a top_reached of this incarnation
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  EXPECT_TRUE(run(b).ok()) << dump(run(b));
}

}  // namespace
}  // namespace imsim::properties::testing
