#pragma once
// The common input surface of every server role (Gateway, Queue, Processor, TimelineStore), so a
// host can drive them uniformly. Every call appends its outputs to `fx`; none reads a clock.
//
// Lifecycle: construct, then call recover(durable) exactly once (empty map on first start) before
// any other input. A crash drops the object (volatile state, timers and unfinished storage ops
// vanish); a restart constructs a new one and calls recover with what survived on disk.
#include <cstdint>
#include <imsim/engine/counters.hpp>
#include <imsim/engine/effects.hpp>
#include <imsim/engine/ids.hpp>
#include <span>
#include <string>

namespace imsim::engine {

class ServerRole {
 public:
  virtual ~ServerRole() = default;

  virtual Address address() const = 0;
  virtual void recover(const DurableMap& durable, LocalTime now, Effects& fx) = 0;
  // A datagram from another server role. `from` is the network-level sender.
  virtual void on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                           Effects& fx) = 0;
  virtual void on_timer(TimerId timer, LocalTime now, Effects& fx) = 0;
  virtual void on_storage_done(OpId op, LocalTime now, Effects& fx) = 0;

  virtual const RoleCounters& counters() const = 0;
  // A deterministic summary of the role's state (not its counters): tests compare it before and
  // after a rejected frame to prove the frame changed nothing.
  virtual std::string state_digest() const = 0;
};

}  // namespace imsim::engine
