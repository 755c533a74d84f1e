// PYBIND11_MODULE(_imsim): the exceptions, scenario loading, the library, the mutation catalog
// and the history checker. run.cpp and explore.cpp add the rest.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <sstream>

#include "bindings.hpp"
#include "imsim/engine/mutations.hpp"
#include "imsim/properties/check.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/scenarios/explore.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::bindings {

namespace {

std::string load_named(const std::string& name_or_path) {
  base::Result<model::WorldConfig> loaded = scenarios::load_scenario_named(name_or_path);
  if (!loaded.ok()) throw ScenarioError(loaded.status().message());
  return scenarios::to_json(loaded.value()).dump();
}

std::string expand(const std::string& text) {
  return scenarios::to_json(parse_scenario(text)).dump();
}

// A failure file, from a path or from its JSON text, normalised (to_json of what loaded).
std::string load_failure(const std::string& path_or_text, bool is_path) {
  if (!is_path && !nlohmann::json::accept(path_or_text)) {
    throw ScenarioError("failure file: not valid JSON");
  }
  base::Result<scenarios::FailureFile> loaded =
      is_path ? scenarios::load_failure_file(path_or_text)
              : scenarios::load_failure(nlohmann::json::parse(path_or_text));
  if (!loaded.ok()) throw ScenarioError(loaded.status().message());
  return scenarios::to_json(loaded.value()).dump();
}

std::string list_library() {
  nlohmann::json out = nlohmann::json::array();
  for (const scenarios::LibraryEntry& e : scenarios::list_library()) {
    out.push_back({{"name", e.name},
                   {"description", e.description},
                   {"path", e.path.string()},
                   {"error", e.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.error)}});
  }
  return out.dump();
}

std::vector<std::pair<std::string, std::string>> mutation_catalog() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const engine::MutationInfo& m : engine::mutation_catalog()) {
    out.emplace_back(std::string(m.name), std::string(m.description));
  }
  return out;
}

// `imsim check`: the report as JSON text (properties::to_json plus "exit_code"); a malformed
// history raises HistoryError naming the line.
std::string check(const std::string& path_or_text, bool is_path,
                  const std::vector<std::string>& checkers) {
  if (base::Status status = scenarios::unknown_checker(checkers); !status.ok()) {
    throw std::invalid_argument(status.message());
  }
  properties::CheckOptions options;
  options.checkers = checkers;
  properties::CheckOutcome outcome;
  {
    py::gil_scoped_release release;
    if (is_path) {
      outcome = properties::check_file(path_or_text, options);
    } else {
      std::istringstream in(path_or_text);
      outcome = properties::check_stream(in, options);
    }
  }
  if (!outcome.status.ok()) throw HistoryError("malformed history: " + outcome.status.message());
  nlohmann::json out = properties::to_json(*outcome.report);
  out["exit_code"] = outcome.exit_code;
  return out.dump();
}

}  // namespace

model::WorldConfig parse_scenario(const std::string& text) {
  base::Result<model::WorldConfig> loaded = scenarios::load_scenario_text(text, "");
  if (!loaded.ok()) throw ScenarioError(loaded.status().message());
  return std::move(loaded).value();
}

void apply(model::WorldConfig& config, const std::vector<std::string>& mutations, bool no_mutations,
           const std::vector<std::string>& checkers) {
  const scenarios::Overrides overrides{
      .mutations = mutations, .no_mutations = no_mutations, .checkers = checkers};
  if (base::Status status = scenarios::apply_overrides(config, overrides); !status.ok()) {
    throw std::invalid_argument(status.message());
  }
}

void define_scenario(py::module_& m) {
  m.def("load_scenario", &load_named, py::arg("name_or_path"),
        "A library scenario or a scenario file -> its fully expanded JSON text");
  m.def("expand_scenario", &expand, py::arg("text"),
        "A scenario document (JSON text) -> its fully expanded JSON text");
  m.def("load_failure", &load_failure, py::arg("path_or_text"), py::arg("is_path"),
        "A failure file (path or JSON text) -> its normalised JSON text");
  m.def("list_library", &list_library, "The library scenarios as JSON text");
  m.def("mutation_catalog", &mutation_catalog, "(name, description) of every engine mutation");
  m.def("check", &check, py::arg("path_or_text"), py::arg("is_path"), py::arg("checkers"),
        "The checkers over a history (HISTORY.md v1/v2): the report as JSON text");
  m.def("code_version", &scenarios::code_version);
  m.def("format_trace_hash", &scenarios::format_trace_hash);
  std::vector<std::string> names(std::begin(scenarios::kSeedMetricNames),
                                 std::end(scenarios::kSeedMetricNames));
  m.attr("SEED_METRIC_NAMES") = py::cast(names);
}

}  // namespace imsim::bindings

PYBIND11_MODULE(_imsim, m) {
  namespace b = imsim::bindings;
  m.doc() = "imsim's C++ core; use the package `imsim`, which wraps it.";
  b::py::register_exception<b::ScenarioError>(m, "ScenarioError", PyExc_ValueError);
  b::py::register_exception<b::HistoryError>(m, "HistoryError", PyExc_ValueError);
  b::py::register_exception<b::NonDeterminismError>(m, "NonDeterminismError", PyExc_RuntimeError);
  b::define_scenario(m);
  b::define_run(m);
  b::define_explore(m);
}
