#pragma once
// Anomaly stories: a witness says *what* the checker found, in the checker's terms; a story
// tells a reader what happened to the message, from the history alone. One story per distinct
// anomaly (anomaly name, clause and messages): the message (sender, conversation, send time),
// what each relevant device saw in time order (times in seconds since the start), the events
// that make it an anomaly, and the near-identical witnesses folded into one line ("and 19 more
// like it on 19 devices: u1/d1..u3/d2"). The faults part is filled by whoever knows the faults
// (scenarios: the run's fault schedule and network counters; `imsim check`: only what the
// history holds). docs/checkers.md, "Anomaly stories" and "Glossary".
#include <cstddef>
#include <cstdint>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "imsim/history/history.hpp"
#include "imsim/properties/check.hpp"

namespace imsim::properties {

// A story's timeline shows this many lines at most (the rest is counted): a reader reads a
// page, not a dump.
inline constexpr std::size_t kStoryLinesMax = 30;
// Stories built at most per report (the first ones, in report order); the rest are counted.
inline constexpr std::size_t kStoriesMax = 20;
// Devices of the folded witnesses whose events the timeline shows besides the first one.
inline constexpr std::size_t kStoryFoldedDevicesShown = 2;

struct StoryLine {
  history::TimeNs t_ns = 0;  // as in the history
  std::uint32_t line = 0;    // 1-based history line
  std::string text;          // in words, e.g. "u1/d1 shows u2/d1.i0.m1 at the bottom of c1"
  bool minimal = false;      // one of the events that make it an anomaly (the witness's)
  std::string role;          // for minimal lines: what it shows (the witness's role)
};

struct Story {
  std::string anomaly;  // anomaly name, e.g. "lost"
  std::string clause;
  std::string what;     // the first witness's summary
  std::string message;  // "u2/d1.i0.m1, sent by u2/d1 (user u2) in c1 at 1.841 s", or ""
  std::vector<StoryLine> timeline;  // time order (then history line order)
  std::size_t timeline_omitted = 0;
  // The faults in effect around it, one line each (filled by the caller that knows them).
  std::vector<std::string> faults;
  std::size_t folded = 0;   // witnesses folded into this story (besides the first)
  std::string folded_text;  // "and 19 more like it on 19 devices: u1/d1..u3/d2", or ""
  // Time window of the story's events (history times): callers pick faults around it.
  history::TimeNs window_start_ns = 0;
  history::TimeNs window_end_ns = 0;
  std::vector<std::string> devices;  // the relevant devices (sender, witnesses, folded)
};

// The stories of one report.
struct Stories {
  // History time that prints as 0 s: 0 for the simulator (faults are scheduled from 0); the
  // first event's time for an external history (first_event_time).
  history::TimeNs origin_ns = 0;
  std::vector<Story> stories;
  std::size_t omitted = 0;        // distinct anomalies beyond kStoriesMax, not told
  std::uint64_t undescribed = 0;  // occurrences without a witness (beyond the witness limit)
};

// The origin for a history of unknown provenance: its first event's time (0 if empty).
history::TimeNs first_event_time(const history::History& history);

Stories build_stories(const history::History& history, const Report& report,
                      history::TimeNs origin_ns = 0);

// "1.841 s" (since `origin_ns`).
std::string format_story_time(history::TimeNs t_ns, history::TimeNs origin_ns);

nlohmann::json to_json(const Stories& stories);
// Human text: a header line, then each story indented; empty when there is no story.
std::string to_text(const Stories& stories, std::size_t stories_max = kStoriesMax);

// `imsim check`: check_file, plus the stories of its report (origin: 0 for a history imsim
// wrote, whose header names a scenario; else the history's first event). A history holds no fault
// schedule: each story says so in its faults part.
struct CheckedStories {
  CheckOutcome outcome;
  Stories stories;
};
CheckedStories check_file_with_stories(const std::string& path, const CheckOptions& options = {});
CheckedStories check_stream_with_stories(std::istream& in, const CheckOptions& options = {});

// The line every command prints after the stories, pointing to the glossary.
inline constexpr const char* kGlossaryPointer =
    "words (u2/d1.i0.m1, T(c), view, incarnation, ...): docs/checkers.md#glossary";

}  // namespace imsim::properties
