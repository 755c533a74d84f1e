// Report -> JSON and human text.
#include "imsim/properties/report.hpp"

#include <fmt/format.h>

namespace imsim::properties {

using json = nlohmann::json;

json to_json(const Witness& w) {
  json events = json::array();
  for (const EventRef& e : w.events) {
    events.push_back({{"line", e.line}, {"t", e.t_ns}, {"type", e.type}, {"role", e.role}});
  }
  return {{"clause", w.clause},   {"summary", w.summary}, {"msgs", w.msgs},
          {"devices", w.devices}, {"convs", w.convs},     {"events", events}};
}

namespace {

json metrics_json(const Metrics& m) {
  json out = {{"sent", m.sent},
              {"acked", m.acked},
              {"failed", m.failed},
              {"stored", m.stored},
              {"displays", m.displays},
              {"unavailable", m.unavailable},
              {"gap", m.gap},
              {"safety_sent", m.safety_sent},
              {"safety_failed", m.safety_failed}};
  out["safety_failed_rate"] = m.safety_failed_rate ? json(*m.safety_failed_rate) : json();
  if (m.stable_latency) {
    const LatencyQuantiles& q = *m.stable_latency;
    out["stable_latency_ns"] = {{"samples", q.samples}, {"p0", q.p0_ns},   {"p50", q.p50_ns},
                                {"p95", q.p95_ns},      {"p99", q.p99_ns}, {"p100", q.p100_ns}};
  } else {
    out["stable_latency_ns"] = nullptr;
  }
  out["cross_conv_inversions"] = m.cross_conv_inversions ? json(*m.cross_conv_inversions) : json();
  out["engine_counters"] = m.engine_counters;
  out["engine_ratios"] = m.engine_ratios;
  return out;
}

}  // namespace

json to_json(const Report& report) {
  json anomalies = json::array();
  json by_name = json::object();
  for (const AnomalyReport& a : report.anomalies) {
    json witnesses = json::array();
    for (const Witness& w : a.witnesses) witnesses.push_back(to_json(w));
    anomalies.push_back({{"name", a.name},
                         {"description", a.description},
                         {"count", a.count},
                         {"witnesses", witnesses},
                         {"witnesses_omitted", a.count - a.witnesses.size()}});
    by_name[a.name] = a.count;
  }
  json metrics = metrics_json(report.metrics);
  metrics["anomalies"] = by_name;
  return {{"ok", report.ok()},
          {"anomaly_count", report.anomaly_count()},
          {"checkers", report.checkers},
          {"anomalies", anomalies},
          {"metrics", metrics}};
}

namespace {

void append_metrics_text(std::string& out, const Metrics& m) {
  fmt::format_to(std::back_inserter(out),
                 "metrics: sent {}, acked {}, failed {}, stored {}, displays {}\n", m.sent, m.acked,
                 m.failed, m.stored, m.displays);
  if (m.safety_failed_rate) {
    fmt::format_to(std::back_inserter(out),
                   "  safety phase: {} sent, {} failed ({:.1f}%); after healing: {} unavailable, "
                   "{} gap\n",
                   m.safety_sent, m.safety_failed, 100.0 * *m.safety_failed_rate, m.unavailable,
                   m.gap);
  }
  if (m.stable_latency) {
    const LatencyQuantiles& q = *m.stable_latency;
    fmt::format_to(std::back_inserter(out),
                   "  stable latency (ns, {} messages): p0 {}  p50 {}  p95 {}  p99 {}  p100 {}\n",
                   q.samples, q.p0_ns, q.p50_ns, q.p95_ns, q.p99_ns, q.p100_ns);
  } else {
    out += "  stable latency: no message displayed on every required device\n";
  }
  if (m.cross_conv_inversions) {
    fmt::format_to(std::back_inserter(out), "  cross-conversation inversions: {}\n",
                   *m.cross_conv_inversions);
  }
  for (const auto& [name, value] : m.engine_counters) {
    fmt::format_to(std::back_inserter(out), "  engine {}: {}\n", name, value);
  }
  for (const auto& [name, value] : m.engine_ratios) {
    fmt::format_to(std::back_inserter(out), "  engine {}: {:.2f}\n", name, value);
  }
}

}  // namespace

std::string to_text(const Report& report) {
  std::string out;
  if (report.ok()) {
    fmt::format_to(std::back_inserter(out), "OK: no anomaly ({} checkers)\n",
                   report.checkers.size());
  } else {
    fmt::format_to(std::back_inserter(out), "ANOMALIES: {}\n", report.anomaly_count());
  }
  for (const AnomalyReport& a : report.anomalies) {
    if (a.count == 0) continue;
    fmt::format_to(std::back_inserter(out), "{} ({}): {}\n", a.name, a.count, a.description);
    for (const Witness& w : a.witnesses) {
      fmt::format_to(std::back_inserter(out), "  - [{}] {}\n", w.clause, w.summary);
      for (const EventRef& e : w.events) {
        fmt::format_to(std::back_inserter(out), "      line {} t={} {}: {}\n", e.line, e.t_ns,
                       e.type, e.role);
      }
    }
    if (a.count > a.witnesses.size()) {
      fmt::format_to(std::back_inserter(out), "  ... and {} more\n", a.count - a.witnesses.size());
    }
  }
  append_metrics_text(out, report.metrics);
  return out;
}

}  // namespace imsim::properties
