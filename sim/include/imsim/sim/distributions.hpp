#pragma once
// Our own distributions over sim::Rng. Same seed, same platform -> same numbers; no std::
// distribution is used because their algorithms differ between standard libraries.
// Functions taking doubles assert their parameters are finite and in range.
#include <cstdint>
#include <imsim/base/assert.hpp>
#include <imsim/sim/rng.hpp>
#include <imsim/sim/time.hpp>
#include <span>

namespace imsim::sim {

// Uniform integer in [0, bound), unbiased: Lemire, "Fast Random Integer Generation in an
// Interval" (2019) — the high word of a 64x64 multiply, rejecting the few low words that would
// bias it. bound > 0.
inline std::uint64_t uniform_below(Rng& rng, std::uint64_t bound) {
  IMSIM_ASSERT(bound > 0);
  using u128 = unsigned __int128;
  u128 m = u128{rng.next_u64()} * bound;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < bound) [[unlikely]] {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = u128{rng.next_u64()} * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}
// Uniform integer in [lo, hi] (inclusive), unbiased. lo <= hi.
inline std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  IMSIM_ASSERT(lo <= hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(rng.next_u64());
  const std::uint64_t offset = uniform_below(rng, span + 1);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
}
// Uniform real in [0, 1) from the top 53 bits: every value is a multiple of 2^-53.
inline double uniform_real(Rng& rng) {
  return static_cast<double>(rng.next_u64() >> 11) * 0x1.0p-53;
}
// Uniform real in [lo, hi).
double uniform_real(Rng& rng, double lo, double hi);
// True with probability p (p in [0, 1]); p == 0 never and p == 1 always, drawing nothing for
// either so that a disabled fault does not consume randomness.
bool bernoulli(Rng& rng, double p);
// Exponential with the given mean (> 0), by inversion.
double exponential(Rng& rng, double mean);
// Normal(mean, stddev) by Box–Muller (one of the pair; stateless, so two draws per call).
double normal(Rng& rng, double mean, double stddev);
// Lognormal: exp(N(ln median, sigma)). median > 0, sigma >= 0. Its median is `median`, its
// mean median * exp(sigma^2 / 2).
double lognormal(Rng& rng, double median, double sigma);
// Pareto (type I): scale / U^(1/shape), U uniform in (0, 1]. Values >= scale; the mean is
// scale * shape / (shape - 1) for shape > 1, the median scale * 2^(1/shape).
double pareto(Rng& rng, double scale, double shape);
// Index i with probability weights[i] / sum(weights). Weights >= 0, finite, sum > 0.
std::size_t pick_weighted(Rng& rng, std::span<const double> weights);

// A one-way delay model: a base shape, plus (with probability tail_probability) an extra
// Pareto-distributed delay (or a constant extra delay when tail_shape == 0), then at least
// `floor` and at most latency_max. A value type: copy it, change it, hand it to the network.
struct LatencyModel {
  enum class Shape : std::uint8_t { constant, uniform, exponential, lognormal };

  // Bounds every sample so a heavy tail (Pareto shape <= 1 has no mean) cannot stall a run.
  static constexpr Duration latency_max = Duration::from_s(3600);
  static constexpr double sigma_max = 10.0;

  Shape shape = Shape::constant;
  Duration a = Duration::zero();  // constant: value; uniform: low; exponential: mean;
                                  // lognormal: median
  Duration b = Duration::zero();  // uniform: high (inclusive)
  double sigma = 0.0;             // lognormal: stddev of ln(delay)
  double tail_probability = 0.0;
  Duration tail_scale = Duration::zero();
  double tail_shape = 0.0;  // 0: the tail adds exactly tail_scale; > 0: Pareto(scale, shape)
  Duration floor = Duration::zero();

  static LatencyModel constant(Duration value);
  static LatencyModel uniform(Duration low, Duration high);
  static LatencyModel exponential(Duration mean);
  static LatencyModel lognormal(Duration median, double sigma);
  LatencyModel with_tail(double probability, Duration scale, double shape) const;
  LatencyModel with_floor(Duration floor_new) const;

  // Asserts the parameters make sense (called by the constructors and by the network).
  void validate() const;
  Duration sample(Rng& rng) const;
  // The base shape's draw alone, in ns (no tail, floor or clamp, parameters not validated):
  // the one switch over shapes, which the model also samples its other distributions with.
  double sample_shape(Rng& rng) const;
};

}  // namespace imsim::sim
