// imsim: run, replay and list scenarios (docs/cli.md).
// Exit codes: 0 valid (as the scenario expects), 1 anomalies found, 2 bad input or error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "commands.hpp"
#include "imsim/scenarios/run.hpp"

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
  run->add_option("--seed", run_args.seed, "Seed for this run (overrides the scenario's)");
  CLI::Option* out = run->add_option("--out", run_args.out_dir,
                                     "Output directory (default: imsim-out/<scenario>-seed<seed>)");
  run->add_flag("--no-out", run_args.no_out, "Write no files (the history is checked in memory)")
      ->excludes(out);
  run->add_flag("--json", run_args.json, "Print results.json to stdout instead of the summary");
  run->add_option("--lamport-from", run_args.lamport_from_s,
                  "First instant (s) drawn in lamport.svg (default: just before the first fault)")
      ->check(CLI::NonNegativeNumber);

  imsim::cli::ReplayArgs replay_args;
  CLI::App* replay = app.add_subcommand(
      "replay", "Re-run a failure file (replay.json); exit 2 if the trace hash differs");
  replay->add_option("failure_file", replay_args.failure_file, "The failure file")->required();
  replay->add_option("--out", replay_args.out_dir, "Also write the run's outputs here");
  replay->add_flag("--json", replay_args.json, "Print results.json to stdout");
  replay
      ->add_option("--lamport-from", replay_args.lamport_from_s,
                   "First instant (s) drawn in lamport.svg (default: just before the first fault)")
      ->check(CLI::NonNegativeNumber);

  imsim::cli::ListArgs list_args;
  CLI::App* list = app.add_subcommand("list", "List the library scenarios");
  list->add_flag("--json", list_args.json, "Print the list as JSON");

  // Later: `check <history.jsonl>` (properties::check_file), `explore`, `shrink`, `bench`
  // register here, each as its own subcommand function in apps/imsim/.

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help / version / the parse error
    return code == 0 ? 0 : kExitError;
  }
  try {
    if (run->parsed()) return imsim::cli::run_command(run_args);
    if (replay->parsed()) return imsim::cli::replay_command(replay_args);
    if (list->parsed()) return imsim::cli::list_command(list_args);
  } catch (const std::exception& e) {
    fmt::print(stderr, "imsim: internal error: {}\n", e.what());
    return kExitError;
  }
  return kExitError;
}
