#pragma once
// The one capped exponential backoff of the engine: device reconnects, device send retries and
// processor requests all wait base * factor^steps, never more than cap.
#include <algorithm>
#include <cstdint>
#include <imsim/base/assert.hpp>
#include <imsim/engine/ids.hpp>

namespace imsim::engine {

// base multiplied by `factor` `steps` times, capped at `cap`. Multiplying stops as soon as the
// cap is reached, and a product that would pass the cap is the cap: no overflow for any `steps`
// (a caller may pass an unbounded attempt count).
// Callers count steps differently: the retransmission after the k-th timeout waits
// capped_backoff(.., k, ..); the k-th attempt (k >= 1) of a reconnect or request waits
// capped_backoff(.., steps_before(k), ..).
inline Duration capped_backoff(Duration base, std::uint32_t factor, std::uint32_t steps,
                               Duration cap) {
  IMSIM_ASSERT(factor >= 1);  // validate(Config) checks base > 0 and cap >= base
  const std::int64_t factor_ns = factor;
  Duration t = base;
  for (std::uint32_t i = 0; i < steps && t < cap; i++) {
    // t * factor > cap exactly when t > cap / factor (integer division): the cap wins.
    if (t.ns() > cap.ns() / factor_ns) return cap;
    t = t * factor_ns;
  }
  return std::min(t, cap);
}

// Steps of backoff before attempt `attempt` (1-based; 0 = nothing tried yet counts as 1).
inline std::uint32_t steps_before(std::uint32_t attempt) { return attempt == 0 ? 0 : attempt - 1; }

}  // namespace imsim::engine
