#pragma once
// Dense, strongly typed ids for the names of a history. The reader interns every device,
// user, conversation and message string to a small integer (in order of first appearance), so
// checkers index plain vectors instead of hashing strings: a 1M-event history checks fast.
#include <cstdint>
#include <imsim/base/strong_id.hpp>

namespace imsim::history {

// A dense index: a base::StrongId that is none() (never interned) until assigned.
template <class Tag>
using DenseId = base::NoneByDefault<Tag, std::uint32_t>;

using DeviceId = DenseId<struct DeviceTag>;
using UserId = DenseId<struct UserTag>;
using ConvId = DenseId<struct ConvTag>;
using MsgId = DenseId<struct MsgTag>;

// Integer nanoseconds: true simulated time, or wall time for external systems.
using TimeNs = std::int64_t;

}  // namespace imsim::history
