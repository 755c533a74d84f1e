// Behaviour does not change by accident: the trace hash of every library scenario, at its own
// seed, at seeds 1..5 and at swarm seeds 1..50, is stored in tests/scenarios/trace_hashes.json,
// and every run here must give the stored hash. A refactor (issue 16) must leave them all equal;
// a change of behaviour that is intended says so and rewrites the file:
//
//   IMSIM_UPDATE_TRACE_HASHES=1 build/tests/imsim_scenarios_tests --gtest_filter='TraceHashes*'
//
// (one process: the cases run one after another and each rewrites its own scenario's entry).
// The sanitizer lane (IMSIM_REDUCED_BUDGETS) runs the first seeds only. Both lanes compare with
// the same file, so gcc and clang builds also agree with each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace imsim;

const fs::path kLibrary = fs::path(IMSIM_SOURCE_DIR) / "scenarios" / "library";
const fs::path kStored = fs::path(IMSIM_SOURCE_DIR) / "tests" / "scenarios" / "trace_hashes.json";

#ifdef IMSIM_REDUCED_BUDGETS
constexpr std::uint64_t kPlainSeeds = 1;
constexpr std::uint64_t kSwarmSeeds = 3;
#else
constexpr std::uint64_t kPlainSeeds = 5;
constexpr std::uint64_t kSwarmSeeds = 50;
#endif

// Library scenarios by path relative to the library ("default.json", "mutants/x.json").
std::vector<std::string> library_scenarios() {
  std::vector<std::string> out;
  for (const auto& item : fs::recursive_directory_iterator(kLibrary)) {
    if (item.path().extension() == ".json") {
      out.push_back(item.path().lexically_relative(kLibrary).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string fmt_seed(std::uint64_t seed, bool swarm) {
  return "seed " + std::to_string(seed) + (swarm ? " swarm" : "");
}

struct SeedRun {
  std::string label;  // "seed 7", "seed 7 swarm"
  std::uint64_t seed = 0;
  bool swarm = false;
};

std::vector<SeedRun> runs_of(const model::WorldConfig& config) {
  std::vector<SeedRun> runs{{"own seed", config.seed, false}};
  for (std::uint64_t s = 1; s <= kPlainSeeds; s++) runs.push_back({fmt_seed(s, false), s, false});
  for (std::uint64_t s = 1; s <= kSwarmSeeds; s++) runs.push_back({fmt_seed(s, true), s, true});
  return runs;
}

json read_stored() {
  std::ifstream in(kStored);
  if (!in) return json::object();
  return json::parse(in);
}

class TraceHashes : public testing::TestWithParam<std::string> {};

TEST_P(TraceHashes, AreTheStoredOnes) {
  const auto loaded = scenarios::load_scenario_file(kLibrary / GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const bool update = std::getenv("IMSIM_UPDATE_TRACE_HASHES") != nullptr;
  json stored = read_stored();
  const json& mine = stored["scenarios"][GetParam()];
  json computed = json::object();
  std::size_t compared = 0;
  for (const SeedRun& run : runs_of(loaded.value())) {
    model::WorldConfig config = loaded.value();
    config.seed = run.seed;
    config.swarm.enabled = run.swarm;
    const scenarios::RunOutcome outcome = scenarios::run_scenario(config, {});
    ASSERT_TRUE(outcome.error.empty()) << GetParam() << " " << run.label << ": " << outcome.error;
    const std::string hash = scenarios::format_trace_hash(outcome.result.trace_hash);
    computed[run.label] = hash;
    if (update) continue;
    ASSERT_TRUE(mine.contains(run.label))
        << GetParam() << " " << run.label << " has no stored hash (" << hash
        << "): a new scenario? Rewrite the file as the comment atop this test says";
    EXPECT_EQ(mine[run.label].get<std::string>(), hash)
        << GetParam() << " " << run.label << ": the run is not the stored one";
    compared++;
  }
  if (update) {
    stored["about"] =
        "Trace hashes of every library scenario, checked by tests/scenarios/trace_hashes_test.cpp";
    stored["scenarios"][GetParam()] = computed;
    std::ofstream(kStored) << stored.dump(1) << "\n";
    GTEST_SKIP() << "rewrote " << kStored.string();
  }
  EXPECT_EQ(compared, 1 + kPlainSeeds + kSwarmSeeds);
}

// Every stored scenario still exists (a renamed scenario must move its hashes, not drop them).
TEST(TraceHashesFile, NamesOnlyLibraryScenarios) {
  const json stored = read_stored();
  ASSERT_TRUE(stored.contains("scenarios")) << kStored;
  const std::vector<std::string> library = library_scenarios();
  for (const auto& [name, runs] : stored["scenarios"].items()) {
    EXPECT_TRUE(std::binary_search(library.begin(), library.end(), name))
        << name << " is stored but is not in the library";
    EXPECT_GE(runs.size(), 1u + kPlainSeeds + kSwarmSeeds) << name;
  }
  EXPECT_EQ(stored["scenarios"].size(), library.size());
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);  // without ".json"
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Library, TraceHashes, testing::ValuesIn(library_scenarios()), test_name);

}  // namespace
