#pragma once
// What every role does at its I/O boundary, made once: allocate timer and storage op ids, encode
// and count outgoing frames, decode and count incoming ones (a frame that does not decode is
// rejected as malformed and changes nothing), and one-timer-per-purpose slots.
#include <imsim/base/assert.hpp>
#include <imsim/engine/codec.hpp>
#include <imsim/engine/counters.hpp>
#include <imsim/engine/effects.hpp>
#include <optional>
#include <span>
#include <string>

namespace imsim::engine {

class RoleIo {
 public:
  explicit RoleIo(std::uint32_t frame_bytes_max) : frame_bytes_max_(frame_bytes_max) {}

  TimerId set_timer(Effects& fx, LocalTime now, LocalTime deadline) {
    IMSIM_ASSERT(deadline >= now);
    const TimerId id{next_timer_++};
    fx.timers_set.push_back(SetTimer{id, deadline, deadline.ns() - now.ns()});
    counters.timers_set++;
    return id;
  }

  void cancel_timer(Effects& fx, TimerId id) { fx.timers_cancelled.push_back(CancelTimer{id}); }

  OpId write(Effects& fx, std::string key, std::string value) {
    IMSIM_ASSERT(!key.empty());
    const OpId op{next_op_++};
    fx.storage.push_back(StorageWrite{op, std::move(key), std::move(value)});
    counters.storage_writes++;
    return op;
  }

  OpId erase(Effects& fx, std::string key) {
    IMSIM_ASSERT(!key.empty());
    const OpId op{next_op_++};
    fx.storage.push_back(StorageErase{op, std::move(key)});
    counters.storage_erases++;
    return op;
  }

  void send(Effects& fx, Destination to, const Frame& frame) {
    Bytes bytes = encode(frame);
    IMSIM_ASSERT(bytes.size() <= frame_bytes_max_);
    counters.frames_out++;
    counters.bytes_out += bytes.size();
    fx.frames.push_back(SendFrame{to, std::move(bytes)});
  }

  // Decodes an incoming frame; a defect is counted as a malformed reject and yields nothing.
  std::optional<Frame> receive(std::span<const std::uint8_t> bytes) {
    counters.frames_in++;
    counters.bytes_in += bytes.size();
    DecodeResult result = decode(bytes, frame_bytes_max_);
    if (!result.ok()) {
      count_reject(RejectReason::malformed);
      return std::nullopt;
    }
    return std::move(result.frame);
  }

  void count_reject(RejectReason reason) {
    IMSIM_ASSERT(reason != RejectReason::none);
    IMSIM_ASSERT(reason < RejectReason::count_);
    counters.frames_rejected++;
    counters.rejected_by_reason[static_cast<std::size_t>(reason)]++;
  }

  // The role passed a named decision branch (coverage.hpp).
  void cover(CoveragePoint point) { counters.coverage[static_cast<std::size_t>(point)]++; }

  std::uint32_t frame_bytes_max() const { return frame_bytes_max_; }

  RoleCounters counters;

 private:
  std::uint32_t frame_bytes_max_;
  std::uint64_t next_timer_ = 1;
  std::uint64_t next_op_ = 1;
};

// One armed timer for one purpose. Arming for an earlier deadline replaces the armed timer; a
// fire of a replaced or cancelled timer is recognised as stale by its id.
class TimerSlot {
 public:
  // Arms the slot for `deadline` unless it is already armed for an earlier or equal one.
  void arm_by(RoleIo& io, Effects& fx, LocalTime now, LocalTime deadline) {
    if (deadline < now) deadline = now;
    if (armed_ && deadline_ <= deadline) return;
    if (armed_) io.cancel_timer(fx, id_);
    id_ = io.set_timer(fx, now, deadline);
    deadline_ = deadline;
    armed_ = true;
  }

  void cancel(RoleIo& io, Effects& fx) {
    if (armed_) io.cancel_timer(fx, id_);
    armed_ = false;
  }

  // True when `id` is this slot's live timer; the slot is then disarmed.
  bool take(TimerId id) {
    if (!armed_ || id != id_) return false;
    armed_ = false;
    return true;
  }

  bool armed() const { return armed_; }

 private:
  TimerId id_;
  LocalTime deadline_;
  bool armed_ = false;
};

}  // namespace imsim::engine
