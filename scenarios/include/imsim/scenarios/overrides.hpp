#pragma once
// Overrides of a loaded scenario that the CLI (`--mutation`, `--no-mutations`, `--checkers`)
// and the Python bindings (`mutations=`, `checkers=`) share, so both judge a mutant run alike.
#include <string>
#include <vector>

#include "imsim/base/status.hpp"
#include "imsim/model/world_config.hpp"

namespace imsim::scenarios {

// `no_mutations` clears the scenario's mutations, then each of `mutations` is switched on;
// either makes the run judged as a plain one (checks.expect = valid), so anomalies are
// failures. `checkers`: only these checkers judge the run (they must include the anomalies
// the scenario still expects); empty: the scenario's checks.checkers.
struct Overrides {
  std::vector<std::string> mutations;  // switched on (docs/mutations.md)
  bool no_mutations = false;           // clear the scenario's mutations first
  std::vector<std::string> checkers;   // anomaly names
};

// Ok, or the `--checkers` error (invalid_input) for the first name that is not an anomaly name.
base::Status unknown_checker(const std::vector<std::string>& names);

// Applies `overrides` to `config`; ok, or the error (invalid_input; `config` may have changed).
base::Status apply_overrides(model::WorldConfig& config, const Overrides& overrides);

}  // namespace imsim::scenarios
