// latency.svg, rates.svg and explore.svg (plots.hpp), drawn with the SVG kit (svg_plot.hpp).
#include "imsim/scenarios/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "imsim/base/assert.hpp"
#include "imsim/model/fault_kinds.hpp"
#include "imsim/properties/check.hpp"
#include "loader.hpp"
#include "svg_plot.hpp"

namespace imsim::scenarios {

namespace {

using model::FaultKind;

constexpr double kNsPerS = 1e9;
constexpr double kNsPerMs = 1e6;

std::string fault_target(const model::Fault& f) {
  if (!f.node.empty()) return " " + f.node;
  if (!f.from.empty()) return " " + f.from + (f.both_ways ? "<->" : "->") + f.to;
  std::string s;
  for (std::size_t g = 0; g < f.groups.size(); g++) {
    s += g == 0 ? " [" : " | ";
    for (std::size_t i = 0; i < f.groups[g].size(); i++) s += (i ? "," : "") + f.groups[g][i];
  }
  return f.groups.empty() ? s : s + "]";
}

bool is_undo(FaultKind kind) { return model::fault_kind_info(kind).undo_half; }

// When the window of schedule[i] ends (see FaultWindow).
std::int64_t window_end(const std::vector<model::Fault>& schedule, std::size_t i,
                        std::int64_t safety_ns) {
  const model::Fault& f = schedule[i];
  const auto next = [&](FaultKind undo, bool same_node) -> std::int64_t {
    for (std::size_t j = i + 1; j < schedule.size(); j++) {
      if (schedule[j].kind == undo && (!same_node || schedule[j].node == f.node)) {
        return schedule[j].at_ns;
      }
    }
    return safety_ns;
  };
  switch (f.kind) {
    case FaultKind::kPartition:
    case FaultKind::kPartitionOneway:
    case FaultKind::kLink:
      return next(FaultKind::kHeal, false);
    case FaultKind::kClog:
    case FaultKind::kCut:
      return std::min({f.at_ns + f.for_ns, next(FaultKind::kHeal, false), safety_ns});
    case FaultKind::kCrash:
      return next(FaultKind::kRestart, true);
    case FaultKind::kOffline:
      return next(FaultKind::kOnline, true);
    default:
      return f.at_ns;
  }
}

std::vector<svg::Band> fault_bands(const std::vector<FaultWindow>& faults) {
  std::vector<svg::Band> bands;
  for (const FaultWindow& w : faults) {
    bands.push_back(
        {.x0 = double(w.start_ns) / kNsPerS,
         .x1 = double(w.end_ns) / kNsPerS,
         .kind = w.kind,
         .label = fmt::format("{} at {:.3f} s .. {:.3f} s", w.label, double(w.start_ns) / kNsPerS,
                              double(w.end_ns) / kNsPerS)});
  }
  return bands;
}

// A time panel: simulated seconds on x, the faults shaded, the liveness phase marked.
svg::Panel time_panel(const RunPlotInput& input, std::string title, std::string y_label) {
  svg::Panel panel{.title = std::move(title),
                   .x = {.label = "simulated time (s)",
                         .min = 0.0,
                         .max = std::max(1e-3, double(input.end_ns) / kNsPerS)},
                   .y = {.label = std::move(y_label)}};
  panel.bands = fault_bands(input.faults);
  panel.markers.push_back({.x = double(input.safety_ns) / kNsPerS, .label = "liveness phase"});
  return panel;
}

std::string figure_title(const char* what, const RunPlotInput& input) {
  return fmt::format("{}: {}, seed {}", what, input.scenario, input.seed);
}

}  // namespace

std::vector<FaultWindow> fault_windows(const std::vector<model::Fault>& schedule,
                                       std::int64_t safety_ns) {
  std::vector<FaultWindow> windows;
  for (std::size_t i = 0; i < schedule.size(); i++) {
    const model::Fault& f = schedule[i];
    if (is_undo(f.kind)) continue;
    IMSIM_ASSERT(i == 0 || schedule[i - 1].at_ns <= f.at_ns);
    const std::string& kind = detail::fault_kind_names().at(std::size_t(f.kind));
    windows.push_back({.kind = kind,
                       .label = kind + fault_target(f),
                       .start_ns = f.at_ns,
                       .end_ns = std::max(f.at_ns, window_end(schedule, i, safety_ns))});
  }
  return windows;
}

std::string latency_svg(const RunPlotInput& input) {
  IMSIM_ASSERT(input.history != nullptr);
  const history::History& h = *input.history;
  std::vector<history::TimeNs> send_ns(h.msg_count(), 0);
  for (const history::Event& e : h.events) {
    if (const auto* send = std::get_if<history::Send>(&e.body)) send_ns[send->msg.value] = e.t_ns;
  }
  const std::vector<properties::MessageLatency> samples = properties::stable_latencies(h);
  std::vector<svg::Point> by_time;
  std::vector<double> latencies_ms;
  for (const properties::MessageLatency& s : samples) {
    const double ms = double(s.latency_ns) / kNsPerMs;
    by_time.push_back({double(send_ns[s.msg.value]) / kNsPerS, ms});
    latencies_ms.push_back(ms);
  }
  std::sort(by_time.begin(), by_time.end(), [](const svg::Point& a, const svg::Point& b) {
    return a.x != b.x ? a.x < b.x : a.y < b.y;
  });
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::vector<svg::Point> cdf;
  for (std::size_t i = 0; i < latencies_ms.size(); i++) {
    cdf.push_back({latencies_ms[i], double(i + 1) / double(latencies_ms.size())});
  }
  const std::string cut = fmt::format(
      "{} of {} messages were displayed on every required device (the others are not drawn)",
      samples.size(), h.msg_count());
  svg::Panel cdf_panel{.title = "stable latency CDF",
                       .x = {.label = "stable latency (ms)"},
                       .y = {.label = "fraction of messages", .min = 0.0, .max = 1.0},
                       .note = cut};
  cdf_panel.series.push_back({.name = "stable latency",
                              .colour = svg::series_colour(0),
                              .style = svg::Style::kStep,
                              .points = svg::downsample(cdf, kPlotPointsMax)});
  svg::Panel time =
      time_panel(input, "stable latency of each message, by send time", "stable latency (ms)");
  time.series.push_back({.name = "message (by send time)",
                         .colour = svg::series_colour(0),
                         .style = svg::Style::kScatter,
                         .points = svg::downsample(by_time, kPlotPointsMax)});
  time.note = by_time.size() > kPlotPointsMax
                  ? fmt::format("{} of {} messages drawn (evenly by send time)", kPlotPointsMax,
                                by_time.size())
                  : cut;
  return svg::render({.title = figure_title("stable latency", input),
                      .panels = {std::move(cdf_panel), std::move(time)}});
}

namespace {

// Counts per time bin, as a step series of events per second.
class RateBins {
 public:
  RateBins(std::int64_t end_ns, std::int64_t bin_ns)
      : bin_ns_(bin_ns), counts_(std::size_t(end_ns / bin_ns + 1), 0) {
    IMSIM_ASSERT(bin_ns > 0);
  }
  void add(std::int64_t t_ns) {
    const auto bin = std::size_t(std::max<std::int64_t>(0, t_ns) / bin_ns_);
    counts_[std::min(bin, counts_.size() - 1)]++;
  }
  std::vector<svg::Point> points() const {
    const double bin_s = double(bin_ns_) / kNsPerS;
    std::vector<svg::Point> out;
    for (std::size_t i = 0; i < counts_.size(); i++) {
      out.push_back({double(i) * bin_s, double(counts_[i]) / bin_s});
    }
    out.push_back({double(counts_.size()) * bin_s, out.back().y});  // the last bin's end
    return out;
  }
  std::uint64_t total() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : counts_) n += c;
    return n;
  }

 private:
  std::int64_t bin_ns_;
  std::vector<std::uint64_t> counts_;
};

}  // namespace

std::string rates_svg(const RunPlotInput& input) {
  IMSIM_ASSERT(input.history != nullptr);
  const std::int64_t end_ns = std::max<std::int64_t>(input.end_ns, 1'000'000);
  // A round bin width (1, 2 or 5 x 10^k ns, at least 1 ms) giving about kRateBinsWanted bins.
  const std::vector<double> ticks = svg::nice_ticks(0.0, double(end_ns), int(kRateBinsWanted));
  const auto bin_ns = std::max<std::int64_t>(1'000'000, std::int64_t(ticks[1] - ticks[0]));
  RateBins sends(end_ns, bin_ns), acks(end_ns, bin_ns), displays(end_ns, bin_ns),
      frames(end_ns, bin_ns);
  for (const history::Event& e : input.history->events) {
    if (std::holds_alternative<history::Send>(e.body)) sends.add(e.t_ns);
    if (std::holds_alternative<history::Ack>(e.body)) acks.add(e.t_ns);
    if (std::holds_alternative<history::Display>(e.body)) displays.add(e.t_ns);
  }
  svg::Panel messages = time_panel(input, "chat messages per second", "events per second");
  messages.series = {
      {"sends", svg::series_colour(0), svg::Style::kStep, sends.points()},
      {"acks", svg::series_colour(1), svg::Style::kStep, acks.points()},
      {"displays (deliveries)", svg::series_colour(2), svg::Style::kStep, displays.points()}};
  messages.note = fmt::format("bins of {} ms; {} sends, {} acks, {} displays", bin_ns / 1'000'000,
                              sends.total(), acks.total(), displays.total());
  svg::Panel network = time_panel(input, "network frames per second", "frames per second");
  if (input.trace != nullptr) {
    for (const model::TraceLogRecord& r : input.trace->records) {
      if (r.kind == model::TraceLogKind::kFrame || r.kind == model::TraceLogKind::kFrameLost) {
        frames.add(r.t_send_ns);
      }
    }
    network.series.push_back(
        {"frames sent", svg::series_colour(3), svg::Style::kStep, frames.points()});
    network.note = fmt::format("bins of {} ms; {} frames (by send time, lost ones included){}",
                               bin_ns / 1'000'000, frames.total(),
                               input.trace->records_dropped > 0
                                   ? fmt::format("; {} trace records not kept (trace log full)",
                                                 input.trace->records_dropped)
                                   : "");
  }
  return svg::render(
      {.title = figure_title("rates", input), .panels = {std::move(messages), std::move(network)}});
}

std::string explore_svg(const std::string& scenario, const ExploreResult& result,
                        const std::vector<ExploreRateSample>& samples) {
  std::vector<svg::Point> passed, failed, errors;
  for (const SeedVerdict& v : result.verdicts) {
    const auto it = v.metrics.find("stable_latency_p99_ms");
    const svg::Point p{double(v.seed), it == v.metrics.end() ? 0.0 : it->second};
    (v.error ? errors : v.failed() ? failed : passed).push_back(p);
  }
  svg::Panel verdicts{.title = "verdict per seed (y: the seed's p99 stable latency)",
                      .x = {.label = "seed"},
                      .y = {.label = "p99 stable latency (ms)"}};
  verdicts.series = {{fmt::format("as expected ({})", passed.size()), "#2ca02c",
                      svg::Style::kScatter, svg::downsample(passed, kPlotPointsMax)},
                     {fmt::format("failed ({})", failed.size()), "#d62728", svg::Style::kScatter,
                      svg::downsample(failed, kPlotPointsMax)},
                     {fmt::format("error ({})", errors.size()), "#000000", svg::Style::kScatter,
                      svg::downsample(errors, kPlotPointsMax)}};
  if (result.first_failure) {
    verdicts.markers.push_back(
        {.x = double(result.first_failure->seed),
         .label = fmt::format("first failure: seed {}", result.first_failure->seed)});
  }
  verdicts.note = fmt::format(
      "{} of {} seeds run; a seed without a latency (nothing displayed everywhere) is at 0{}",
      result.verdicts.size(), result.seeds_planned,
      passed.size() > kPlotPointsMax ? fmt::format("; {} passing seeds drawn", kPlotPointsMax)
                                     : "");
  // Seeds/s between samples at least a 1/200 of the exploration (and 0.1 s: the CLI samples
  // no faster) apart, which smooths the steps of seeds finishing one by one.
  const double window_s = std::max(0.1, result.wall_time_s / 200.0);
  std::vector<svg::Point> rate;
  ExploreRateSample last{};
  for (const ExploreRateSample& s : samples) {
    if (s.elapsed_s - last.elapsed_s < window_s) continue;
    rate.push_back({s.elapsed_s, double(s.done - last.done) / (s.elapsed_s - last.elapsed_s)});
    last = s;
  }
  svg::Panel speed{.title = "seeds per second over the exploration",
                   .x = {.label = "wall time (s)", .min = 0.0},
                   .y = {.label = "seeds per second"}};
  speed.series = {
      {"seeds/s", svg::series_colour(0), svg::Style::kLine, svg::downsample(rate, kPlotPointsMax)},
      {fmt::format("average {:.1f} seeds/s", result.seeds_per_s()),
       svg::series_colour(7),
       svg::Style::kLine,
       {{0.0, result.seeds_per_s()}, {result.wall_time_s, result.seeds_per_s()}}}};
  speed.note = fmt::format("{} seeds in {:.2f} s wall; rate over windows of {:.2f} s",
                           result.verdicts.size(), result.wall_time_s, window_s);
  const std::string seeds =
      result.verdicts.empty()
          ? std::string("no seed run")
          : fmt::format("{} seeds in {} .. {}", result.verdicts.size(),
                        result.verdicts.front().seed, result.verdicts.back().seed);
  return svg::render({.title = fmt::format("explore: {}, {}", scenario, seeds),
                      .panels = {std::move(verdicts), std::move(speed)}});
}

}  // namespace imsim::scenarios
