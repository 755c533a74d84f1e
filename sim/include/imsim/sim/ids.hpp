#pragma once
// Strong ids (base/strong_id.hpp). Each id is its own type so a NodeId cannot be passed as an
// EndpointId. Default-constructed, each is none(): the kernel never hands that value out.
#include <cstdint>
#include <imsim/base/strong_id.hpp>

namespace imsim::sim {

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
using NodeId = base::NoneByDefault<NodeIdTag, std::uint32_t>;
// An address on a node that sends and receives datagrams and holds connections.
using EndpointId = base::NoneByDefault<EndpointIdTag, std::uint32_t>;
// A connection between two endpoints. Never reused within a run.
using ConnId = base::NoneByDefault<ConnIdTag, std::uint64_t>;
// A scheduled event: (slot << 32 | generation); stale ids are recognised, never misfire.
using TimerId = base::NoneByDefault<TimerIdTag, std::uint64_t>;

// Owner of events that belong to no node (world events, the nemesis): crashes never cancel them.
inline constexpr NodeId kWorld = NodeId::none();

}  // namespace imsim::sim
