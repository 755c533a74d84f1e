// run_scenario: run the world, check the history, write the outputs.
#include "imsim/scenarios/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "imsim/engine/mutations.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/scenarios/outputs.hpp"
#include "imsim/scenarios/plots.hpp"
#include "imsim/scenarios/stories.hpp"

namespace imsim::scenarios {

namespace {

namespace fs = std::filesystem;

// Judges the report against checks.expect and sets the exit code.
void judge(RunOutcome& outcome) {
  const model::Checks& checks = outcome.config.checks;
  for (const properties::AnomalyReport& a : outcome.report->anomalies) {
    if (a.count > 0) outcome.anomalies_found.push_back(a.name);
  }
  // An adversary's frame that the servers let through (or swallowed without an answer) breaks
  // the honest users' guarantees whatever the history shows.
  if (outcome.result.adversary && outcome.result.adversary->breaches() > 0) {
    outcome.anomalies_found.push_back("adversary_breach");
  }
  for (const std::string& name : checks.expect_anomalies) {
    if (std::find(outcome.anomalies_found.begin(), outcome.anomalies_found.end(), name) ==
        outcome.anomalies_found.end()) {
      outcome.expected_missing.push_back(name);
    }
  }
  outcome.as_expected =
      checks.expect_valid ? outcome.anomalies_found.empty() : outcome.expected_missing.empty();
  outcome.exit_code = outcome.as_expected ? kExitValid : kExitAnomalies;
}

void check_history(RunOutcome& outcome, const base::Result<history::History>& parsed) {
  if (!parsed.ok()) {
    // The recorder wrote a history the reader refuses: a bug, not an anomaly of the protocol.
    outcome.error = "the recorded history is malformed: " + parsed.status().message();
    outcome.exit_code = kExitError;
    return;
  }
  properties::CheckOptions options;
  options.checkers = outcome.config.checks.checkers;
  outcome.report = properties::check(parsed.value(), options);
  judge(outcome);
  outcome.stories =
      run_stories(parsed.value(), *outcome.report,
                  outcome.result.drawn_config.value_or(outcome.config), outcome.result);
}

// Writes one output file; returns false (and sets outcome.error) if it could not.
template <typename WriteFn>
bool write_file(RunOutcome& outcome, const fs::path& path, WriteFn write) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  write(out);
  out.close();
  if (!out) {
    outcome.error = fmt::format("cannot write {}", path.string());
    outcome.exit_code = kExitError;
    return false;
  }
  outcome.files.push_back(path);
  return true;
}

// latency.svg and rates.svg (plots.hpp), from the parsed history (absent: not drawn).
void write_plots(RunOutcome& outcome, const history::History* history, const fs::path& dir) {
  if (history == nullptr) return;
  const model::RunResult& r = outcome.result;
  const std::int64_t safety_ns = outcome.config.durations.safety_ns;
  const RunPlotInput input{.scenario = outcome.config.name,
                           .seed = outcome.config.seed,
                           .history = history,
                           .trace = &r.trace_log,
                           .faults = fault_windows(r.fault_schedule, safety_ns),
                           .safety_ns = safety_ns,
                           .end_ns = r.sim_time_ns};
  write_file(outcome, dir / "latency.svg", [&](std::ostream& out) { out << latency_svg(input); });
  write_file(outcome, dir / "rates.svg", [&](std::ostream& out) { out << rates_svg(input); });
}

// The Lamport window asked for, unless it starts after the last record (an empty diagram):
// then the default one, with a note saying so. With an anomaly, its first witness message is
// highlighted and the default window starts a little before that message's send.
LamportWindow lamport_window(RunOutcome& outcome, const RunSettings& settings,
                             const history::History* history) {
  const model::TraceLog& log = outcome.result.trace_log;
  LamportWindow window;
  if (outcome.report) window.highlight = lamport_highlight(*outcome.report, history);
  const std::int64_t fallback_ns = lamport_default_start_ns(
      log, window.highlight ? std::optional(window.highlight->from_ns) : std::nullopt);
  window.start_ns = fallback_ns;
  if (!settings.lamport_start_ns) return window;
  const std::int64_t last_ns = log.records.empty() ? 0 : log.records.back().t_ns;
  if (*settings.lamport_start_ns <= last_ns) {
    window.start_ns = *settings.lamport_start_ns;
    return window;
  }
  outcome.notes.push_back(fmt::format(
      "--lamport-from {:.3f} s is after the run's last record ({:.3f} s): lamport.svg starts at "
      "the default instead ({:.3f} s)",
      double(*settings.lamport_start_ns) / 1e9, double(last_ns) / 1e9, double(fallback_ns) / 1e9));
  return window;
}

void write_outputs(RunOutcome& outcome, const RunSettings& settings, const fs::path& dir,
                   const history::History* history) {
  const model::TraceLog& log = outcome.result.trace_log;
  const LamportWindow window = lamport_window(outcome, settings, history);
  write_file(outcome, dir / "trace.json",
             [&](std::ostream& out) { write_perfetto_trace(log, out); });
  write_file(outcome, dir / "lamport.svg",
             [&](std::ostream& out) { out << lamport_svg(log, window); });
  write_plots(outcome, history, dir);
  write_file(outcome, dir / "replay.json",
             [&](std::ostream& out) { out << to_json(failure_file_of(outcome)).dump(2) << '\n'; });
  // Last, so that it lists every file, itself included.
  const fs::path results_path = dir / "results.json";
  outcome.files.push_back(results_path);
  std::ofstream out(results_path, std::ios::binary | std::ios::trunc);
  out << results_json(outcome).dump(2) << '\n';
  out.close();
  if (!out) {
    outcome.files.pop_back();
    outcome.error = fmt::format("cannot write {}", results_path.string());
    outcome.exit_code = kExitError;
  }
}

}  // namespace

RunOutcome run_scenario(const model::WorldConfig& config, const RunSettings& settings) {
  RunOutcome outcome;
  outcome.config = config;
  model::RunOptions options;
  std::stringstream history_memory;
  std::ofstream history_file;
  std::ofstream log_file;
  if (settings.out_dir) {
    std::error_code ec;
    fs::create_directories(*settings.out_dir, ec);
    if (ec) {
      outcome.error = fmt::format("cannot create {}: {}", settings.out_dir->string(), ec.message());
      return outcome;
    }
    history_file.open(*settings.out_dir / "history.jsonl", std::ios::binary | std::ios::trunc);
    log_file.open(*settings.out_dir / "run.log", std::ios::binary | std::ios::trunc);
    options.history_out = &history_file;
    options.log_out = &log_file;
    options.record_trace_log = true;
  } else {
    options.record_trace_log = settings.record_trace_log;
    options.history_out = &history_memory;
  }
  options.on_progress = settings.on_progress;
  options.progress_interval_ns = settings.progress_interval_ns;
  const auto start = std::chrono::steady_clock::now();
  outcome.result = model::run_world(config, options);
  outcome.wall_time_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outcome.result.config_error.empty()) {
    outcome.error = outcome.result.config_error;
    outcome.exit_code = kExitError;
    return outcome;
  }
  if (!settings.out_dir) {
    base::Result<history::History> parsed = history::parse_history(history_memory);
    check_history(outcome, parsed);
    if (settings.keep_history && parsed.ok()) outcome.history = std::move(parsed).value();
    return outcome;
  }
  history_file.close();
  log_file.close();
  if (!history_file || !log_file) {
    outcome.error = fmt::format("cannot write into {}", settings.out_dir->string());
    return outcome;
  }
  outcome.files.push_back(*settings.out_dir / "history.jsonl");
  outcome.files.push_back(*settings.out_dir / "run.log");
  base::Result<history::History> parsed =
      history::parse_history_file((*settings.out_dir / "history.jsonl").string());
  check_history(outcome, parsed);
  write_outputs(outcome, settings, *settings.out_dir, parsed.ok() ? &parsed.value() : nullptr);
  if (settings.keep_history && parsed.ok()) outcome.history = std::move(parsed).value();
  return outcome;
}

std::string verdict_text(const RunOutcome& o) {
  if (!o.error.empty()) return fmt::format("ERROR: {}", o.error);
  const model::Checks& checks = o.config.checks;
  if (checks.expect_valid) return o.as_expected ? "VALID" : "ANOMALIES FOUND";
  const std::string expected = fmt::format("{}", fmt::join(checks.expect_anomalies, ", "));
  if (o.as_expected) return fmt::format("AS EXPECTED (expected anomalies found: {})", expected);
  return fmt::format("NOT AS EXPECTED (expected {}; missing {})", expected,
                     fmt::join(o.expected_missing, ", "));
}

std::string nondeterminism_message(const FailureFile& failure, std::uint64_t replayed_hash) {
  return fmt::format(
      "NON-DETERMINISM: trace hash {} differs from the recorded {} (recorded by {}, replayed by "
      "{})",
      format_trace_hash(replayed_hash), format_trace_hash(failure.expected_trace_hash),
      failure.code_version, code_version());
}

FailureFile failure_file_of(const RunOutcome& outcome) {
  FailureFile failure;
  // Self-contained: the world the run drew (world swarm) is the scenario, the faults it applied
  // (swarm-drawn ones included) become the schedule, and the swarm is switched off, so the
  // file replays without the swarm's draws.
  failure.scenario = outcome.result.drawn_config.value_or(outcome.config);
  if (outcome.config.swarm.enabled) {
    failure.scenario.faults = outcome.result.fault_schedule;
    failure.scenario.swarm.enabled = false;
  }
  failure.seed = outcome.config.seed;
  failure.code_version = code_version();
  failure.expected_trace_hash = outcome.result.trace_hash;
  if (outcome.report) {
    for (const properties::AnomalyReport& a : outcome.report->anomalies) {
      if (a.count == 0) continue;
      nlohmann::json witnesses = nlohmann::json::array();
      for (const properties::Witness& w : a.witnesses) witnesses.push_back(properties::to_json(w));
      failure.anomalies.push_back({{"name", a.name}, {"count", a.count}, {"witnesses", witnesses}});
    }
  }
  return failure;
}

namespace {
nlohmann::json adversary_json(const model::AdversaryReport& report) {
  nlohmann::json attacks = nlohmann::json::object();
  for (const auto& [kind, t] : report.attacks) {
    attacks[kind] = {{"attempted", t.attempted},   {"rejected", t.rejected},
                     {"served", t.served},         {"accepted", t.accepted},
                     {"unanswered", t.unanswered}, {"conn_lost", t.conn_lost},
                     {"timed_out", t.timed_out},   {"reasons", t.reasons}};
  }
  return {{"attacks", attacks}, {"mixes", report.mixes}, {"breaches", report.breaches()}};
}

// The faults drawn as shaded windows in latency.svg and rates.svg (plots.hpp).
nlohmann::json fault_windows_json(const RunOutcome& o) {
  nlohmann::json windows = nlohmann::json::array();
  for (const FaultWindow& w :
       fault_windows(o.result.fault_schedule, o.config.durations.safety_ns)) {
    windows.push_back({{"kind", w.kind},
                       {"label", w.label},
                       {"start_s", double(w.start_ns) / 1e9},
                       {"end_s", double(w.end_ns) / 1e9}});
  }
  return windows;
}

}  // namespace

nlohmann::json results_json(const RunOutcome& o) {
  const model::RunResult& r = o.result;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : o.files) files.push_back(file.filename().string());
  nlohmann::json checks = {
      {"expect", o.config.checks.expect_valid ? nlohmann::json("valid")
                                              : nlohmann::json(o.config.checks.expect_anomalies)},
      {"anomalies_found", o.anomalies_found},
      {"expected_missing", o.expected_missing},
      {"as_expected", o.as_expected},
      {"report", o.report ? properties::to_json(*o.report) : nlohmann::json(nullptr)}};
  nlohmann::json out = {
      {"format", "imsim-results"},
      {"version", 1},
      {"scenario", o.config.name},
      {"seed", o.config.seed},
      {"mutations", engine::enabled_mutations(o.config.engine.mutations)},
      {"code_version", code_version()},
      {"trace_hash", format_trace_hash(r.trace_hash)},
      {"sim_time_s", double(r.sim_time_ns) / 1e9},
      {"wall_time_s", o.wall_time_s},
      {"events_executed", r.events_executed},
      {"quiesced", r.quiesced},
      {"messages",
       {{"sent", r.messages_sent},
        {"stored", r.messages_stored},
        {"acked", r.messages_acked},
        {"failed", r.messages_failed},
        {"displays", r.displays}}},
      {"counters", r.counters},
      {"swarm_parameters", r.swarm_parameters},
      {"fault_windows", fault_windows_json(o)},
      {"checks", checks},
      {"stories", properties::to_json(o.stories)},
      {"exit_code", o.exit_code},
      {"error", o.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.error)},
      {"files", files}};
  if (r.adversary) out["adversary"] = adversary_json(*r.adversary);
  return out;
}

}  // namespace imsim::scenarios
