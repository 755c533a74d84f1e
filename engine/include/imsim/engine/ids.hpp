#pragma once
// Strong id and time types of the engine. Every id is its own type so that a ConvSeq can never be
// passed where an InboxSeq is expected, and a UserId never where a ConvId is.
#include <compare>
#include <cstdint>
#include <imsim/base/strong_id.hpp>
#include <imsim/base/time.hpp>
#include <string>

namespace imsim::engine {

// Every id is a base::StrongId (base/strong_id.hpp): counters start at 0 when default-constructed.
template <typename Tag, typename Rep>
using StrongId = base::StrongId<Tag, Rep>;

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

// Spans of time: checked integer nanoseconds (base/time.hpp).
using Duration = base::Duration;

struct LocalClockTag {
  static constexpr const char* prefix = "local=";
};
// The node-local clock reading the host passes with every input. Never read from a clock here.
// A reading plus a Duration is a reading (overflow asserts); two readings subtract to a Duration.
using LocalTime = base::TimePoint<LocalClockTag>;

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
