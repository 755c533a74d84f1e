#pragma once
// NodeClock: what a node's local clock reads, apart from true simulated time.
//   local = anchor_local + (true - anchor_true) * (1 + drift_ppm * 1e-6)
// At t = 0 the anchor is (0, offset), so with a constant drift local = true * (1 + drift) +
// offset. Changing the drift re-anchors at the current instant so the reading stays continuous;
// step(d) jumps the reading by d (an NTP step; negative steps make the clock go backwards).
// Drift is kept in integer parts per billion so conversions are exact integer arithmetic.
#include <cstdint>
#include <imsim/sim/time.hpp>

namespace imsim::sim {

class NodeClock {
 public:
  static constexpr double drift_ppm_max = 100'000.0;  // |drift| <= 10 %

  // Reading of this clock at true time `t`.
  LocalTime local_at(SimTime t) const;
  // The earliest true time at or after the anchor whose reading is >= `local` (for scheduling
  // a local-time deadline). A reading before the last anchor maps to the anchor itself; the
  // caller clamps to now.
  SimTime true_at(LocalTime local) const;

  // Sets the offset at true time `now` so that the clock reads true time + offset there.
  void set_offset(SimTime now, Duration offset);
  void set_drift_ppm(SimTime now, double drift_ppm);
  void step(SimTime now, Duration delta);

  double drift_ppm() const { return static_cast<double>(drift_ppb_) / 1000.0; }
  std::int64_t drift_ppb() const { return drift_ppb_; }

 private:
  SimTime anchor_true_ = SimTime::zero();
  LocalTime anchor_local_ = LocalTime::zero();
  std::int64_t drift_ppb_ = 0;
};

}  // namespace imsim::sim
