// imsim explore: many seeds of a scenario in worker processes; the first failure is shrunk
// (shrink_command.cpp) and written as a failure file.
// The work is in scenarios/ (explore.hpp, shrink.hpp); this file parses, prints and writes.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "imsim/engine/mutations.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/scenarios/explore.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/plots.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace imsim::cli {

namespace {

namespace fs = std::filesystem;
using scenarios::kExitAnomalies;
using scenarios::kExitError;
using scenarios::kExitValid;
using scenarios::RunOutcome;
using Clock = std::chrono::steady_clock;

// Progress on stderr: a redrawn bar on a terminal (at most every kBarRedraw), else a line
// every kLineInterval (logs of CI stay short).
constexpr auto kBarRedraw = std::chrono::milliseconds(100);
constexpr auto kLineInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;

// "ETA 42s", "ETA 3m05s", "ETA 2h07m".
std::string eta_text(double seconds) {
  const auto s = std::int64_t(std::ceil(std::max(0.0, seconds)));
  if (s < 60) return fmt::format("ETA {}s", s);
  if (s < 3600) return fmt::format("ETA {}m{:02}s", s / 60, s % 60);
  return fmt::format("ETA {}h{:02}m", s / 3600, s % 3600 / 60);
}

// explore.svg's seeds/s curve: a sample at most every kRateSampleInterval_s.
constexpr double kRateSampleInterval_s = 0.1;

class Progress {
 public:
  Progress(bool enabled, std::optional<double> time_budget_s)
      : enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1), time_budget_s_(time_budget_s) {}

  const std::vector<scenarios::ExploreRateSample>& samples() const { return samples_; }

  void update(const scenarios::ExploreProgress& p) {
    last_ = p;
    if (samples_.empty() || p.elapsed_s - samples_.back().elapsed_s >= kRateSampleInterval_s ||
        p.done == p.total) {
      samples_.push_back({.elapsed_s = p.elapsed_s, .done = p.done});
    }
    const auto now = Clock::now();
    if (!enabled_ || now - printed_ < (tty_ ? Clock::duration(kBarRedraw) : kLineInterval)) return;
    printed_ = now;
    print(p);
  }

  void finish() {
    if (!enabled_ || last_.done == 0) return;
    print(last_, /*with_eta=*/false);  // finished: nothing left to wait for
    if (tty_) fmt::print(stderr, "\n");
  }

 private:
  void print(const scenarios::ExploreProgress& p, bool with_eta = true) const {
    const double rate = p.elapsed_s > 0 ? double(p.done) / p.elapsed_s : 0.0;
    std::string text =
        fmt::format("{}/{} seeds  {:.1f} seeds/s  failures {}", p.done, p.total, rate, p.failures);
    // The seeds left at the rate so far, or the time budget left if that comes first.
    if (with_eta && p.done < p.total && rate > 0) {
      double eta_s = double(p.total - p.done) / rate;
      if (time_budget_s_) eta_s = std::min(eta_s, *time_budget_s_ - p.elapsed_s);
      text += "  " + eta_text(eta_s);
    }
    if (!tty_) {
      fmt::print(stderr, "explore: {}\n", text);
      return;
    }
    const int filled = p.total == 0 ? 0 : int(kBarWidth * p.done / p.total);
    fmt::print(stderr, "\r[{:=<{}}{: <{}}] {}", "", filled, "", kBarWidth - filled, text);
  }

  const bool enabled_;
  const bool tty_;
  const std::optional<double> time_budget_s_;
  Clock::time_point printed_ = Clock::now();
  scenarios::ExploreProgress last_;
  std::vector<scenarios::ExploreRateSample> samples_;
};

std::optional<scenarios::Shard> parse_shard(const std::string& text) {
  unsigned index = 0, count = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%u%c%u%c", &index, &slash, &count, &extra) != 3) return {};
  if (slash != '/' || count == 0 || index == 0 || index > count) return {};
  return scenarios::Shard{.index = index, .count = count};
}

void print_explore_summary(const scenarios::ExploreResult& r) {
  fmt::print("explored    {} of {} seeds, {} failure{}, {:.2f} s wall, {:.1f} seeds/s{}\n",
             r.verdicts.size(), r.seeds_planned, r.failures, r.failures == 1 ? "" : "s",
             r.wall_time_s, r.seeds_per_s(),
             r.budget_exhausted ? " (time budget reached)"
                                : (r.stopped_at_failure ? " (stopped at the first failure)" : ""));
}

std::vector<std::string> points_never_reached(const scenarios::ExploreResult& r) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < r.runs_reaching.size(); i++) {
    if (r.runs_reaching[i] == 0) names.emplace_back(engine::kCoveragePointNames[i]);
  }
  return names;
}

void print_coverage(const scenarios::ExploreResult& r) {
  fmt::print("coverage    {}/{} engine points reached (docs/explore.md)\n", r.points_reached(),
             engine::kCoveragePointCount);
  const std::vector<std::string> never = points_never_reached(r);
  if (!never.empty()) fmt::print("never       {}\n", fmt::join(never, " "));
}

nlohmann::json coverage_json(const scenarios::ExploreResult& r) {
  nlohmann::json runs = nlohmann::json::object();
  for (std::size_t i = 0; i < r.runs_reaching.size(); i++) {
    runs[engine::kCoveragePointNames[i]] = r.runs_reaching[i];
  }
  return {{"points", engine::kCoveragePointCount},
          {"reached", r.points_reached()},
          {"never_reached", points_never_reached(r)},
          {"runs_reaching", runs}};
}

nlohmann::json explore_json(const model::WorldConfig& config, const scenarios::ExploreResult& r) {
  return {{"format", "imsim-explore"},
          {"scenario", config.name},
          {"mutations", engine::enabled_mutations(config.engine.mutations)},
          {"seeds_planned", r.seeds_planned},
          {"seeds_run", r.verdicts.size()},
          {"failures", r.failures},
          {"wall_time_s", r.wall_time_s},
          {"seeds_per_s", r.seeds_per_s()},
          {"budget_exhausted", r.budget_exhausted},
          {"coverage", coverage_json(r)},
          {"failure", nullptr},
          {"exit_code", kExitValid}};
}

// The output directory, checked before any seed runs: a failure found after minutes of
// exploring and shrinking must not be lost to "cannot write".
fs::path explore_out_dir(const model::WorldConfig& config, const ExploreArgs& args) {
  return args.out_dir ? fs::path(*args.out_dir)
                      : fs::path("imsim-out") / ("explore-" + config.name);
}

// A mutant scenario expects its anomaly class: explored plainly, a seed where the bug does not
// show is the failure. Say how to hunt the bug instead (docs/cli.md, "Hunting a mutant").
void print_expect_hint() {
  fmt::print(
      "            (the scenario's checks.expect asks for them in every run; to hunt a "
      "mutation, judge the runs plainly: --mutation NAME --checkers CLASS)\n");
}

// The first failure: re-run it here, check that its explicit form replays it, shrink, write.
int handle_failure(const model::WorldConfig& config, const ExploreArgs& args,
                   const scenarios::SeedVerdict& failed, nlohmann::json& summary) {
  nlohmann::json failure = {{"seed", failed.seed}, {"anomalies", failed.anomalies_found}};
  if (failed.world_seed) failure["world_seed"] = *failed.world_seed;
  if (failed.error && failed.detail.starts_with("worker")) {
    // An assertion or a crash: re-running it here would take this process down too.
    failure["error"] = failed.detail;
    std::string flags = args.swarm ? " --swarm" : "";
    if (failed.world_seed) flags += fmt::format(" --world-seed {}", *failed.world_seed);
    if (args.overrides.no_mutations) flags += " --no-mutations";
    for (const auto& m : args.overrides.mutations) flags += " --mutation " + m;
    if (!args.overrides.checkers.empty()) {
      flags += fmt::format(" --checkers {}", fmt::join(args.overrides.checkers, ","));
    }
    failure["run_command"] =
        fmt::format("{} run {} --seed {}{} --no-out", program(), args.scenario, failed.seed, flags);
    if (!args.json) {
      fmt::print("FAILURE     seed {}: {}\nreproduce with: {}\n", failed.seed, failed.detail,
                 failure["run_command"].get<std::string>());
    }
    summary["failure"] = failure;
    return kExitAnomalies;
  }
  const RunOutcome swarm_run =
      scenarios::run_seed(config, failed.seed, args.swarm, failed.world_seed);
  const RunOutcome replay = scenarios::run_scenario(scenarios::explicit_config(swarm_run), {});
  if (swarm_run.result.trace_hash != failed.trace_hash ||
      replay.result.trace_hash != swarm_run.result.trace_hash) {
    return fail(fmt::format(
        "NON-DETERMINISM at seed {}: worker hash {}, re-run {}, explicit fault schedule {}",
        failed.seed, scenarios::format_trace_hash(failed.trace_hash),
        scenarios::format_trace_hash(swarm_run.result.trace_hash),
        scenarios::format_trace_hash(replay.result.trace_hash)));
  }
  const std::vector<std::string> missing = expected_missing(config.checks, failed.anomalies_found);
  if (!missing.empty()) failure["expected_missing"] = missing;
  if (!args.json) {
    fmt::print(
        "FAILURE     seed {}: {} (trace hash {}; {} faults in the explicit schedule)\n",
        failed.seed,
        failed.error ? failed.detail : failure_class_text(config.checks, failed.anomalies_found),
        scenarios::format_trace_hash(failed.trace_hash), replay.config.faults.size());
    if (!missing.empty()) print_expect_hint();
  }
  const fs::path dir = explore_out_dir(config, args);
  const fs::path file = dir / fmt::format("failure-seed{}.json", failed.seed);
  const int code = shrink_and_write(replay, !args.no_shrink, shrink_options(args.json), file,
                                    args.json, failure);
  summary["failure"] = failure;
  return code;
}

// The command that explores the same seeds again (printed when the base seed was drawn).
std::string repeat_command(const ExploreArgs& args, std::uint64_t first_seed) {
  std::string flags;
  if (args.swarm) flags += " --swarm";
  if (args.guided) flags += " --guided";
  if (args.overrides.no_mutations) flags += " --no-mutations";
  for (const auto& m : args.overrides.mutations) flags += " --mutation " + m;
  if (!args.overrides.checkers.empty()) {
    flags += fmt::format(" --checkers {}", fmt::join(args.overrides.checkers, ","));
  }
  if (args.shard != "1/1") flags += " --shard " + args.shard;
  return fmt::format("{} explore {} --first-seed {} --seeds {}{}", program(), args.scenario,
                     first_seed, args.seeds, flags);
}

}  // namespace

int explore_command(const ExploreArgs& args) {
  if (base::Status status = check_input_file(args.scenario, InputKind::kScenario); !status.ok()) {
    return fail(status);
  }
  base::Result<model::WorldConfig> loaded = scenarios::load_scenario_named(args.scenario);
  if (!loaded.ok()) return fail(loaded.status().message());
  model::WorldConfig config = std::move(loaded).value();
  if (base::Status status = apply_overrides(config, args.overrides); !status.ok()) {
    return fail(status.message());
  }
  const std::optional<scenarios::Shard> shard = parse_shard(args.shard);
  if (!shard)
    return fail(fmt::format("--shard: expected K/N with 1 <= K <= N, got \"{}\"", args.shard));
  if (args.guided && (!args.swarm || !config.swarm.world.any())) {
    return fail(fmt::format(
        "--guided varies the drawn world, so it needs --swarm and a swarm.world section in {} "
        "(docs/scenario-format.md, \"World swarm\")",
        args.scenario));
  }
  if (args.guided && args.shard != "1/1")
    return fail("--guided runs one sequence of rounds: no --shard");
  // Each worker runs one seed at a time: --jobs of them at once.
  if (base::Status refusal = memory_check(config, false, args.memory_limit, args.jobs);
      !refusal.ok()) {
    return fail(refusal.message());
  }
  if (base::Status status = check_out_dir(explore_out_dir(config, args).string(),
                                          args.out_dir ? "--out" : "output directory");
      !status.ok()) {
    return fail(status);
  }
  const bool random_seed = args.seed_from == "random";
  scenarios::ExploreOptions options;
  options.first_seed =
      random_seed ? random_base_seed(args.seeds) : args.first_seed.value_or(config.seed);
  options.seeds = args.seeds;
  if (options.seeds - 1 > UINT64_MAX - options.first_seed) {
    return fail(fmt::format("--seeds: {} seeds from seed {} would pass the last seed, {}",
                            options.seeds, options.first_seed, UINT64_MAX));
  }
  options.swarm = args.swarm;
  options.guided = args.guided;
  options.jobs = args.jobs;
  options.shard = *shard;
  options.time_budget_s = args.time_budget_s;
  Progress progress(true, args.time_budget_s);
  options.on_progress = [&progress](const scenarios::ExploreProgress& p) { progress.update(p); };

  const scenarios::ExploreResult result = scenarios::explore(config, options);
  progress.finish();
  if (!result.error.empty()) return fail("explore: " + result.error);
  nlohmann::json summary = explore_json(config, result);
  summary["first_seed"] = options.first_seed;
  summary["seed_from"] = args.seed_from;
  if (random_seed) summary["repeat_command"] = repeat_command(args, options.first_seed);
  if (!args.json) {
    fmt::print("scenario    {}{}\n", config.name,
               args.guided ? " (swarm, guided)" : (args.swarm ? " (swarm)" : ""));
    const std::vector<std::string> mutations = engine::enabled_mutations(config.engine.mutations);
    if (!mutations.empty()) fmt::print("mutations   {}\n", fmt::join(mutations, ", "));
    fmt::print("seeds       {} .. {}, shard {}, {} job{}{}\n", options.first_seed,
               options.first_seed + options.seeds - 1, args.shard, args.jobs,
               args.jobs == 1 ? "" : "s", random_seed ? " (random base seed)" : "");
    if (random_seed) fmt::print("repeat with: {}\n", repeat_command(args, options.first_seed));
    print_explore_summary(result);
    print_coverage(result);
  }
  int code = kExitValid;
  if (result.first_failure) code = handle_failure(config, args, *result.first_failure, summary);
  summary["exit_code"] = code;
  if (args.out_dir) {
    // The summary (coverage included) beside the failure file, for tools that gather several
    // explorations (the CI gate's coverage table: tests/explore_coverage.py).
    std::error_code ec;
    fs::create_directories(*args.out_dir, ec);
    std::ofstream out(fs::path(*args.out_dir) / "explore.json");
    out << summary.dump(2) << '\n';
    if (!out) return fail(fmt::format("cannot write {}/explore.json", *args.out_dir));
    std::ofstream plot(fs::path(*args.out_dir) / "explore.svg");
    plot << scenarios::explore_svg(config.name, result, progress.samples());
    if (!plot) return fail(fmt::format("cannot write {}/explore.svg", *args.out_dir));
  }
  if (args.json) std::cout << summary.dump(2) << '\n';
  if (!args.json && code == kExitValid) fmt::print("verdict     no failure  (exit 0)\n");
  return code;
}

}  // namespace imsim::cli
