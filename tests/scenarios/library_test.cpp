// The scenario library, to_json round trips and failure files.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace imsim;

const fs::path kLibrary = fs::path(IMSIM_SOURCE_DIR) / "scenarios" / "library";

// The situations the issue asks the library to cover, plus the demo's default.
const char* const kRequired[] = {
    "default",
    "offline-backlog-crash-before-ack",
    "ack-lost-retry",
    "three-devices-ttl-expiry",
    "reinstall-roaming",
    "large-group-read-fanout",
    "partition-splits-gateways",
    "processor-crash-mid-fanout",
    "server-clock-skew",
    "mobile-flapping",
    "adversarial-mix",  // issue 12: adversarial devices
    "adversarial-flood-noack",
};

TEST(Library, EveryScenarioLoadsUnderItsFileName) {
  std::size_t count = 0;
  for (const auto& item : fs::directory_iterator(kLibrary)) {
    if (item.path().extension() != ".json") continue;
    const auto loaded = scenarios::load_scenario_file(item.path());
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded.value().name, item.path().stem().string());
    EXPECT_FALSE(loaded.value().description.empty()) << item.path();
    count++;
  }
  EXPECT_GE(count, std::size(kRequired));
}

TEST(Library, RequiredScenariosAreFoundByName) {
  for (const char* name : kRequired) {
    const auto loaded = scenarios::load_scenario_named(name);
    EXPECT_TRUE(loaded.ok()) << name << ": " << loaded.status().message();
  }
  const auto missing = scenarios::load_scenario_named("no-such-scenario");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such file, and no library scenario of that name"),
            std::string::npos);
  EXPECT_FALSE(scenarios::find_library_scenario("../library/default"));
}

TEST(Library, ListIsSortedAndComplete) {
  const auto entries = scenarios::list_library();
  for (std::size_t i = 1; i < entries.size(); i++) EXPECT_LT(entries[i - 1].name, entries[i].name);
  for (const auto& entry : entries) EXPECT_TRUE(entry.error.empty()) << entry.error;
}

TEST(Library, ScenarioPathOverridesTheSourceTree) {
  const fs::path dir = fs::temp_directory_path() / "imsim-scenario-path-test";
  fs::create_directories(dir);
  json doc = scenarios::to_json(scenarios::load_scenario_named("default").value());
  doc["description"] = "overridden";
  std::ofstream(dir / "default.json") << doc.dump();
  ::setenv("IMSIM_SCENARIO_PATH", dir.c_str(), 1);
  const auto loaded = scenarios::load_scenario_named("default");
  ::unsetenv("IMSIM_SCENARIO_PATH");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded.value().description, "overridden");
  fs::remove_all(dir);
}

// to_json is a fixed point of load: what it writes loads back to the same document.
TEST(RoundTrip, EveryLibraryScenarioRoundTrips) {
  for (const auto& entry : scenarios::list_library()) {
    const auto first = scenarios::load_scenario_file(entry.path);
    ASSERT_TRUE(first.ok()) << first.status().message();
    const json written = scenarios::to_json(first.value());
    const auto second = scenarios::load_scenario(written);
    ASSERT_TRUE(second.ok()) << entry.name << ": " << second.status().message();
    EXPECT_EQ(scenarios::to_json(second.value()), written) << entry.name;
    EXPECT_EQ(second.value().seed, first.value().seed);
    EXPECT_EQ(second.value().faults.size(), first.value().faults.size());
  }
}

TEST(RoundTrip, ForSecondsExpandIntoUndoFaults) {
  const auto loaded = scenarios::load_scenario_named("default");
  ASSERT_TRUE(loaded.ok());
  const auto& faults = loaded.value().faults;
  // offline 2 s (+online), crash 1 s (+restart), partition 1.5 s (+heal), kill.
  ASSERT_EQ(faults.size(), 7u);
  for (std::size_t i = 1; i < faults.size(); i++) EXPECT_LE(faults[i - 1].at_ns, faults[i].at_ns);
  EXPECT_EQ(faults[0].kind, model::FaultKind::kOffline);
  EXPECT_EQ(faults[0].at_ns, 2'000'000'000);
  EXPECT_EQ(faults[1].kind, model::FaultKind::kOnline);  // 4 s: stable order keeps it first
  EXPECT_EQ(faults[1].at_ns, 4'000'000'000);
}

TEST(RoundTrip, FractionalTimesSurvive) {
  json doc = scenarios::to_json(scenarios::load_scenario_named("default").value());
  doc["faults"] = json::array(
      {json{{"at_s", 1.000000001}, {"kind", "heal"}}, json{{"at_s", 0.3}, {"kind", "heal"}}});
  doc["durations"]["safety_s"] = 7.25;
  doc["durations"]["workload_stop_s"] = 7.125;
  const auto loaded = scenarios::load_scenario(doc);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded.value().faults[0].at_ns, 300'000'000);
  EXPECT_EQ(loaded.value().faults[1].at_ns, 1'000'000'001);
  EXPECT_EQ(loaded.value().durations.safety_ns, 7'250'000'000);
  const auto again = scenarios::load_scenario(scenarios::to_json(loaded.value()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again.value().faults[1].at_ns, 1'000'000'001);
}

TEST(RoundTrip, EveryMutationSwitchRoundTrips) {
  json doc = scenarios::to_json(scenarios::load_scenario_named("default").value());
  const json names = json::array(
      {"push_before_store", "checkpoint_from_push", "ack_before_durable", "no_server_dedup",
       "no_client_dedup", "checkpoint_before_apply", "order_by_timestamp", "no_fifo_holdback",
       "volatile_seq_allocator", "short_page_is_end", "ttl_gap_ignored", "fanout_not_idempotent",
       "cursor_from_client_id", "resume_counter_reset"});
  for (const json& name : names) {
    doc["engine"]["mutations"] = json::array({name});
    const auto loaded = scenarios::load_scenario(doc);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_NE(loaded.value().engine.mutations, engine::Mutations{}) << name;
    EXPECT_EQ(scenarios::to_json(loaded.value())["engine"]["mutations"], json::array({name}));
  }
}

TEST(FailureFile, SaveAndLoad) {
  scenarios::FailureFile failure;
  failure.scenario = scenarios::load_scenario_named("server-clock-skew").value();
  failure.seed = 0xfeedfacecafe;
  failure.code_version = "test";
  failure.expected_trace_hash = 0x0123456789abcdefULL;
  failure.anomalies = json::array({json{{"name", "lost"}, {"count", 1}}});
  const fs::path path = fs::temp_directory_path() / "imsim-failure-test.json";
  ASSERT_TRUE(scenarios::save_failure_file(path, failure).ok());
  const auto loaded = scenarios::load_failure_file(path);
  fs::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded.value().seed, failure.seed);
  EXPECT_EQ(loaded.value().scenario.seed, failure.seed);
  EXPECT_EQ(loaded.value().expected_trace_hash, failure.expected_trace_hash);
  EXPECT_EQ(loaded.value().anomalies, failure.anomalies);
  EXPECT_EQ(scenarios::to_json(loaded.value()), scenarios::to_json(failure));
}

TEST(FailureFile, BadFilesNameThePath) {
  scenarios::FailureFile failure;
  failure.scenario = scenarios::load_scenario_named("default").value();
  json doc = scenarios::to_json(failure);
  doc["expected_trace_hash"] = "12";
  EXPECT_EQ(scenarios::load_failure(doc).status().message(),
            R"(expected_trace_hash: expected "0x" and 1 to 16 hex digits, got "12")");
  doc = scenarios::to_json(failure);
  doc["scenario"]["faults"][0]["at_s"] = "ten";
  EXPECT_EQ(scenarios::load_failure(doc).status().message(),
            R"(scenario.faults[0].at_s: expected a number >= 0, got "ten")");
  doc = scenarios::to_json(failure);
  doc["format"] = "imsim-history";
  EXPECT_EQ(scenarios::load_failure(doc).status().message(),
            R"(format: expected "imsim-failure" (a failure file), got "imsim-history")");
  doc = scenarios::to_json(failure);
  doc["version"] = 2;
  EXPECT_EQ(scenarios::load_failure(doc).status().message(),
            "version: expected an integer in [1, 1], got 2");
}

TEST(FailureFile, TraceHashText) {
  EXPECT_EQ(scenarios::format_trace_hash(0xab), "0x00000000000000ab");
  EXPECT_EQ(scenarios::parse_trace_hash("0x00000000000000ab"), 0xabu);
  EXPECT_EQ(scenarios::parse_trace_hash("0xFFFFFFFFFFFFFFFF"), ~0ULL);
  EXPECT_FALSE(scenarios::parse_trace_hash("0x"));
  EXPECT_FALSE(scenarios::parse_trace_hash("0x1ffffffffffffffff"));
  EXPECT_FALSE(scenarios::parse_trace_hash("ab"));
  EXPECT_FALSE(scenarios::parse_trace_hash("0xg1"));
}

// No input crashes the loader: replace any value of a valid scenario by any JSON value.
json random_json(int depth) {
  const int kind = *rc::gen::inRange(0, depth > 0 ? 8 : 6);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return *rc::gen::arbitrary<bool>();
    case 2:
      return *rc::gen::arbitrary<std::int64_t>();
    case 3:
      return *rc::gen::arbitrary<double>();
    case 4:
      return *rc::gen::element<std::string>("", "u1/d1", "gateway0", "ten", "heal", "direct");
    case 5:
      return *rc::gen::arbitrary<std::uint64_t>();
    case 6:
      return json::array({random_json(depth - 1), random_json(depth - 1)});
    default:
      return json{{*rc::gen::element<std::string>("kind", "at_s", "x"), random_json(depth - 1)}};
  }
}

RC_GTEST_PROP(Loader, NoMutationCrashes, ()) {
  json doc = scenarios::to_json(scenarios::load_scenario_named("default").value());
  const json flat = doc.flatten();
  std::vector<std::string> keys;
  for (const auto& [key, value] : flat.items()) keys.push_back(key);
  const std::string key = *rc::gen::elementOf(keys);
  doc[json::json_pointer(key)] = random_json(2);
  const auto loaded = scenarios::load_scenario(doc);
  RC_ASSERT(loaded.ok() || !loaded.status().message().empty());
  RC_ASSERT(loaded.status().message().find("internal loader error") == std::string::npos);
}

}  // namespace
