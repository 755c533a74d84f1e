// lost: with T(C) (first incarnation, reinstall suffix rule, acked but not stored) and
// without T(C) (acked or displayed, never-reinstalled required devices).
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

using ::testing::ElementsAre;

// m1, m2, m3 from a1, acked; everyone online; liveness phase from t=5 (lines 2..12).
HistoryBuilder three_sent() {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").online(1, "b2").phase(5, PhaseKind::liveness);
  for (int i = 1; i <= 3; ++i) {
    const std::string m = "m" + std::to_string(i);
    b.send(10 * i, "a1", "c1", m).ack(10 * i + 1, "a1", m, static_cast<std::uint64_t>(i));
  }
  return b;
}

void show(HistoryBuilder& b, const std::string& device, std::vector<std::string> msgs) {
  for (const std::string& m : msgs) b.display(50, device, "c1", m);
}

void show_all_but(HistoryBuilder& b, const std::string& except) {
  for (const std::string device : {"a1", "b1", "b2"}) {
    if (device != except) show(b, device, {"m1", "m2", "m3"});
  }
}

TEST(Lost, FirstIncarnationMustHoldTheWholeTimeline) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b1");
  show(b, "b1", {"m1", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "lost", "missing_from_view");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m2"));
  EXPECT_THAT(w[0].devices, ElementsAre("b1"));
}

TEST(Lost, FirstIncarnationMissingTheOldestMessage) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b1");
  show(b, "b1", {"m2", "m3"});  // a suffix is not enough without a reinstall
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  EXPECT_THAT(witnesses(report, "lost")[0].msgs, ElementsAre("m1"));
}

TEST(Lost, CompleteViewsAreFine) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "");
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Lost, AfterAReinstallASuffixOfTheTimelineIsEnough) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b1");
  b.reinstall(50, "b1").online(50, "b1");
  show(b, "b1", {"m2", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Lost, AfterAReinstallAHoleInTheSuffixIsLost) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b1");
  b.reinstall(50, "b1").online(50, "b1");
  show(b, "b1", {"m1", "m3"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  EXPECT_THAT(witnesses(report, "lost")[0].msgs, ElementsAre("m2"));
}

TEST(Lost, AfterAReinstallTheNewestMessagesMustFollow) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b1");
  b.reinstall(50, "b1").online(50, "b1");
  show(b, "b1", {"m2"});
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  EXPECT_THAT(witnesses(report, "lost")[0].msgs, ElementsAre("m3"));
}

TEST(Lost, AfterAReinstallAnEmptyViewMustHoldTheWholeTimeline) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b1");
  show(b, "b1", {"m1", "m2", "m3"});
  b.reinstall(50, "b1").online(50, "b1");
  b.timeline(60, "c1", {"m1", "m2", "m3"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 3u) << dump(report);
  std::vector<std::string> lost;
  for (const Witness& w : witnesses(report, "lost")) lost.push_back(w.msgs[0]);
  EXPECT_THAT(lost, ElementsAre("m1", "m2", "m3"));
}

TEST(Lost, DevicesNotRequiredAreNotJudged) {
  HistoryBuilder b = two_users();
  b.phase(5, PhaseKind::liveness).online(6, "a1").online(6, "b1");  // b2 never online in it
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  show(b, "a1", {"m1"});
  show(b, "b1", {"m1"});
  b.timeline(60, "c1", {"m1"}).end(60);
  const Report report = run(b);
  EXPECT_EQ(report.count("lost"), 0u) << dump(report);
  EXPECT_EQ(report.count("liveness"), 1u) << dump(report);
}

TEST(Lost, AckedButNotStored) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "");
  b.timeline(60, "c1", {"m1", "m2"}).end(60);
  const Report report = run(b);
  const auto w = witnesses(report, "lost", "acked_not_stored");
  ASSERT_EQ(w.size(), 1u) << dump(report);
  EXPECT_THAT(w[0].msgs, ElementsAre("m3"));
  EXPECT_THAT(w[0].devices, ElementsAre("a1"));
  EXPECT_EQ(report.count("ghost"), 1u) << dump(report);  // status ack, not in T(C)
}

TEST(Lost, FailedAndNotStoredIsNotLost) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").fail(11, "a1", "m1");
  b.timeline(60, "c1", {}).end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Lost, WithoutTimelineADisplayedMessageMustReachRequiredDevices) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b2");
  show(b, "b2", {"m1", "m2"});
  b.end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  EXPECT_EQ(report.anomaly_count(), 1u) << dump(report);
  const auto w = witnesses(report, "lost", "missing_no_timeline");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].msgs, ElementsAre("m3"));
  EXPECT_THAT(w[0].devices, ElementsAre("b2"));
}

TEST(Lost, WithoutTimelineAnAckedMessageMustReachRequiredDevices) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "nobody");
  b.send(55, "a1", "c1", "m4").ack(56, "a1", "m4", 4);  // acked, displayed nowhere
  b.end(60);
  const Report report = run(b);
  EXPECT_EQ(report.count("lost"), 3u) << dump(report);  // on a1, b1 and b2
}

TEST(Lost, WithoutTimelineReinstalledDevicesAreNotJudged) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "b2");
  b.reinstall(50, "b2").online(50, "b2");
  show(b, "b2", {"m3"});
  b.end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Lost, WithoutTimelineAFailedUndisplayedMessageIsNotLost) {
  HistoryBuilder b = three_sent();
  show_all_but(b, "nobody");
  b.send(55, "a1", "c1", "m4").fail(56, "a1", "m4");
  b.end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Lost, WithoutALivenessPhaseNoDeviceIsRequired) {
  HistoryBuilder b = two_users();
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  b.timeline(60, "c1", {"m1"}).end(60);
  const Report report = run(b);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(Lost, OnlineBeforeThePhaseAndStillOnlineIsRequired) {
  HistoryBuilder b = two_users();
  b.online(1, "a1").online(1, "b1").online(1, "b2").offline(2, "b2").online(3, "b2");
  b.phase(5, PhaseKind::liveness);
  b.send(10, "a1", "c1", "m1").ack(11, "a1", "m1", 1);
  show(b, "a1", {"m1"});
  show(b, "b1", {"m1"});
  b.timeline(60, "c1", {"m1"}).end(60);
  const Report report = run(b);
  ASSERT_EQ(report.count("lost"), 1u) << dump(report);
  EXPECT_THAT(witnesses(report, "lost")[0].devices, ElementsAre("b2"));
}

}  // namespace
}  // namespace imsim::properties::testing
