// imsim run / imsim replay: run a world, print the summary, write the outputs.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include "commands.hpp"
#include "imsim/engine/mutations.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::cli {

namespace {

using scenarios::kExitError;
using scenarios::RunOutcome;

// Witness lines printed per anomaly in the summary (results.json has them all).
constexpr std::size_t kSummaryWitnessesMax = 3;
// Anomaly stories printed in the summary (results.json has them all).
constexpr std::size_t kSummaryStoriesMax = 3;

std::string checks_line(const RunOutcome& o) {
  if (!o.report) return "not judged";
  std::string line;
  for (const properties::AnomalyReport& a : o.report->anomalies) {
    if (!line.empty()) line += ", ";
    line +=
        a.count == 0 ? fmt::format("{} ok", a.name) : fmt::format("{} {} FOUND", a.name, a.count);
  }
  return line;
}

void print_anomalies(const RunOutcome& o) {
  if (!o.report) return;
  for (const properties::AnomalyReport& a : o.report->anomalies) {
    if (a.count == 0) continue;
    fmt::print("  {} ({}): {}\n", a.name, a.count, a.description);
    const std::size_t shown = std::min(a.witnesses.size(), kSummaryWitnessesMax);
    for (std::size_t i = 0; i < shown; i++) fmt::print("    - {}\n", a.witnesses[i].summary);
    if (a.count > shown) fmt::print("    ... {} more in results.json\n", a.count - shown);
  }
}

// The engine mutations switched on (the scenario's and --mutation's): a run with one is not
// the reference engine, and its summary says so.
void print_mutations(const model::WorldConfig& config) {
  const std::vector<std::string> on = engine::enabled_mutations(config.engine.mutations);
  if (!on.empty()) fmt::print("mutations   {}\n", fmt::join(on, ", "));
}

void print_summary(const RunOutcome& o, const std::optional<std::filesystem::path>& out_dir) {
  const model::RunResult& r = o.result;
  fmt::print("scenario    {}{}\n", o.config.name,
             o.config.description.empty() ? "" : " — " + o.config.description);
  fmt::print("seed        {}\n", o.config.seed);
  print_mutations(o.config);
  fmt::print("trace hash  {}\n", scenarios::format_trace_hash(r.trace_hash));
  fmt::print("sim time    {:.3f} s ({})\n", double(r.sim_time_ns) / 1e9,
             r.quiesced ? "quiesced" : "did NOT quiesce");
  fmt::print("wall time   {:.3f} s ({} events)\n", o.wall_time_s, r.events_executed);
  fmt::print("messages    sent {}, stored {}, acked {}, failed {}, displays {}\n", r.messages_sent,
             r.messages_stored, r.messages_acked, r.messages_failed, r.displays);
  if (r.adversary) {
    // Per attack kind: attempted / rejected (accepted, unanswered: breaches; lost: connection
    // gone before the answer; no_ack's pulls are served, never acknowledged).
    for (const auto& [kind, t] : r.adversary->attacks) {
      if (t.attempted == 0) continue;
      fmt::print(
          "adversary   {:<14} attempted {}, rejected {}, served {}, accepted {}, "
          "unanswered {}, lost {}, timed out {}\n",
          kind, t.attempted, t.rejected, t.served, t.accepted, t.unanswered, t.conn_lost,
          t.timed_out);
    }
  }
  fmt::print("checks      {}\n", checks_line(o));
  print_anomalies(o);
  std::cout << properties::to_text(o.stories, kSummaryStoriesMax);
  fmt::print("verdict     {}  (exit {})\n", scenarios::verdict_text(o), o.exit_code);
  if (out_dir) {
    std::string names;
    for (const auto& file : o.files) names += " " + file.filename().string();
    fmt::print("outputs     {}/{}\n", out_dir->string(), names);
    fmt::print(
        "            trace.json opens in https://ui.perfetto.dev; replay with: {} replay "
        "{}\n",
        program(), (*out_dir / "replay.json").string());
  }
}

// Progress of one run on stderr, from the model's simulated-time calls (RunOptions::
// on_progress). The wall clock is read here only. On a terminal (by default) it starts once
// the run has taken kQuietWall and redraws one line; forced (--progress) it prints from the
// first call, as lines when stderr is not a terminal.
class RunProgressPrinter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kQuietWall = std::chrono::seconds(2);
  static constexpr auto kRedraw = std::chrono::milliseconds(250);
  static constexpr auto kLineInterval = std::chrono::seconds(5);
  // Progress calls per run (in simulated time): cheap, and fine enough for an ETA.
  static constexpr std::int64_t kCallsPerRun = 2000;

  explicit RunProgressPrinter(std::optional<bool> force)
      : tty_(::isatty(STDERR_FILENO) == 1),
        forced_(force.value_or(false)),
        enabled_(force.value_or(tty_)) {}

  bool enabled() const { return enabled_; }
  static std::int64_t interval_ns(const model::WorldConfig& config) {
    const std::int64_t total = config.durations.safety_ns + config.durations.quiescence_ns;
    return std::max<std::int64_t>(1'000'000, total / kCallsPerRun);
  }

  void update(const model::RunProgress& p) {
    last_ = p;
    const auto now = Clock::now();
    if (!forced_ && now - start_ < kQuietWall) return;
    if (printed_any_ && now - printed_ < (tty_ ? Clock::duration(kRedraw) : kLineInterval)) return;
    printed_ = now;
    printed_any_ = true;
    print(p, now);
  }

  void finish() {
    if (!printed_any_) return;
    print(last_, Clock::now());
    if (tty_) fmt::print(stderr, "\n");
  }

 private:
  void print(const model::RunProgress& p, Clock::time_point now) const {
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double sim = double(p.sim_ns) / 1e9;
    const double rate = wall > 0 ? sim / wall : 0.0;  // simulated seconds per wall second
    std::string text;
    if (!p.liveness) {
      const double safety = double(p.safety_ns) / 1e9;
      const double left = rate > 0 ? (safety - sim) / rate : 0.0;
      text = fmt::format(
          "safety {:.1f}/{:.1f} s simulated ({:.0f}%), {:.3g}x real time, "
          "{} events, ETA {:.0f} s to the liveness phase",
          sim, safety, safety > 0 ? 100.0 * sim / safety : 100.0, rate, p.events, left);
    } else {
      const double deadline = double(p.deadline_ns) / 1e9;
      const double left = rate > 0 ? (deadline - sim) / rate : 0.0;
      text = fmt::format(
          "liveness {:.1f} s simulated (ends when quiescent, at the latest "
          "{:.1f} s), {:.3g}x real time, {} events, ETA at most {:.0f} s",
          sim, deadline, rate, p.events, left);
    }
    if (tty_) {
      fmt::print(stderr, "\r\x1b[Krun: {}", text);
    } else {
      fmt::print(stderr, "run: {}\n", text);
    }
  }

  const bool tty_;
  const bool forced_;
  const bool enabled_;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point printed_;
  bool printed_any_ = false;
  model::RunProgress last_;
};

RunOutcome run_with_progress(const model::WorldConfig& config, scenarios::RunSettings settings,
                             std::optional<bool> force) {
  RunProgressPrinter printer(force);
  if (printer.enabled()) {
    settings.on_progress = [&printer](const model::RunProgress& p) { printer.update(p); };
    settings.progress_interval_ns = RunProgressPrinter::interval_ns(config);
  }
  RunOutcome outcome = scenarios::run_scenario(config, settings);
  printer.finish();
  return outcome;
}

int report(const RunOutcome& o, const std::optional<std::filesystem::path>& out_dir, bool json) {
  // Nothing was judged (the world could not run, or its outputs not be written): a summary
  // would show a run that did not happen.
  if (!o.error.empty() && !o.report) return fail(o.error);
  for (const std::string& note : o.notes) fmt::print(stderr, "imsim: note: {}\n", note);
  if (json) {
    std::cout << scenarios::results_json(o).dump(2) << '\n';
  } else {
    print_summary(o, out_dir);
  }
  if (!o.error.empty()) fmt::print(stderr, "imsim: error: {}\n", o.error);
  return o.exit_code;
}

// Bad input that only shows against the loaded world: --out that cannot be written, a
// --lamport-from past the latest end of the run (invalid_input). Nothing is created.
base::Status check_run_input(const model::WorldConfig& config,
                             const std::optional<std::filesystem::path>& out_dir,
                             const std::optional<double>& lamport_from_s) {
  if (out_dir) {
    if (base::Status status = check_out_dir(out_dir->string(), "--out"); !status.ok()) {
      return status;
    }
  }
  const std::int64_t end_ns = config.durations.safety_ns + config.durations.quiescence_ns;
  if (lamport_from_s && std::llround(*lamport_from_s * 1e9) > end_ns) {
    return base::Status::invalid_input(fmt::format(
        "--lamport-from {:g}: the run ends at the latest at {:g} s (safety_s + quiescence_s), "
        "so the diagram would be empty",
        *lamport_from_s, double(end_ns) / 1e9));
  }
  return {};
}

}  // namespace

int run_command(const RunArgs& args) {
  if (base::Status status = check_input_file(args.scenario, InputKind::kScenario); !status.ok()) {
    return fail(status);
  }
  base::Result<model::WorldConfig> loaded = scenarios::load_scenario_named(args.scenario);
  if (!loaded.ok()) return fail(loaded.status().message());
  model::WorldConfig config = std::move(loaded).value();
  if (args.seed) config.seed = *args.seed;
  if (args.swarm) config.swarm.enabled = true;
  if (args.world_seed) config.swarm.world_seed = args.world_seed;
  if (base::Status status = apply_overrides(config, args.overrides); !status.ok()) {
    return fail(status.message());
  }
  scenarios::RunSettings settings;
  if (args.out_dir) {
    settings.out_dir = *args.out_dir;
  } else if (!args.no_out) {
    settings.out_dir =
        std::filesystem::path("imsim-out") / fmt::format("{}-seed{}", config.name, config.seed);
  }
  if (args.lamport_from_s) settings.lamport_start_ns = std::llround(*args.lamport_from_s * 1e9);
  if (base::Status status = check_run_input(config, settings.out_dir, args.lamport_from_s);
      !status.ok()) {
    return fail(status);
  }
  if (base::Status refusal = memory_check(config, settings.out_dir.has_value(), args.memory_limit);
      !refusal.ok()) {
    return fail(refusal.message());
  }
  const RunOutcome outcome = run_with_progress(config, settings, args.progress);
  return report(outcome, settings.out_dir, args.json);
}

int replay_command(const ReplayArgs& args) {
  if (base::Status status = check_input_file(args.failure_file, InputKind::kFailure);
      !status.ok()) {
    return fail(status);
  }
  base::Result<scenarios::FailureFile> loaded = scenarios::load_failure_file(args.failure_file);
  if (!loaded.ok()) return fail(loaded.status().message());
  const scenarios::FailureFile& failure = loaded.value();
  model::WorldConfig config = failure.scenario;
  config.seed = failure.seed;
  scenarios::RunSettings settings;
  if (args.out_dir) settings.out_dir = *args.out_dir;
  if (args.lamport_from_s) settings.lamport_start_ns = std::llround(*args.lamport_from_s * 1e9);
  if (base::Status status = check_run_input(config, settings.out_dir, args.lamport_from_s);
      !status.ok()) {
    return fail(status);
  }
  if (base::Status refusal = memory_check(config, settings.out_dir.has_value(), args.memory_limit);
      !refusal.ok()) {
    return fail(refusal.message());
  }
  RunOutcome outcome = run_with_progress(config, settings, args.progress);
  const int verdict = report(outcome, settings.out_dir, args.json);
  if (!outcome.error.empty() && !outcome.report) return verdict;
  if (outcome.result.trace_hash != failure.expected_trace_hash) {
    return fail(nondeterminism(failure, outcome.result.trace_hash));
  }
  if (!args.json) {
    fmt::print("replay      trace hash matches the recorded {}\n",
               scenarios::format_trace_hash(failure.expected_trace_hash));
  }
  return verdict;
}

}  // namespace imsim::cli
