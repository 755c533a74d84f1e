#pragma once
// The command line: one function per subcommand registers it and its options with CLI11 and
// returns how to run it once parsed; main.cpp calls them in the order `imsim --help` lists the
// commands, parses, and runs the one given.
#include <CLI/CLI.hpp>
#include <functional>

namespace imsim::cli {

struct Subcommand {
  CLI::App* app = nullptr;   // owned by the parent app
  std::function<int()> run;  // the command, on the arguments parsed into its options
};

Subcommand add_run(CLI::App& app);
Subcommand add_replay(CLI::App& app);
Subcommand add_list(CLI::App& app);
Subcommand add_check(CLI::App& app);
Subcommand add_explore(CLI::App& app);
Subcommand add_bench(CLI::App& app);
Subcommand add_shrink(CLI::App& app);

}  // namespace imsim::cli
