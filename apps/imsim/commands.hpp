#pragma once
// The imsim subcommands. Each returns the process exit code (scenarios::kExit*).
#include <cstdint>
#include <optional>
#include <string>

namespace imsim::cli {

struct RunArgs {
  std::string scenario;  // a file, or a library name
  std::optional<std::uint64_t> seed;
  std::optional<std::string> out_dir;
  bool no_out = false;
  bool json = false;
  std::optional<double> lamport_from_s;
};
int run_command(const RunArgs& args);

struct ReplayArgs {
  std::string failure_file;
  std::optional<std::string> out_dir;
  bool json = false;
  std::optional<double> lamport_from_s;
};
int replay_command(const ReplayArgs& args);

struct ListArgs {
  bool json = false;
};
int list_command(const ListArgs& args);

}  // namespace imsim::cli
