#pragma once
// The extension module `imsim._imsim`: a thin layer over scenarios/ (the functions the CLI
// runs) for the Python package `imsim` (bindings/python/imsim). Scenarios, reports and failure
// files cross the boundary as JSON text (the documented formats, parsed by Python's json);
// the history crosses as column arrays. Every simulation and check runs with the GIL released.
#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "imsim/history/history.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/overrides.hpp"

namespace imsim::bindings {

namespace py = pybind11;

// Raised as imsim.ScenarioError (a ValueError): a scenario or failure file that does not load.
// The message is the loader's, with the JSON path, as the CLI prints it.
struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Raised as imsim.HistoryError (a ValueError): a malformed history ("line N: ...").
struct HistoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Raised as imsim.NonDeterminismError (a RuntimeError): a replay's trace hash differs.
struct NonDeterminismError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A scenario document as JSON text -> its config; throws ScenarioError.
model::WorldConfig parse_scenario(const std::string& text);

// mutations / no_mutations / checkers -> applied to `config`; throws std::invalid_argument
// (ValueError) with the CLI's message.
void apply(model::WorldConfig& config, const std::vector<std::string>& mutations, bool no_mutations,
           const std::vector<std::string>& checkers);

// Column arrays of a history (one entry per event, file order): see history_columns.cpp.
py::dict history_columns(const history::History& history);
// The history's header line as HISTORY.md writes it.
nlohmann::json history_header(const history::History& history);

void define_scenario(py::module_& m);  // module.cpp: loading, library, mutations, check
void define_run(py::module_& m);       // run.cpp: run, replay, shrink and the Run object
void define_explore(py::module_& m);   // explore.cpp: one seed's row, many seeds

}  // namespace imsim::bindings
