// ghost and liveness: each clause violated, and a close variant that holds.
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

using ::testing::ElementsAre;

TEST(Ghost, DisplayedWithoutStatus) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").display(20, "b1", "c1", "m1").end(30);  // lines 2, 3
  const Report report = run(b);
  ASSERT_EQ(report.count("ghost"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "ghost", "not_acked_but_seen");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m1"));
  EXPECT_THAT(w[0].devices, ElementsAre("a1"));
  EXPECT_THAT(lines(w[0]), ElementsAre(2u, 3u));
}

TEST(Ghost, DisplayedAndAckedIsFine) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1).display(20, "b1", "c1", "m1").end(30);
  EXPECT_TRUE(run(b).ok());
}

TEST(Ghost, StoredButFailed) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").fail(11, "a1", "m1").timeline(30, "c1", {"m1"}).end(30);
  const Report report = run(b);
  ASSERT_EQ(report.count("ghost"), 1u) << dump(report);
  EXPECT_THAT(lines(witnesses(report, "ghost")[0]), ElementsAre(2u, 4u, 3u));
}

TEST(Ghost, ALaterAckOverridesAFail) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").fail(11, "a1", "m1").ack(12, "a1", "m1", 1);
  b.timeline(30, "c1", {"m1"}).end(30);
  EXPECT_TRUE(run(b).ok());
}

TEST(Ghost, ALaterFailOverridesAnAck) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1).fail(12, "a1", "m1");
  b.display(20, "b1", "c1", "m1").end(30);
  const Report report = run(b);
  ASSERT_EQ(report.count("ghost"), 1u) << dump(report);
  EXPECT_NE(witnesses(report, "ghost")[0].summary.find("status is fail"), std::string::npos);
}

TEST(Ghost, AckedButNotStored) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1).timeline(30, "c1", {}).end(30);
  const Report report = run(b);
  const auto w = witnesses(report, "ghost", "acked_not_stored");
  ASSERT_EQ(w.size(), 1u) << dump(report);
  EXPECT_THAT(lines(w[0]), ElementsAre(2u, 3u, 4u));
  EXPECT_EQ(report.count("lost"), 1u);  // lost's "acked but not in T(C)" clause agrees
}

TEST(Ghost, AckedWithoutATimelineIsNotJudged) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1).end(30);
  EXPECT_TRUE(run(b).ok());
}

TEST(Ghost, UnseenMessageWithoutStatusIsFine) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").timeline(30, "c1", {}).end(30);
  EXPECT_TRUE(run(b).ok());
}

TEST(Liveness, NotQuiesced) {
  HistoryBuilder b = two_users();
  b.end(30, /*quiesced=*/false);  // line 2
  const Report report = run(b);
  ASSERT_EQ(report.count("liveness"), 1u) << dump(report);
  const auto w = witnesses(report, "liveness", "not_quiesced");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(lines(w[0]), ElementsAre(2u));
}

TEST(Liveness, QuiescedIsFine) {
  HistoryBuilder b = two_users();
  b.end(30, /*quiesced=*/true);
  EXPECT_TRUE(run(b).ok());
}

TEST(Liveness, MemberDeviceNeverOnlineInThePhase) {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").phase(5, PhaseKind::liveness).end(30);  // phase: line 4
  const Report report = run(b);
  ASSERT_EQ(report.count("liveness"), 1u) << dump(report);
  const auto w = witnesses(report, "liveness", "never_online_in_liveness");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].devices, ElementsAre("b2"));
  EXPECT_THAT(lines(w[0]), ElementsAre(4u));
}

TEST(Liveness, EveryDeviceOnlineSomeMomentIsFine) {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").phase(5, PhaseKind::liveness).online(6, "b2").offline(7, "b2");
  b.end(30);
  EXPECT_TRUE(run(b).ok());
}

TEST(Liveness, OnlineOnlyBeforeThePhaseIsNotEnough) {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").online(1, "b2").kill(2, "b2").phase(5, PhaseKind::liveness);
  b.end(30);
  EXPECT_EQ(run(b).count("liveness"), 1u);
}

TEST(Liveness, OnlineOnlyAfterTheLivenessPhaseEndsIsNotEnough) {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").phase(5, PhaseKind::liveness).phase(6, PhaseKind::safety);
  b.online(7, "b2").end(30);
  EXPECT_EQ(run(b).count("liveness"), 1u);
}

TEST(Liveness, DevicesOfUsersInNoConversationAreNotJudged) {
  HistoryBuilder b = two_users();
  b.device("z1", "z");
  b.online(1, "a1").online(1, "b1").online(1, "b2").phase(5, PhaseKind::liveness).end(30);
  EXPECT_TRUE(run(b).ok());
}

TEST(Liveness, WithoutALivenessPhaseOnlyQuiescenceIsJudged) {
  HistoryBuilder b = two_users();
  b.end(30);
  EXPECT_TRUE(run(b).ok());
}

}  // namespace
}  // namespace imsim::properties::testing
