// Metrics: counts, stable-latency quantiles (nearest rank), cross-conversation inversions,
// and the engine counters of the `x-metrics` extension.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"
#include "imsim/history/writer.hpp"

namespace imsim::properties {
namespace {

// Nearest rank: the smallest sample with at least q of the samples at or below it.
TimeNs nearest_rank(const std::vector<TimeNs>& sorted, std::uint64_t q_permille) {
  IMSIM_ASSERT(!sorted.empty());
  IMSIM_ASSERT(q_permille <= 1000);
  std::uint64_t rank = (q_permille * sorted.size() + 999) / 1000;
  rank = std::max<std::uint64_t>(rank, 1);
  IMSIM_ASSERT(rank <= sorted.size());
  return sorted[rank - 1];
}

}  // namespace

std::vector<MessageLatency> stable_latency_samples(const HistoryIndex& index) {
  struct Shown {
    std::uint32_t msg;
    std::uint32_t device;
    TimeNs t_ns;
  };
  std::vector<Shown> shown;  // displays on a required device of the message's conversation
  const History& h = index.history();
  for (const history::Event& e : h.events) {
    const auto* display = std::get_if<history::Display>(&e.body);
    if (display == nullptr) continue;
    const std::vector<DeviceId>& required = index.required(display->conv);
    if (!std::binary_search(required.begin(), required.end(), display->device)) continue;
    shown.push_back({display->msg.value, display->device.value, e.t_ns});
  }
  std::sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) {
    return a.msg != b.msg ? a.msg < b.msg : a.device < b.device;
  });
  std::vector<MessageLatency> samples;
  for (std::size_t i = 0; i < shown.size();) {
    const std::uint32_t msg = shown[i].msg;
    std::size_t devices = 0;
    TimeNs latest_ns = shown[i].t_ns;
    for (; i < shown.size() && shown[i].msg == msg; ++i) {
      if (i == 0 || shown[i - 1].msg != msg || shown[i - 1].device != shown[i].device) ++devices;
      latest_ns = std::max(latest_ns, shown[i].t_ns);
    }
    const MsgFacts& facts = index.msg(MsgId{msg});
    IMSIM_ASSERT(devices <= index.required(facts.conv).size());
    if (devices < index.required(facts.conv).size()) continue;  // not displayed everywhere
    samples.push_back(
        {.msg = MsgId{msg}, .latency_ns = latest_ns - index.event(facts.send_event).t_ns});
  }
  return samples;
}

namespace {

std::optional<LatencyQuantiles> stable_latency(const HistoryIndex& index) {
  std::vector<TimeNs> samples;
  for (const MessageLatency& m : stable_latency_samples(index)) samples.push_back(m.latency_ns);
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  return LatencyQuantiles{.samples = samples.size(),
                          .p0_ns = nearest_rank(samples, 0),
                          .p50_ns = nearest_rank(samples, 500),
                          .p95_ns = nearest_rank(samples, 950),
                          .p99_ns = nearest_rank(samples, 990),
                          .p100_ns = nearest_rank(samples, 1000)};
}

// The last value of every counter over the `x-metrics` events (counters are cumulative).
// Malformed extension content is ignored: extensions never make a history malformed.
void engine_counters(const HistoryIndex& index, Metrics& metrics) {
  for (const history::Event& e : index.history().events) {
    const auto* ext = std::get_if<history::Extension>(&e.body);
    if (ext == nullptr || ext->type != history::metrics_event_type) continue;
    const nlohmann::json object =
        nlohmann::json::parse(ext->json, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) continue;
    auto counters = object.find("counters");
    if (counters == object.end() || !counters->is_object()) continue;
    for (const auto& [name, value] : counters->items()) {
      if (value.is_number_unsigned()) metrics.engine_counters[name] = value.get<std::uint64_t>();
    }
  }
  if (metrics.sent == 0) return;
  constexpr std::pair<std::string_view, std::string_view> ratios[] = {
      {"network_frames", "network_frames_per_message"},
      {"store_reads", "store_reads_per_message"},
      {"store_writes", "store_writes_per_message"},
  };
  for (const auto& [counter, ratio] : ratios) {
    auto it = metrics.engine_counters.find(std::string(counter));
    if (it == metrics.engine_counters.end()) continue;
    metrics.engine_ratios[std::string(ratio)] =
        static_cast<double>(it->second) / static_cast<double>(metrics.sent);
  }
}

}  // namespace

Metrics compute_metrics(const HistoryIndex& index) {
  Metrics metrics;
  for (std::uint32_t m = 0; m < index.history().msg_count(); ++m) {
    const MsgFacts& facts = index.msg(MsgId{m});
    IMSIM_ASSERT(facts.send_event != no_index);
    ++metrics.sent;
    if (facts.status == Status::ack) ++metrics.acked;
    if (facts.status == Status::fail) ++metrics.failed;
    if (facts.timeline_pos != no_position) ++metrics.stored;
    if (!facts.sent_in_liveness) {
      ++metrics.safety_sent;
      if (facts.status == Status::fail) ++metrics.safety_failed;
    }
  }
  if (metrics.safety_sent > 0) {
    metrics.safety_failed_rate =
        static_cast<double>(metrics.safety_failed) / static_cast<double>(metrics.safety_sent);
  }
  metrics.displays = index.display_count();
  metrics.stable_latency = stable_latency(index);
  metrics.cross_conv_inversions = count_cross_conv_inversions(index);
  engine_counters(index, metrics);
  return metrics;
}

}  // namespace imsim::properties
