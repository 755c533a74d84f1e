#pragma once
// Virtual time. All simulated time is integer nanoseconds: `Duration` is a span, `SimTime` is an
// instant of true simulated time (0 = start of the run) and `LocalTime` is an instant as read on
// one node's local clock (see clock.hpp). The two instants are different types so a node's local
// reading can never be passed where true time is expected.
#include <imsim/base/time.hpp>

namespace imsim::sim {

using Duration = base::Duration;
template <class Tag>
using TimePoint = base::TimePoint<Tag>;

struct TrueTimeTag {
  static constexpr const char* prefix = "t=";
};
struct LocalTimeTag {
  static constexpr const char* prefix = "local=";
};

using SimTime = TimePoint<TrueTimeTag>;     // true simulated time; only the kernel advances it
using LocalTime = TimePoint<LocalTimeTag>;  // a node's clock reading (offset, drift, steps)

}  // namespace imsim::sim
