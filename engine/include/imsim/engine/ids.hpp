#pragma once
// Strong id and time types of the engine. Every id is its own type so that a ConvSeq can never be
// passed where an InboxSeq is expected, and a UserId never where a ConvId is.
#include <compare>
#include <cstdint>
#include <string>

namespace imsim::engine {

// A value wrapper that only compares with itself. `Tag` makes each instantiation a distinct type.
template <typename Tag, typename Rep>
struct StrongId {
  using rep_type = Rep;
  Rep value{};

  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value(v) {}
  friend constexpr auto operator<=>(const StrongId&, const StrongId&) = default;
};

using UserId = StrongId<struct UserIdTag, std::uint32_t>;            // "u1"
using ConvId = StrongId<struct ConvIdTag, std::uint32_t>;            // "c1"
using ConvSeq = StrongId<struct ConvSeqTag, std::uint64_t>;          // 1, 2, 3 ... per conversation
using InboxSeq = StrongId<struct InboxSeqTag, std::uint64_t>;        // 1, 2, 3 ... per user inbox
using LaneSeq = StrongId<struct LaneSeqTag, std::uint64_t>;          // 1, 2, 3 ... per send lane
using ConnId = StrongId<struct ConnIdTag, std::uint64_t>;            // host-assigned connection
using TimerId = StrongId<struct TimerIdTag, std::uint64_t>;          // role-assigned, never reused
using OpId = StrongId<struct OpIdTag, std::uint64_t>;                // role-assigned storage op
using ReqId = StrongId<struct ReqIdTag, std::uint64_t>;              // request id inside frames
using Incarnation = StrongId<struct IncarnationTag, std::uint32_t>;  // 0 = first install

// A device belongs to exactly one user, so the user is part of its identity: "u1/d2".
struct DeviceId {
  UserId user;
  std::uint32_t index = 0;
  friend constexpr auto operator<=>(const DeviceId&, const DeviceId&) = default;
};

// Client message id: unique without coordination. The incarnation separates the counters of
// two installs of the same device (a reinstall restarts the counter at 1).
// String form: "u1/d2.i0.m7".
struct ClientMsgId {
  DeviceId device;
  Incarnation incarnation;
  std::uint64_t counter = 0;
  friend constexpr auto operator<=>(const ClientMsgId&, const ClientMsgId&) = default;
};

// The per (device install, conversation) FIFO lane a send travels in.
struct LaneId {
  DeviceId device;
  Incarnation incarnation;
  ConvId conv;
  friend constexpr auto operator<=>(const LaneId&, const LaneId&) = default;
};

// The node-local clock reading the host passes with every input. Never read from a clock here.
struct LocalTime {
  std::int64_t ns = 0;
  friend constexpr auto operator<=>(const LocalTime&, const LocalTime&) = default;
};

enum class RoleKind : std::uint8_t { gateway = 1, queue = 2, processor = 3, store = 4 };

// A server node: datagrams between roles are addressed by this.
struct Address {
  RoleKind kind = RoleKind::gateway;
  std::uint32_t index = 0;
  friend constexpr auto operator<=>(const Address&, const Address&) = default;
};

std::string to_string(UserId user);           // "u1"
std::string to_string(DeviceId device);       // "u1/d1"
std::string to_string(ConvId conv);           // "c1"
std::string to_string(const ClientMsgId& m);  // "u1/d1.i0.m7"
std::string to_string(RoleKind kind);         // "gateway"
std::string to_string(Address address);       // "gateway/0"

}  // namespace imsim::engine
