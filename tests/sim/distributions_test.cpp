// Distributions: each matches its mean and/or median within kSigmas (5) standard deviations of
// the estimator over a large seeded sample (see stats.hpp).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <imsim/sim/distributions.hpp>
#include <vector>

#include "stats.hpp"

namespace imsim::sim {
namespace {

using test::expect_mean_near;
using test::expect_median_near;
using test::expect_rate_near;

constexpr int kSamples = 200'000;

template <class Draw>
std::vector<double> sample(std::uint64_t seed, Draw draw) {
  Rng rng(seed);
  std::vector<double> xs;
  xs.reserve(kSamples);
  for (int i = 0; i < kSamples; ++i) xs.push_back(draw(rng));
  return xs;
}

TEST(SimDistributions, UniformIntMeanAndBounds) {
  const auto xs = sample(1, [](Rng& r) { return static_cast<double>(uniform_int(r, -3, 10)); });
  for (double x : xs) {
    ASSERT_GE(x, -3);
    ASSERT_LE(x, 10);
  }
  const double k = 14;  // values
  expect_mean_near(xs, 3.5, std::sqrt((k * k - 1) / 12));
}

TEST(SimDistributions, UniformIntIsUnbiasedChiSquare) {
  // A bound that is not a power of two exercises Lemire's rejection. Chi-square with 9
  // degrees of freedom has mean 9 and sd sqrt(18); 9 + 7 sd = 38.7 is beyond p = 1e-5.
  Rng rng(2);
  constexpr int buckets = 10;
  std::vector<int> counts(buckets);
  for (int i = 0; i < kSamples; ++i) counts[uniform_below(rng, buckets)]++;
  const double expected = static_cast<double>(kSamples) / buckets;
  double chi2 = 0;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 38.7);
}

TEST(SimDistributions, UniformIntFullRangeAndDegenerate) {
  Rng rng(3);
  EXPECT_EQ(uniform_int(rng, 5, 5), 5);
  (void)uniform_int(rng, INT64_MIN, INT64_MAX);  // must not divide by zero or loop
  EXPECT_EQ(uniform_below(rng, 1), 0u);
}

RC_GTEST_PROP(SimDistributions, UniformIntStaysInRange,
              (std::uint64_t seed, std::int64_t lo, std::uint32_t width)) {
  RC_PRE(lo < INT64_MAX - static_cast<std::int64_t>(width));
  Rng rng(seed);
  const std::int64_t hi = lo + width;
  for (int i = 0; i < 20; ++i) {
    const std::int64_t x = uniform_int(rng, lo, hi);
    RC_ASSERT(x >= lo);
    RC_ASSERT(x <= hi);
  }
}

TEST(SimDistributions, UniformRealMeanAndRange) {
  const auto xs = sample(4, [](Rng& r) { return uniform_real(r); });
  for (double x : xs) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
  expect_mean_near(xs, 0.5, std::sqrt(1.0 / 12));
  expect_median_near(xs, 0.5);
}

TEST(SimDistributions, BernoulliRate) {
  Rng rng(5);
  std::uint64_t hits = 0;
  for (int i = 0; i < kSamples; ++i) hits += bernoulli(rng, 0.3) ? 1 : 0;
  expect_rate_near(hits, kSamples, 0.3);
}

TEST(SimDistributions, BernoulliExtremesDrawNothing) {
  Rng a(6), b(6);
  EXPECT_FALSE(bernoulli(a, 0.0));
  EXPECT_TRUE(bernoulli(a, 1.0));
  EXPECT_EQ(a.next_u64(), b.next_u64());  // a disabled fault does not shift the stream
}

TEST(SimDistributions, ExponentialMeanAndMedian) {
  const double mean = 250.0;
  const auto xs = sample(7, [&](Rng& r) { return exponential(r, mean); });
  expect_mean_near(xs, mean, mean);
  expect_median_near(xs, mean * std::log(2.0));
}

TEST(SimDistributions, NormalMeanAndMedian) {
  const auto xs = sample(8, [](Rng& r) { return normal(r, 10.0, 3.0); });
  expect_mean_near(xs, 10.0, 3.0);
  expect_median_near(xs, 10.0);
}

TEST(SimDistributions, LognormalMedianAndMean) {
  const double median = 40.0, sigma = 0.5;
  const auto xs = sample(9, [&](Rng& r) { return lognormal(r, median, sigma); });
  expect_median_near(xs, median);
  const double mean = median * std::exp(sigma * sigma / 2);
  const double sd = mean * std::sqrt(std::exp(sigma * sigma) - 1);
  expect_mean_near(xs, mean, sd);
}

TEST(SimDistributions, ParetoMedianAndMean) {
  const double scale = 2.0, shape = 3.0;  // shape > 2: finite variance
  const auto xs = sample(10, [&](Rng& r) { return pareto(r, scale, shape); });
  for (double x : xs) ASSERT_GE(x, scale);
  expect_median_near(xs, scale * std::pow(2.0, 1.0 / shape));
  const double mean = scale * shape / (shape - 1);
  const double sd = std::sqrt(scale * scale * shape / ((shape - 1) * (shape - 1) * (shape - 2)));
  expect_mean_near(xs, mean, sd);
}

TEST(SimDistributions, PickWeightedFrequencies) {
  Rng rng(11);
  const std::vector<double> weights = {1.0, 0.0, 3.0, 6.0};
  std::vector<std::uint64_t> counts(weights.size());
  for (int i = 0; i < kSamples; ++i) counts[pick_weighted(rng, weights)]++;
  EXPECT_EQ(counts[1], 0u);
  expect_rate_near(counts[0], kSamples, 0.1);
  expect_rate_near(counts[2], kSamples, 0.3);
  expect_rate_near(counts[3], kSamples, 0.6);
}

TEST(SimDistributions, LatencyModelShapes) {
  const auto ms = [](std::int64_t v) { return Duration::from_ms(v); };
  const auto draw = [](const LatencyModel& m, std::uint64_t seed) {
    return sample(seed, [&](Rng& r) { return static_cast<double>(m.sample(r).ns()); });
  };
  Rng one(1);
  EXPECT_EQ(LatencyModel::constant(ms(3)).sample(one), ms(3));
  const double e6 = 1e6;
  expect_mean_near(draw(LatencyModel::uniform(ms(10), ms(20)), 12), 15 * e6,
                   10 * e6 / std::sqrt(12.0));
  expect_mean_near(draw(LatencyModel::exponential(ms(8)), 13), 8 * e6, 8 * e6);
  expect_median_near(draw(LatencyModel::lognormal(ms(40), 0.5), 14), 40 * e6);
}

TEST(SimDistributions, LatencyModelTailAndFloor) {
  const auto ms = [](std::int64_t v) { return Duration::from_ms(v); };
  // Constant 1 ms; with p = 0.2 an extra constant 100 ms: the mean is 1 + 0.2 * 100 = 21 ms,
  // each sample's sd is 100 * sqrt(0.2 * 0.8) = 40 ms.
  const LatencyModel tail = LatencyModel::constant(ms(1)).with_tail(0.2, ms(100), 0.0);
  Rng rng(15);
  std::vector<double> xs;
  std::uint64_t slow = 0;
  for (int i = 0; i < kSamples; ++i) {
    const Duration d = tail.sample(rng);
    slow += d > ms(1) ? 1 : 0;
    xs.push_back(d.ms());
  }
  expect_rate_near(slow, kSamples, 0.2);
  expect_mean_near(xs, 21.0, 40.0);
  // Pareto tails are >= their scale; the floor lifts every sample.
  const LatencyModel pareto_tail =
      LatencyModel::uniform(Duration::zero(), ms(1)).with_tail(1.0, ms(50), 1.5);
  const LatencyModel floored = LatencyModel::exponential(ms(1)).with_floor(ms(5));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_GE(pareto_tail.sample(rng), ms(50));
    EXPECT_LE(pareto_tail.sample(rng), LatencyModel::latency_max);
    EXPECT_GE(floored.sample(rng), ms(5));
  }
}

}  // namespace
}  // namespace imsim::sim
