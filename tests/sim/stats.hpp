#pragma once
// Statistical tolerances for the sim tests. Every check is "within k standard deviations of
// the estimator", k = kSigmas = 5: a correct implementation fails with probability < 6e-7 per
// check (normal approximation), and since every sample is seeded the outcome is fixed anyway:
// a failure is a real change, never flakiness.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace imsim::sim::test {

inline constexpr double kSigmas = 5.0;

// Sample mean of n draws with standard deviation `stddev`: |mean - expected| <= 5 sd / sqrt(n).
inline void expect_mean_near(const std::vector<double>& xs, double expected, double stddev) {
  double sum = 0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(xs.size());
  const double tolerance = kSigmas * stddev / std::sqrt(static_cast<double>(xs.size()));
  EXPECT_NEAR(mean, expected, tolerance) << "n=" << xs.size() << " sd=" << stddev;
}

// The fraction of draws below the true median is Binomial(n, 1/2) / n, standard deviation
// 0.5 / sqrt(n): checking it tests the median without estimating a density.
inline void expect_median_near(const std::vector<double>& xs, double median) {
  std::uint64_t below = 0;
  for (double x : xs) below += x < median ? 1 : 0;
  const double n = static_cast<double>(xs.size());
  const double fraction = static_cast<double>(below) / n;
  EXPECT_NEAR(fraction, 0.5, kSigmas * 0.5 / std::sqrt(n)) << "median " << median;
}

// An observed count of successes in n Bernoulli(p) trials.
inline void expect_rate_near(std::uint64_t successes, std::uint64_t n, double p) {
  const double rate = static_cast<double>(successes) / static_cast<double>(n);
  const double tolerance = kSigmas * std::sqrt(p * (1 - p) / static_cast<double>(n));
  EXPECT_NEAR(rate, p, tolerance) << successes << "/" << n;
}

}  // namespace imsim::sim::test
