#pragma once
// Strong ids. Each id is its own type so a NodeId cannot be passed as an EndpointId.
#include <compare>
#include <cstdint>
#include <limits>
#include <ostream>

namespace imsim::sim {

template <class Tag, class Rep>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  explicit constexpr StrongId(Rep value) : value_(value) {}

  // The "no such id" value (also the default): never handed out by the kernel.
  static constexpr StrongId none() { return StrongId(); }

  constexpr Rep value() const { return value_; }
  constexpr bool is_none() const { return value_ == kNone; }
  constexpr explicit operator bool() const { return value_ != kNone; }

  friend constexpr auto operator<=>(StrongId, StrongId) = default;
  friend std::ostream& operator<<(std::ostream& os, StrongId id) {
    if (id.is_none()) return os << Tag::prefix << "none";
    return os << Tag::prefix << static_cast<std::uint64_t>(id.value_);
  }

 private:
  static constexpr Rep kNone = std::numeric_limits<Rep>::max();
  Rep value_ = kNone;
};

struct NodeIdTag {
  static constexpr const char* prefix = "node#";
};
struct EndpointIdTag {
  static constexpr const char* prefix = "ep#";
};
struct ConnIdTag {
  static constexpr const char* prefix = "conn#";
};
struct TimerIdTag {
  static constexpr const char* prefix = "timer#";
};

// A simulated machine: owns timers, a disk and a clock; crashes and restarts as a unit.
using NodeId = StrongId<NodeIdTag, std::uint32_t>;
// An address on a node that sends and receives datagrams and holds connections.
using EndpointId = StrongId<EndpointIdTag, std::uint32_t>;
// A connection between two endpoints. Never reused within a run.
using ConnId = StrongId<ConnIdTag, std::uint64_t>;
// A scheduled event: (slot << 32 | generation); stale ids are recognised, never misfire.
using TimerId = StrongId<TimerIdTag, std::uint64_t>;

// Owner of events that belong to no node (world events, the nemesis): crashes never cancel them.
inline constexpr NodeId kWorld = NodeId::none();

}  // namespace imsim::sim
