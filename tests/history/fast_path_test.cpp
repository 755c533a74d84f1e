// The fast line reader (FlatLine) and the strict DOM path must read every file to the same
// History or the same error. FlatLine accepts the lines writers produce and gives up on
// everything outside its subset; the differential tests compare both paths on corner cases
// and on thousands of mutated files.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "flat_line.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/history/synthetic.hpp"

namespace imsim::history {
namespace {

using detail::FlatLine;
using detail::FlatValue;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(FlatLine, ReadsEveryEventLineTheWriterProduces) {
  const std::vector<std::string> lines = split_lines(synthetic_history(3000));
  ASSERT_GT(lines.size(), 2900u);
  FlatLine flat;
  for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_TRUE(flat.parse(lines[i])) << lines[i];
}

TEST(FlatLine, ReadsValuesAndSortsObjectKeys) {
  FlatLine flat;
  ASSERT_TRUE(flat.parse(
      R"( { "t" : 0 ,"type":"send","vc":{"b":2,"a":18446744073709551615},"m":["x","y"],"q":false} )"));
  ASSERT_EQ(flat.root().size(), 5u);
  EXPECT_EQ(flat.root()[0].key, "t");
  EXPECT_EQ(flat.root()[0].value.kind, FlatValue::Kind::number);
  EXPECT_EQ(flat.root()[0].value.number, 0u);
  EXPECT_EQ(flat.root()[1].value.string, "send");
  const auto vc = flat.children(flat.root()[2].value);
  ASSERT_EQ(vc.size(), 2u);
  EXPECT_EQ(vc[0].key, "a");
  EXPECT_EQ(vc[0].value.number, UINT64_MAX);
  EXPECT_EQ(vc[1].key, "b");
  const auto msgs = flat.children(flat.root()[3].value);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].value.string, "y");
  EXPECT_EQ(flat.root()[4].value.kind, FlatValue::Kind::boolean);
  EXPECT_FALSE(flat.root()[4].value.boolean);
  EXPECT_TRUE(flat.parse("{}"));
  EXPECT_TRUE(flat.parse(R"({"a":[],"b":{}})"));
}

TEST(FlatLine, GivesUpOutsideItsSubset) {
  const std::vector<std::string> outside = {
      R"({"a":"\u0041"})",
      R"({"a":"\/"})",
      "{\"a\":\"\xc3\xa9\"}",
      R"({"a":-1})",
      R"({"a":1.0})",
      R"({"a":1e3})",
      R"({"a":null})",
      R"({"a":01})",
      R"({"a":18446744073709551616})",
      R"({"a":1,"a":2})",
      R"({"v":{"x":1,"x":1}})",
      R"({"v":{"x":{"y":1}}})",
      R"({"v":[[1]]})",
      R"({"a":1} x)",
      R"({"a":1,})",
      R"({"a" 1})",
      std::string("{\"a\":\"x\0y\"}", 11),
      "{\"a\":\"x\ty\"}",
      R"({"a":"x)",
      R"([1])",
      R"("a")",
      R"({"a":tru})",
      R"({"a":1}})",
      R"({"v":[1,]})",
      R"({"v":{"x":1,}})",
      R"({"a":1 "b":2})",
      "",
      R"({'a':1})",
  };
  FlatLine flat;
  for (const std::string& line : outside) EXPECT_FALSE(flat.parse(line)) << line;
  std::string wide = "{";
  for (std::size_t i = 0; i <= FlatLine::root_members_max; ++i)
    wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  EXPECT_FALSE(flat.parse(wide + "}"));
}

// Both paths: the same History, or the same line and message.
void expect_same(const std::string& text) {
  const auto fast = parse_history(text, LineReading::fast);
  const auto strict = parse_history(text, LineReading::strict_only);
  ASSERT_EQ(fast.ok(), strict.ok())
      << (fast.ok() ? strict.status() : fast.status()).message() << "\n"
      << text;
  if (fast.ok()) {
    EXPECT_TRUE(fast.value() == strict.value()) << text;
  } else {
    EXPECT_EQ(fast.status(), strict.status()) << fast.status().message() << "\n" << text;
  }
}

const std::string header =
    R"({"type":"header","format":"imsim-history","version":2,)"
    R"("devices":{"u1/d1":"u1","u1/d2":"u1","u2/d1":"u2","u3/d1":"u3"},)"
    R"("conversations":{"c1":{"members":["u1","u2"],"kind":"direct"},"c2":{"members":["u1","u3"]}}})";

const std::vector<std::string> body = {
    R"({"t":0,"type":"online","device":"u1/d1"})",
    R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1},"gvc":{"u1/d1":1}})",
    R"({"t":2,"type":"ack","device":"u1/d1","msg":"m1","conv_seq":1,"extra":[1,{"a":2}]})",
    R"({"t":3,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"bottom","conv_seq":1})",
    R"({"t":3,"type":"x-note","text":"hello","n":{"a":[1,2]}})",
    R"({"t":4,"type":"send","device":"u2/d1","conv":"c1","msg":"m2","vc":{"u2/d1":1,"u1/d1":1}})",
    R"({"t":4,"type":"display","device":"u1/d2","conv":"c1","msg":"m2","at":"top"})",
    R"({"t":4,"type":"top_reached","device":"u1/d2","conv":"c1"})",
    R"({"t":5,"type":"fail","device":"u2/d1","msg":"m2"})",
    R"({"t":5,"type":"kill","device":"u3/d1"})",
    R"({"t":5,"type":"reinstall","device":"u3/d1"})",
    R"({"t":5,"type":"offline","device":"u1/d2"})",
    R"({"t":5,"type":"phase","phase":"liveness"})",
    R"({"t":6,"type":"timeline","conv":"c1","first_conv_seq":1,"msgs":["m1","m2"]})",
    R"({"t":9,"type":"end","quiesced":true})",
    R"({"t":9,"type":"x-metrics","counters":{"network_frames":10,"b":1}})",
};

std::string join(const std::vector<std::string>& lines) {
  std::string text = header + "\n";
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(FastPath, SameResultOnCornerCases) {
  expect_same(join(body));
  ASSERT_TRUE(parse_history(join(body)).ok()) << parse_history(join(body)).status().message();
  // Each replaces one line of `body`: outside the fast subset, or breaking a rule.
  const std::vector<std::pair<std::size_t, std::string>> variants = {
      {0, R"({"t":0,"type":"online","device":"u1\/d1"})"},
      {0, R"({"t":0,"type":"online","device":"u9/d1"})"},
      {0, R"({"t":0.0,"type":"online","device":"u1/d1"})"},
      {0, R"({"t":-1,"type":"online","device":"u1/d1"})"},
      {0, R"({"t":99999999999999999999,"type":"online","device":"u1/d1"})"},
      {0, R"({"t":9223372036854775808,"type":"online","device":"u1/d1"})"},
      {0, R"({"t":0,"type":"online","device":"u1/d1","device":"u1/d1"})"},
      {0, R"({"t":0,"type":"online","device":null})"},
      {0, R"({"t":0,"type":"online","device":"u1/d1","x":"\u00e9"})"},
      {0, R"({"t":0,"type":"online"})"},
      {0, R"({"t":0,"type":"onl\u0069ne","device":"u1/d1"})"},
      {0, R"({"t":0,"type":"header","device":"u1/d1"})"},
      {0, R"({"t":0,"type":"x","device":"u1/d1"})"},
      {0, R"({"t":0,"type":7,"device":"u1/d1"})"},
      {0, R"([{"t":0,"type":"online","device":"u1/d1"}])"},
      {1,
       R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1,"u1/d1":1}})"},
      {1, R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":2}})"},
      {1, R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"zz":1,"aa":1}})"},
      {1,
       R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":-1,"u2/d1":1.5}})"},
      {1, R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":[1]})"},
      {1,
       R"({"t":1,"type":"send","device":"u1/d1","conv":"c1","msg":"m1","vc":{"u1/d1":1},"gvc":{"u1/d1":3}})"},
      {1, R"({"t":1,"type":"send","device":"u3/d1","conv":"c1","msg":"m1","vc":{"u3/d1":1}})"},
      {2, R"({"t":2,"type":"ack","device":"u1/d1","msg":"m1","conv_seq":true})"},
      {2, R"({"t":2,"type":"ack","device":"u2/d1","msg":"m1","conv_seq":1})"},
      {3, R"({"t":3,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"middle"})"},
      {3, R"({"t":3,"type":"display","device":"u2/d1","conv":"c2","msg":"m1","at":"top"})"},
      {3,
       R"({"t":3,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"top","conv_seq":-3})"},
      {4, R"({"t":3,"type":"x-note","deep":[[[[1]]]]})"},
      {4, R"({"t":3,"type":"x-note","a":1,"a":2})"},
      {7, R"({"t":4,"type":"top_reached","device":"u3/d1","conv":"c1"})"},
      {12, R"({"t":5,"type":"phase","phase":"later"})"},
      {13, R"({"t":6,"type":"timeline","conv":"c1","first_conv_seq":0,"msgs":["m1","m2"]})"},
      {13, R"({"t":6,"type":"timeline","conv":"c1","msgs":["m1",2]})"},
      {13, R"({"t":6,"type":"timeline","conv":"c1","msgs":["m1","m9"]})"},
      {13,
       R"({"t":6,"type":"timeline","conv":"c1","first_conv_seq":18446744073709551615,"msgs":["m1"]})"},
      {14, R"({"t":9,"type":"end","quiesced":1})"},
      {14, R"({"t":1,"type":"end","quiesced":true})"},
      {14, R"(  {"t":9, "type" :"end","quiesced":false}	)"},
      {15, R"({"t":9,"type":"display","device":"u2/d1","conv":"c1","msg":"m1","at":"top"})"},
  };
  for (const auto& [index, line] : variants) {
    std::vector<std::string> lines = body;
    lines[index] = line;
    expect_same(join(lines));
  }
}

// Deterministic mutations of a valid file: a byte replaced, inserted or dropped, or a JSON token
// spliced in. Most land in the fast reader's subset and break a rule; some leave it.
TEST(FastPath, SameResultOnMutatedFiles) {
  const std::string base = join(body);
  const std::vector<std::string> tokens = {
      "\\",
      "\\u0041",
      "\"",
      ",",
      ":",
      "{",
      "}",
      "[",
      "]",
      "-1",
      "1.5",
      "1e2",
      "00",
      "null",
      "true",
      " ",
      "\t",
      "\r",
      "\n",
      "\xc3\xa9",
      "\xff",
      std::string(1, '\0'),
      "18446744073709551616",
      R"("device":"u1/d1",)",
      R"("vc":{},)",
      R"("x":[{}],)",
  };
  std::uint64_t state = 0x9e3779b97f4a7c15;
  auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005 + 1442695040888963407;
    return (state >> 33) % bound;
  };
  for (int i = 0; i < 4000; ++i) {
    std::string text = base;
    const std::size_t at = header.size() + 1 + next(text.size() - header.size() - 1);
    switch (next(4)) {
      case 0:
        text[at] = static_cast<char>(" \"{}[]:,0123456789aftnu-.eE\\"[next(28)]);
        break;
      case 1:
        text.insert(at, tokens[next(tokens.size())]);
        break;
      case 2:
        text.erase(at, 1);
        break;
      default:
        text.insert(at, tokens[next(tokens.size())] + tokens[next(tokens.size())]);
        break;
    }
    expect_same(text);
    if (HasFailure()) break;
  }
}

TEST(FastPath, SameResultOnFixturesAndSeeds) {
  const std::filesystem::path root = IMSIM_SOURCE_DIR;
  std::size_t files = 0;
  for (const char* dir : {"tests/properties/fixtures", "fuzz/seeds/history_reader"}) {
    for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      expect_same(text.str());
      ++files;
    }
  }
  EXPECT_GE(files, 7u);
  expect_same(synthetic_history(2000));
}

// The stream reader splits lines across its chunk boundary and grows for lines longer than a
// chunk: a file read from a stream reads like the same text in memory.
TEST(FastPath, StreamReadsLikeText) {
  std::vector<std::string> lines = body;
  std::string long_msgs;
  for (int i = 0; i < 200000; ++i) long_msgs += ",\"m1\"";
  lines[13] = R"({"t":6,"type":"timeline","conv":"c1","msgs":["m2")" + long_msgs + "]}";
  for (const std::string& text : {join(body), join(lines), synthetic_history(20000)}) {
    std::istringstream in(text);
    const auto streamed = parse_history(in);
    const auto whole = parse_history(text);
    ASSERT_EQ(streamed.ok(), whole.ok());
    if (whole.ok()) {
      EXPECT_TRUE(streamed.value() == whole.value());
    } else {
      EXPECT_EQ(streamed.status().message(), whole.status().message());
    }
  }
}

}  // namespace
}  // namespace imsim::history
