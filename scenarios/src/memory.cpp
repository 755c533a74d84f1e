// estimate_memory: a linear model of a run's peak RSS, calibrated by measurement.
#include "imsim/scenarios/memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace imsim::scenarios {

namespace {

// ---- Calibration --------------------------------------------------------------------------
// The constants come from peak RSS (/usr/bin/time -v, "Maximum resident set size") of
// `imsim run FILE --no-out` (gcc -O2, RelWithAsserts, after the sim::Disk single-copy and
// sparse member-draw fixes) on 12 worlds, fitted by least squares (scripts/memory-calibration
// repeats the measurement and prints estimate / measured):
//   generated worlds from scripts/gen-world (N users x 2 devices, N/2 direct chats, N/50
//   groups of 20, 0.1 x N msg/s for 10 s): 1k 67 MB, 3k 187 MB, 10k 616 MB;
//   1k users with 0, 300 and 600 msg/s on direct chats only, 300 msg/s on groups only, and
//   300 msg/s with 2000-byte bodies; 3k users idle;
//   the `default` world with 10k and 40k messages over 30 days, and 10k over 2000 s.
// Every one is estimated within 0.89x .. 1.11x of what it measured.
constexpr double kBaseBytes = 2.4e6;         // the process, the loaded scenario
constexpr double kPerDeviceBytes = 12.6e3;   // device host, engine device, sim node, recorder
constexpr double kPerMessageBytes = 2.6e3;   // store timeline and dedup, recorder, history lines
constexpr double kPerDisplayBytes = 1.05e3;  // device view and its disk record, history line
constexpr double kPerInboxEntryBytes = 0.0;  // only its body copies (below) measured
// Copies of a message body kept: the store's timeline and its disk record; each inbox entry
// and its record; each device's view and its record.
constexpr double kBodyCopiesPerMessage = 2.0;
constexpr double kBodyCopiesPerInboxEntry = 2.0;
constexpr double kBodyCopiesPerDisplay = 2.0;
// With outputs written, the trace log (Perfetto, Lamport): measured +0.4 .. +1.0 KB per
// display (3k-user world, 1k users on groups), at most its record cap.
constexpr double kTracePerDisplayBytes = 1.0e3;
constexpr double kTraceBytesMax = 2e6 * 256;  // TraceLog::records_max records

double mean_body_bytes(const model::Distribution& d) {
  double mean = 0;
  switch (d.kind) {
    case model::DistributionKind::kConstant:
      mean = double(d.value);
      break;
    case model::DistributionKind::kUniform:
      mean = (double(d.min) + double(d.max)) / 2;
      break;
    case model::DistributionKind::kExponential:
      mean = double(d.mean);
      break;
    case model::DistributionKind::kLognormal:
      mean = double(d.median) * std::exp(d.sigma * d.sigma / 2);
      break;
  }
  mean += d.tail_p * double(d.tail);
  return std::clamp(mean, 1.0, double(model::kMessageSizeMax_bytes));
}

struct Population {
  double users = 0;
  double devices = 0;                       // at the start
  std::vector<std::int64_t> direct, group;  // member counts per conversation, by kind
  std::vector<std::int64_t> large;
};

Population population_of(const model::WorldConfig& c) {
  Population p;
  if (c.generated_users) {
    p.users = c.generated_users->count;
    p.devices = p.users * (c.generated_users->devices_min + c.generated_users->devices_max) / 2.0;
  } else {
    p.users = double(c.users.size());
    for (const model::UserSpec& u : c.users) p.devices += double(u.devices.size());
  }
  const auto add = [&](model::ConversationKind kind, std::int64_t members) {
    if (kind == model::ConversationKind::kDirect) {
      p.direct.push_back(members);
    } else if (members > std::int64_t(c.engine.large_group_threshold)) {
      p.large.push_back(members);
    } else {
      p.group.push_back(members);
    }
  };
  if (c.generated_conversations) {
    for (std::int32_t i = 0; i < c.generated_conversations->direct; i++) {
      add(model::ConversationKind::kDirect, 2);
    }
    for (const model::GeneratedGroups& g : c.generated_conversations->groups) {
      for (std::int32_t i = 0; i < g.count; i++) add(model::ConversationKind::kGroup, g.size);
    }
  }
  for (const model::ConversationSpec& conv : c.conversations) {
    add(conv.kind, std::int64_t(conv.members.size()));
  }
  return p;
}

double mean_of(const std::vector<std::int64_t>& v) {
  double sum = 0;
  for (std::int64_t x : v) sum += double(x);
  return v.empty() ? 0.0 : sum / double(v.size());
}

}  // namespace

MemoryEstimate estimate_memory(const model::WorldConfig& c, bool record_trace) {
  const Population p = population_of(c);
  MemoryEstimate e;
  e.trace_log = record_trace;
  const double safety_s = double(c.durations.safety_ns) / 1e9;
  const double window_s =
      double(c.durations.workload_stop_ns.value_or(c.durations.safety_ns)) / 1e9;
  // New logins add devices, up to the per-user limit.
  e.devices = p.devices;
  if (c.device_behaviour.new_device_interval_mean_ns > 0) {
    e.devices +=
        p.users * safety_s / (double(c.device_behaviour.new_device_interval_mean_ns) / 1e9);
  }
  e.devices = std::min(e.devices, p.users * model::kDevicesPerUserMax);
  // Members per message: a kind by weight (kinds without conversations skipped), then a
  // conversation of it uniformly. Replies follow displays; the same mix is assumed.
  const model::KindWeights& w = c.workload.kind_weights;
  double weight = 0, members = 0;
  for (const auto& [kind_weight, convs] :
       {std::pair{w.direct, &p.direct}, std::pair{w.group, &p.group},
        std::pair{w.large, &p.large}}) {
    if (convs->empty() || kind_weight <= 0) continue;
    weight += kind_weight;
    members += kind_weight * mean_of(*convs);
  }
  const double members_per_message = weight > 0 ? members / weight : 0.0;
  const double devices_per_user = p.users > 0 ? e.devices / p.users : 0.0;
  // Sends: the Poisson rate over the workload window, at most messages_max; then the
  // liveness probes (each probed device sends into every conversation of its user).
  const double sends =
      std::min(double(c.workload.messages_max), c.workload.messages_per_s * window_s);
  const double convs_total = double(p.direct.size() + p.group.size() + p.large.size());
  const double convs_per_user = p.users > 0 ? convs_total * members_per_message / p.users : 0.0;
  const double probes =
      std::min(double(c.quiescence.probe_devices_max), e.devices) * convs_per_user;
  e.messages = sends + probes;
  e.displays = e.messages * members_per_message * devices_per_user;
  // Inbox entries expire after the TTL (the store erases them on the next pull): at most a
  // TTL's worth of sends is retained at once.
  const double ttl_s = c.engine.inbox_ttl.seconds();
  e.inbox_entries =
      (std::min(sends, c.workload.messages_per_s * ttl_s) + probes) * members_per_message;
  const double body = mean_body_bytes(c.workload.size_bytes);
  double bytes = kBaseBytes + kPerDeviceBytes * e.devices +
                 (kPerMessageBytes + kBodyCopiesPerMessage * body) * e.messages +
                 (kPerInboxEntryBytes + kBodyCopiesPerInboxEntry * body) * e.inbox_entries +
                 (kPerDisplayBytes + kBodyCopiesPerDisplay * body) * e.displays;
  if (record_trace) bytes += std::min(kTraceBytesMax, kTracePerDisplayBytes * e.displays);
  e.bytes = bytes >= 1.8e19 ? UINT64_MAX : std::uint64_t(bytes);
  return e;
}

std::optional<std::uint64_t> parse_memory_size(std::string_view text) {
  std::size_t i = 0;
  double value = 0;
  bool digits = false, dot = false;
  double scale = 1;
  for (; i < text.size(); i++) {
    const char ch = text[i];
    if (ch >= '0' && ch <= '9') {
      digits = true;
      if (dot) {
        scale /= 10;
        value += scale * (ch - '0');
      } else {
        value = value * 10 + (ch - '0');
      }
    } else if (ch == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  std::string_view suffix = text.substr(i);
  double unit = 1;
  if (!suffix.empty()) {
    switch (suffix[0]) {
      case 'K':
      case 'k':
        unit = 1024.0;
        break;
      case 'M':
      case 'm':
        unit = 1024.0 * 1024;
        break;
      case 'G':
      case 'g':
        unit = 1024.0 * 1024 * 1024;
        break;
      case 'T':
      case 't':
        unit = 1024.0 * 1024 * 1024 * 1024;
        break;
      case 'B':
      case 'b':
        break;
      default:
        return std::nullopt;
    }
    if (suffix[0] != 'B' && suffix[0] != 'b') suffix.remove_prefix(1);
    if (!(suffix.empty() || suffix == "B" || suffix == "b" || suffix == "iB" || suffix == "ib")) {
      return std::nullopt;
    }
  }
  const double bytes = std::floor(value * unit);
  if (bytes < 1 || bytes > 9.2e18) return std::nullopt;
  return std::uint64_t(bytes);
}

std::string format_memory_size(std::uint64_t bytes) {
  const double b = double(bytes);
  if (b >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
  return fmt::format("{:.0f} KiB", b / 1024.0);
}

std::uint64_t default_memory_limit(std::uint64_t physical_bytes) {
  if (physical_bytes == 0) return kDefaultMemoryLimitUnknown;
  return std::min(physical_bytes / 2, kDefaultMemoryLimitMax);
}

base::Status memory_refusal(const MemoryEstimate& e, std::uint64_t limit_bytes,
                            std::string_view limit_origin, int runs) {
  const double total = double(e.bytes) * double(std::max(runs, 1));
  if (total <= double(limit_bytes)) return {};
  const std::uint64_t total_bytes = total >= 1.8e19 ? UINT64_MAX : std::uint64_t(total);
  const std::string jobs =
      runs > 1 ? fmt::format(" x {} jobs = {}", runs, format_memory_size(total_bytes)) : "";
  return base::Status::limit_exceeded(fmt::format(
      "the run would need an estimated {}{} ({:.0f} devices, {:.0f} messages, {:.0f} displays{}), "
      "more than the memory limit {} ({}); raise it with --memory-limit SIZE (e.g. "
      "--memory-limit {}G) or make the world smaller (docs/scenario-format.md, \"Limits\")",
      format_memory_size(e.bytes), jobs, e.devices, e.messages, e.displays,
      e.trace_log ? ", trace log" : "", format_memory_size(limit_bytes), limit_origin,
      std::uint64_t(std::ceil(total / (1024.0 * 1024 * 1024)))));
}

}  // namespace imsim::scenarios
