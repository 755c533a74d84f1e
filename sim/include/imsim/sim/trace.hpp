#pragma once
// Trace: every executed event folds (time, kind, node, digest) into a rolling 64-bit hash. The
// final trace hash identifies a run: the same scenario and seed must give the same hash. The
// kernel folds its own events (timer fired, packet delivered/dropped, connection events, crash,
// restart); the model may fold its own records with kinds >= TraceKind::model_first.
#include <cstdint>
#include <functional>
#include <imsim/sim/ids.hpp>
#include <imsim/sim/time.hpp>
#include <string_view>

namespace imsim::sim {

enum class TraceKind : std::uint32_t {
  timer_fired = 1,
  packet_delivered = 2,
  packet_dropped = 3,
  packet_held = 4,  // a packet reached a clogged (or, for a connection, blocked) link
  conn_opened = 10,
  conn_data = 11,
  conn_closed = 12,
  conn_reset = 13,
  conn_failed = 14,
  node_crashed = 20,
  node_restarted = 21,
  model_first = 1000,  // kinds >= this belong to the model
};

// A model-defined kind: TraceKind::model_first + n.
constexpr TraceKind model_trace_kind(std::uint32_t n) {
  return static_cast<TraceKind>(static_cast<std::uint32_t>(TraceKind::model_first) + n);
}

struct TraceRecord {
  SimTime time;
  TraceKind kind;
  NodeId node;
  std::uint64_t digest;
};

// A fast, platform-independent 64-bit hash of bytes (payload digests). Not cryptographic.
std::uint64_t hash_bytes(std::string_view bytes);

class Trace {
 public:
  void fold(SimTime time, TraceKind kind, NodeId node, std::uint64_t digest) {
    state_ = fold_word(state_, static_cast<std::uint64_t>(time.ns()));
    state_ =
        fold_word(state_, (std::uint64_t{static_cast<std::uint32_t>(kind)} << 32) | node.value);
    state_ = fold_word(state_, digest);
    count_++;
    if (observer_) observer_(TraceRecord{time, kind, node, digest});
  }

  // The run's identity so far. Depends on every record and their order.
  std::uint64_t hash() const;
  std::uint64_t count() const { return count_; }

  // Sees every record as it is folded (debugging a divergence: print both runs, diff them).
  // Observing never changes the hash.
  void set_observer(std::function<void(const TraceRecord&)> observer) {
    observer_ = std::move(observer);
  }

 private:
  static std::uint64_t fold_word(std::uint64_t h, std::uint64_t x) {
    h = (h ^ x) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 32);
  }

  std::uint64_t state_ = 0x243F6A8885A308D3ULL;
  std::uint64_t count_ = 0;
  std::function<void(const TraceRecord&)> observer_;
};

}  // namespace imsim::sim
