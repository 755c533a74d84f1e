// imsim shrink: minimise an existing failure file. Also the shrink-and-write step that
// `imsim explore` runs on its first failure. The work is in scenarios/shrink.hpp.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace imsim::cli {

namespace {

namespace fs = std::filesystem;
using scenarios::kExitAnomalies;
using scenarios::kExitValid;
using scenarios::RunOutcome;

std::string devices_text(const std::optional<std::size_t>& devices) {
  return devices ? std::to_string(*devices) : std::string("generated");
}

nlohmann::json stats_json(const scenarios::ShrinkStats& s) {
  const auto devices = [](const std::optional<std::size_t>& d) {
    return d ? nlohmann::json(*d) : nlohmann::json(nullptr);
  };
  return {{"faults_before", s.faults_before},
          {"faults_after", s.faults_after},
          {"devices_before", devices(s.devices_before)},
          {"devices_after", devices(s.devices_after)},
          {"messages_before", s.messages_before},
          {"messages_after", s.messages_after},
          {"runs", s.runs},
          {"limit_reached", s.limit_reached},
          {"wall_time_s", s.wall_time_s}};
}

}  // namespace

int shrink_and_write(const RunOutcome& failing, bool do_shrink,
                     const scenarios::ShrinkOptions& options, const fs::path& file, bool quiet,
                     nlohmann::json& summary) {
  scenarios::ShrinkResult shrunk{.outcome = failing, .stats = {}};
  if (do_shrink) {
    if (!quiet) fmt::print(stderr, "shrinking ...\n");
    shrunk = scenarios::shrink(failing, options);
  }
  const scenarios::ShrinkStats& s = shrunk.stats;
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  const base::Status saved =
      scenarios::save_failure_file(file, scenarios::failure_file_of(shrunk.outcome));
  if (!saved.ok()) return fail(saved.message());
  summary["file"] = file.string();
  summary["replay_command"] = program() + " replay " + file.string();
  summary["anomalies"] = shrunk.outcome.anomalies_found;
  if (do_shrink) summary["shrink"] = stats_json(s);
  if (quiet) return kExitAnomalies;
  if (do_shrink) {
    fmt::print(
        "shrunk      faults {} -> {}, devices {} -> {}, messages {} -> {} ({} runs, {:.1f} s{})\n",
        s.faults_before, s.faults_after, devices_text(s.devices_before),
        devices_text(s.devices_after), s.messages_before, s.messages_after, s.runs, s.wall_time_s,
        s.limit_reached ? ", limit reached" : "");
  }
  print_failure_world(shrunk.outcome);
  if (!shrunk.outcome.expected_missing.empty()) {
    // The checkers' report below may well say "OK: no anomaly": the scenario expected some.
    fmt::print("expected    {} (checks.expect), but the run did not show {}\n",
               fmt::join(shrunk.outcome.config.checks.expect_anomalies, ", "),
               fmt::join(shrunk.outcome.expected_missing, ", "));
  }
  if (shrunk.outcome.report) std::cout << properties::to_text(*shrunk.outcome.report);
  if (!shrunk.outcome.error.empty()) fmt::print("error       {}\n", shrunk.outcome.error);
  fmt::print("failure     {} (seed {}, trace hash {})\n", file.string(), shrunk.outcome.config.seed,
             scenarios::format_trace_hash(shrunk.outcome.result.trace_hash));
  fmt::print("replay with: {} replay {}\n", program(), file.string());
  return kExitAnomalies;
}

scenarios::ShrinkOptions shrink_options(bool quiet) {
  scenarios::ShrinkOptions options;
  if (!quiet) options.on_step = [](const std::string& line) { fmt::print(stderr, "  {}\n", line); };
  return options;
}

int shrink_command(const ShrinkArgs& args) {
  if (base::Status status = check_input_file(args.failure_file, InputKind::kFailure);
      !status.ok()) {
    return fail(status);
  }
  if (args.out_file) {
    const std::filesystem::path parent = std::filesystem::path(*args.out_file).parent_path();
    if (base::Status status = check_out_dir(parent.empty() ? "." : parent.string(),
                                            fmt::format("--out {}: directory", *args.out_file));
        !status.ok()) {
      return fail(status);
    }
  }
  base::Result<scenarios::FailureFile> loaded = scenarios::load_failure_file(args.failure_file);
  if (!loaded.ok()) return fail(loaded.status().message());
  const scenarios::FailureFile& failure = loaded.value();
  model::WorldConfig config = failure.scenario;
  config.seed = failure.seed;
  RunOutcome replay = scenarios::run_scenario(config, {});
  if (replay.result.trace_hash != failure.expected_trace_hash) {
    return fail(nondeterminism(failure, replay.result.trace_hash));
  }
  if (replay.as_expected && replay.error.empty()) {
    fmt::print("{}: the run is as the scenario expects: nothing to shrink\n", args.failure_file);
    return kExitValid;
  }
  if (replay.config.swarm.enabled) {
    replay = scenarios::run_scenario(scenarios::explicit_config(replay), {});
  }
  const fs::path in(args.failure_file);
  const fs::path out = args.out_file ? fs::path(*args.out_file)
                                     : in.parent_path() / (in.stem().string() + ".shrunk.json");
  scenarios::ShrinkOptions options = shrink_options(args.json);
  if (args.runs_max > 0) options.runs_max = args.runs_max;
  if (args.time_max_s > 0) options.wall_seconds_max = args.time_max_s;
  nlohmann::json summary = {{"format", "imsim-shrink"}, {"input", args.failure_file}};
  const int code = shrink_and_write(replay, true, options, out, args.json, summary);
  summary["exit_code"] = code;
  if (args.json) std::cout << summary.dump(2) << '\n';
  return code;
}

}  // namespace imsim::cli
