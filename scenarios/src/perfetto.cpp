// Perfetto / Chrome trace-event JSON from a TraceLog.
#include <map>
#include <nlohmann/json.hpp>

#include "imsim/base/assert.hpp"
#include "imsim/scenarios/outputs.hpp"

namespace imsim::scenarios {

namespace {

using nlohmann::json;

// A frame's slices are this long (microseconds): visible, and something a flow can bind to.
constexpr double kFrameSlice_us = 1.0;

double to_us(std::int64_t ns) { return double(ns) / 1000.0; }

class PerfettoWriter {
 public:
  PerfettoWriter(const model::TraceLog& log, std::ostream& out) : log_(log), out_(out) {}

  void write(std::size_t records_max);

 private:
  void emit(const json& event) {
    out_ << (first_ ? "\n" : ",\n") << event.dump();
    first_ = false;
  }
  int pid(std::int32_t lane) const { return pids_.at(log_.lanes.at(std::size_t(lane)).group); }
  int tid(std::int32_t lane) const { return lane + 1; }
  void metadata();
  void record(const model::TraceLogRecord& r, std::uint64_t flow_id);
  json slice(std::int32_t lane, std::int64_t t_ns, const std::string& name, const char* cat) const;
  json instant(std::int32_t lane, const model::TraceLogRecord& r, const char* cat) const;

  const model::TraceLog& log_;
  std::ostream& out_;
  std::map<std::string, int> pids_;
  bool first_ = true;
};

void PerfettoWriter::metadata() {
  for (const model::TraceLane& lane : log_.lanes) {
    if (pids_.count(lane.group) == 0) {
      const int pid = int(pids_.size()) + 1;
      pids_[lane.group] = pid;
      emit({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", lane.group}}}});
      emit({{"ph", "M"},
            {"name", "process_sort_index"},
            {"pid", pid},
            {"args", {{"sort_index", pid}}}});
    }
  }
  for (std::size_t i = 0; i < log_.lanes.size(); i++) {
    const auto lane = std::int32_t(i);
    emit({{"ph", "M"},
          {"name", "thread_name"},
          {"pid", pid(lane)},
          {"tid", tid(lane)},
          {"args", {{"name", log_.lanes[i].name}}}});
    emit({{"ph", "M"},
          {"name", "thread_sort_index"},
          {"pid", pid(lane)},
          {"tid", tid(lane)},
          {"args", {{"sort_index", tid(lane)}}}});
  }
}

json PerfettoWriter::slice(std::int32_t lane, std::int64_t t_ns, const std::string& name,
                           const char* cat) const {
  return {{"ph", "X"},         {"name", name},          {"cat", cat},
          {"ts", to_us(t_ns)}, {"dur", kFrameSlice_us}, {"pid", pid(lane)},
          {"tid", tid(lane)}};
}

json PerfettoWriter::instant(std::int32_t lane, const model::TraceLogRecord& r,
                             const char* cat) const {
  return {
      {"ph", "i"},           {"s", "t"},         {"name", r.label},  {"cat", cat},
      {"ts", to_us(r.t_ns)}, {"pid", pid(lane)}, {"tid", tid(lane)}, {"args", {{"t_ns", r.t_ns}}}};
}

void PerfettoWriter::record(const model::TraceLogRecord& r, std::uint64_t flow_id) {
  const auto lanes = std::int32_t(log_.lanes.size());
  IMSIM_ASSERT(r.from < lanes);
  IMSIM_ASSERT(r.to < lanes);
  switch (r.kind) {
    case model::TraceLogKind::kFrame: {
      IMSIM_ASSERT(r.from >= 0 && r.to >= 0);
      const std::string& to_name = log_.lanes[std::size_t(r.to)].name;
      json send = slice(r.from, r.t_send_ns, r.label, "frame");
      send["args"] = {{"to", to_name}, {"sent_ns", r.t_send_ns}, {"arrived_ns", r.t_ns}};
      emit(send);
      emit(slice(r.to, r.t_ns, r.label, "frame"));
      emit({{"ph", "s"},
            {"id", flow_id},
            {"name", r.label},
            {"cat", "frame"},
            {"ts", to_us(r.t_send_ns)},
            {"pid", pid(r.from)},
            {"tid", tid(r.from)}});
      emit({{"ph", "f"},
            {"bp", "e"},
            {"id", flow_id},
            {"name", r.label},
            {"cat", "frame"},
            {"ts", to_us(r.t_ns)},
            {"pid", pid(r.to)},
            {"tid", tid(r.to)}});
      break;
    }
    case model::TraceLogKind::kFrameLost: {
      IMSIM_ASSERT(r.from >= 0 && r.to >= 0);
      json lost = slice(r.from, r.t_send_ns, "lost: " + r.label, "frame_lost");
      lost["args"] = {{"to", log_.lanes[std::size_t(r.to)].name}, {"dropped_ns", r.t_ns}};
      emit(lost);
      break;
    }
    case model::TraceLogKind::kFault:
      if (r.from < 0) {
        emit({{"ph", "i"},
              {"s", "g"},
              {"name", r.label},
              {"cat", "fault"},
              {"ts", to_us(r.t_ns)},
              {"pid", 0},
              {"tid", 0},
              {"args", {{"t_ns", r.t_ns}}}});
      } else {
        emit(instant(r.from, r, "fault"));
      }
      break;
    case model::TraceLogKind::kObservation:
      emit(instant(r.from, r, "observation"));
      break;
    case model::TraceLogKind::kLifecycle:
      emit(instant(r.from, r, "lifecycle"));
      break;
  }
}

void PerfettoWriter::write(std::size_t records_max) {
  out_ << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
  metadata();
  const std::size_t n = std::min(records_max, log_.records.size());
  for (std::size_t i = 0; i < n; i++) record(log_.records[i], i + 1);
  const std::uint64_t cut = (log_.records.size() - n) + log_.records_dropped;
  if (cut > 0) {
    const std::int64_t t_ns = n > 0 ? log_.records[n - 1].t_ns : 0;
    emit({{"ph", "i"},
          {"s", "g"},
          {"name", "trace truncated"},
          {"cat", "note"},
          {"ts", to_us(t_ns)},
          {"pid", 0},
          {"tid", 0},
          {"args", {{"records_not_shown", cut}, {"records_shown", n}}}});
  }
  out_ << "\n]}\n";
}

}  // namespace

void write_perfetto_trace(const model::TraceLog& log, std::ostream& out, std::size_t records_max) {
  PerfettoWriter(log, out).write(records_max);
}

}  // namespace imsim::scenarios
