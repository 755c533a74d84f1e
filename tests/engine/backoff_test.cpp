// capped_backoff replaced three hand-written loops (device reconnect, device send retry,
// processor request). These tests pin it to what each loop computed, at the cap, at attempts
// 0 and 1, and far past the point where the old loops would have overflowed.
#include "../../engine/src/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <imsim/engine/config.hpp>
#include <limits>

namespace imsim::engine {
namespace {

// The three loops as they were before capped_backoff, verbatim but for the names.
std::int64_t old_reconnect_delay(std::int64_t base, std::int64_t cap, std::uint32_t attempts) {
  std::int64_t delay = base;
  for (std::uint32_t i = 1; i < attempts && delay < cap; i++) delay *= 2;
  return std::min(delay, cap);
}
std::int64_t old_send_timeout(std::int64_t base, std::uint32_t factor, std::int64_t cap,
                              std::uint32_t timeouts) {
  std::int64_t t = base;
  for (std::uint32_t i = 0; i < timeouts && t < cap; i++) t *= factor;
  return std::min(t, cap);
}
std::int64_t old_request_backoff(std::int64_t base, std::int64_t cap, std::uint32_t attempts) {
  std::int64_t t = base;
  for (std::uint32_t i = 1; i < attempts && t < cap; i++) t *= 2;
  return std::min(t, cap);
}

Duration ns(std::int64_t n) { return Duration::from_ns(n); }

TEST(CappedBackoff, AttemptZeroAndOneWaitTheBase) {
  EXPECT_EQ(capped_backoff(ns(200), 2, steps_before(0), ns(5000)), ns(200));
  EXPECT_EQ(capped_backoff(ns(200), 2, steps_before(1), ns(5000)), ns(200));
  EXPECT_EQ(capped_backoff(ns(200), 2, steps_before(2), ns(5000)), ns(400));
  // A send retry counts timeouts: 0 timeouts waits the base, 1 timeout one factor more.
  EXPECT_EQ(capped_backoff(ns(1000), 3, 0, ns(8000)), ns(1000));
  EXPECT_EQ(capped_backoff(ns(1000), 3, 1, ns(8000)), ns(3000));
}

TEST(CappedBackoff, StopsAtTheCap) {
  EXPECT_EQ(capped_backoff(ns(1000), 2, 3, ns(8000)), ns(8000));  // exactly the cap
  EXPECT_EQ(capped_backoff(ns(1000), 3, 2, ns(8000)), ns(8000));  // 9000 > cap
  EXPECT_EQ(capped_backoff(ns(1000), 2, 1000, ns(8000)), ns(8000));
  EXPECT_EQ(capped_backoff(ns(8000), 2, 5, ns(8000)), ns(8000));   // base == cap
  EXPECT_EQ(capped_backoff(ns(1000), 1, 50, ns(8000)), ns(1000));  // factor 1 never grows
}

TEST(CappedBackoff, NeverOverflows) {
  const Duration max = Duration::max();
  // The old loops would multiply past INT64_MAX here; the cap wins instead.
  EXPECT_EQ(capped_backoff(ns(3), 2, 200, max), max);
  EXPECT_EQ(capped_backoff(ns(3), 1'000'000'000, 5, max), max);
  EXPECT_EQ(capped_backoff(max - ns(1), 2, 1, max), max);
  EXPECT_EQ(capped_backoff(ns(1), 2, std::numeric_limits<std::uint32_t>::max(), ns(1) * 1024),
            ns(1024));
}

// Every combination the engine's configurations can reach (and more) gives what the three old
// loops gave. Loops that would overflow are left out: those were undefined behaviour before.
TEST(CappedBackoff, MatchesTheThreeLoopsItReplaced) {
  const std::int64_t kMs = 1'000'000;
  const std::int64_t bases[] = {1, 7, 200 * kMs, 1'000 * kMs, 3'000 * kMs};
  const std::int64_t caps_over_base[] = {1, 2, 3, 25, 1000};
  for (std::int64_t base : bases) {
    for (std::int64_t k : caps_over_base) {
      const std::int64_t cap = base * k;
      for (std::uint32_t n = 0; n < 40; n++) {
        SCOPED_TRACE(testing::Message() << "base " << base << " cap " << cap << " n " << n);
        EXPECT_EQ(capped_backoff(ns(base), 2, steps_before(n), ns(cap)).ns(),
                  old_reconnect_delay(base, cap, n));
        EXPECT_EQ(capped_backoff(ns(base), 2, steps_before(n), ns(cap)).ns(),
                  old_request_backoff(base, cap, n));
        for (std::uint32_t factor : {1u, 2u, 3u, 10u}) {
          EXPECT_EQ(capped_backoff(ns(base), factor, n, ns(cap)).ns(),
                    old_send_timeout(base, factor, cap, n));
        }
      }
    }
  }
}

TEST(CappedBackoff, DefaultConfigValues) {
  const Config c;
  // Device send retry: 1 s, 2 s, 4 s, 8 s, 8 s ...
  EXPECT_EQ(capped_backoff(c.send_timeout, c.send_backoff_factor, 0, c.send_timeout_max),
            Duration::from_s(1));
  EXPECT_EQ(capped_backoff(c.send_timeout, c.send_backoff_factor, 3, c.send_timeout_max),
            Duration::from_s(8));
  EXPECT_EQ(capped_backoff(c.send_timeout, c.send_backoff_factor, 4, c.send_timeout_max),
            Duration::from_s(8));
  // Reconnect: 200 ms, 200 ms, 400 ms, ... capped at 5 s.
  EXPECT_EQ(capped_backoff(c.reconnect_backoff, 2, steps_before(3), c.reconnect_backoff_max),
            Duration::from_ms(800));
  EXPECT_EQ(capped_backoff(c.reconnect_backoff, 2, steps_before(9), c.reconnect_backoff_max),
            Duration::from_s(5));
}

}  // namespace
}  // namespace imsim::engine
