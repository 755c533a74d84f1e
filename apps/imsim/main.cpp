// imsim: run, replay, list, check, explore and shrink (docs/cli.md).
// Exit codes: 0 valid (as the scenario expects), 1 anomalies found, 2 bad input or error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/explore.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace {

// CLI11 would read "-1" as 2^64-1 and clamp 2^64: a seed is exactly a decimal integer that fits
// 64 bits, like the scenario's "seed".
const CLI::Validator kSeed(
    [](std::string& text) -> std::string {
      if (imsim::cli::parse_seed(text)) return {};
      return "expected a seed: a decimal integer in [0, 18446744073709551615], got \"" + text +
             "\"";
    },
    "SEED");

// --memory-limit SIZE (scenarios::parse_memory_size).
const CLI::Validator kMemorySize(
    [](std::string& text) -> std::string { return imsim::cli::memory_limit_error(text); },
    "SIZE");
constexpr const char* kMemoryLimitHelp =
    "Refuse the run if its estimated memory exceeds SIZE (e.g. 8G, 500M; default: half the "
    "physical memory, at most 16G)";

// Wall-clock and simulated seconds given on the command line: finite, and within what a run
// can hold (a value beyond would overflow when converted to nanoseconds).
const double kSecondsMax = double(imsim::model::kRunDurationMax_ns) / 1e9;

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

// `imsim runn ...`: CLI11 would say "A subcommand is required"; name the word and the command
// meant. Returns the exit code, or nothing when the first argument is fine.
std::optional<int> unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  const std::string word = argv[1];
  if (word.starts_with("-") && !word.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
  const std::string meant = imsim::cli::closest_name(word, names);
  return imsim::cli::fail(
      fmt::format("unknown command \"{}\" ({}; see imsim --help)", word,
                  meant.empty() ? fmt::format("expected one of {}", fmt::join(names, ", "))
                                : "did you mean " + meant + "?"));
}

// Arguments CLI11 did not expect (`run default --seeds 5`): name the first unknown option and
// the closest one the command has, or the stray argument.
int extras_error(const CLI::App& app, int argc, char** argv) {
  const CLI::App* sub = nullptr;
  for (int i = 1; i < argc && sub == nullptr; i++) {
    for (const CLI::App* s : app.get_subcommands({})) {
      if (s->get_name() == argv[i]) sub = s;
    }
  }
  if (sub == nullptr) return imsim::cli::fail("unexpected arguments (see imsim --help)");
  std::vector<std::string> known;
  for (const CLI::Option* opt : sub->get_options()) {
    for (const std::string& name : opt->get_lnames()) known.push_back("--" + name);
  }
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (!arg.starts_with("--")) continue;
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string meant = imsim::cli::closest_name(name, known);
    return imsim::cli::fail(
        fmt::format("{}: unknown option {}{} (see imsim {} --help)", sub->get_name(), name,
                    meant.empty() ? "" : " (did you mean " + meant + "?)", sub->get_name()));
  }
  std::vector<std::string> extras;
  for (const std::string& extra : sub->remaining()) extras.push_back("\"" + extra + "\"");
  return imsim::cli::fail(fmt::format("{}: unexpected argument{} {} (see imsim {} --help)",
                                      sub->get_name(), extras.size() == 1 ? "" : "s",
                                      fmt::join(extras, " "), sub->get_name()));
}

}  // namespace

int main(int argc, char** argv) {
  using imsim::scenarios::kExitError;
  CLI::App app{"imsim: deterministic verification of instant-messaging sync protocols"};
  app.require_subcommand(1);
  app.set_version_flag("--version", imsim::scenarios::code_version());

  imsim::cli::RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run a scenario, check its history, write outputs");
  run->add_option("scenario", run_args.scenario,
                  "Scenario file, or the name of a library scenario (see `imsim list`)")
      ->required();
  run->add_option("--seed", run_args.seed, "Seed for this run (overrides the scenario's)")
      ->check(kSeed);
  CLI::Option* out = run->add_option("--out", run_args.out_dir,
                                     "Output directory (default: imsim-out/<scenario>-seed<seed>)");
  run->add_flag("--no-out", run_args.no_out, "Write no files (the history is checked in memory)")
      ->excludes(out);
  run->add_flag("--json", run_args.json, "Print results.json to stdout instead of the summary");
  run->add_option("--lamport-from", run_args.lamport_from_s,
                  "First instant (s) drawn in lamport.svg (default: just before the first fault)")
      ->check(seconds_validator(false));
  run->add_option("--memory-limit", run_args.memory_limit, kMemoryLimitHelp)->check(kMemorySize);
  bool run_progress = false, run_no_progress = false;
  CLI::Option* run_progress_flag = run->add_flag(
      "--progress", run_progress,
      "Print simulated-time progress and an ETA on stderr even when it is not a terminal or "
      "the run is short (default: on a terminal, once a run has taken 2 s)");
  run->add_flag("--no-progress", run_no_progress, "Print no progress")->excludes(run_progress_flag);

  imsim::cli::ReplayArgs replay_args;
  CLI::App* replay = app.add_subcommand(
      "replay", "Re-run a failure file (replay.json); exit 2 if the trace hash differs");
  replay->add_option("failure_file", replay_args.failure_file, "The failure file")->required();
  replay->add_option("--out", replay_args.out_dir, "Also write the run's outputs here");
  replay->add_flag("--json", replay_args.json, "Print results.json to stdout");
  replay
      ->add_option("--lamport-from", replay_args.lamport_from_s,
                   "First instant (s) drawn in lamport.svg (default: just before the first fault)")
      ->check(seconds_validator(false));
  replay->add_option("--memory-limit", replay_args.memory_limit, kMemoryLimitHelp)
      ->check(kMemorySize);
  bool replay_progress = false, replay_no_progress = false;
  CLI::Option* replay_progress_flag =
      replay->add_flag("--progress", replay_progress, "As for run");
  replay->add_flag("--no-progress", replay_no_progress, "As for run")
      ->excludes(replay_progress_flag);

  imsim::cli::ListArgs list_args;
  CLI::App* list = app.add_subcommand("list", "List the library scenarios");
  list->add_flag("--json", list_args.json, "Print the list as JSON");

  run->add_flag("--swarm", run_args.swarm,
                "Switch the scenario's swarm on (as `imsim explore --swarm` does)");
  run->add_option("--world-seed", run_args.world_seed,
                  "Seed of the world swarm's draw (default: the run's seed); as printed by "
                  "`imsim explore --guided`");
  const auto add_overrides = [](CLI::App* cmd, imsim::cli::OverrideFlags& flags) {
    cmd->add_option("--mutation", flags.mutations,
                    "Switch an engine mutation on (repeatable; `imsim list` names them); the run "
                    "is then judged as a valid one");
    cmd->add_flag("--no-mutations", flags.no_mutations,
                  "Switch off the scenario's own mutations (before any --mutation); the run is "
                  "then judged as a valid one");
    cmd->add_option("--checkers", flags.checkers,
                    "Only these checkers judge the run (default: the scenario's): lost,duplicated,"
                    "reordered,fifo,causal,ghost,liveness,misnumbered,gap,unavailable")
        ->delimiter(',');
  };
  add_overrides(run, run_args.overrides);

  imsim::cli::CheckArgs check_args;
  CLI::App* check = app.add_subcommand(
      "check", "Check a history file (HISTORY.md v1 or v2): verdicts and metrics; exit 0/1/2");
  check->add_option("history", check_args.history_file, "The history (JSONL); - reads stdin")
      ->required();
  check->add_flag("--json", check_args.json, "Print the report as JSON");
  check
      ->add_option("--checkers", check_args.checkers,
                   "Checkers to run (default: all the file's version defines): lost,duplicated,"
                   "reordered,fifo,causal,ghost,liveness,misnumbered,gap,unavailable")
      ->delimiter(',');

  imsim::cli::ExploreArgs explore_args;
  CLI::App* explore = app.add_subcommand(
      "explore", "Run many seeds; shrink the first failure and write its failure file");
  explore
      ->add_option("scenario", explore_args.scenario,
                   "Scenario file, or the name of a library scenario")
      ->required();
  explore->add_option("--seeds", explore_args.seeds, "How many seeds (default 100)")
      ->check(CLI::Range(std::uint64_t(1), imsim::scenarios::kExploreSeedsMax));
  CLI::Option* first_seed = explore
                                ->add_option("--first-seed", explore_args.first_seed,
                                             "First seed (default: the scenario's seed)")
                                ->check(kSeed);
  explore
      ->add_option("--seed-from", explore_args.seed_from,
                   "Where the first seed comes from: scenario (its seed; the default) or random "
                   "(a fresh one each time, printed with the command that repeats it)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (text == "scenario" || text == "random") return {};
            return "expected scenario or random, got \"" + text + "\"";
          },
          "scenario|random"))
      ->excludes(first_seed);
  explore->add_flag("--swarm", explore_args.swarm,
                    "Swarm mode: the seed draws extra faults (the scenario's swarm knobs)");
  explore->add_flag("--guided", explore_args.guided,
                    "Coverage-guided: keep the worlds of runs that reached rare coverage points "
                    "(needs --swarm and a swarm.world section)");
  explore->add_option("--jobs,-j", explore_args.jobs, "Worker processes (default 1)")
      ->check(CLI::Range(1, imsim::scenarios::kExploreJobsMax));
  explore->add_option("--shard", explore_args.shard,
                      "K/N: only seeds whose index % N == K-1 (default 1/1)");
  explore
      ->add_option("--time-budget", explore_args.time_budget_s,
                   "Stop launching seeds after S wall seconds")
      ->check(seconds_validator(true));
  explore->add_option("--out", explore_args.out_dir,
                      "Directory of the failure file (default imsim-out/explore-<scenario>)");
  explore->add_flag("--no-shrink", explore_args.no_shrink,
                    "Write the first failure as found, without shrinking it");
  explore->add_flag("--json", explore_args.json, "Print a JSON summary to stdout");
  add_overrides(explore, explore_args.overrides);
  explore
      ->add_option("--memory-limit", explore_args.memory_limit,
                   "Refuse if --jobs runs at once would exceed SIZE of estimated memory (e.g. "
                   "8G; default: half the physical memory, at most 16G)")
      ->check(kMemorySize);

  imsim::cli::BenchArgs bench_args;
  CLI::App* bench = app.add_subcommand(
      "bench", "Run the performance suite (docs/performance.md) and print its figures");
  bench->add_flag("--json", bench_args.json, "Print the figures as JSON");
  bench->add_flag("--quick", bench_args.quick, "A small suite for tests (figures not comparable)");

  imsim::cli::ShrinkArgs shrink_args;
  CLI::App* shrink = app.add_subcommand(
      "shrink", "Minimise a failure file (replayed first: exit 2 if the hash differs)");
  shrink->add_option("failure_file", shrink_args.failure_file, "The failure file")->required();
  shrink->add_option("--out", shrink_args.out_file,
                     "Where the shrunk file goes (default: <name>.shrunk.json beside it)");
  shrink
      ->add_option(
          "--runs-max", shrink_args.runs_max,
          fmt::format("Candidate runs at most (default {})", imsim::scenarios::kShrinkRunsMax))
      ->check(CLI::Range(std::uint32_t(1), std::numeric_limits<std::uint32_t>::max()));
  shrink
      ->add_option(
          "--time-max", shrink_args.time_max_s,
          fmt::format("Wall seconds at most (default {})", imsim::scenarios::kShrinkWallSecondsMax))
      ->check(seconds_validator(true));
  shrink->add_flag("--json", shrink_args.json, "Print a JSON summary to stdout");

  // Later: `bench` registers here, as its own subcommand function in apps/imsim/.

  imsim::cli::set_invocation(argc > 0 ? argv[0] : nullptr);
  if (const std::optional<int> code = unknown_command(app, argc, argv)) return *code;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that succeed: CLI11 prints them.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) return extras_error(app, argc, argv);
    // Every other parse error is one line, like every other imsim error.
    return imsim::cli::fail(fmt::format("{} (see imsim --help)", e.what()));
  }
  const auto tristate = [](bool on, bool off) -> std::optional<bool> {
    if (on) return true;
    if (off) return false;
    return std::nullopt;
  };
  run_args.progress = tristate(run_progress, run_no_progress);
  replay_args.progress = tristate(replay_progress, replay_no_progress);
  try {
    if (bench->parsed()) return imsim::cli::bench_command(bench_args);
    if (run->parsed()) return imsim::cli::run_command(run_args);
    if (replay->parsed()) return imsim::cli::replay_command(replay_args);
    if (list->parsed()) return imsim::cli::list_command(list_args);
    if (check->parsed()) return imsim::cli::check_command(check_args);
    if (explore->parsed()) return imsim::cli::explore_command(explore_args);
    if (shrink->parsed()) return imsim::cli::shrink_command(shrink_args);
  } catch (const std::exception& e) {
    fmt::print(stderr, "imsim: internal error: {}\n", e.what());
    return kExitError;
  }
  return kExitError;
}
