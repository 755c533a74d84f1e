// check(): builds the index once, runs the chosen checkers in report order, adds metrics.
#include "imsim/properties/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

using CheckerFn = void (*)(const HistoryIndex&, AnomalySink&);

// The checker of each row of anomaly_kinds, in the table's order.
constexpr CheckerFn kCheckers[] = {
    check_duplicated, check_reordered, check_lost,        check_fifo, check_causal,
    check_ghost,      check_liveness,  check_misnumbered, check_gap,  check_unavailable,
};
static_assert(std::size(kCheckers) == std::size(anomaly_kinds), "one checker per table row");

CheckerFn checker_of(std::string_view name) {
  for (std::size_t i = 0; i < std::size(anomaly_kinds); i++) {
    if (anomaly_kinds[i].name == name) return kCheckers[i];
  }
  return nullptr;
}

// How often anomaly `name` occurs: from the report if its checker ran, else counted now (the
// metric does not depend on --checkers).
std::uint64_t occurrences(const HistoryIndex& index, const Report& report, std::string_view name) {
  if (const AnomalyReport* ran = report.find(name)) return ran->count;
  AnomalyReport scratch;
  AnomalySink sink(scratch, 0);
  checker_of(name)(index, sink);
  return scratch.count;
}

}  // namespace

bool is_anomaly_name(std::string_view name) { return checker_of(name) != nullptr; }

std::vector<std::string> checker_names() {
  std::vector<std::string> names(std::size(anomaly_kinds));
  for (const AnomalyKind& kind : anomaly_kinds) {
    const auto rank = static_cast<std::size_t>(kind.list_rank);
    IMSIM_ASSERT_MSG(rank < names.size(), "list_rank is a position in the list");
    IMSIM_ASSERT_MSG(names[rank].empty(), "list_rank values are distinct");
    names[rank] = kind.name;
  }
  return names;
}

std::string view_name(const HistoryIndex& index, const View& view) {
  return fmt::format("the view of {} on {} (incarnation {})", index.name(view.conv),
                     index.name(view.device), view.incarnation);
}

std::uint64_t Report::anomaly_count() const {
  std::uint64_t total = 0;
  for (const AnomalyReport& a : anomalies) total += a.count;
  return total;
}

const AnomalyReport* Report::find(std::string_view name) const {
  for (const AnomalyReport& a : anomalies) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::uint64_t Report::count(std::string_view name) const {
  const AnomalyReport* a = find(name);
  return a == nullptr ? 0 : a->count;
}

std::vector<MessageLatency> stable_latencies(const history::History& history) {
  return stable_latency_samples(HistoryIndex(history));
}

Report check(const history::History& history, const CheckOptions& options) {
  for (const std::string& name : options.checkers) {
    IMSIM_ASSERT_MSG(is_anomaly_name(name), "unknown checker name (see anomaly_kinds)");
  }
  const HistoryIndex index(history);
  Report report;
  for (const AnomalyKind& kind : anomaly_kinds) {
    const bool chosen = options.checkers.empty() ||
                        std::find(options.checkers.begin(), options.checkers.end(), kind.name) !=
                            options.checkers.end();
    if (!chosen || kind.since_version > history.header.version) continue;
    report.checkers.emplace_back(kind.name);
    AnomalyReport& anomaly = report.anomalies.emplace_back();
    anomaly.name = kind.name;
    anomaly.description = kind.description;
    AnomalySink sink(anomaly, options.witnesses_per_anomaly_max);
    checker_of(kind.name)(index, sink);
    IMSIM_ASSERT(anomaly.witnesses.size() <= options.witnesses_per_anomaly_max);
    IMSIM_ASSERT(anomaly.witnesses.size() <= anomaly.count);
  }
  report.metrics = compute_metrics(index);
  if (index.version() >= 2) {
    report.metrics.unavailable = occurrences(index, report, "unavailable");
    report.metrics.gap = occurrences(index, report, "gap");
  }
  return report;
}

CheckOutcome check_stream(std::istream& in, const CheckOptions& options) {
  base::Result<history::History> parsed = history::parse_history(in);
  if (!parsed.ok())
    return CheckOutcome{.exit_code = exit_malformed, .status = parsed.status(), .report = {}};
  Report report = check(parsed.value(), options);
  const int code = report.ok() ? exit_ok : exit_anomaly;
  return CheckOutcome{.exit_code = code, .status = {}, .report = std::move(report)};
}

CheckOutcome check_file(const std::string& path, const CheckOptions& options) {
  base::Result<history::History> parsed = history::parse_history_file(path);
  if (!parsed.ok())
    return CheckOutcome{.exit_code = exit_malformed, .status = parsed.status(), .report = {}};
  Report report = check(parsed.value(), options);
  const int code = report.ok() ? exit_ok : exit_anomaly;
  return CheckOutcome{.exit_code = code, .status = {}, .report = std::move(report)};
}

}  // namespace imsim::properties
