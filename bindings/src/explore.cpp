// One seed's verdict row (the unit of imsim.sweep, locally or on Dask workers) and many seeds
// of one scenario in forked worker processes (imsim.explore): scenarios/explore.hpp, the
// functions `imsim explore` runs.
#include "imsim/scenarios/explore.hpp"

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "imsim/scenarios/failure_file.hpp"

namespace imsim::bindings {

namespace {

py::dict row_of(const scenarios::SeedVerdict& v) {
  py::dict row;
  row["seed"] = v.seed;
  row["trace_hash"] = scenarios::format_trace_hash(v.trace_hash);
  row["as_expected"] = v.as_expected;
  row["error"] = v.error;
  row["anomalies"] = py::cast(v.anomalies_found);
  row["detail"] = v.detail;
  row["metrics"] = py::cast(v.metrics);
  return row;
}

model::WorldConfig config_of(const std::string& scenario, const std::vector<std::string>& mutations,
                             bool no_mutations, const std::vector<std::string>& checkers) {
  model::WorldConfig config = parse_scenario(scenario);
  apply(config, mutations, no_mutations, checkers);
  return config;
}

py::dict run_seed(const std::string& scenario, std::uint64_t seed, bool swarm,
                  const std::vector<std::string>& mutations, bool no_mutations,
                  const std::vector<std::string>& checkers) {
  const model::WorldConfig config = config_of(scenario, mutations, no_mutations, checkers);
  scenarios::SeedVerdict verdict;
  {
    py::gil_scoped_release release;
    verdict = scenarios::verdict_of(scenarios::run_seed(config, seed, swarm));
  }
  return row_of(verdict);
}

using ProgressFn =
    std::function<void(std::uint64_t done, std::uint64_t total, std::uint64_t failures)>;

// The seeds of [first_seed, first_seed + seeds) in `jobs` forked workers; rows by seed.
py::list explore(const std::string& scenario, std::uint64_t first_seed, std::uint64_t seeds,
                 bool swarm, int jobs, const std::vector<std::string>& mutations, bool no_mutations,
                 const std::vector<std::string>& checkers, bool stop_at_first_failure,
                 const std::optional<ProgressFn>& progress) {
  if (seeds < 1 || seeds > scenarios::kExploreSeedsMax) {
    throw std::invalid_argument("seeds: expected 1 to 100000000 seeds");
  }
  if (jobs < 1 || jobs > scenarios::kExploreJobsMax) {
    throw std::invalid_argument("jobs: expected 1 to 64 worker processes");
  }
  const model::WorldConfig config = config_of(scenario, mutations, no_mutations, checkers);
  scenarios::ExploreOptions options;
  options.first_seed = first_seed;
  options.seeds = seeds;
  options.swarm = swarm;
  options.jobs = jobs;
  // As the CLI when asked: seeds above the smallest failing seed are not run (those below
  // it are, whatever `jobs`); otherwise a row for every seed.
  options.stop_at_first_failure = stop_at_first_failure;
  // An exception of the callback (a progress bar's, or KeyboardInterrupt) must not unwind
  // through explore, which would leave its workers running: it is kept and raised after.
  std::optional<py::error_already_set> callback_error;
  if (progress) {
    options.on_progress = [&progress, &callback_error](const scenarios::ExploreProgress& p) {
      py::gil_scoped_acquire acquire;
      if (callback_error) return;
      try {
        (*progress)(p.done, p.total, p.failures);
      } catch (py::error_already_set& e) {
        callback_error = std::move(e);
      }
    };
  }
  scenarios::ExploreResult result;
  {
    py::gil_scoped_release release;
    result = scenarios::explore(config, options);
  }
  if (callback_error) throw std::move(*callback_error);
  if (!result.error.empty()) throw std::runtime_error("explore: " + result.error);
  py::list rows;
  for (const scenarios::SeedVerdict& v : result.verdicts) rows.append(row_of(v));
  return rows;
}

}  // namespace

void define_explore(py::module_& m) {
  m.def("run_seed", &run_seed, py::arg("scenario"), py::arg("seed"), py::arg("swarm"),
        py::arg("mutations"), py::arg("no_mutations"), py::arg("checkers"),
        "One seed of a scenario (JSON text), judged: its verdict row");
  m.def("explore", &explore, py::arg("scenario"), py::arg("first_seed"), py::arg("seeds"),
        py::arg("swarm"), py::arg("jobs"), py::arg("mutations"), py::arg("no_mutations"),
        py::arg("checkers"), py::arg("stop_at_first_failure"), py::arg("progress"),
        "Seeds first_seed .. first_seed + seeds - 1 in forked workers: a verdict row each");
}

}  // namespace imsim::bindings
