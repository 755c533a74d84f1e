#pragma once
// Recorder: turns what the devices observably did into a history (shared/HISTORY.md v2) and
// keeps the sparse vector clocks of every send. TraceRecorder: the optional trace log for the
// diagrams (lanes, frames paired send -> arrival, faults, observations).
#include <cstdint>
#include <deque>
#include <imsim/engine/device.hpp>
#include <imsim/engine/effects.hpp>
#include <imsim/history/writer.hpp>
#include <imsim/model/trace_log.hpp>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "population.hpp"
#include "run_support.hpp"

namespace imsim::model::detail {

class Hosts;

// The trace log of one run (RunOptions::record_trace_log). It only observes: nothing in the run
// reads it back. Lanes are sim nodes (lane i = node i) plus "nemesis".
class TraceRecorder {
 public:
  explicit TraceRecorder(const sim::Simulator& sim) : sim_(sim) {}

  void add_lane(const std::string& name, const char* group);
  // A frame left `from` for `to`; frame_arrived pairs it with its send (same bytes, FIFO).
  void frame_sent(sim::EndpointId from, sim::EndpointId to, const std::string& bytes);
  void frame_arrived(sim::EndpointId from, sim::EndpointId to, const std::string& bytes);
  void fault(std::int32_t lane, const std::string& label);  // lane -1: every lane
  void node_event(std::int32_t lane, const std::string& label);
  // The run is over: frames never delivered become kFrameLost; records go in time order.
  void finish();
  TraceLog take() { return std::move(log_); }
  const TraceLog& log() const { return log_; }

 private:
  std::int32_t lane_of(sim::EndpointId endpoint) const;
  std::int64_t now_ns() const { return sim_.now().ns(); }

  const sim::Simulator& sim_;
  TraceLog log_;
  std::map<std::string, std::vector<std::int64_t>> frames_in_flight_;  // key -> send times
};

// Who observed or did something: a device of the population and the sim node it runs on.
struct DeviceRef {
  std::int32_t index = 0;  // Population::device_plans()[index]
  sim::NodeId node;
};

// Told when whether a device can reply (Recorder::reply_target) may have changed.
class ReplyListener {
 public:
  virtual void note_reply_candidate(std::int32_t device) = 0;

 protected:
  ~ReplyListener() = default;
};

class Recorder {
 public:
  // A sparse vector clock: (device index, count), sorted by device index.
  using Clock = std::vector<std::pair<std::int32_t, std::uint64_t>>;

  // `history_out` may be null (no history written; clocks and counts are kept all the same),
  // and so may `trace` (no trace log).
  Recorder(const Population& population, sim::Simulator& sim, RunCounters& counters,
           ReplyListener& replies, std::ostream* history_out, TraceRecorder* trace);

  void header(const std::string& scenario, std::uint64_t seed);
  void observe(DeviceRef device, const engine::Observation& observation);
  void lifecycle(DeviceRef device, const char* what);  // online/offline/kill/reinstall
  // After a relaunch: display what the device's durable view holds beyond what was announced
  // (a write can become durable and the app die before it learns so; docs/deviations.md 13).
  void reconcile_views(DeviceRef device, const engine::Device& engine_device);
  void phase_liveness();
  void fault(const std::string& label);
  // Writes the final timelines and inboxes the stores hold, the metrics, the end.
  void finish(bool quiesced, const std::map<std::string, std::uint64_t>& counters,
              const Hosts& hosts);

  std::string msg_name(const engine::ClientMsgId& msg) const;
  // The conversation of the device's latest display of another user's message since its own
  // last send (the reply target), if any.
  std::optional<std::int32_t> reply_target(std::int32_t device) const;
  // The device's clock of a conversation (empty if it neither sent nor displayed there).
  Clock conv_clock(std::int32_t device, std::int32_t conv) const;

  std::uint64_t sent() const { return sent_; }
  std::uint64_t displays() const { return displays_; }
  // msg -> acked (true) / failed (false), the latest status the sender saw
  const std::map<std::string, bool>& final_status_acked() const { return final_status_acked_; }

 private:
  struct MessageInfo {
    std::int32_t conv = 0;
    std::int32_t sender = 0;  // device index
    Clock vc;
    Clock gvc;
  };
  struct DeviceClocks {
    std::map<std::int32_t, Clock> conv;  // conversation index -> clock
    Clock global;
    std::map<std::int32_t, std::uint64_t> sends_by_conv;  // whole life (reinstalls included)
    std::uint64_t sends_total = 0;
    std::optional<std::int32_t> reply_conv;
    std::map<std::int32_t, std::deque<std::string>> views;  // this incarnation, as recorded
    std::set<std::int32_t> tops;  // conversations with a top_reached in this incarnation
  };
  void send(DeviceRef device, std::int32_t conv, const engine::ClientMsgId& msg);
  void write_display(DeviceRef device, std::int32_t conv, const std::string& msg, bool top,
                     std::optional<std::uint64_t> conv_seq);
  void write_top_reached(DeviceRef device, std::int32_t conv);
  DeviceClocks& clocks_of(std::int32_t device);
  const std::string& device_name(DeviceRef device) const;
  static void merge(Clock& into, const Clock& from);
  static void assign(Clock& clock, std::int32_t device, std::uint64_t count);
  static Clock own_entry_only(const Clock& clock, std::int32_t device);
  static void check_clock(const Clock& clock);
  history::ClockSpec spec(const Clock& clock) const;
  std::int64_t now_ns() const { return sim_.now().ns(); }

  const Population& population_;
  sim::Simulator& sim_;
  RunCounters& counters_;
  ReplyListener& replies_;
  TraceRecorder* trace_;
  std::unique_ptr<history::HistoryWriter> writer_;
  std::map<std::string, MessageInfo> messages_;
  std::vector<DeviceClocks> clocks_;  // by device index
  bool record_gvc_ = false;           // see kGlobalClockDevicesMax
  std::uint64_t sent_ = 0;
  std::uint64_t displays_ = 0;
  std::map<std::string, bool> final_status_acked_;
};

}  // namespace imsim::model::detail
