#include <cmath>
#include <imsim/sim/distributions.hpp>
#include <numbers>

namespace imsim::sim {

double uniform_real(Rng& rng, double lo, double hi) {
  IMSIM_ASSERT(std::isfinite(lo));
  IMSIM_ASSERT(std::isfinite(hi));
  IMSIM_ASSERT(lo <= hi);
  return lo + (hi - lo) * uniform_real(rng);
}

bool bernoulli(Rng& rng, double p) {
  IMSIM_ASSERT(p >= 0.0);
  IMSIM_ASSERT(p <= 1.0);
  if (p == 0.0) return false;
  if (p == 1.0) return true;
  return uniform_real(rng) < p;
}

// Uniform in (0, 1]: safe to take the log of.
static double uniform_open_low(Rng& rng) { return 1.0 - uniform_real(rng); }

double exponential(Rng& rng, double mean) {
  IMSIM_ASSERT(std::isfinite(mean));
  IMSIM_ASSERT(mean > 0.0);
  return -mean * std::log(uniform_open_low(rng));
}

double normal(Rng& rng, double mean, double stddev) {
  IMSIM_ASSERT(std::isfinite(mean));
  IMSIM_ASSERT(std::isfinite(stddev));
  IMSIM_ASSERT(stddev >= 0.0);
  const double u1 = uniform_open_low(rng);
  const double u2 = uniform_real(rng);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  return mean + stddev * z;
}

double lognormal(Rng& rng, double median, double sigma) {
  IMSIM_ASSERT(median > 0.0);
  IMSIM_ASSERT(sigma >= 0.0);
  return median * std::exp(normal(rng, 0.0, sigma));
}

double pareto(Rng& rng, double scale, double shape) {
  IMSIM_ASSERT(std::isfinite(scale));
  IMSIM_ASSERT(scale > 0.0);
  IMSIM_ASSERT(std::isfinite(shape));
  IMSIM_ASSERT(shape > 0.0);
  return scale / std::pow(uniform_open_low(rng), 1.0 / shape);
}

std::size_t pick_weighted(Rng& rng, std::span<const double> weights) {
  IMSIM_ASSERT(!weights.empty());
  double total = 0.0;
  for (double w : weights) {
    IMSIM_ASSERT(std::isfinite(w));
    IMSIM_ASSERT(w >= 0.0);
    total += w;
  }
  IMSIM_ASSERT(total > 0.0);
  const double target = uniform_real(rng) * total;
  double cumulative = 0.0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0.0) continue;
    cumulative += weights[i];
    last_positive = i;
    if (target < cumulative) return i;
  }
  // Rounding can leave target == total: the last index with weight wins.
  return last_positive;
}

// ---- LatencyModel ------------------------------------------------------------------------

LatencyModel LatencyModel::constant(Duration value) {
  LatencyModel m;
  m.shape = Shape::constant;
  m.a = value;
  m.validate();
  return m;
}

LatencyModel LatencyModel::uniform(Duration low, Duration high) {
  LatencyModel m;
  m.shape = Shape::uniform;
  m.a = low;
  m.b = high;
  m.validate();
  return m;
}

LatencyModel LatencyModel::exponential(Duration mean) {
  LatencyModel m;
  m.shape = Shape::exponential;
  m.a = mean;
  m.validate();
  return m;
}

LatencyModel LatencyModel::lognormal(Duration median, double sigma) {
  LatencyModel m;
  m.shape = Shape::lognormal;
  m.a = median;
  m.sigma = sigma;
  m.validate();
  return m;
}

LatencyModel LatencyModel::with_tail(double probability, Duration scale, double shape_) const {
  LatencyModel m = *this;
  m.tail_probability = probability;
  m.tail_scale = scale;
  m.tail_shape = shape_;
  m.validate();
  return m;
}

LatencyModel LatencyModel::with_floor(Duration floor_new) const {
  LatencyModel m = *this;
  m.floor = floor_new;
  m.validate();
  return m;
}

void LatencyModel::validate() const {
  IMSIM_ASSERT(a >= Duration::zero());
  IMSIM_ASSERT(a <= latency_max);
  IMSIM_ASSERT(floor >= Duration::zero());
  IMSIM_ASSERT(floor <= latency_max);
  switch (shape) {
    case Shape::constant:
      break;
    case Shape::uniform:
      IMSIM_ASSERT(b >= a);
      IMSIM_ASSERT(b <= latency_max);
      break;
    case Shape::exponential:
      IMSIM_ASSERT(a > Duration::zero());
      break;
    case Shape::lognormal:
      IMSIM_ASSERT(a > Duration::zero());
      IMSIM_ASSERT(sigma >= 0.0);
      IMSIM_ASSERT(sigma <= sigma_max);
      break;
  }
  IMSIM_ASSERT(tail_probability >= 0.0);
  IMSIM_ASSERT(tail_probability <= 1.0);
  IMSIM_ASSERT(tail_shape >= 0.0);
  IMSIM_ASSERT(tail_scale >= Duration::zero());
  IMSIM_ASSERT(tail_scale <= latency_max);
  IMSIM_ASSERT(tail_probability == 0.0 || tail_shape == 0.0 || tail_scale > Duration::zero());
}

// Clamps a sampled number of nanoseconds into [0, latency_max].
static double clamp_ns(double ns) {
  const double ns_max = static_cast<double>(LatencyModel::latency_max.ns());
  if (!(ns >= 0.0)) return 0.0;
  return ns < ns_max ? ns : ns_max;
}

double LatencyModel::sample_shape(Rng& rng) const {
  switch (shape) {
    case Shape::constant:
      return static_cast<double>(a.ns());
    case Shape::uniform:
      return static_cast<double>(uniform_int(rng, a.ns(), b.ns()));
    case Shape::exponential:
      return sim::exponential(rng, static_cast<double>(a.ns()));
    case Shape::lognormal:
      return sim::lognormal(rng, static_cast<double>(a.ns()), sigma);
  }
  IMSIM_ASSERT_MSG(false, "unknown latency shape");
  return 0.0;
}

Duration LatencyModel::sample(Rng& rng) const {
  double ns = sample_shape(rng);
  if (bernoulli(rng, tail_probability)) {
    const double scale = static_cast<double>(tail_scale.ns());
    ns += tail_shape == 0.0 ? scale : pareto(rng, scale, tail_shape);
  }
  ns = clamp_ns(ns);
  Duration d = Duration::from_ns(static_cast<std::int64_t>(ns + 0.5));
  if (d < floor) d = floor;
  if (d > latency_max) d = latency_max;
  IMSIM_ASSERT(d >= Duration::zero());
  return d;
}

}  // namespace imsim::sim
