// Anomaly stories: near-identical witnesses fold into one story, the timeline is in time
// order with the witness's events marked, times print in seconds since the origin, and
// `imsim check`'s stories say that a history holds no fault schedule.
#include "imsim/properties/story.hpp"

#include <fstream>

#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

constexpr history::TimeNs kS = 1'000'000'000;

// User a (device a1) and user b with devices b1..b5 in c1; m1..m3 from a1, acked and stored;
// every b device shows m1 and m3 but not m2 (five `lost` witnesses for one message). b1 goes
// offline at 2.5 s and comes back at 2.8 s, between m2's send and the others' displays.
HistoryBuilder m2_lost_everywhere() {
  HistoryBuilder b;
  b.device("a1", "a");
  for (int i = 1; i <= 5; ++i) b.device("b" + std::to_string(i), "b");
  b.conversation("c1", {"a", "b"});
  b.online(0, "a1");
  for (int i = 1; i <= 5; ++i) b.online(0, "b" + std::to_string(i));
  b.phase(kS / 2, PhaseKind::liveness);
  for (int i = 1; i <= 3; ++i) {
    const std::string m = "m" + std::to_string(i);
    if (i == 3) b.offline(5 * kS / 2, "b1").online(14 * kS / 5, "b1");
    b.send(i * kS, "a1", "c1", m).ack(i * kS + kS / 10, "a1", m, std::uint64_t(i));
  }
  b.display(4 * kS, "b1", "c1", "m1");
  for (int i = 2; i <= 5; ++i) {
    b.display(4 * kS, "b" + std::to_string(i), "c1", "m1");
    b.display(4 * kS, "b" + std::to_string(i), "c1", "m3");
  }
  b.display(4 * kS, "b1", "c1", "m3");
  for (const char* m : {"m1", "m2", "m3"}) b.display(4 * kS, "a1", "c1", m);
  b.timeline(5 * kS, "c1", {"m1", "m2", "m3"}).end(5 * kS);
  return b;
}

TEST(Story, FoldsTheWitnessesOfOneLostMessageIntoOneStory) {
  const history::History h = m2_lost_everywhere().build();
  const Report report = check(h);
  ASSERT_EQ(report.count("lost"), 5u) << dump(report);
  const Stories stories = build_stories(h, report);
  ASSERT_EQ(stories.stories.size(), 1u);
  const Story& s = stories.stories[0];
  EXPECT_EQ(s.anomaly, "lost");
  EXPECT_EQ(s.clause, "missing_from_view");
  EXPECT_EQ(s.folded, 4u);
  EXPECT_EQ(s.folded_text, "and 4 more like it on 4 devices: b2..b5");
  EXPECT_EQ(s.message, "m2, sent by a1 (user a) in c1 at 2.000 s (its 2nd message in c1)");
  EXPECT_EQ(stories.omitted, 0u);
  EXPECT_EQ(stories.undescribed, 0u);
}

TEST(Story, TellsTheRelevantEventsInTimeOrderAndMarksTheWitness) {
  const history::History h = m2_lost_everywhere().build();
  const Report report = check(h);
  const Story s = build_stories(h, report).stories.at(0);
  for (std::size_t i = 1; i < s.timeline.size(); ++i) {
    EXPECT_LE(s.timeline[i - 1].t_ns, s.timeline[i].t_ns) << s.timeline[i].text;
  }
  std::vector<std::string> texts;
  for (const StoryLine& l : s.timeline) texts.push_back(l.text);
  // b1's offline period is told, and what b1 showed of c1 meanwhile (m1, not m2).
  const auto offline = std::find(texts.begin(), texts.end(), "b1 goes offline");
  ASSERT_NE(offline, texts.end()) << fmt::format("{}", fmt::join(texts, "\n"));
  EXPECT_EQ(*(offline + 1), "b1 goes online");
  EXPECT_EQ(*(offline + 2), "b1 shows m1 at the bottom (a new message) of c1");
  // The witness lists its events out of time order (send, timeline, ack, display, phase); the
  // story tells them in time order.
  const Witness w = witnesses(report, "lost")[0];  // a copy: witnesses() returns a vector
  EXPECT_FALSE(
      std::is_sorted(w.events.begin(), w.events.end(),
                     [](const EventRef& a, const EventRef& b) { return a.t_ns < b.t_ns; }));
  // The send, the ack and the store timeline are the witness's: marked, with their roles.
  std::size_t minimal = 0;
  for (const StoryLine& l : s.timeline) {
    if (!l.minimal) continue;
    minimal++;
    EXPECT_FALSE(l.role.empty()) << l.text;
  }
  EXPECT_EQ(minimal, witnesses(report, "lost")[0].events.size());
  const auto send = std::find(texts.begin(), texts.end(), "a1 sends m2 in c1");
  ASSERT_NE(send, texts.end());
  EXPECT_TRUE(s.timeline[std::size_t(send - texts.begin())].minimal);
  EXPECT_EQ(s.timeline.back().text,
            "the server's final store timeline T(c1) holds 3 messages: m2 at position 1 "
            "(conv_seq 2)");
  // m1 and m3 are not the story's messages: their sends are not told.
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "a1 sends m1 in c1"), 0);
}

TEST(Story, TextPrintsSecondsSinceTheOriginAndTheGlossaryPointer) {
  const history::History h = m2_lost_everywhere().build();
  const Stories stories = build_stories(h, check(h), kS);  // origin at 1 s
  const std::string text = to_text(stories);
  EXPECT_NE(text.find("story 1: lost [missing_from_view]"), std::string::npos) << text;
  EXPECT_NE(text.find("and 4 more like it on 4 devices: b2..b5"), std::string::npos) << text;
  EXPECT_NE(text.find("    1.000 s * a1 sends m2 in c1 (send)  [line "), std::string::npos) << text;
  EXPECT_NE(text.find(kGlossaryPointer), std::string::npos) << text;
  EXPECT_EQ(format_story_time(2'345'000'000, 0), "2.345 s");
}

TEST(Story, AValidRunHasNoneAndUnwitnessedOccurrencesAreCounted) {
  HistoryBuilder b = m2_lost_everywhere();
  const history::History clean = [] {
    HistoryBuilder c;
    c.device("a1", "a").device("b1", "b").conversation("c1", {"a", "b"});
    c.online(0, "a1").online(0, "b1").phase(1, PhaseKind::liveness);
    c.send(2, "a1", "c1", "m1").ack(3, "a1", "m1", 1).display(4, "b1", "c1", "m1");
    c.display(4, "a1", "c1", "m1").timeline(5, "c1", {"m1"}).end(5);
    return c.build();
  }();
  const Stories none = build_stories(clean, check(clean));
  EXPECT_TRUE(none.stories.empty());
  EXPECT_EQ(to_text(none), "");
  // Two witness budgets: only the first witness of each anomaly is described; the four
  // others are counted as undescribed, and the one story remains.
  const history::History h = b.build();
  const Stories limited =
      build_stories(h, check(h, {.checkers = {}, .witnesses_per_anomaly_max = 1}));
  ASSERT_EQ(limited.stories.size(), 1u);
  EXPECT_EQ(limited.stories[0].folded, 0u);
  EXPECT_EQ(limited.undescribed, 4u);
}

TEST(Story, CheckFileSaysTheHistoryHoldsNoFaultSchedule) {
  const std::string path = ::testing::TempDir() + "story_test.jsonl";
  {
    std::ofstream out(path);
    out << m2_lost_everywhere().jsonl();
  }
  const CheckedStories checked = check_file_with_stories(path);
  ASSERT_EQ(checked.outcome.exit_code, exit_anomaly);
  ASSERT_EQ(checked.stories.stories.size(), 1u);
  const Story& s = checked.stories.stories[0];
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_NE(s.faults[0].find("holds no fault schedule"), std::string::npos);
  // The origin is the first event (an external system's clock need not start at 0).
  EXPECT_EQ(checked.stories.origin_ns, 0);
  const nlohmann::json j = to_json(checked.stories);
  EXPECT_EQ(j["stories"][0]["folded"], 4);
  EXPECT_EQ(j["stories"][0]["timeline"][0]["t_s"], 0.0);
  EXPECT_EQ(j["stories"][0]["timeline"][0]["text"], "a1 goes online");
}

}  // namespace
}  // namespace imsim::properties::testing
