// run, replay and shrink, and the Run object that keeps one run's outcome (report, history,
// trace log) for the Python Result.
#include "imsim/scenarios/run.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "bindings.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/outputs.hpp"
#include "imsim/scenarios/scenario.hpp"
#include "imsim/scenarios/shrink.hpp"

namespace imsim::bindings {

namespace {

using scenarios::RunOutcome;

// One finished run. Immutable; Python's Result reads it lazily.
class Run {
 public:
  explicit Run(RunOutcome outcome) : outcome_(std::move(outcome)) {}

  const RunOutcome& outcome() const { return outcome_; }
  std::string results_json() const { return scenarios::results_json(outcome_).dump(); }
  std::string failure_json() const {
    return scenarios::to_json(scenarios::failure_file_of(outcome_)).dump();
  }
  std::string scenario_json() const { return scenarios::to_json(outcome_.config).dump(); }
  std::string verdict() const { return scenarios::verdict_text(outcome_); }
  bool has_history() const { return outcome_.history.has_value(); }

  std::string lamport_svg(std::optional<double> start_s) const {
    const model::TraceLog& log = outcome_.result.trace_log;
    if (log.lanes.empty()) {
      throw std::runtime_error("this run kept no trace log: run it with trace=True");
    }
    const std::int64_t start_ns =
        start_s ? std::llround(*start_s * 1e9) : scenarios::lamport_default_start_ns(log);
    return scenarios::lamport_svg(log, {.start_ns = start_ns});
  }

  const history::History& history() const {
    if (!outcome_.history) throw std::runtime_error("this run kept no history");
    return *outcome_.history;
  }

  py::dict history_columns() const { return bindings::history_columns(history()); }
  std::string history_header() const { return bindings::history_header(history()).dump(); }

  // Stable latency of every message displayed on every required device: msg, conv, ms.
  py::dict latencies() const {
    const history::History& h = history();
    std::vector<properties::MessageLatency> samples;
    {
      py::gil_scoped_release release;
      samples = properties::stable_latencies(h);
    }
    std::vector<history::ConvId> conv_of(h.msg_count());
    for (const history::Event& e : h.events) {
      if (const auto* send = std::get_if<history::Send>(&e.body))
        conv_of[send->msg.value] = send->conv;
    }
    py::list msgs, convs;
    std::vector<double> latency_ms;
    for (const properties::MessageLatency& s : samples) {
      msgs.append(h.name(s.msg));
      convs.append(h.name(conv_of[s.msg.value]));
      latency_ms.push_back(double(s.latency_ns) / 1e6);
    }
    py::dict out;
    out["msg"] = msgs;
    out["conv"] = convs;
    out["latency_ms"] = py::cast(latency_ms);
    return out;
  }

 private:
  RunOutcome outcome_;
};

RunOutcome run_config(const model::WorldConfig& config, const std::optional<std::string>& out,
                      bool trace) {
  scenarios::RunSettings settings;
  if (out) settings.out_dir = std::filesystem::path(*out);
  settings.record_trace_log = trace;
  settings.keep_history = true;
  py::gil_scoped_release release;
  return scenarios::run_scenario(config, settings);
}

std::unique_ptr<Run> run(const std::string& scenario, std::optional<std::uint64_t> seed, bool swarm,
                         const std::vector<std::string>& mutations, bool no_mutations,
                         const std::vector<std::string>& checkers,
                         const std::optional<std::string>& out, bool trace) {
  model::WorldConfig config = parse_scenario(scenario);
  if (seed) config.seed = *seed;  // as `imsim run --seed --swarm --mutation ...`
  if (swarm) config.swarm.enabled = true;
  apply(config, mutations, no_mutations, checkers);
  return std::make_unique<Run>(run_config(config, out, trace));
}

scenarios::FailureFile failure_of(const std::string& failure_json) {
  base::Result<scenarios::FailureFile> loaded =
      scenarios::load_failure(nlohmann::json::parse(failure_json));
  if (!loaded.ok()) throw ScenarioError(loaded.status().message());
  return std::move(loaded).value();
}

// `imsim replay`: the run of a failure file; its trace hash must be the recorded one.
std::unique_ptr<Run> replay(const std::string& failure_json, const std::optional<std::string>& out,
                            bool trace) {
  const scenarios::FailureFile failure = failure_of(failure_json);
  model::WorldConfig config = failure.scenario;
  config.seed = failure.seed;
  auto result = std::make_unique<Run>(run_config(config, out, trace));
  if (result->outcome().result.trace_hash != failure.expected_trace_hash) {
    throw NonDeterminismError(
        scenarios::nondeterminism_message(failure, result->outcome().result.trace_hash));
  }
  return result;
}

py::dict stats_dict(const scenarios::ShrinkStats& s) {
  py::dict d;
  d["faults_before"] = s.faults_before;
  d["faults_after"] = s.faults_after;
  d["devices_before"] = s.devices_before ? py::cast(*s.devices_before) : py::none();
  d["devices_after"] = s.devices_after ? py::cast(*s.devices_after) : py::none();
  d["messages_before"] = s.messages_before;
  d["messages_after"] = s.messages_after;
  d["runs"] = s.runs;
  d["limit_reached"] = s.limit_reached;
  d["wall_time_s"] = s.wall_time_s;
  return d;
}

// `imsim shrink`: replay (same hash), then the explicit form, then shrink. Returns the shrunk
// run and the statistics.
std::pair<std::unique_ptr<Run>, py::dict> shrink(const std::string& failure_json,
                                                 std::optional<std::uint32_t> runs_max,
                                                 std::optional<double> time_max_s, bool trace) {
  const scenarios::FailureFile failure = failure_of(failure_json);
  model::WorldConfig config = failure.scenario;
  config.seed = failure.seed;
  scenarios::ShrinkOptions options;
  if (runs_max) options.runs_max = *runs_max;
  if (time_max_s) options.wall_seconds_max = *time_max_s;
  RunOutcome replayed = run_config(config, std::nullopt, false);
  if (replayed.result.trace_hash != failure.expected_trace_hash) {
    throw NonDeterminismError(
        scenarios::nondeterminism_message(failure, replayed.result.trace_hash));
  }
  if (replayed.as_expected && replayed.error.empty()) {
    throw std::invalid_argument("the run is as the scenario expects: nothing to shrink");
  }
  scenarios::ShrinkResult shrunk;
  {
    py::gil_scoped_release release;
    if (replayed.config.swarm.enabled) {
      replayed = scenarios::run_scenario(scenarios::explicit_config(replayed), {});
    }
    shrunk = scenarios::shrink(replayed, options);
  }
  // Run the shrunk config once more, keeping its history and trace log for the Result.
  auto result = std::make_unique<Run>(run_config(shrunk.outcome.config, std::nullopt, trace));
  return {std::move(result), stats_dict(shrunk.stats)};
}

}  // namespace

void define_run(py::module_& m) {
  py::class_<Run>(m, "Run", "One finished run (wrapped by imsim.Result)")
      .def("results_json", &Run::results_json, "results.json of the run, as JSON text")
      .def("failure_json", &Run::failure_json, "The failure file (replay.json), as JSON text")
      .def("scenario_json", &Run::scenario_json, "The run's fully expanded scenario")
      .def("verdict", &Run::verdict)
      .def_property_readonly("exit_code", [](const Run& r) { return r.outcome().exit_code; })
      .def_property_readonly("as_expected", [](const Run& r) { return r.outcome().as_expected; })
      .def_property_readonly("trace_hash",
                             [](const Run& r) { return r.outcome().result.trace_hash; })
      .def("has_history", &Run::has_history)
      .def("lamport_svg", &Run::lamport_svg, py::arg("start_s") = py::none())
      .def("history_columns", &Run::history_columns)
      .def("history_header", &Run::history_header)
      .def("latencies", &Run::latencies);
  m.def("run", &run, py::arg("scenario"), py::arg("seed"), py::arg("swarm"), py::arg("mutations"),
        py::arg("no_mutations"), py::arg("checkers"), py::arg("out"), py::arg("trace"),
        "Runs a scenario (JSON text) like `imsim run`; the GIL is released while it runs");
  m.def("replay", &replay, py::arg("failure"), py::arg("out"), py::arg("trace"),
        "Re-runs a failure file (JSON text); NonDeterminismError if the trace hash differs");
  m.def("shrink", &shrink, py::arg("failure"), py::arg("runs_max"), py::arg("time_max_s"),
        py::arg("trace"), "Shrinks a failing failure file (JSON text) like `imsim shrink`");
}

}  // namespace imsim::bindings
