// The Perfetto and Lamport writers on a hand-made TraceLog.
#include "imsim/scenarios/outputs.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
using namespace imsim;

model::TraceLog sample_log() {
  model::TraceLog log;
  log.lanes = {{"u1/d1", "devices"},
               {"gateway0", "servers"},
               {"processor0", "servers"},
               {"nemesis", "nemesis"}};
  const auto frame = [](std::int64_t sent, std::int64_t at, int from, int to, const char* label) {
    return model::TraceRecord{at, sent, model::TraceKind::kFrame, from, to, label};
  };
  log.add(frame(1'000, 40'000'000, 0, 1, "send c1 <m1> & co"));
  log.add(frame(40'000'000, 40'500'000, 1, 2, "enqueue"));
  log.add({41'000'000, 40'600'000, model::TraceKind::kFrameLost, 2, 1, "ack m1"});
  log.add({50'000'000, 0, model::TraceKind::kFault, -1, -1, "partition"});
  log.add({60'000'000, 0, model::TraceKind::kFault, 2, -1, "crash"});
  log.add({70'000'000, 0, model::TraceKind::kObservation, 0, -1, "display c1#1"});
  log.add({80'000'000, 0, model::TraceKind::kLifecycle, 0, -1, "offline"});
  return log;
}

TEST(Perfetto, ValidTraceEventJson) {
  std::ostringstream out;
  scenarios::write_perfetto_trace(sample_log(), out);
  const json trace = json::parse(out.str());  // throws if not valid JSON
  ASSERT_TRUE(trace["traceEvents"].is_array());
  std::map<std::string, int> phases;
  std::set<std::string> thread_names;
  for (const json& e : trace["traceEvents"]) {
    phases[e["ph"].get<std::string>()]++;
    if (e["name"] == "thread_name") thread_names.insert(e["args"]["name"].get<std::string>());
  }
  EXPECT_EQ(thread_names, (std::set<std::string>{"u1/d1", "gateway0", "processor0", "nemesis"}));
  EXPECT_EQ(phases["X"], 5);  // 2 frames x 2 slices + 1 lost
  EXPECT_EQ(phases["s"], 2);
  EXPECT_EQ(phases["f"], 2);
  EXPECT_EQ(phases["i"], 4);  // global fault, lane fault, observation, lifecycle
  EXPECT_EQ(trace.dump().find("trace truncated"), std::string::npos);
}

TEST(Perfetto, TruncationIsSaid) {
  std::ostringstream out;
  scenarios::write_perfetto_trace(sample_log(), out, 2);
  const json trace = json::parse(out.str());
  bool said = false;
  for (const json& e : trace["traceEvents"]) {
    if (e["name"] == "trace truncated") {
      said = true;
      EXPECT_EQ(e["args"]["records_not_shown"], 5);
    }
  }
  EXPECT_TRUE(said);
}

// Checks that `xml` is well-formed enough for a browser: tags balance, attributes are quoted,
// and text holds no raw '<' or stray '&'.
::testing::AssertionResult well_formed(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const std::size_t semi = xml.find(';', i);
      if (semi == std::string::npos || semi - i > 8) {
        return ::testing::AssertionFailure() << "stray & at " << i;
      }
      i = semi + 1;
      continue;
    }
    if (xml[i] != '<') {
      i++;
      continue;
    }
    const std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "unclosed tag at " << i;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos)
      return ::testing::AssertionFailure() << "< in tag " << tag;
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) {
      return ::testing::AssertionFailure() << "unbalanced quotes in " << tag;
    }
    i = end + 1;
    if (tag.starts_with("?")) continue;
    const bool closing = tag.starts_with("/");
    const bool self_closing = tag.ends_with("/");
    const std::string name =
        tag.substr(closing ? 1 : 0, tag.find_first_of(" /", closing ? 1 : 0) - (closing ? 1 : 0));
    if (self_closing) continue;
    if (!closing) {
      open.push_back(name);
    } else if (open.empty() || open.back() != name) {
      return ::testing::AssertionFailure()
             << "</" << name << "> closes " << (open.empty() ? "nothing" : open.back());
    } else {
      open.pop_back();
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> never closed";
  return ::testing::AssertionSuccess();
}

TEST(Lamport, WellFormedSvgWithEveryKindOfMark) {
  const std::string svg = scenarios::lamport_svg(sample_log());
  EXPECT_TRUE(well_formed(svg));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("send c1 &lt;m1&gt; &amp; co"), std::string::npos);  // escaped label
  EXPECT_NE(svg.find("class=\"lost\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"globalfault\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"faultmark\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"obs\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"life\""), std::string::npos);
  EXPECT_NE(svg.find("Records 0..6 of 7"), std::string::npos);
  EXPECT_NE(svg.find("1 lanes without records here not drawn."), std::string::npos);  // nemesis
  EXPECT_EQ(svg.find("records not drawn"), std::string::npos);
}

TEST(Lamport, WindowSaysWhatWasCut) {
  model::TraceLog log = sample_log();
  log.records_dropped = 3;
  const std::string svg = scenarios::lamport_svg(log, {.start_ns = 40'500'000, .records_max = 2});
  EXPECT_TRUE(well_formed(svg));
  EXPECT_NE(svg.find("Records 1..2 of 7"), std::string::npos) << svg;
  EXPECT_NE(svg.find("1 earlier records not drawn."), std::string::npos);
  EXPECT_NE(svg.find("4 later records not drawn (limit: 2 records)."), std::string::npos);
  EXPECT_NE(svg.find("3 records were never kept"), std::string::npos);
}

TEST(Lamport, LaneLimit) {
  model::TraceLog log;
  log.lanes.push_back({"gateway0", "servers"});
  for (int i = 0; i < 100; i++) {
    log.lanes.push_back({"u" + std::to_string(i + 1) + "/d1", "devices"});
    log.add({std::int64_t(i) * 1000, 0, model::TraceKind::kObservation, i + 1, -1, "display"});
  }
  log.add({200'000, 100'000, model::TraceKind::kFrame, 0, 100, "push"});  // to a hidden lane
  const std::string svg = scenarios::lamport_svg(log);
  EXPECT_TRUE(well_formed(svg));
  // gateway0 + u1..u39 shown; u40..u100 hidden with their 61 displays and the push to u100.
  EXPECT_NE(svg.find("61 more lanes not drawn (limit: 40 lanes), with 62 records."),
            std::string::npos);
  EXPECT_NE(svg.find(">u39/d1<"), std::string::npos);
  EXPECT_EQ(svg.find(">u40/d1<"), std::string::npos);
}

TEST(Lamport, EmptyLog) {
  const std::string svg = scenarios::lamport_svg(model::TraceLog{});
  EXPECT_TRUE(well_formed(svg));
  EXPECT_NE(svg.find("No record in the window (0 records in the log)."), std::string::npos);
}

}  // namespace
