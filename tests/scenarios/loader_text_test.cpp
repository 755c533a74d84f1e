// The scenario and failure-file loaders on hostile JSON text (issue 17, found by fuzzing): every
// input is an error naming the file and the JSON path, never an exception, crash or hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace {

using imsim::scenarios::load_scenario_text;

const std::string kScenario = R"({
  "seed": 7,
  "users": [{"id": "u1", "devices": [{"id": "d1"}]}, {"id": "u2", "devices": [{"id": "d1"}]}],
  "conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u2"]}]
})";

std::string error_of(const std::string& text) {
  const auto loaded = load_scenario_text(text, "x.json");
  EXPECT_FALSE(loaded.ok()) << text.substr(0, 80);
  return loaded.ok() ? "" : loaded.status().message();
}

TEST(LoaderText, TheBaseTextLoads) {
  const auto loaded = load_scenario_text(kScenario, "x.json");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
}

TEST(LoaderText, NumbersBeyondADoubleAreErrorsWithTheirPath) {
  // nlohmann::json::parse threw out_of_range for these, which escaped the loader.
  for (const char* number : {"9E644", "1e400", "-1e400"}) {
    std::string text = kScenario;
    text.replace(text.find("7"), 1, number);
    EXPECT_EQ(
        error_of(text),
        std::string("x.json: seed: not valid JSON: number overflow parsing '") + number + "'");
  }
}

TEST(LoaderText, DeepNestingIsCappedNotAStackOverflow) {
  // 70k levels overflowed the stack when the loader printed the value in its error message.
  std::string text =
      "{\"seed\": 1, \"users\": " + std::string(70'000, '[') + std::string(70'000, ']') + "}";
  const std::string error = error_of(text);
  EXPECT_EQ(error.rfind("x.json: users", 0), 0u) << error;
  EXPECT_NE(error.find("JSON nested too deeply (more than 64 levels)"), std::string::npos) << error;
}

TEST(LoaderText, DuplicateKeysAreRejectedWithTheirObjectsPath) {
  std::string text = kScenario;
  text.replace(text.find("\"seed\": 7"), 9, "\"seed\": 7, \"seed\": 8");
  EXPECT_EQ(error_of(text), "x.json: seed: duplicate key \"seed\" in one object");
  text = kScenario;
  text.replace(text.find("{\"id\": \"d1\"}"), 12, "{\"id\": \"d1\", \"id\": \"d2\"}");
  EXPECT_EQ(error_of(text), "x.json: users[0].devices[0].id: duplicate key \"id\" in one object");
}

TEST(LoaderText, NothingMayFollowTheDocument) {
  // nlohmann's lexer takes a NUL byte as the end of input: `{...}\0garbage` loaded.
  std::string with_nul = kScenario;
  with_nul += std::string(1, '\0') + "garbage";
  EXPECT_EQ(error_of(with_nul), "x.json: not valid JSON: a NUL byte at line 5, column 2");
  const std::string error = error_of(kScenario + " {}");
  EXPECT_EQ(error.rfind("x.json: not valid JSON: parse error at line 5, column 3", 0), 0u) << error;
}

TEST(LoaderText, NullIsNotAbsent) {
  std::string text = kScenario;
  text.replace(text.find("7"), 1, "null");
  EXPECT_EQ(error_of(text),
            "x.json: seed: null is not a value (leave the field out for its default)");
}

TEST(LoaderText, AFailureFileGetsTheSameStrictness) {
  const auto dir = std::filesystem::temp_directory_path() / "imsim-loader-text-test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "replay.json";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"format\": 1e400}", "format: not valid JSON: number overflow parsing '1e400'"},
      {"{\"format\": 1, \"format\": 2}", "format: duplicate key \"format\" in one object"},
      {std::string("{}\0x", 4), "not valid JSON: a NUL byte at line 1, column 3"},
  };
  for (const auto& [text, error] : cases) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    const auto loaded = imsim::scenarios::load_failure_file(path);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().message(), path.string() + ": " + error);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
