#pragma once
// Dense, strongly typed ids for the names of a history. The reader interns every device,
// user, conversation and message string to a small integer (in order of first appearance), so
// checkers index plain vectors instead of hashing strings: a 1M-event history checks fast.
#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace imsim::history {

template <class Tag>
struct DenseId {
  static constexpr std::uint32_t invalid_value = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t value = invalid_value;

  constexpr bool valid() const { return value != invalid_value; }
  constexpr auto operator<=>(const DenseId&) const = default;
};

using DeviceId = DenseId<struct DeviceTag>;
using UserId = DenseId<struct UserTag>;
using ConvId = DenseId<struct ConvTag>;
using MsgId = DenseId<struct MsgTag>;

// Integer nanoseconds: true simulated time, or wall time for external systems.
using TimeNs = std::int64_t;

}  // namespace imsim::history

template <class Tag>
struct std::hash<imsim::history::DenseId<Tag>> {
  std::size_t operator()(imsim::history::DenseId<Tag> id) const noexcept {
    return std::hash<std::uint32_t>{}(id.value);
  }
};
