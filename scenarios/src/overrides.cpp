// Scenario overrides shared by the CLI and the bindings (overrides.hpp).
#include "imsim/scenarios/overrides.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "imsim/engine/mutations.hpp"
#include "imsim/properties/anomaly.hpp"

namespace imsim::scenarios {

base::Status unknown_checker(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (!properties::is_anomaly_name(name)) {
      return base::Status::invalid_input(
          fmt::format("--checkers: unknown checker \"{}\" (expected some of {})", name,
                      fmt::join(properties::checker_names(), ", ")));
    }
  }
  return {};
}

base::Status apply_overrides(model::WorldConfig& config, const Overrides& overrides) {
  if (overrides.no_mutations) config.engine.mutations = engine::Mutations{};
  for (const std::string& name : overrides.mutations) {
    if (!engine::set_mutation(config.engine.mutations, name)) {
      std::string known;
      for (const auto& m : engine::mutation_names()) known += " " + m;
      return base::Status::invalid_input(
          fmt::format("--mutation {}: expected one of:{}", name, known));
    }
  }
  if (!overrides.mutations.empty() || overrides.no_mutations) {
    // A mutant run is judged as a plain run: anomalies are what the user is looking for.
    config.checks.expect_valid = true;
    config.checks.expect_anomalies.clear();
  }
  if (base::Status status = unknown_checker(overrides.checkers); !status.ok()) return status;
  if (!overrides.checkers.empty()) {
    for (const std::string& name : config.checks.expect_anomalies) {
      if (std::find(overrides.checkers.begin(), overrides.checkers.end(), name) ==
          overrides.checkers.end()) {
        return base::Status::invalid_input(fmt::format(
            "--checkers: the scenario expects the anomaly \"{}\", which is not among the "
            "checkers (add it, or judge the run as a valid one with --mutation/--no-mutations)",
            name));
      }
    }
    config.checks.checkers = overrides.checkers;
  }
  return {};
}

}  // namespace imsim::scenarios
