#pragma once
// The imsim subcommands. Each returns the process exit code (scenarios::kExit*).
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imsim/base/status.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/overrides.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace imsim::cli {

// Prints "imsim: error: <message>" to stderr; returns the bad-input/error exit code (2).
int fail(const std::string& message);
// fail(status.message()): for a status that is not ok.
int fail(const base::Status& status);
// A seed as the command line gives it: decimal digits only, at most 2^64-1 (no sign, no
// exponent, no wrap-around).
std::optional<std::uint64_t> parse_seed(std::string_view text);
// Refuses a run whose estimated memory (scenarios::estimate_memory, times `runs` concurrent
// runs) exceeds the limit: `--memory-limit` if given (already validated), else the default
// (scenarios::default_memory_limit of this machine's physical memory). Ok if the run fits;
// else the refusal (limit_exceeded).
base::Status memory_check(const model::WorldConfig& config, bool record_trace,
                          const std::optional<std::string>& memory_limit, int runs = 1);
// --memory-limit's check: a size such as 8G or 500M (scenarios::parse_memory_size).
std::string memory_limit_error(const std::string& text);
// The message for a replay whose trace hash differs from the failure file's.
std::string nondeterminism(const scenarios::FailureFile& failure, std::uint64_t replayed_hash);

// Scenario overrides shared by run and explore (`--mutation NAME...`, `--no-mutations`,
// `--checkers a,b`): scenarios/overrides.hpp.
using OverrideFlags = scenarios::Overrides;
using scenarios::apply_overrides;
using scenarios::unknown_checker;

struct RunArgs {
  std::string scenario;  // a file, or a library name
  std::optional<std::uint64_t> seed;
  std::optional<std::string> out_dir;
  bool no_out = false;
  bool json = false;
  std::optional<double> lamport_from_s;
  bool swarm = false;                       // switch the scenario's swarm on
  std::optional<std::uint64_t> world_seed;  // the world swarm's seed (default: --seed)
  OverrideFlags overrides;
  std::optional<std::string> memory_limit;  // --memory-limit SIZE
  std::optional<bool> progress;             // --progress / --no-progress (default: a terminal)
};
int run_command(const RunArgs& args);

struct ReplayArgs {
  std::string failure_file;
  std::optional<std::string> out_dir;
  bool json = false;
  std::optional<double> lamport_from_s;
  std::optional<std::string> memory_limit;
  std::optional<bool> progress;
};
int replay_command(const ReplayArgs& args);

struct BenchArgs {
  bool json = false;
  bool quick = false;  // a small suite (seconds) for tests; the figures are not comparable
};
int bench_command(const BenchArgs& args);

struct ListArgs {
  bool json = false;
};
int list_command(const ListArgs& args);

struct CheckArgs {
  std::string history_file;
  std::vector<std::string> checkers;  // anomaly names; empty = all
  bool json = false;
};
int check_command(const CheckArgs& args);

struct ExploreArgs {
  std::string scenario;  // a file, or a library name
  std::uint64_t seeds = 100;
  std::optional<std::uint64_t> first_seed;  // default: the scenario's seed
  std::string seed_from = "scenario";       // or "random": random_base_seed()
  bool swarm = false;
  bool guided = false;  // coverage-guided (scenarios::ExploreOptions::guided)
  int jobs = 1;
  std::string shard = "1/1";  // K/N
  std::optional<double> time_budget_s;
  std::optional<std::string> out_dir;  // default: imsim-out/explore-<name>
  bool no_shrink = false;
  bool json = false;
  OverrideFlags overrides;
  std::optional<std::string> memory_limit;  // per run; --jobs J runs J at once
};
int explore_command(const ExploreArgs& args);

struct ShrinkArgs {
  std::string failure_file;
  std::optional<std::string> out_file;  // default: <failure file stem>.shrunk.json beside it
  std::uint32_t runs_max = 0;           // 0: scenarios::kShrinkRunsMax
  double time_max_s = 0.0;              // 0: scenarios::kShrinkWallSecondsMax
  bool json = false;
};
int shrink_command(const ShrinkArgs& args);
// Shrinks `failing` (explicit config), writes its failure file to `file`, prints what it shows
// and how to replay it. Adds "file", "shrink", "anomalies" to `summary`. Returns the exit code.
// (shrink_command.cpp; explore runs it on its first failure.)
int shrink_and_write(const scenarios::RunOutcome& failing, bool do_shrink,
                     const scenarios::ShrinkOptions& options, const std::filesystem::path& file,
                     bool quiet, nlohmann::json& summary);
// Shrink options that print each step on stderr unless `quiet`.
scenarios::ShrinkOptions shrink_options(bool quiet);

// ---- Bad input caught before the work, hints, seeds (input_checks.cpp) ----
// Remembers how imsim was invoked (argv[0]) for program().
void set_invocation(const char* argv0);
// The command printed in hints ("replay with: <program> replay ..."): "imsim" when that name,
// looked up on PATH, is this program; else the path it was invoked by.
const std::string& program();
// Ok, or why `dir` cannot be the output directory (a file on the way, not writable), with
// `flag` (e.g. "--out") naming the option (io_error). Creates nothing.
base::Status check_out_dir(const std::string& dir, std::string_view flag);
enum class InputKind { kScenario, kFailure, kHistory };
std::string kind_name(InputKind kind);
// Ok, or why the file `path` is not of the kind expected (invalid_input): a directory, or
// another imsim file (a failure file, results.json, a history, an explore summary, a
// scenario), with the command that takes it. A missing file is the loader's to report.
base::Status check_input_file(const std::string& path, InputKind expected);
// The name among `names` closest to `word` (edit distance, at most a third of it), or "".
std::string closest_name(std::string_view word, const std::vector<std::string>& names);
// ---- A failure's summary (failure_summary.cpp) ----
// The failing run's world (users, devices, conversations, messages) and its remaining faults.
void print_failure_world(const scenarios::RunOutcome& outcome);
// The checks.expect anomalies absent from `found` (none when the scenario expects a valid run).
std::vector<std::string> expected_missing(const model::Checks& checks,
                                          const std::vector<std::string>& found);
// What failed: "duplicated, lost", or "expected anomaly duplicated missing", or "no anomaly".
std::string failure_class_text(const model::Checks& checks, const std::vector<std::string>& found);

// A fresh base seed from std::random_device (the CLI's only random source): seeds base ..
// base + seeds - 1 fit 64 bits.
std::uint64_t random_base_seed(std::uint64_t seeds);

}  // namespace imsim::cli
