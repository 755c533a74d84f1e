#pragma once
// The pictures of a run and of an exploration, as SVG, in the style of Maelstrom's latency and
// rate plots with the run's fault windows shaded:
//   latency.svg  the stable-latency CDF and each message's stable latency by send time
//   rates.svg    sends, acks, displays and network frames per simulated second
//   explore.svg  each seed's verdict (with its p99 stable latency) and seeds/s over wall time
// Stable latency is the checkers' metric (properties::stable_latencies, docs/checkers.md):
// from a message's send to its latest display on a required device, for messages displayed on
// every required device of their conversation. Every series is cut to kPlotPointsMax points.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imsim/history/history.hpp"
#include "imsim/model/trace_log.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/explore.hpp"

namespace imsim::scenarios {

inline constexpr std::size_t kPlotPointsMax = 2000;  // per series (files stay small, fast)
inline constexpr std::size_t kRateBinsWanted = 200;  // rates.svg: about this many time bins

// One fault of the run's schedule drawn as a shaded window. Undo faults (heal, restart,
// online) get no window of their own: they end the windows they undo. A partition,
// one-way partition or link change lasts until the next heal, a crash until its node's
// restart, an offline until its device's online, a clog or cut for its for_s (or until a heal
// comes first); the safety phase's end (the final heal) ends every window still open. Kill,
// reinstall, reset and clock_step are instants (start == end).
struct FaultWindow {
  std::string kind{};   // the fault kind, as in scenarios ("crash", "partition", ...)
  std::string label{};  // kind and target, e.g. "crash processor0", "cut u1/d1->gateway0"
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
};

// Every fault of `schedule` (sorted by at_ns, as RunResult::fault_schedule) except the undo
// kinds, in schedule order.
std::vector<FaultWindow> fault_windows(const std::vector<model::Fault>& schedule,
                                       std::int64_t safety_ns);

struct RunPlotInput {
  std::string scenario{};
  std::uint64_t seed = 0;
  const history::History* history = nullptr;  // required
  const model::TraceLog* trace = nullptr;     // frames per second (absent: not drawn)
  std::vector<FaultWindow> faults{};
  std::int64_t safety_ns = 0;  // where the liveness phase starts (a marker)
  std::int64_t end_ns = 0;     // the run's end (simulated)
};

std::string latency_svg(const RunPlotInput& input);
std::string rates_svg(const RunPlotInput& input);

// The exploration's progress as the CLI saw it: seeds done after `elapsed_s` wall seconds.
struct ExploreRateSample {
  double elapsed_s = 0.0;
  std::uint64_t done = 0;
};

std::string explore_svg(const std::string& scenario, const ExploreResult& result,
                        const std::vector<ExploreRateSample>& samples);

}  // namespace imsim::scenarios
