#pragma once
// The one strong id template of imsim. Each instantiation is its own type (the `Tag` makes it
// distinct), so a ConvSeq cannot be passed where an InboxSeq is expected, nor a NodeId where an
// EndpointId is. An id converts from its raw value only explicitly, compares only with itself,
// and hashes like its raw value.
//
// `kInitial` is the value of a default-constructed id. The engine's counters start at 0
// (`StrongId<Tag, Rep>`); ids whose default means "no such id" start at none()
// (`NoneByDefault<Tag, Rep>`: the simulator's handles, the history's dense indices).
// A Tag that declares `static constexpr const char* prefix` gets `operator<<` ("node#3").
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>

namespace imsim::base {

template <class Tag, class Rep, Rep kInitial = Rep{}>
struct StrongId {
  using rep_type = Rep;
  // The "no such id" value: never handed out as a real id by whoever allocates this kind.
  static constexpr Rep kNoneValue = std::numeric_limits<Rep>::max();

  Rep value = kInitial;

  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value(v) {}

  static constexpr StrongId none() { return StrongId(kNoneValue); }
  constexpr bool is_none() const { return value == kNoneValue; }
  // Only for ids whose default is none(): there "is set" is what a bool test means. An engine
  // counter at 0 is a valid value, so it has no bool conversion.
  constexpr explicit operator bool() const requires(kInitial == kNoneValue) { return !is_none(); }

  friend constexpr auto operator<=>(const StrongId&, const StrongId&) = default;

  friend std::ostream& operator<<(std::ostream& os, StrongId id) requires requires { Tag::prefix; }
  {
    if (id.is_none()) return os << Tag::prefix << "none";
    return os << Tag::prefix << static_cast<std::uint64_t>(id.value);
  }
};

template <class Tag, class Rep>
using NoneByDefault = StrongId<Tag, Rep, std::numeric_limits<Rep>::max()>;

}  // namespace imsim::base

template <class Tag, class Rep, Rep kInitial>
struct std::hash<imsim::base::StrongId<Tag, Rep, kInitial>> {
  std::size_t operator()(imsim::base::StrongId<Tag, Rep, kInitial> id) const noexcept {
    return std::hash<Rep>{}(id.value);
  }
};
