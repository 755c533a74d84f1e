#pragma once
// check(): runs the checkers of HISTORY.md (all, or a chosen subset) over a parsed history
// and computes the metrics. Cost is near-linear in the size of the history (see
// docs/checkers.md); a 1M-event history checks in about a second.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imsim/base/status.hpp"
#include "imsim/history/history.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/properties/anomaly.hpp"

namespace imsim::properties {

// Witnesses kept per anomaly name; occurrences beyond it are counted, not described.
inline constexpr std::size_t witnesses_per_anomaly_max_default = 20;

struct CheckOptions {
  std::vector<std::string> checkers;  // anomaly names to check; empty = all
  std::size_t witnesses_per_anomaly_max = witnesses_per_anomaly_max_default;
};

// Nearest-rank quantiles (0, .5, .95, .99, 1).
struct LatencyQuantiles {
  std::uint64_t samples = 0;
  history::TimeNs p0_ns = 0;
  history::TimeNs p50_ns = 0;
  history::TimeNs p95_ns = 0;
  history::TimeNs p99_ns = 0;
  history::TimeNs p100_ns = 0;
};

struct Metrics {
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;     // status ack
  std::uint64_t failed = 0;    // status fail
  std::uint64_t stored = 0;    // in some T(C)
  std::uint64_t displays = 0;  // display events
  // Version 2: the `unavailable` and `gap` occurrences (counted whichever checkers ran), and
  // the failed-send rate of the safety phase (sends outside liveness phases whose final status
  // is fail, over all sends outside liveness phases; absent when there is none).
  std::uint64_t unavailable = 0;
  std::uint64_t gap = 0;
  std::uint64_t safety_sent = 0;
  std::uint64_t safety_failed = 0;
  std::optional<double> safety_failed_rate;
  // Send to latest display on a required device, over messages displayed on every required
  // device of their conversation; absent when there is no such message.
  std::optional<LatencyQuantiles> stable_latency;
  // Pairs (x before y in a view) where y happened-before x through any conversation (gvc);
  // absent when no send carries a gvc.
  std::optional<std::uint64_t> cross_conv_inversions;
  // Engine counters from the last `x-metrics` event (docs/history-format.md), by name.
  std::map<std::string, std::uint64_t> engine_counters;
  // Derived per chat message sent: network_frames_per_message, store_reads_per_message,
  // store_writes_per_message (each present when its counter is and sent > 0).
  std::map<std::string, double> engine_ratios;
};

struct Report {
  std::vector<std::string> checkers;     // the anomaly names checked, in report order
  std::vector<AnomalyReport> anomalies;  // one per checker run, in the same order
  Metrics metrics;

  std::uint64_t anomaly_count() const;
  bool ok() const { return anomaly_count() == 0; }
  // The report of one anomaly name, or nullptr if that checker did not run.
  const AnomalyReport* find(std::string_view name) const;
  std::uint64_t count(std::string_view name) const;
};

Report check(const history::History& history, const CheckOptions& options = {});

// One sample of the stable-latency metric: message `msg` was displayed on every required device
// of its conversation `latency_ns` after its send.
struct MessageLatency {
  history::MsgId msg;
  history::TimeNs latency_ns = 0;
};
// Every sample behind Metrics::stable_latency, by message id (a notebook's latency CDF).
std::vector<MessageLatency> stable_latencies(const history::History& history);

// The `imsim check` contract: exit 0 if no anomaly, 1 if any, 2 if the history is malformed.
inline constexpr int exit_ok = 0;
inline constexpr int exit_anomaly = 1;
inline constexpr int exit_malformed = 2;

struct CheckOutcome {
  int exit_code = exit_ok;
  base::Status status;  // an error (invalid_input, io_error, ...) iff exit_code == exit_malformed
  std::optional<Report> report;  // set otherwise
};

CheckOutcome check_stream(std::istream& in, const CheckOptions& options = {});
CheckOutcome check_file(const std::string& path, const CheckOptions& options = {});

}  // namespace imsim::properties
