// The subcommands' options (docs/cli.md), one registration function per command. The --help
// text of every command is pinned by the CLI tests and scripts/docs-check.
#include "command_line.hpp"

#include <fmt/format.h>

#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/properties/anomaly.hpp"
#include "imsim/scenarios/explore.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace imsim::cli {
namespace {

// CLI11 would read "-1" as 2^64-1 and clamp 2^64: a seed is exactly a decimal integer that fits
// 64 bits, like the scenario's "seed".
const CLI::Validator kSeed(
    [](std::string& text) -> std::string {
      if (parse_seed(text)) return {};
      return "expected a seed: a decimal integer in [0, 18446744073709551615], got \"" + text +
             "\"";
    },
    "SEED");

// --memory-limit SIZE (scenarios::parse_memory_size).
const CLI::Validator kMemorySize(
    [](std::string& text) -> std::string { return memory_limit_error(text); }, "SIZE");
constexpr const char* kMemoryLimitHelp =
    "Refuse the run if its estimated memory exceeds SIZE (e.g. 8G, 500M; default: half the "
    "physical memory, at most 16G)";

// Wall-clock and simulated seconds given on the command line: finite, and within what a run
// can hold (a value beyond would overflow when converted to nanoseconds).
const double kSecondsMax = double(model::kRunDurationMax_ns) / 1e9;

// Seconds: a finite number in [0, kSecondsMax] (positive: > 0), said in one short line (CLI11's
// own range text prints the bound with hundreds of digits).
CLI::Validator seconds_validator(bool positive) {
  return CLI::Validator(
      [positive](std::string& text) -> std::string {
        double value = 0;
        std::size_t used = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        const bool ok =
            used == text.size() && value <= kSecondsMax && (positive ? value > 0 : value >= 0);
        if (ok) return {};
        return fmt::format("expected a number of seconds {} and at most {:g}, got \"{}\"",
                           positive ? "> 0" : ">= 0", kSecondsMax, text);
      },
      positive ? "SECONDS>0" : "SECONDS");
}

// --progress / --no-progress: on, off, or (neither given) the default.
struct ProgressFlags {
  bool on = false;
  bool off = false;
  std::optional<bool> value() const {
    if (on) return true;
    if (off) return false;
    return std::nullopt;
  }
};

void add_progress(CLI::App* cmd, ProgressFlags& flags, const char* on_help, const char* off_help) {
  CLI::Option* on = cmd->add_flag("--progress", flags.on, on_help);
  cmd->add_flag("--no-progress", flags.off, off_help)->excludes(on);
}

// The scenario overrides run and explore share (scenarios/overrides.hpp).
void add_overrides(CLI::App* cmd, OverrideFlags& flags) {
  cmd->add_option("--mutation", flags.mutations,
                  "Switch an engine mutation on (repeatable; `imsim list` names them); the run "
                  "is then judged as a valid one");
  cmd->add_flag("--no-mutations", flags.no_mutations,
                "Switch off the scenario's own mutations (before any --mutation); the run is "
                "then judged as a valid one");
  cmd->add_option("--checkers", flags.checkers,
                  fmt::format("Only these checkers judge the run (default: the scenario's): {}",
                              fmt::join(properties::checker_names(), ",")))
      ->delimiter(',');
}

}  // namespace

Subcommand add_run(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto progress = std::make_shared<ProgressFlags>();
  CLI::App* run = app.add_subcommand("run", "Run a scenario, check its history, write outputs");
  run->add_option("scenario", args->scenario,
                  "Scenario file, or the name of a library scenario (see `imsim list`)")
      ->required();
  run->add_option("--seed", args->seed, "Seed for this run (overrides the scenario's)")
      ->check(kSeed);
  CLI::Option* out = run->add_option("--out", args->out_dir,
                                     "Output directory (default: imsim-out/<scenario>-seed<seed>)");
  run->add_flag("--no-out", args->no_out, "Write no files (the history is checked in memory)")
      ->excludes(out);
  run->add_flag("--json", args->json, "Print results.json to stdout instead of the summary");
  run->add_option("--lamport-from", args->lamport_from_s,
                  "First instant (s) drawn in lamport.svg (default: just before the first fault)")
      ->check(seconds_validator(false));
  run->add_option("--memory-limit", args->memory_limit, kMemoryLimitHelp)->check(kMemorySize);
  add_progress(run, *progress,
               "Print simulated-time progress and an ETA on stderr even when it is not a terminal "
               "or the run is short (default: on a terminal, once a run has taken 2 s)",
               "Print no progress");
  run->add_flag("--swarm", args->swarm,
                "Switch the scenario's swarm on (as `imsim explore --swarm` does)");
  run->add_option("--world-seed", args->world_seed,
                  "Seed of the world swarm's draw (default: the run's seed); as printed by "
                  "`imsim explore --guided`");
  add_overrides(run, args->overrides);
  return {run, [args, progress] {
            args->progress = progress->value();
            return run_command(*args);
          }};
}

Subcommand add_replay(CLI::App& app) {
  auto args = std::make_shared<ReplayArgs>();
  auto progress = std::make_shared<ProgressFlags>();
  CLI::App* replay = app.add_subcommand(
      "replay", "Re-run a failure file (replay.json); exit 2 if the trace hash differs");
  replay->add_option("failure_file", args->failure_file, "The failure file")->required();
  replay->add_option("--out", args->out_dir, "Also write the run's outputs here");
  replay->add_flag("--json", args->json, "Print results.json to stdout");
  replay
      ->add_option("--lamport-from", args->lamport_from_s,
                   "First instant (s) drawn in lamport.svg (default: just before the first fault)")
      ->check(seconds_validator(false));
  replay->add_option("--memory-limit", args->memory_limit, kMemoryLimitHelp)->check(kMemorySize);
  add_progress(replay, *progress, "As for run", "As for run");
  return {replay, [args, progress] {
            args->progress = progress->value();
            return replay_command(*args);
          }};
}

Subcommand add_list(CLI::App& app) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* list = app.add_subcommand("list", "List the library scenarios");
  list->add_flag("--json", args->json, "Print the list as JSON");
  return {list, [args] { return list_command(*args); }};
}

Subcommand add_check(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* check = app.add_subcommand(
      "check", "Check a history file (HISTORY.md v1 or v2): verdicts and metrics; exit 0/1/2");
  check->add_option("history", args->history_file, "The history (JSONL); - reads stdin")
      ->required();
  check->add_flag("--json", args->json, "Print the report as JSON");
  check
      ->add_option("--checkers", args->checkers,
                   fmt::format("Checkers to run (default: all the file's version defines): {}",
                               fmt::join(properties::checker_names(), ",")))
      ->delimiter(',');
  return {check, [args] { return check_command(*args); }};
}

Subcommand add_explore(CLI::App& app) {
  auto args = std::make_shared<ExploreArgs>();
  CLI::App* explore = app.add_subcommand(
      "explore", "Run many seeds; shrink the first failure and write its failure file");
  explore
      ->add_option("scenario", args->scenario, "Scenario file, or the name of a library scenario")
      ->required();
  explore->add_option("--seeds", args->seeds, "How many seeds (default 100)")
      ->check(CLI::Range(std::uint64_t(1), scenarios::kExploreSeedsMax));
  CLI::Option* first_seed = explore
                                ->add_option("--first-seed", args->first_seed,
                                             "First seed (default: the scenario's seed)")
                                ->check(kSeed);
  explore
      ->add_option("--seed-from", args->seed_from,
                   "Where the first seed comes from: scenario (its seed; the default) or random "
                   "(a fresh one each time, printed with the command that repeats it)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (text == "scenario" || text == "random") return {};
            return "expected scenario or random, got \"" + text + "\"";
          },
          "scenario|random"))
      ->excludes(first_seed);
  explore->add_flag("--swarm", args->swarm,
                    "Swarm mode: the seed draws extra faults (the scenario's swarm knobs)");
  explore->add_flag("--guided", args->guided,
                    "Coverage-guided: keep the worlds of runs that reached rare coverage points "
                    "(needs --swarm and a swarm.world section)");
  explore->add_option("--jobs,-j", args->jobs, "Worker processes (default 1)")
      ->check(CLI::Range(1, scenarios::kExploreJobsMax));
  explore->add_option("--shard", args->shard,
                      "K/N: only seeds whose index % N == K-1 (default 1/1)");
  explore
      ->add_option("--time-budget", args->time_budget_s,
                   "Stop launching seeds after S wall seconds")
      ->check(seconds_validator(true));
  explore->add_option("--out", args->out_dir,
                      "Directory of the failure file (default imsim-out/explore-<scenario>)");
  explore->add_flag("--no-shrink", args->no_shrink,
                    "Write the first failure as found, without shrinking it");
  explore->add_flag("--json", args->json, "Print a JSON summary to stdout");
  add_overrides(explore, args->overrides);
  explore
      ->add_option("--memory-limit", args->memory_limit,
                   "Refuse if --jobs runs at once would exceed SIZE of estimated memory (e.g. "
                   "8G; default: half the physical memory, at most 16G)")
      ->check(kMemorySize);
  return {explore, [args] { return explore_command(*args); }};
}

Subcommand add_bench(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* bench = app.add_subcommand(
      "bench", "Run the performance suite (docs/performance.md) and print its figures");
  bench->add_flag("--json", args->json, "Print the figures as JSON");
  bench->add_flag("--quick", args->quick, "A small suite for tests (figures not comparable)");
  return {bench, [args] { return bench_command(*args); }};
}

Subcommand add_shrink(CLI::App& app) {
  auto args = std::make_shared<ShrinkArgs>();
  CLI::App* shrink = app.add_subcommand(
      "shrink", "Minimise a failure file (replayed first: exit 2 if the hash differs)");
  shrink->add_option("failure_file", args->failure_file, "The failure file")->required();
  shrink->add_option("--out", args->out_file,
                     "Where the shrunk file goes (default: <name>.shrunk.json beside it)");
  shrink
      ->add_option("--runs-max", args->runs_max,
                   fmt::format("Candidate runs at most (default {})", scenarios::kShrinkRunsMax))
      ->check(CLI::Range(std::uint32_t(1), std::numeric_limits<std::uint32_t>::max()));
  shrink
      ->add_option(
          "--time-max", args->time_max_s,
          fmt::format("Wall seconds at most (default {})", scenarios::kShrinkWallSecondsMax))
      ->check(seconds_validator(true));
  shrink->add_flag("--json", args->json, "Print a JSON summary to stdout");
  return {shrink, [args] { return shrink_command(*args); }};
}

}  // namespace imsim::cli
