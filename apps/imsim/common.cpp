// What several subcommands share: the error exit, and the non-determinism verdict of a replay.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "commands.hpp"
#include "imsim/engine/mutations.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/properties/anomaly.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::cli {

int fail(const std::string& message) {
  fmt::print(stderr, "imsim: error: {}\n", message);
  return scenarios::kExitError;
}

std::optional<std::uint64_t> parse_seed(std::string_view text) {
  constexpr std::size_t kDigitsMax = 20;  // 18446744073709551615
  if (text.empty() || text.size() > kDigitsMax) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string nondeterminism(const scenarios::FailureFile& failure, std::uint64_t replayed_hash) {
  return fmt::format(
      "NON-DETERMINISM: trace hash {} differs from the recorded {} (recorded by {}, replayed by "
      "{})",
      scenarios::format_trace_hash(replayed_hash),
      scenarios::format_trace_hash(failure.expected_trace_hash), failure.code_version,
      scenarios::code_version());
}

std::string unknown_checker(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (!properties::is_anomaly_name(name)) {
      return fmt::format(
          "--checkers: unknown checker \"{}\" (expected some of lost, duplicated, reordered, "
          "fifo, causal, ghost, liveness)",
          name);
    }
  }
  return {};
}

std::string apply_overrides(model::WorldConfig& config, const OverrideFlags& flags) {
  if (flags.no_mutations) config.engine.mutations = engine::Mutations{};
  for (const std::string& name : flags.mutations) {
    if (!engine::set_mutation(config.engine.mutations, name)) {
      std::string known;
      for (const auto& m : engine::mutation_names()) known += " " + m;
      return fmt::format("--mutation {}: expected one of:{}", name, known);
    }
  }
  if (!flags.mutations.empty() || flags.no_mutations) {
    // A mutant run is judged as a plain run: anomalies are what the user is looking for.
    config.checks.expect_valid = true;
    config.checks.expect_anomalies.clear();
  }
  if (std::string error = unknown_checker(flags.checkers); !error.empty()) return error;
  if (!flags.checkers.empty()) {
    for (const std::string& name : config.checks.expect_anomalies) {
      if (std::find(flags.checkers.begin(), flags.checkers.end(), name) == flags.checkers.end()) {
        return fmt::format(
            "--checkers: the scenario expects the anomaly \"{}\", which is not among the "
            "checkers (add it, or judge the run as a valid one with --mutation/--no-mutations)",
            name);
      }
    }
    config.checks.checkers = flags.checkers;
  }
  return {};
}

}  // namespace imsim::cli
