// imsim: run, replay, list, check, explore and shrink (docs/cli.md).
// Exit codes: 0 valid (as the scenario expects), 1 anomalies found, 2 bad input or error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "commands.hpp"
#include "imsim/scenarios/run.hpp"

namespace {

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
  CLI::App app{"imsim: deterministic verification of instant-messaging sync protocols"};
  app.require_subcommand(1);
  app.set_version_flag("--version", imsim::scenarios::code_version());
  // In the order `imsim --help` lists them.
  const std::vector<imsim::cli::Subcommand> commands = {
      imsim::cli::add_run(app),    imsim::cli::add_replay(app),  imsim::cli::add_list(app),
      imsim::cli::add_check(app),  imsim::cli::add_explore(app), imsim::cli::add_bench(app),
      imsim::cli::add_shrink(app),
  };

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
  try {
    for (const imsim::cli::Subcommand& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "imsim: internal error: {}\n", e.what());
    return imsim::scenarios::kExitError;
  }
  return imsim::scenarios::kExitError;
}
