#pragma once
// Running a scenario end to end: model::run_world, then the checkers over the recorded
// history, then the output files. Shared by the CLI (`imsim run`, `imsim replay`) and the
// Python bindings.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "imsim/model/world.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/properties/check.hpp"
#include "imsim/properties/story.hpp"
#include "imsim/scenarios/failure_file.hpp"

namespace imsim::scenarios {

// Exit codes of every imsim command.
inline constexpr int kExitValid = 0;      // the run is as the scenario expects (checks.expect)
inline constexpr int kExitAnomalies = 1;  // anomalies found (or expected ones missing)
inline constexpr int kExitError = 2;      // bad input, non-determinism, internal error

struct RunSettings {
  // Where results.json, history.jsonl, trace.json, lamport.svg, run.log and replay.json go;
  // absent: nothing is written (the history is checked in memory).
  std::optional<std::filesystem::path> out_dir;
  // First instant drawn in lamport.svg; absent: a little before the first fault.
  std::optional<std::int64_t> lamport_start_ns;
  // Keep the run's trace log (RunResult::trace_log, for a Lamport diagram) without out_dir.
  bool record_trace_log = false;
  // Keep the parsed history in RunOutcome::history (the bindings' DataFrame).
  bool keep_history = false;
  // Progress calls from the run loop (model::RunOptions::on_progress); the same run with or
  // without them.
  std::function<void(const model::RunProgress&)> on_progress;
  std::int64_t progress_interval_ns = 0;
};

struct RunOutcome {
  model::WorldConfig config;
  model::RunResult result;
  double wall_time_s = 0.0;
  std::optional<properties::Report> report;   // absent iff the history did not parse
  properties::Stories stories;                // one per distinct anomaly (scenarios/stories.hpp)
  std::string error;                          // why the run could not be judged (exit 2)
  std::vector<std::string> anomalies_found;   // names with at least one occurrence
  std::vector<std::string> expected_missing;  // checks.expect names that were not found
  bool as_expected = false;
  int exit_code = kExitError;
  std::vector<std::filesystem::path> files;  // written into out_dir
  // What the outputs did differently from what was asked, and why (e.g. a Lamport window past
  // the last record starts at the default instead); the CLI prints them on stderr.
  std::vector<std::string> notes;
  std::optional<history::History> history;  // with RunSettings::keep_history, if it parsed
};

RunOutcome run_scenario(const model::WorldConfig& config, const RunSettings& settings);

// The one-line verdict: "VALID", "ANOMALIES FOUND", "AS EXPECTED (...)", "NOT AS EXPECTED
// (...)" or "ERROR: ...".
std::string verdict_text(const RunOutcome& outcome);

// results.json: the summary, counters, swarm parameters and the checkers' report.
nlohmann::json results_json(const RunOutcome& outcome);

// Why a replay of `failure` that gave `replayed_hash` is not the recorded run (imsim replay and
// shrink, the bindings' replay and shrink).
std::string nondeterminism_message(const FailureFile& failure, std::uint64_t replayed_hash);

// The failure file that reproduces this run (written as replay.json by run_scenario).
FailureFile failure_file_of(const RunOutcome& outcome);

}  // namespace imsim::scenarios
