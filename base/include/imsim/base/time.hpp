#pragma once
// Checked time types shared by every module. All time is integer nanoseconds: `Duration` is a
// span and `TimePoint<Tag>` an instant on the time line `Tag` names (sim/time.hpp: true simulated
// time and a node's local clock; engine/ids.hpp: the engine's local clock reading). Arithmetic
// that overflows asserts instead of wrapping, and nothing converts implicitly from a raw integer:
// a count of nanoseconds becomes a Duration only through from_ns / from_ms / from_s.
#include <compare>
#include <cstdint>
#include <imsim/base/assert.hpp>
#include <limits>
#include <ostream>

namespace imsim::base {

class Duration {
 public:
  constexpr Duration() = default;

  static constexpr Duration from_ns(std::int64_t ns) { return Duration(ns); }
  static constexpr Duration from_us(std::int64_t us) { return Duration(checked_mul(us, 1'000)); }
  static constexpr Duration from_ms(std::int64_t ms) {
    return Duration(checked_mul(ms, 1'000'000));
  }
  static constexpr Duration from_s(std::int64_t s) {
    return Duration(checked_mul(s, 1'000'000'000));
  }
  // Rounds to the nearest nanosecond. Only for configuration, never on the hot path.
  static Duration from_seconds(double s) {
    double ns = s * 1e9;
    IMSIM_ASSERT(ns > -9.2e18);
    IMSIM_ASSERT(ns < 9.2e18);
    return Duration(static_cast<std::int64_t>(ns < 0 ? ns - 0.5 : ns + 0.5));
  }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }
  constexpr double ms() const { return static_cast<double>(ns_) / 1e6; }

  friend constexpr auto operator<=>(Duration, Duration) = default;
  friend constexpr Duration operator+(Duration a, Duration b) {
    return Duration(checked_add(a.ns_, b.ns_));
  }
  friend constexpr Duration operator-(Duration a, Duration b) {
    return Duration(checked_sub(a.ns_, b.ns_));
  }
  constexpr Duration operator-() const { return Duration(checked_sub(0, ns_)); }
  friend constexpr Duration operator*(Duration a, std::int64_t k) {
    return Duration(checked_mul(a.ns_, k));
  }
  friend constexpr Duration operator*(std::int64_t k, Duration a) { return a * k; }
  friend constexpr Duration operator/(Duration a, std::int64_t k) {
    IMSIM_ASSERT(k != 0);
    return Duration(a.ns_ / k);
  }
  friend constexpr std::int64_t operator/(Duration a, Duration b) {
    IMSIM_ASSERT(b.ns_ != 0);
    return a.ns_ / b.ns_;
  }
  friend constexpr Duration operator%(Duration a, Duration b) {
    IMSIM_ASSERT(b.ns_ != 0);
    return Duration(a.ns_ % b.ns_);
  }
  constexpr Duration& operator+=(Duration b) { return *this = *this + b; }
  constexpr Duration& operator-=(Duration b) { return *this = *this - b; }

  friend std::ostream& operator<<(std::ostream& os, Duration d) { return os << d.ns_ << "ns"; }

  // Overflow of simulated time is a bug in the caller, never a wrap-around.
  static constexpr std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    IMSIM_ASSERT_MSG(!__builtin_add_overflow(a, b, &r), "time overflow");
    return r;
  }
  static constexpr std::int64_t checked_sub(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    IMSIM_ASSERT_MSG(!__builtin_sub_overflow(a, b, &r), "time overflow");
    return r;
  }
  static constexpr std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    IMSIM_ASSERT_MSG(!__builtin_mul_overflow(a, b, &r), "time overflow");
    return r;
  }

 private:
  explicit constexpr Duration(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

// An instant on one time line (`Tag` names the line). Instants subtract to a Duration; an
// instant plus a Duration is an instant; two instants never add.
template <class Tag>
class TimePoint {
 public:
  constexpr TimePoint() = default;

  static constexpr TimePoint from_ns(std::int64_t ns) { return TimePoint(ns); }
  static constexpr TimePoint zero() { return TimePoint(0); }
  static constexpr TimePoint max() { return TimePoint(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }
  // The span since the origin of this time line.
  constexpr Duration since_origin() const { return Duration::from_ns(ns_); }

  friend constexpr auto operator<=>(TimePoint, TimePoint) = default;
  friend constexpr TimePoint operator+(TimePoint t, Duration d) {
    return TimePoint(Duration::checked_add(t.ns_, d.ns()));
  }
  friend constexpr TimePoint operator+(Duration d, TimePoint t) { return t + d; }
  friend constexpr TimePoint operator-(TimePoint t, Duration d) {
    return TimePoint(Duration::checked_sub(t.ns_, d.ns()));
  }
  friend constexpr Duration operator-(TimePoint a, TimePoint b) {
    return Duration::from_ns(Duration::checked_sub(a.ns_, b.ns_));
  }
  constexpr TimePoint& operator+=(Duration d) { return *this = *this + d; }
  constexpr TimePoint& operator-=(Duration d) { return *this = *this - d; }

  friend std::ostream& operator<<(std::ostream& os, TimePoint t) {
    return os << Tag::prefix << t.ns_ << "ns";
  }

 private:
  explicit constexpr TimePoint(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

}  // namespace imsim::base
