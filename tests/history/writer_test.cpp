// Writer: exact JSONL output, writer -> reader -> writer round trips (RapidCheck), and the
// reader never crashes on garbage.
#include "imsim/history/writer.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "imsim/history/builder.hpp"
#include "imsim/history/reader.hpp"

namespace imsim::history {
namespace {

std::string rewrite(const History& history) {
  std::ostringstream out;
  HistoryWriter writer(out);
  writer.write(history);
  return out.str();
}

TEST(Writer, WritesTheDocumentedLines) {
  std::ostringstream out;
  HistoryWriter w(out);
  w.write_header({.devices = {{"u1/d1", "u1"}},
                  .conversations = {{.name = "c1", .members = {"u1"}, .kind = ConvKind::group}},
                  .scenario = "s\"q",
                  .seed = 7});
  w.send(5, "u1/d1", "c1", "m1", {{"u1/d1", 1}});
  w.display(6, "u1/d1", "c1", "m1", DisplayAt::top, 3);
  w.phase(7, PhaseKind::liveness);
  w.timeline(8, "c1", std::vector<std::string>{"m1"});
  w.metrics(8, {{"network_frames", 12}});
  w.end(9, false);
  EXPECT_EQ(
      out.str(),
      R"({"type":"header","format":"imsim-history","version":2,"devices":{"u1/d1":"u1"},"conversations":{"c1":{"members":["u1"],"kind":"group"}},"scenario":"s\"q","seed":7})"
      "\n"
      R"({"t":5,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1}})"
      "\n"
      R"({"t":6,"type":"display","device":"u1/d1","conv":"c1","msg":"m1","at":"top","conv_seq":3})"
      "\n"
      R"({"t":7,"type":"phase","phase":"liveness"})"
      "\n"
      R"({"t":8,"type":"timeline","conv":"c1","first_conv_seq":1,"msgs":["m1"]})"
      "\n"
      R"({"t":8,"type":"x-metrics","counters":{"network_frames":12}})"
      "\n"
      R"({"t":9,"type":"end","quiesced":false})"
      "\n");
  EXPECT_EQ(w.events_written(), 6u);
  EXPECT_TRUE(parse_history(out.str()).ok());
}

TEST(Writer, EscapesStrings) {
  std::ostringstream out;
  HistoryWriter w(out);
  w.write_header(
      {.devices = {{"d\\\n\x01", "u\"1"}}, .conversations = {}, .scenario = {}, .seed = {}});
  w.end(0, true);
  auto result = parse_history(out.str());
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result.value().header.device_names[0], "d\\\n\x01");
  EXPECT_EQ(result.value().header.user_names[0], "u\"1");
}

// A random valid history. Names sort in declaration order, so the reader's (sorted) intern
// order matches and the re-written text must equal the original byte for byte.
HistoryBuilder random_history() {
  HistoryBuilder b;
  const int users = *rc::gen::inRange(1, 4);
  const int devices_per_user = *rc::gen::inRange(1, 3);
  std::vector<std::string> devices;
  std::vector<std::string> device_user;
  for (int u = 0; u < users; ++u) {
    for (int d = 0; d < devices_per_user; ++d) {
      devices.push_back("u" + std::to_string(u) + "/d" + std::to_string(d));
      device_user.push_back("u" + std::to_string(u));
      b.device(devices.back(), device_user.back());
    }
  }
  b.conversation("c0", {"u0"});
  std::vector<std::string> all_users;
  for (int u = 0; u < users; ++u) all_users.push_back("u" + std::to_string(u));
  b.conversation("c1", all_users, ConvKind::group);
  b.with_gvc(*rc::gen::arbitrary<bool>());
  std::vector<std::pair<std::string, std::string>> sent;  // (msg, sender)
  std::vector<std::string> c1_msgs;
  TimeNs t = 0;
  const int steps = *rc::gen::inRange(0, 40);
  for (int i = 0; i < steps; ++i) {
    t += *rc::gen::inRange(0, 3);
    const int pick = *rc::gen::inRange(0, 100);
    const std::size_t d = *rc::gen::inRange<std::size_t>(0, devices.size());
    const std::string& dev = devices[d];
    if (pick < 35) {
      const std::string msg = "m" + std::to_string(sent.size());
      b.send(t, dev, "c1", msg);
      sent.emplace_back(msg, dev);
      c1_msgs.push_back(msg);
    } else if (pick < 50 && !sent.empty()) {
      const auto& [msg, sender] = sent[*rc::gen::inRange<std::size_t>(0, sent.size())];
      if (pick < 45)
        b.ack(t, sender, msg, *rc::gen::inRange(0, 1000));
      else
        b.fail(t, sender, msg);
    } else if (pick < 80 && !c1_msgs.empty()) {
      const std::string& msg = c1_msgs[*rc::gen::inRange<std::size_t>(0, c1_msgs.size())];
      b.display(t, dev, "c1", msg, pick < 70 ? DisplayAt::bottom : DisplayAt::top);
    } else if (pick < 85) {
      b.online(t, dev);
    } else if (pick < 90) {
      b.offline(t, dev);
    } else if (pick < 93) {
      b.kill(t, dev);
    } else if (pick < 96) {
      b.reinstall(t, dev);
    } else {
      b.phase(t, pick < 98 ? PhaseKind::safety : PhaseKind::liveness);
    }
  }
  if (*rc::gen::arbitrary<bool>()) b.timeline(t, "c1", c1_msgs);
  b.metrics(t, {{"network_frames", 3}, {"bytes_stored", 10}});
  b.end(t, *rc::gen::arbitrary<bool>());
  return b;
}

RC_GTEST_PROP(WriterReader, RoundTripIsExact, ()) {
  const std::string text = random_history().jsonl();
  auto result = parse_history(text);
  RC_ASSERT(result.ok());
  RC_ASSERT(rewrite(result.value()) == text);
}

RC_GTEST_PROP(WriterReader, GarbageLinesNeverCrashTheReader, ()) {
  std::string text = random_history().jsonl();
  const int edits = *rc::gen::inRange(1, 6);
  for (int i = 0; i < edits; ++i) {
    const std::size_t pos = *rc::gen::inRange<std::size_t>(0, text.size() + 1);
    const int kind = *rc::gen::inRange(0, 3);
    if (kind == 0) {
      text.insert(pos, *rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
    } else if (kind == 1 && pos < text.size()) {
      text.erase(pos, *rc::gen::inRange<std::size_t>(1, 20));
    } else if (pos < text.size()) {
      text[pos] = *rc::gen::elementOf(std::string("{}[]\":,0-1\nxe\\"));
    }
  }
  auto result = parse_history(text);  // must not crash, assert or throw
  if (!result.ok()) RC_ASSERT(result.status().message().rfind("line 0:", 0) != 0u);
}

RC_GTEST_PROP(WriterReader, RandomBytesNeverCrashTheReader, (const std::string& garbage)) {
  auto result = parse_history(garbage);
  RC_ASSERT(!result.ok());
}

}  // namespace
}  // namespace imsim::history
