// The Perfetto and Lamport writers on a hand-made TraceLog; the plots (latency, rates) on a
// hand-made history.
#include "imsim/scenarios/outputs.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "imsim/history/reader.hpp"
#include "imsim/scenarios/plots.hpp"

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
    return model::TraceLogRecord{at, sent, model::TraceLogKind::kFrame, from, to, label};
  };
  log.add(frame(1'000, 40'000'000, 0, 1, "send c1 <m1> & co"));
  log.add(frame(40'000'000, 40'500'000, 1, 2, "enqueue"));
  log.add({41'000'000, 40'600'000, model::TraceLogKind::kFrameLost, 2, 1, "ack m1"});
  log.add({50'000'000, 0, model::TraceLogKind::kFault, -1, -1, "partition"});
  log.add({60'000'000, 0, model::TraceLogKind::kFault, 2, -1, "crash"});
  log.add({70'000'000, 0, model::TraceLogKind::kObservation, 0, -1, "display c1#1"});
  log.add({80'000'000, 0, model::TraceLogKind::kLifecycle, 0, -1, "offline"});
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
    log.add({std::int64_t(i) * 1000, 0, model::TraceLogKind::kObservation, i + 1, -1, "display"});
  }
  log.add({200'000, 100'000, model::TraceLogKind::kFrame, 0, 100, "push"});  // to a hidden lane
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

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

TEST(Lamport, OverlappingLabelsAreLeftOutAndCounted) {
  model::TraceLog log;
  log.lanes = {{"u1/d1", "devices"}, {"gateway0", "servers"}};
  // Five observations at one instant on one lane: their labels would stand on one another.
  for (int i = 0; i < 5; i++) {
    log.add({1'000, 0, model::TraceLogKind::kObservation, 0, -1, "display m" + std::to_string(i)});
  }
  const std::string svg = scenarios::lamport_svg(log);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_EQ(occurrences(svg, "class=\"obslabel\">display m"), 1u) << svg;
  EXPECT_EQ(occurrences(svg, "<title>display m"), 5u);  // every mark keeps its label
  EXPECT_NE(svg.find("4 overlapping labels left out (hover a mark)."), std::string::npos);
  EXPECT_NE(svg.find("display^ m: older m inserted at the top"), std::string::npos);  // legend
}

TEST(Lamport, HighlightsTheAnomalousMessage) {
  model::TraceLog log = sample_log();
  log.add({90'000'000, 0, model::TraceLogKind::kObservation, 0, -1, "display u1/d1.i0.m1"});
  log.add({91'000'000, 0, model::TraceLogKind::kObservation, 0, -1, "display u1/d1.i0.m11"});
  const scenarios::LamportHighlight highlight{.anomaly = "duplicated",
                                              .msg = "u1/d1.i0.m1",
                                              .lanes = {"u1/d1"},
                                              .from_ns = 0,
                                              .to_ns = 95'000'000};
  const std::string svg = scenarios::lamport_svg(log, {.highlight = highlight});
  EXPECT_TRUE(well_formed(svg));
  EXPECT_EQ(occurrences(svg, "class=\"lane hl\""), 1u);
  EXPECT_EQ(occurrences(svg, "class=\"frame hl\""), 2u);   // u1/d1's frame + the legend's
  EXPECT_EQ(occurrences(svg, "class=\"frame\""), 2u);      // gateway0 -> processor0 + legend
  EXPECT_EQ(occurrences(svg, "class=\"obs hlobs\""), 1u);  // m1, not m11
  EXPECT_NE(svg.find("anomaly duplicated: message u1/d1.i0.m1"), std::string::npos);
  const std::string plain = scenarios::lamport_svg(log);
  EXPECT_EQ(plain.find(" hl"), std::string::npos);
}

TEST(Plots, FaultWindowsEndAtTheirUndo) {
  using model::FaultKind;
  const std::int64_t s = 1'000'000'000;
  const auto fault = [](std::int64_t at_ns, FaultKind kind, std::string node = "") {
    model::Fault f;
    f.at_ns = at_ns;
    f.kind = kind;
    f.node = std::move(node);
    return f;
  };
  model::Fault partition = fault(1 * s, FaultKind::kPartition);
  partition.groups = {{"gateway0"}, {"queue0"}};
  model::Fault clog = fault(6 * s, FaultKind::kClog);
  clog.from = "u1/d1";
  clog.to = "gateway0";
  clog.for_ns = s;
  const std::vector<model::Fault> schedule = {
      partition,
      fault(2 * s, FaultKind::kHeal),
      fault(3 * s, FaultKind::kCrash, "processor0"),
      fault(3 * s + s / 2, FaultKind::kCrash, "processor1"),
      fault(4 * s, FaultKind::kRestart, "processor0"),
      fault(5 * s, FaultKind::kKill, "u1/d1"),
      clog,
      fault(6 * s + s / 2, FaultKind::kHeal),
      fault(7 * s, FaultKind::kOffline, "u2/d1"),
  };
  const std::vector<scenarios::FaultWindow> w = scenarios::fault_windows(schedule, 10 * s);
  ASSERT_EQ(w.size(), 6u);
  const auto span = [](const scenarios::FaultWindow& f) {
    return std::tuple(f.label, f.start_ns, f.end_ns);
  };
  EXPECT_EQ(span(w[0]), std::tuple("partition [gateway0 | queue0]", 1 * s, 2 * s));
  EXPECT_EQ(span(w[1]), std::tuple("crash processor0", 3 * s, 4 * s));
  EXPECT_EQ(span(w[2]), std::tuple("crash processor1", 3 * s + s / 2, 10 * s));
  EXPECT_EQ(span(w[3]), std::tuple("kill u1/d1", 5 * s, 5 * s));
  EXPECT_EQ(span(w[4]), std::tuple("clog u1/d1->gateway0", 6 * s, 6 * s + s / 2));
  EXPECT_EQ(span(w[5]), std::tuple("offline u2/d1", 7 * s, 10 * s));
}

// Two devices online throughout: m1 reaches both (stable latency 500 ms), m2 only one.
history::History plot_history() {
  const std::string text =
      R"({"type":"header","format":"imsim-history","version":2,"devices":{"u1/d1":"u1","u2/d1":"u2"},)"
      R"("conversations":{"c1":{"members":["u1","u2"]}},"scenario":"demo","seed":7})"
      "\n"
      R"({"t":0,"type":"online","device":"u1/d1"})"
      "\n"
      R"({"t":0,"type":"online","device":"u2/d1"})"
      "\n"
      R"({"t":1000000000,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1}})"
      "\n"
      R"({"t":1200000000,"type":"display","device":"u1/d1","conv":"c1","msg":"m1","at":"bottom"})"
      "\n"
      R"({"t":1300000000,"type":"ack","device":"u1/d1","msg":"m1","conv_seq":1})"
      "\n"
      R"({"t":1500000000,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"bottom"})"
      "\n"
      R"({"t":2000000000,"type":"send","device":"u1/d1","conv":"c1","msg":"m2","vc":{"u1/d1":2}})"
      "\n"
      R"({"t":2100000000,"type":"display","device":"u2/d1","conv":"c1","msg":"m2","at":"bottom"})"
      "\n"
      R"({"t":5000000000,"type":"phase","phase":"liveness"})"
      "\n"
      R"({"t":6000000000,"type":"end","quiesced":true})"
      "\n";
  auto parsed = history::parse_history(std::string_view(text));
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return std::move(parsed).value();
}

TEST(Plots, LatencyAndRatesDrawEverySampleAndFault) {
  const history::History h = plot_history();
  model::TraceLog log = sample_log();
  const scenarios::RunPlotInput input{
      .scenario = "demo",
      .seed = 7,
      .history = &h,
      .trace = &log,
      .faults = {{"crash", "crash processor0", 1'000'000'000, 2'000'000'000},
                 {"kill", "kill u1/d1", 3'000'000'000, 3'000'000'000}},
      .safety_ns = 5'000'000'000,
      .end_ns = 6'000'000'000};
  const std::string latency = scenarios::latency_svg(input);
  EXPECT_TRUE(well_formed(latency));
  EXPECT_NE(latency.find("stable latency: demo, seed 7"), std::string::npos);
  EXPECT_NE(latency.find("data-name=\"stable latency\" data-points=\"1\""), std::string::npos);
  EXPECT_NE(latency.find("1 of 2 messages were displayed on every required device"),
            std::string::npos);
  EXPECT_EQ(occurrences(latency, "class=\"band\""), 2u);  // the time panel only
  EXPECT_NE(latency.find(">crash (1)<"), std::string::npos);
  EXPECT_NE(latency.find(">500<"), std::string::npos);  // a tick at the sample: 500 ms
  const std::string rates = scenarios::rates_svg(input);
  EXPECT_TRUE(well_formed(rates));
  EXPECT_EQ(occurrences(rates, "class=\"band\""), 4u);  // both panels
  EXPECT_NE(rates.find("2 sends, 1 acks, 3 displays"), std::string::npos);
  EXPECT_NE(rates.find("3 frames (by send time"), std::string::npos);
  EXPECT_EQ(occurrences(rates, "class=\"series\""), 4u);
}

}  // namespace
