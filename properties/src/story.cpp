// Anomaly stories (story.hpp): witnesses folded by (anomaly, clause, messages), each group told
// from the history: the message, the relevant devices' events in time order, the witness's
// events marked as the ones that make it an anomaly.
// Cost: O(events) per story, at most kStoriesMax stories.
#include "imsim/properties/story.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <variant>

#include "imsim/history/reader.hpp"

namespace imsim::properties {
namespace {

using history::DeviceId;
using history::Event;
using history::History;
using history::MsgId;
using history::TimeNs;

// Lifecycle events of a relevant device this long before and after the story's messages are
// shown: what the device went through around the message.
constexpr TimeNs kLifecyclePad_ns = 1'000'000'000;

// Witnesses that tell the same story: same anomaly, clause and conversations (the messages
// and devices differ: one cause, e.g. a device that skipped a page, misses many messages).
struct Group {
  const AnomalyReport* anomaly = nullptr;
  const Witness* first = nullptr;
  std::vector<const Witness*> folded;
};

std::vector<Group> group_witnesses(const Report& report) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t> by_key;
  for (const AnomalyReport& a : report.anomalies) {
    for (const Witness& w : a.witnesses) {
      std::string key = a.name + '\x1f' + w.clause;
      for (const std::string& c : w.convs) key += '\x1f' + c;
      if (w.convs.empty()) {  // no conversation (liveness): one story per device set
        for (const std::string& d : w.devices) key += "\x1e" + d;
      }
      const auto [it, added] = by_key.emplace(key, groups.size());
      if (added) {
        groups.push_back({.anomaly = &a, .first = &w, .folded = {}});
      } else {
        groups[it->second].folded.push_back(&w);
      }
    }
  }
  return groups;
}

// 1 -> "1st", 3 -> "3rd", 12 -> "12th": "its 3rd message".
std::string ordinal(std::uint64_t n) {
  const std::uint64_t tens = n % 100;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th"
                       : n % 10 == 1              ? "st"
                       : n % 10 == 2              ? "nd"
                       : n % 10 == 3              ? "rd"
                                                  : "th";
  return fmt::format("{}{}", n, suffix);
}

struct Selection;

class Teller {
 public:
  Teller(const History& h, TimeNs origin_ns) : h_(h), origin_ns_(origin_ns) {
    for (std::uint32_t i = 0; i < h.msg_count(); ++i) msg_ids_.emplace(h.msg_names[i], i);
    for (std::uint32_t i = 0; i < h.device_count(); ++i)
      device_ids_.emplace(h.header.device_names[i], i);
    for (std::size_t i = 0; i < h.events.size(); ++i) {
      if (const auto* s = std::get_if<history::Send>(&h.events[i].body)) {
        if (send_event_.size() <= s->msg.value) send_event_.resize(s->msg.value + 1, kNone);
        if (send_event_[s->msg.value] == kNone) send_event_[s->msg.value] = i;
      }
    }
  }

  Story tell(const Group& g) const;

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  static std::vector<std::uint32_t> ids(const std::unordered_map<std::string, std::uint32_t>& table,
                                        const std::vector<std::string>& names) {
    std::vector<std::uint32_t> out;
    for (const std::string& n : names) {
      if (const auto it = table.find(n); it != table.end()) out.push_back(it->second);
    }
    return out;
  }
  const history::Send* send_of(std::uint32_t msg) const {
    if (msg >= send_event_.size() || send_event_[msg] == kNone) return nullptr;
    return &std::get<history::Send>(h_.events[send_event_[msg]].body);
  }
  TimeNs send_time(std::uint32_t msg) const { return h_.events[send_event_[msg]].t_ns; }
  std::string message_line(std::uint32_t msg) const;
  std::string text(const Event& e, const std::vector<std::uint32_t>& msgs) const;
  std::string folded_text(const Group& g) const;
  void fill_timeline(Story& story, const Selection& sel) const;

  const History& h_;
  TimeNs origin_ns_;
  std::unordered_map<std::string, std::uint32_t> msg_ids_;
  std::unordered_map<std::string, std::uint32_t> device_ids_;
  std::vector<std::size_t> send_event_;
};

std::string Teller::message_line(std::uint32_t msg) const {
  const history::Send* s = send_of(msg);
  if (s == nullptr) return fmt::format("{} (never sent in this history)", h_.name(MsgId{msg}));
  return fmt::format("{}, sent by {} (user {}) in {} at {} (its {} message in {})",
                     h_.name(MsgId{msg}), h_.name(s->device),
                     h_.name(h_.header.device_user[s->device.value]), h_.name(s->conv),
                     format_story_time(send_time(msg), origin_ns_),
                     ordinal(history::clock_at(s->vc, s->device)), h_.name(s->conv));
}

// One event in words; the terms are those of the glossary (docs/checkers.md#glossary).
std::string Teller::text(const Event& e, const std::vector<std::uint32_t>& msgs) const {
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, history::Send>) {
          return fmt::format("{} sends {} in {}", h_.name(b.device), h_.name(b.msg),
                             h_.name(b.conv));
        } else if constexpr (std::is_same_v<T, history::Ack>) {
          return fmt::format(
              "the server acknowledges {} to {}: stored as conv_seq {} of its "
              "conversation",
              h_.name(b.msg), h_.name(b.device), b.conv_seq);
        } else if constexpr (std::is_same_v<T, history::Fail>) {
          return fmt::format("{} gives up sending {} (send failed)", h_.name(b.device),
                             h_.name(b.msg));
        } else if constexpr (std::is_same_v<T, history::Display>) {
          return fmt::format("{} shows {} at the {} of {}{}", h_.name(b.device), h_.name(b.msg),
                             b.at == history::DisplayAt::top ? "top (paged from history)"
                                                             : "bottom (a new message)",
                             h_.name(b.conv),
                             b.conv_seq ? fmt::format(" as conv_seq {}", *b.conv_seq) : "");
        } else if constexpr (std::is_same_v<T, history::Online>) {
          return fmt::format("{} goes online", h_.name(b.device));
        } else if constexpr (std::is_same_v<T, history::Offline>) {
          return fmt::format("{} goes offline", h_.name(b.device));
        } else if constexpr (std::is_same_v<T, history::Kill>) {
          return fmt::format("{}: app killed (relaunched, stored state kept)", h_.name(b.device));
        } else if constexpr (std::is_same_v<T, history::Reinstall>) {
          return fmt::format("{}: app reinstalled (local state wiped: a new incarnation)",
                             h_.name(b.device));
        } else if constexpr (std::is_same_v<T, history::Phase>) {
          return b.phase == history::PhaseKind::liveness
                     ? "faults healed: the liveness phase starts (every device online from "
                       "here must end up with every stored message)"
                     : "the safety phase starts (faults may happen)";
        } else if constexpr (std::is_same_v<T, history::Timeline>) {
          std::string where;
          for (std::size_t p = 0; p < b.msgs.size() && where.empty(); ++p) {
            if (std::find(msgs.begin(), msgs.end(), b.msgs[p].value) != msgs.end()) {
              where = fmt::format(": {} at position {} (conv_seq {})", h_.name(b.msgs[p]), p,
                                  b.first_conv_seq + p);
            }
          }
          return fmt::format("the server's final store timeline T({}) holds {} messages{}",
                             h_.name(b.conv), b.msgs.size(),
                             where.empty() ? " (not the story's message)" : where);
        } else if constexpr (std::is_same_v<T, history::TopReached>) {
          return fmt::format("{} has paged {} back to its first message", h_.name(b.device),
                             h_.name(b.conv));
        } else if constexpr (std::is_same_v<T, history::End>) {
          return b.quiesced ? "the run ends, quiesced (nothing left in flight)"
                            : "the run ends WITHOUT quiescing (work still in flight)";
        } else {
          return fmt::format("{} (extension event)", b.type);
        }
      },
      e.body);
}

// "a, b, c" or "n things: first..last".
std::string name_list(const std::vector<std::string>& names, const char* things) {
  if (names.size() > 3) {
    return fmt::format("{} {}: {}..{}", names.size(), things, names.front(), names.back());
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

void add_new(std::vector<std::string>& into, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (std::find(into.begin(), into.end(), n) == into.end()) into.push_back(n);
  }
}

// "and 19 more like it on 19 devices: u1/d1..u3/d2", or with other messages: "and 13 more
// like it (13 messages: u1/d1.i0.m3..u1/d1.i0.m16) on u2/d1".
std::string Teller::folded_text(const Group& g) const {
  if (g.folded.empty()) return "";
  std::vector<std::string> devices;
  std::vector<std::string> msgs;
  for (const Witness* w : g.folded) {
    add_new(devices, w->devices);
    add_new(msgs, w->msgs);
  }
  std::string text = fmt::format("and {} more like it", g.folded.size());
  if (msgs != g.first->msgs && !msgs.empty()) text += " (" + name_list(msgs, "messages") + ")";
  if (!devices.empty()) text += " on " + name_list(devices, "devices");
  return text;
}

// Which events a story shows: the witness's (minimal), the story messages' sends, acks and
// fails, their displays on the relevant devices, the relevant devices' lifecycle around the
// messages, the phases around them and the store timelines of the story's conversations.
struct Selection {
  std::vector<std::uint32_t> msgs;
  std::vector<std::uint32_t> devices;
  std::vector<std::uint32_t> witness_devices;  // the first witness's: what else they showed
  std::vector<std::string> convs;
  std::map<std::uint32_t, std::string> minimal;  // history line -> role
  TimeNs start_ns = 0;
  TimeNs end_ns = 0;

  bool has_msg(MsgId m) const { return std::find(msgs.begin(), msgs.end(), m.value) != msgs.end(); }
  bool has_device(DeviceId d) const {
    return std::find(devices.begin(), devices.end(), d.value) != devices.end();
  }
  bool within(TimeNs t) const { return t >= start_ns && t <= end_ns; }
  bool near(TimeNs t) const {
    return t >= start_ns - kLifecyclePad_ns && t <= end_ns + kLifecyclePad_ns;
  }
};

bool shown(const History& h, const Event& e, const Selection& sel) {
  if (sel.minimal.contains(e.line)) return true;
  return std::visit(
      [&](const auto& b) -> bool {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, history::Send> || std::is_same_v<T, history::Ack> ||
                      std::is_same_v<T, history::Fail>) {
          return sel.has_msg(b.msg);
        } else if constexpr (std::is_same_v<T, history::Display>) {
          if (sel.has_msg(b.msg)) return sel.has_device(b.device);
          // What a witness device showed of the conversation meanwhile (the message's
          // neighbours, or their absence).
          return std::find(sel.witness_devices.begin(), sel.witness_devices.end(),
                           b.device.value) != sel.witness_devices.end() &&
                 sel.within(e.t_ns) &&
                 std::find(sel.convs.begin(), sel.convs.end(), h.name(b.conv)) != sel.convs.end();
        } else if constexpr (std::is_same_v<T, history::Online> ||
                             std::is_same_v<T, history::Offline> ||
                             std::is_same_v<T, history::Kill> ||
                             std::is_same_v<T, history::Reinstall> ||
                             std::is_same_v<T, history::TopReached>) {
          return sel.has_device(b.device) && sel.near(e.t_ns);
        } else if constexpr (std::is_same_v<T, history::Phase>) {
          return sel.near(e.t_ns);
        } else if constexpr (std::is_same_v<T, history::Timeline>) {
          return std::find(sel.convs.begin(), sel.convs.end(), h.name(b.conv)) != sel.convs.end();
        } else {
          return false;
        }
      },
      e.body);
}

// The window: the story messages' own events and the witness's (not the final timeline).
void set_window(const std::vector<Event>& events, Selection& sel) {
  bool any = false;
  for (const Event& e : events) {
    const bool own = sel.minimal.contains(e.line) &&
                     !std::holds_alternative<history::Timeline>(e.body) &&
                     !std::holds_alternative<history::End>(e.body);
    bool of_msg = false;
    std::visit(
        [&](const auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, history::Send> || std::is_same_v<T, history::Ack> ||
                        std::is_same_v<T, history::Fail> || std::is_same_v<T, history::Display>) {
            of_msg = sel.has_msg(b.msg);
          }
        },
        e.body);
    if (!own && !of_msg) continue;
    sel.start_ns = any ? std::min(sel.start_ns, e.t_ns) : e.t_ns;
    sel.end_ns = any ? std::max(sel.end_ns, e.t_ns) : e.t_ns;
    any = true;
  }
}

void Teller::fill_timeline(Story& story, const Selection& sel) const {
  std::vector<StoryLine> lines;
  std::size_t minimal_count = 0;
  for (const Event& e : h_.events) {
    if (!shown(h_, e, sel)) continue;
    StoryLine line;
    line.t_ns = e.t_ns;
    line.line = e.line;
    line.text = text(e, sel.msgs);
    if (const auto it = sel.minimal.find(e.line); it != sel.minimal.end()) {
      line.minimal = true;
      line.role = it->second;
      minimal_count++;
    }
    lines.push_back(std::move(line));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const StoryLine& a, const StoryLine& b) {
    return a.t_ns != b.t_ns ? a.t_ns < b.t_ns : a.line < b.line;
  });
  // Over the limit: keep every minimal line and the earliest others.
  std::size_t others_left = kStoryLinesMax > minimal_count ? kStoryLinesMax - minimal_count : 0;
  for (StoryLine& line : lines) {
    if (line.minimal) {
      story.timeline.push_back(std::move(line));
    } else if (others_left > 0) {
      others_left--;
      story.timeline.push_back(std::move(line));
    } else {
      story.timeline_omitted++;
    }
  }
}

Story Teller::tell(const Group& g) const {
  const Witness& w = *g.first;
  Story story;
  story.anomaly = g.anomaly->name;
  story.clause = w.clause;
  story.what = w.summary;
  Selection sel;
  sel.msgs = ids(msg_ids_, w.msgs);
  sel.convs = w.convs;
  story.devices = w.devices;
  for (std::size_t i = 0; i < g.folded.size() && i < kStoryFoldedDevicesShown; ++i) {
    for (const std::string& d : g.folded[i]->devices) story.devices.push_back(d);
  }
  for (std::uint32_t m : sel.msgs) {
    if (const history::Send* s = send_of(m)) story.devices.push_back(h_.name(s->device));
  }
  std::vector<std::string> unique;
  for (const std::string& d : story.devices) {
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
  }
  story.devices = std::move(unique);
  sel.devices = ids(device_ids_, story.devices);
  sel.witness_devices = ids(device_ids_, w.devices);
  for (const EventRef& ref : w.events) sel.minimal.emplace(ref.line, ref.role);
  if (!sel.msgs.empty()) story.message = message_line(sel.msgs.front());
  set_window(h_.events, sel);
  story.window_start_ns = sel.start_ns;
  story.window_end_ns = sel.end_ns;
  fill_timeline(story, sel);
  story.folded = g.folded.size();
  story.folded_text = folded_text(g);
  return story;
}

}  // namespace

TimeNs first_event_time(const History& history) {
  return history.events.empty() ? 0 : history.events.front().t_ns;
}

Stories build_stories(const History& history, const Report& report, TimeNs origin_ns) {
  Stories out;
  out.origin_ns = origin_ns;
  for (const AnomalyReport& a : report.anomalies) out.undescribed += a.count - a.witnesses.size();
  const std::vector<Group> groups = group_witnesses(report);
  const Teller teller(history, origin_ns);
  for (const Group& g : groups) {
    if (out.stories.size() == kStoriesMax) {
      out.omitted++;
      continue;
    }
    out.stories.push_back(teller.tell(g));
  }
  return out;
}

namespace {
CheckedStories checked_with_stories(base::Result<history::History> parsed,
                                    const CheckOptions& options);
}  // namespace

CheckedStories check_file_with_stories(const std::string& path, const CheckOptions& options) {
  return checked_with_stories(history::parse_history_file(path), options);
}

CheckedStories check_stream_with_stories(std::istream& in, const CheckOptions& options) {
  return checked_with_stories(history::parse_history(in), options);
}

namespace {
CheckedStories checked_with_stories(base::Result<history::History> parsed,
                                    const CheckOptions& options) {
  CheckedStories out;
  if (!parsed.ok()) {
    out.outcome =
        CheckOutcome{.exit_code = exit_malformed, .status = parsed.status(), .report = {}};
    return out;
  }
  Report report = check(parsed.value(), options);
  // imsim's own histories (the header names a scenario) count from 0, as its fault schedules
  // do; another system's from its first event (wall-clock ns since its epoch are unreadable).
  const history::History& h = parsed.value();
  out.stories = build_stories(h, report, h.header.scenario ? 0 : first_event_time(h));
  for (Story& story : out.stories.stories) {
    story.faults.push_back(
        "a history holds no fault schedule: the device events above (online, offline, kill, "
        "reinstall) are all it shows of the faults");
  }
  const int code = report.ok() ? exit_ok : exit_anomaly;
  out.outcome = CheckOutcome{.exit_code = code, .status = {}, .report = std::move(report)};
  return out;
}
}  // namespace

std::string format_story_time(TimeNs t_ns, TimeNs origin_ns) {
  return fmt::format("{:.3f} s", double(t_ns - origin_ns) / 1e9);
}

nlohmann::json to_json(const Stories& stories) {
  nlohmann::json list = nlohmann::json::array();
  for (const Story& s : stories.stories) {
    nlohmann::json timeline = nlohmann::json::array();
    for (const StoryLine& l : s.timeline) {
      nlohmann::json j = {{"t_s", double(l.t_ns - stories.origin_ns) / 1e9},
                          {"line", l.line},
                          {"text", l.text},
                          {"minimal", l.minimal}};
      if (l.minimal) j["role"] = l.role;
      timeline.push_back(std::move(j));
    }
    list.push_back({{"anomaly", s.anomaly},
                    {"clause", s.clause},
                    {"what", s.what},
                    {"message", s.message},
                    {"devices", s.devices},
                    {"timeline", timeline},
                    {"timeline_omitted", s.timeline_omitted},
                    {"faults", s.faults},
                    {"folded", s.folded},
                    {"folded_text", s.folded_text}});
  }
  return {{"origin_ns", stories.origin_ns},
          {"stories", list},
          {"omitted", stories.omitted},
          {"undescribed", stories.undescribed}};
}

std::string to_text(const Stories& stories, std::size_t stories_max) {
  if (stories.stories.empty()) return "";
  std::string out;
  const std::size_t shown = std::min(stories.stories.size(), stories_max);
  for (std::size_t i = 0; i < shown; ++i) {
    const Story& s = stories.stories[i];
    out += fmt::format("story {}: {} [{}]: {}\n", i + 1, s.anomaly, s.clause, s.what);
    if (!s.folded_text.empty()) out += fmt::format("  {}\n", s.folded_text);
    if (!s.message.empty()) out += fmt::format("  message: {}\n", s.message);
    out += "  what happened (seconds since the start; * = the events that make it an anomaly):\n";
    for (const StoryLine& l : s.timeline) {
      out += fmt::format("    {:>9} {} {}{}  [line {}]\n",
                         format_story_time(l.t_ns, stories.origin_ns), l.minimal ? '*' : ' ',
                         l.text, l.minimal ? fmt::format(" ({})", l.role) : "", l.line);
    }
    if (s.timeline_omitted > 0) {
      out += fmt::format(
          "    ... {} more events of these devices (results.json has the "
          "history lines)\n",
          s.timeline_omitted);
    }
    if (!s.faults.empty()) {
      out += "  faults around it:\n";
      for (const std::string& f : s.faults) out += fmt::format("    {}\n", f);
    }
  }
  const std::size_t untold = stories.stories.size() - shown + stories.omitted;
  if (untold > 0) out += fmt::format("... {} more distinct anomalies not told here\n", untold);
  if (stories.undescribed > 0) {
    out +=
        fmt::format("({} more occurrences are counted without a witness)\n", stories.undescribed);
  }
  out += fmt::format("{}\n", kGlossaryPointer);
  return out;
}

}  // namespace imsim::properties
