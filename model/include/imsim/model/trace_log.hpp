#pragma once
// TraceLog: what the modelled world saw happen, in true simulated time, for the visual outputs
// (Perfetto/Chrome trace-event JSON and the Lamport diagram). It is an observation log only:
// nothing in the run reads it back, so recording it cannot change the run.
#include <cstdint>
#include <string>
#include <vector>

namespace imsim::model {

// A lane is one timeline in the diagrams: a device ("u1/d1") or a server node ("gateway0",
// "queue0", "processor1", "store0"), plus the lane "nemesis" for world-wide faults.
struct TraceLane {
  std::string name;
  std::string group;  // "devices" or "servers" or "nemesis": diagrams group lanes by it
};

// Not sim::TraceKind (what the kernel folds into the trace hash): these kinds only label the
// records of this log for the diagrams.
enum class TraceLogKind : std::uint8_t {
  kFrame,        // a frame travelled from lane `from` (sent at t_send_ns) to lane `to` (at t_ns)
  kFrameLost,    // a frame sent at t_send_ns from `from` to `to` never arrived (dropped at t_ns)
  kFault,        // a nemesis action affecting lane `from` (or every lane if from == -1)
  kObservation,  // a device observation (display, ack, fail, echo) on lane `from`
  kLifecycle,    // online/offline/kill/reinstall/crash/restart of lane `from`
};

struct TraceLogRecord {
  std::int64_t t_ns = 0;       // when it happened (arrival time for frames)
  std::int64_t t_send_ns = 0;  // frames only: when the frame was sent
  TraceLogKind kind = TraceLogKind::kFrame;
  std::int32_t from = -1;  // lane index
  std::int32_t to = -1;    // lane index (frames only)
  std::string label;       // short: frame type ("push c1#3"), fault ("partition"), ...
};

struct TraceLog {
  std::vector<TraceLane> lanes;
  std::vector<TraceLogRecord> records;  // in non-decreasing t_ns
  std::uint64_t records_dropped = 0;    // past records_max nothing more is kept (bounded memory)
  std::uint64_t records_max = 2'000'000;

  void add(TraceLogRecord record) {
    if (records.size() >= records_max) {
      records_dropped++;
      return;
    }
    records.push_back(std::move(record));
  }
};

}  // namespace imsim::model
