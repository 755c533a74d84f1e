#include <cmath>
#include <imsim/sim/clock.hpp>

namespace imsim::sim {

namespace {
constexpr std::int64_t kPpbPerUnit = 1'000'000'000;  // drift 0 ppb: one local ns per true ns
using i128 = __int128;
}  // namespace

LocalTime NodeClock::local_at(SimTime t) const {
  const i128 elapsed = (t - anchor_true_).ns();
  // Floor division keeps readings monotone in t for any drift > -100 %.
  i128 scaled = elapsed * (kPpbPerUnit + drift_ppb_);
  i128 q = scaled / kPpbPerUnit;
  if (scaled % kPpbPerUnit != 0 && scaled < 0) q -= 1;
  return anchor_local_ + Duration::from_ns(static_cast<std::int64_t>(q));
}

SimTime NodeClock::true_at(LocalTime local) const {
  if (local <= anchor_local_) return anchor_true_;
  const i128 local_elapsed = (local - anchor_local_).ns();
  const i128 rate = kPpbPerUnit + drift_ppb_;
  // Smallest elapsed true e with floor(e * rate / 1e9) >= local_elapsed, i.e.
  // e >= local_elapsed * 1e9 / rate, rounded up.
  const i128 e = (local_elapsed * kPpbPerUnit + rate - 1) / rate;
  const SimTime t = anchor_true_ + Duration::from_ns(static_cast<std::int64_t>(e));
  IMSIM_ASSERT(local_at(t) >= local);
  return t;
}

void NodeClock::set_offset(SimTime now, Duration offset) {
  IMSIM_ASSERT(now >= anchor_true_);
  // The reading becomes now + offset; drift continues from here.
  anchor_true_ = now;
  anchor_local_ = LocalTime::from_ns(now.ns()) + offset;
}

void NodeClock::set_drift_ppm(SimTime now, double drift_ppm) {
  IMSIM_ASSERT(std::isfinite(drift_ppm));
  IMSIM_ASSERT(std::fabs(drift_ppm) <= drift_ppm_max);
  IMSIM_ASSERT(now >= anchor_true_);
  anchor_local_ = local_at(now);  // continuous at the change
  anchor_true_ = now;
  drift_ppb_ = std::llround(drift_ppm * 1000.0);
}

void NodeClock::step(SimTime now, Duration delta) {
  IMSIM_ASSERT(now >= anchor_true_);
  anchor_local_ = local_at(now) + delta;
  anchor_true_ = now;
}

}  // namespace imsim::sim
