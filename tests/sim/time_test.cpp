// Strong time types and node clocks (offset, drift, steps, conversion both ways).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <imsim/sim/simulator.hpp>
#include <type_traits>

namespace imsim::sim {
namespace {

TEST(SimTime, DurationArithmeticAndHelpers) {
  EXPECT_EQ(Duration::from_ms(3).ns(), 3'000'000);
  EXPECT_EQ(Duration::from_us(3).ns(), 3'000);
  EXPECT_EQ(Duration::from_s(2), Duration::from_ms(2000));
  EXPECT_EQ(Duration::from_seconds(0.25), Duration::from_ms(250));
  EXPECT_EQ(Duration::from_ms(5) - Duration::from_ms(7), -Duration::from_ms(2));
  EXPECT_EQ(Duration::from_ms(5) * 3, Duration::from_ms(15));
  EXPECT_EQ(Duration::from_ms(15) / 3, Duration::from_ms(5));
  EXPECT_EQ(Duration::from_ms(15) / Duration::from_ms(4), 3);
  EXPECT_EQ(Duration::from_ms(15) % Duration::from_ms(4), Duration::from_ms(3));
  EXPECT_DOUBLE_EQ(Duration::from_ms(1500).seconds(), 1.5);
  const SimTime t = SimTime::zero() + Duration::from_ms(10);
  EXPECT_EQ(t - SimTime::zero(), Duration::from_ms(10));
  EXPECT_EQ((t - Duration::from_ms(4)).ns(), 6'000'000);
  EXPECT_LT(SimTime::zero(), t);
  // True and local instants are different types; instants do not add.
  static_assert(!std::is_convertible_v<LocalTime, SimTime>);
  static_assert(!std::is_convertible_v<SimTime, LocalTime>);
  static_assert(!std::is_convertible_v<NodeId, EndpointId>);
  static_assert(!std::is_convertible_v<std::uint32_t, NodeId>);
}

TEST(SimTimeDeathTest, OverflowIsABugNotAWrap) {
  EXPECT_DEATH((void)(SimTime::max() + Duration::from_ns(1)), "time overflow");
}

TEST(SimClock, OffsetDriftAndSteps) {
  NodeClock clock;
  const SimTime t0 = SimTime::zero();
  clock.set_offset(t0, Duration::from_ms(100));
  clock.set_drift_ppm(t0, 1000.0);  // +0.1 %
  const SimTime t1 = t0 + Duration::from_s(10);
  EXPECT_EQ(clock.local_at(t1), LocalTime::zero() + Duration::from_ms(100 + 10'010));
  clock.step(t1, -Duration::from_s(1));  // NTP steps the clock back
  EXPECT_EQ(clock.local_at(t1), LocalTime::zero() + Duration::from_ms(9'110));
  // Changing the drift keeps the reading continuous.
  const LocalTime before = clock.local_at(t1);
  clock.set_drift_ppm(t1, -50'000.0);
  EXPECT_EQ(clock.local_at(t1), before);
  EXPECT_EQ(clock.local_at(t1 + Duration::from_s(1)), before + Duration::from_ms(950));
}

// true_at is the least true time whose reading reaches the deadline, for any drift.
RC_GTEST_PROP(SimClock, TrueAtInvertsLocalAt,
              (std::int32_t offset_ms, std::int32_t drift_ppm, std::uint32_t deadline_ms)) {
  NodeClock clock;
  clock.set_offset(SimTime::zero(), Duration::from_ms(offset_ms % 100'000));
  clock.set_drift_ppm(SimTime::zero(), static_cast<double>(drift_ppm % 100'000));
  const LocalTime deadline = LocalTime::zero() + Duration::from_ms(deadline_ms % 10'000'000);
  const SimTime t = clock.true_at(deadline);
  RC_ASSERT(t >= SimTime::zero());
  RC_ASSERT(clock.local_at(t) >= deadline);
  if (t > SimTime::zero()) RC_ASSERT(clock.local_at(t - Duration::from_ns(1)) < deadline);
}

TEST(SimClock, LocalDeadlineTimersFireWhenTheLocalClockReachesThem) {
  Simulator sim(1);
  const NodeId n = sim.add_node("device");
  sim.clock(n).set_offset(sim.now(), Duration::from_s(3600));  // an hour ahead
  sim.clock(n).set_drift_ppm(sim.now(), 100'000.0);            // and 10 % fast
  const LocalTime deadline = sim.local_now(n) + Duration::from_s(11);
  SimTime fired_at;
  sim.schedule_at_local(n, deadline, [&] { fired_at = sim.now(); });
  sim.run_until_idle(10);
  EXPECT_EQ(fired_at, SimTime::zero() + Duration::from_s(10));  // 11 local s at 1.1x speed
  EXPECT_GE(sim.local_now(n), deadline);
  // A deadline already in the local past fires now.
  bool fired = false;
  sim.schedule_at_local(n, LocalTime::zero(), [&] { fired = true; });
  sim.run_until(sim.now());
  EXPECT_TRUE(fired);
}

}  // namespace
}  // namespace imsim::sim
