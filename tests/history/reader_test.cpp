// Reader and validator: a valid file parses to the expected events; a table of malformed
// files, each rejected with the expected line and reason.
#include "imsim/history/reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace imsim::history {
namespace {

const std::string header =
    R"({"type":"header","format":"imsim-history","version":1,)"
    R"("devices":{"u1/d1":"u1","u1/d2":"u1","u2/d1":"u2","u3/d1":"u3"},)"
    R"("conversations":{"c1":{"members":["u1","u2"],"kind":"direct"},"c2":{"members":["u1","u3"]}},)"
    R"("scenario":"demo","seed":42})"
    "\n";

std::string lines(std::initializer_list<std::string> body) {
  std::string text = header;
  for (const std::string& line : body) text += line + "\n";
  return text;
}

const std::string send1 =
    R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1}})";
const std::string end1 = R"({"t":9,"type":"end","quiesced":true})";

TEST(Reader, ParsesAValidHistory) {
  const std::string text = lines({
      R"({"t":0,"type":"online","device":"u1/d1"})",
      send1,
      R"({"t":2,"type":"ack","device":"u1/d1","msg":"m1","conv_seq":1,"extra":[1,{"a":2}]})",
      R"({"t":3,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"bottom","conv_seq":1})",
      R"({"t":3,"type":"x-note","text":"hello"})",
      R"({"t":4,"type":"send","device":"u2/d1","conv":"c1","msg":"m2","vc":{"u1/d1":1,"u2/d1":1},"gvc":{"u2/d1":1}})",
      R"({"t":5,"type":"phase","phase":"liveness"})",
      R"({"t":6,"type":"timeline","conv":"c1","msgs":["m1","m2"]})",
      end1,
      R"({"t":9,"type":"x-metrics","counters":{"network_frames":10}})",
  });
  auto result = parse_history(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const History& h = result.value();
  EXPECT_EQ(h.device_count(), 4u);
  EXPECT_EQ(h.conv_count(), 2u);
  EXPECT_EQ(h.msg_count(), 2u);
  EXPECT_EQ(h.header.scenario, "demo");
  EXPECT_EQ(h.header.seed, 42u);
  ASSERT_EQ(h.events.size(), 10u);
  EXPECT_EQ(h.events[1].line, 3u);
  const auto& send = std::get<Send>(h.events[1].body);
  EXPECT_EQ(h.name(send.msg), "m1");
  EXPECT_EQ(h.name(send.device), "u1/d1");
  EXPECT_EQ(clock_at(send.vc, send.device), 1u);
  const auto& ext = std::get<Extension>(h.events[4].body);
  EXPECT_EQ(ext.type, "x-note");
  EXPECT_EQ(event_type_name(h.events[4]), "x-note");
  const auto& send2 = std::get<Send>(h.events[5].body);
  ASSERT_TRUE(send2.gvc.has_value());
  EXPECT_EQ(send2.vc.size(), 2u);
  EXPECT_EQ(std::get<Timeline>(h.events[7].body).msgs.size(), 2u);
}

TEST(Reader, SendMayFollowOtherEventsAboutItsMessage) {
  auto result = parse_history(lines({
      R"({"t":1,"type":"ack","device":"u1/d1","msg":"m1","conv_seq":1})",
      R"({"t":1,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"top"})",
      send1,
      end1,
  }));
  ASSERT_TRUE(result.ok()) << result.status().message();
}

struct Malformed {
  const char* name;
  std::string text;
  std::uint64_t line;
  const char* reason;  // a substring of the error message
};

std::vector<Malformed> malformed_table() {
  const std::string h = header;
  return {
      {"empty file", "", 1, "empty file"},
      {"not json", h + "{nope\n" + end1 + "\n", 2, "not valid JSON"},
      {"not an object", h + "[1,2]\n", 2, "one JSON object"},
      {"two objects on a line", h + end1 + " {}\n", 2, "not valid JSON"},
      {"empty line", h + "\n" + end1 + "\n", 2, "empty line"},
      {"no header", end1 + "\n", 1, "line 1 must be the header"},
      {"wrong format",
       R"({"type":"header","format":"other","version":1,"devices":{},"conversations":{}})"
       "\n",
       1, "format must be"},
      {"wrong version",
       R"({"type":"header","format":"imsim-history","version":3,"devices":{},"conversations":{}})"
       "\n",
       1, "unsupported version 3"},
      {"header devices missing",
       R"({"type":"header","format":"imsim-history","version":1,"conversations":{}})"
       "\n",
       1, "missing field `devices`"},
      {"header member twice",
       R"({"type":"header","format":"imsim-history","version":1,"devices":{},"conversations":{"c":{"members":["a","a"]}}})"
       "\n",
       1, "listed twice"},
      {"header bad kind",
       R"({"type":"header","format":"imsim-history","version":1,"devices":{},"conversations":{"c":{"members":[],"kind":"huge"}}})"
       "\n",
       1, "not direct, group or large"},
      {"duplicate key in header",
       R"({"type":"header","format":"imsim-history","version":1,"version":1,"devices":{},"conversations":{}})"
       "\n",
       1, "duplicate key \"version\""},
      {"second header", lines({header.substr(0, header.size() - 1), end1}), 2,
       "only line 1 may be the header"},
      {"missing t", lines({R"({"type":"end","quiesced":true})"}), 2, "missing field `t`"},
      {"float t", lines({R"({"t":1.5,"type":"end","quiesced":true})"}), 2,
       "`t` must be an integer"},
      {"negative t", lines({R"({"t":-1,"type":"end","quiesced":true})"}), 2, "`t` must be >= 0"},
      {"decreasing t",
       lines({R"({"t":5,"type":"online","device":"u1/d1"})",
              R"({"t":4,"type":"end","quiesced":true})"}),
       3, "`t` decreases"},
      {"missing type", lines({R"({"t":1})"}), 2, "missing field `type`"},
      {"unknown type", lines({R"({"t":1,"type":"hello"})"}), 2, "unknown event type \"hello\""},
      {"duplicate key in event",
       lines({R"({"t":1,"type":"online","device":"u1/d1","device":"u2/d1"})"}), 2,
       "duplicate key \"device\""},
      {"duplicate key in vc",
       lines(
           {R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1,"u1/d1":1}})"}),
       2, "duplicate key \"u1/d1\""},
      {"unknown device", lines({R"({"t":1,"type":"online","device":"u9/d1"})"}), 2,
       "unknown device \"u9/d1\""},
      {"unknown conversation",
       lines({R"({"t":1,"type":"send","device":"u1/d1","conv":"c9","msg":"m1","vc":{"u1/d1":1}})"}),
       2, "unknown conversation \"c9\""},
      {"send by non-member",
       lines({R"({"t":1,"type":"send","device":"u3/d1","conv":"c1","msg":"m1","vc":{"u3/d1":1}})"}),
       2, "is not a member of conversation \"c1\""},
      {"display by non-member",
       lines({send1,
              R"({"t":2,"type":"display","device":"u3/d1","conv":"c1","msg":"m1","at":"bottom"})"}),
       3, "is not a member"},
      {"display in the wrong conv",
       lines({send1,
              R"({"t":2,"type":"display","device":"u1/d1","conv":"c2","msg":"m1","at":"bottom"})"}),
       3, "but it was sent into \"c1\""},
      {"display before a send into another conv",
       lines({R"({"t":1,"type":"display","device":"u1/d1","conv":"c2","msg":"m1","at":"bottom"})",
              send1, end1}),
       2, "but it was sent into \"c1\""},
      {"bad at",
       lines({send1,
              R"({"t":2,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"middle"})"}),
       3, "`at` must be"},
      {"second send",
       lines({send1,
              R"({"t":2,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":2}})"}),
       3, "second send"},
      {"never sent",
       lines({R"({"t":1,"type":"ack","device":"u1/d1","msg":"m7","conv_seq":1})", end1}), 2,
       "\"m7\" has no send"},
      {"ack from another device",
       lines({send1, R"({"t":2,"type":"ack","device":"u1/d2","msg":"m1","conv_seq":1})"}), 3,
       "but it was sent by \"u1/d1\""},
      {"fail from another device (send later)",
       lines({R"({"t":1,"type":"fail","device":"u2/d1","msg":"m1"})", send1, end1}), 2,
       "fail of \"m1\" from \"u2/d1\""},
      {"ack without conv_seq",
       lines({send1, R"({"t":2,"type":"ack","device":"u1/d1","msg":"m1"})"}), 3,
       "missing field `conv_seq`"},
      {"negative conv_seq",
       lines({send1, R"({"t":2,"type":"ack","device":"u1/d1","msg":"m1","conv_seq":-3})"}), 3,
       "`conv_seq` must be >= 0"},
      {"vc own entry missing",
       lines({R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{}})"}), 2,
       "`vc[u1/d1]` is 0, expected 1"},
      {"vc own entry wrong",
       lines({send1,
              R"({"t":2,"type":"send","device":"u1/d1","conv":"c1","msg":"m2","vc":{"u1/d1":3}})"}),
       3, "`vc[u1/d1]` is 3, expected 2"},
      {"vc counts per conversation",
       lines({send1,
              R"({"t":2,"type":"send","device":"u1/d1","conv":"c2","msg":"m2","vc":{"u1/d1":2}})"}),
       3, "expected 1"},
      {"gvc counts over all conversations",
       lines(
           {R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1},"gvc":{"u1/d1":1}})",
            R"({"t":2,"type":"send","device":"u1/d1","conv":"c2","msg":"m2","vc":{"u1/d1":1},"gvc":{"u1/d1":1}})"}),
       3, "`gvc[u1/d1]` is 1, expected 2"},
      {"vc names unknown device",
       lines(
           {R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1,"zz":1}})"}),
       2, "names unknown device \"zz\""},
      {"vc not an object",
       lines({R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":[1]})"}), 2,
       "`vc` must be an object"},
      {"vc negative",
       lines(
           {R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1,"u2/d1":-1}})"}),
       2, "must be >= 0"},
      {"bad phase", lines({R"({"t":1,"type":"phase","phase":"chaos"})"}), 2, "phase must be"},
      {"quiesced not bool", lines({R"({"t":1,"type":"end","quiesced":"yes"})"}), 2,
       "`quiesced` must be true or false"},
      {"no end", lines({send1}), 2, "no `end` event"},
      {"two ends", lines({end1, end1}), 3, "second `end`"},
      {"send after end", lines({end1, R"({"t":10,"type":"online","device":"u1/d1"})"}), 3,
       "after the first timeline or end"},
      {"send after timeline",
       lines({send1, R"({"t":5,"type":"timeline","conv":"c1","msgs":["m1"]})",
              R"({"t":6,"type":"offline","device":"u1/d1"})"}),
       4, "after the first timeline or end"},
      {"two timelines of one conv",
       lines({send1, R"({"t":5,"type":"timeline","conv":"c1","msgs":["m1"]})",
              R"({"t":5,"type":"timeline","conv":"c1","msgs":[]})"}),
       4, "second timeline"},
      {"timeline lists another conv's msg",
       lines({send1, R"({"t":5,"type":"timeline","conv":"c2","msgs":["m1"]})", end1}), 3,
       "which was sent into \"c1\""},
      {"timeline lists an unsent msg",
       lines({send1, R"({"t":5,"type":"timeline","conv":"c1","msgs":["m1","m9"]})", end1}), 3,
       "\"m9\" has no send"},
      {"timeline msgs not strings", lines({R"({"t":5,"type":"timeline","conv":"c1","msgs":[1]})"}),
       2, "`msgs` must be an array"},
      {"field of wrong type", lines({R"({"t":1,"type":"online","device":7})"}), 2,
       "field `device` must be a string"},
      {"invalid utf-8", h + "{\"t\":1,\"type\":\"x-a\",\"s\":\"\xff\"}\n", 2, "not valid JSON"},
      {"deep nesting",
       lines({R"({"t":1,"type":"x-deep","v":)" + std::string(200, '[') + std::string(200, ']') +
              "}"}),
       2, "nested too deeply"},
      // Issue 17: nlohmann takes a NUL as the end of input, so `{...}\0garbage` was accepted.
      {"NUL and garbage after the object", h + end1 + std::string(1, '\0') + "garbage\n", 2,
       "a NUL byte at line 1, column 37"},
      {"NUL and garbage after the header",
       header.substr(0, header.size() - 1) + std::string(1, '\0') + "{\"x\":1}\n" + end1 + "\n", 1,
       "a NUL byte"},
      {"number beyond a double", lines({R"({"t":1,"type":"x-a","v":1e400})", end1}), 2,
       "number overflow parsing '1e400'"},
  };
}

TEST(Reader, RejectsEveryMalformedFileNamingLineAndReason) {
  for (const Malformed& m : malformed_table()) {
    auto result = parse_history(m.text);
    ASSERT_FALSE(result.ok()) << m.name;
    EXPECT_EQ(result.status().code(), imsim::base::StatusCode::invalid_input) << m.name;
    const std::string at = "line " + std::to_string(m.line) + ": ";
    EXPECT_EQ(result.status().message().rfind(at, 0), 0u)
        << m.name << ": " << result.status().message();
    EXPECT_NE(result.status().message().find(m.reason, at.size()), std::string::npos)
        << m.name << ": got \"" << result.status().message() << "\", want \"" << m.reason << "\"";
  }
}

TEST(Reader, ErrorTextNamesTheLine) {
  auto result = parse_history(lines({R"({"t":1,"type":"hello"})"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "line 2: unknown event type \"hello\" (extensions must start with x-)");
}

TEST(Reader, MissingFileIsAnError) {
  auto result = parse_history_file("/nonexistent/history.jsonl");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), imsim::base::StatusCode::io_error);
  EXPECT_EQ(result.status().message(), "line 0: cannot open /nonexistent/history.jsonl");
}

TEST(Reader, ToleratesCrLfLineEndings) {
  std::string text = header.substr(0, header.size() - 1) + "\r\n" + end1 + "\r\n";
  EXPECT_TRUE(parse_history(text).ok());
}

}  // namespace
}  // namespace imsim::history

namespace imsim::history {
namespace {

// Issue 17: the header's duplicate-member check was quadratic (14.6 s for a 400k-member group).
// A 200k-member group must read in well under a second even in a sanitizer build.
TEST(Reader, AHugeGroupHeaderReadsInLinearTime) {
  constexpr int kMembers = 200'000;
  std::string members;
  members.reserve(kMembers * 10);
  for (int i = 0; i < kMembers; i++) {
    members += (i == 0 ? "\"u" : ",\"u") + std::to_string(i) + "\"";
  }
  const std::string head = R"({"type":"header","format":"imsim-history","version":1,)"
                           R"("devices":{"d":"u0"},"conversations":{"big":{"members":[)";
  const std::string end = "\n" + std::string(R"({"t":1,"type":"end","quiesced":true})") + "\n";
  const auto started = std::chrono::steady_clock::now();
  auto ok = parse_history(head + members + "]}}}" + end);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok.value().header.conversations[0].members.size(), std::size_t(kMembers));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  // The last member repeats the first: still found.
  auto twice = parse_history(head + members + ",\"u0\"]}}}" + end);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "line 1: header: user \"u0\" listed twice in \"big\"");
}

}  // namespace
}  // namespace imsim::history
