// Every input a fuzzer ever crashed on (tests/fuzz-regressions/<target>/) and the committed seeds
// (fuzz/seeds/<target>/) go through the same entry function as the libFuzzer program, in the
// normal build: each must be handled (accepted and round-tripped, or rejected with an error).
// And the oracles the entries apply are shown to fail on a bad outcome.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "imsim/engine/codec.hpp"
#include "imsim/fuzz/entries.hpp"

namespace imsim::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  return {s.begin(), s.end()};
}

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> out;
  for (const fs::path& dir : {fs::path(IMSIM_SOURCE_DIR) / "tests" / "fuzz-regressions" / target,
                              fs::path(IMSIM_SOURCE_DIR) / "fuzz" / "seeds" / target}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Regressions : public testing::TestWithParam<Target> {};

}  // namespace

// gtest prints a parameter with this (the test names show the target, not its bytes).
void PrintTo(const Target& target, std::ostream* os) { *os << target.name; }

namespace {

TEST_P(Regressions, EverySavedInputIsHandled) {
  const Target& target = GetParam();
  const std::vector<fs::path> files = inputs_of(target.name);
  ASSERT_FALSE(files.empty()) << "no regression or seed input for " << target.name;
  for (const fs::path& file : files) {
    const std::vector<std::uint8_t> bytes = read_bytes(file);
    EXPECT_EQ(target.entry(bytes), "") << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Regressions, testing::ValuesIn(targets()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FuzzOracles, ARejectionMustNameItsInputAndNotBeInternal) {
  const std::string_view input = "{\"seed\": \"x\"}";
  EXPECT_EQ(check_rejection("x.json", "x.json: seed: expected a number", input), "");
  EXPECT_NE(check_rejection("x.json", "seed: expected a number", input), "");
  EXPECT_NE(check_rejection("x.json", "x.json: ", input), "");
  EXPECT_NE(check_rejection("x.json", "x.json: internal loader error: [json.exception]", input),
            "");
  // The words quoted from the input (as a key or an excerpt) are not the catch-all.
  EXPECT_EQ(check_rejection("x.json", "x.json: internal loader error: expected a number",
                            "{\"internal loader error\": 1}"),
            "");
}

TEST(FuzzOracles, AnAcceptedDocumentMustRoundTrip) {
  EXPECT_EQ(check_round_trip("scenario", "{\"a\":1}", true, "", "{\"a\":1}"), "");
  EXPECT_NE(check_round_trip("scenario", "{\"a\":1}", true, "", "{\"a\":2}"), "");
  EXPECT_NE(check_round_trip("scenario", "{\"a\":1}", false, "a: bad", ""), "");
}

TEST(FuzzOracles, ADecodedFrameMustReEncodeToItsInput) {
  const engine::Bytes bytes = engine::encode(engine::Frame{engine::Challenge{42}});
  engine::DecodeResult right = engine::decode(bytes, 1024);
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(check_decoded(bytes, right), "");
  engine::DecodeResult wrong = right;
  wrong.frame = engine::Frame{engine::Challenge{43}};
  EXPECT_NE(check_decoded(bytes, wrong), "");
  engine::DecodeResult inconsistent = right;
  inconsistent.error = engine::DecodeError::truncated;
  EXPECT_NE(check_decoded(bytes, inconsistent), "");
}

TEST(FuzzOracles, TheEntriesRejectGarbageQuietly) {
  const std::vector<std::uint8_t> garbage = {'{', 0xff, '[', 0x00, 0x01};
  for (const Target& target : targets()) EXPECT_EQ(target.entry(garbage), "") << target.name;
}

}  // namespace
}  // namespace imsim::fuzz
