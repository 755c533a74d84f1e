// The event loop: ordering by (time, insertion sequence), cancellation, node-owned timers,
// run_until / run_while / run_until_idle, and an allocation-free hot path.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <imsim/sim/simulator.hpp>
#include <new>
#include <vector>

namespace {
// Counts global allocations so the hot-path test can prove it allocates nothing.
std::uint64_t g_allocations = 0;
}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations++;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace imsim::sim {
namespace {

struct Fired {
  std::int64_t time_ns;
  int label;  // insertion order of the event
};

// Events at random small times (many ties), some scheduling more events from their callbacks
// (including at delay 0): execution times never decrease, and equal-time events run in the
// order they were scheduled.
RC_GTEST_PROP(SimEventQueue, RunsInTimeThenInsertionOrder,
              (std::vector<std::uint8_t> delays, std::vector<std::uint8_t> child_delays)) {
  Simulator sim(1);
  std::vector<Fired> fired;
  std::vector<std::int64_t> scheduled_at;  // by label: the instant it was scheduled
  int next_label = 0;
  auto schedule = [&](std::int64_t delay_ns, auto&& self, std::size_t depth) -> void {
    const int label = next_label++;
    scheduled_at.push_back(sim.now().ns());
    sim.schedule_after(Duration::from_ns(delay_ns), [&, label, depth, self] {
      fired.push_back({sim.now().ns(), label});
      if (depth < child_delays.size()) self(child_delays[depth] % 4, self, depth + 1);
    });
  };
  for (std::uint8_t d : delays) schedule(d % 8, schedule, 0);
  sim.run_until_idle(1'000'000);
  RC_ASSERT(fired.size() == static_cast<std::size_t>(next_label));
  for (std::size_t i = 1; i < fired.size(); ++i) {
    RC_ASSERT(fired[i - 1].time_ns <= fired[i].time_ns);
    // Labels are handed out in scheduling order, so equal times must come in label order.
    if (fired[i - 1].time_ns == fired[i].time_ns) RC_ASSERT(fired[i - 1].label < fired[i].label);
  }
}

// Whatever subset is cancelled (before the run or from inside other callbacks), a cancelled
// timer never fires and every other timer fires exactly once.
RC_GTEST_PROP(SimEventQueue, CancelledTimersNeverFire,
              (std::vector<std::pair<std::uint16_t, bool>> plan)) {
  Simulator sim(2);
  std::vector<TimerId> ids;
  std::vector<int> fire_count(plan.size(), 0);
  std::vector<bool> cancelled(plan.size(), false);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    ids.push_back(sim.schedule_after(Duration::from_ns(plan[i].first % 64), [&, i] {
      fire_count[i]++;
      // Every fourth event cancels the next one, which may or may not have run already.
      if (i % 4 == 0 && i + 1 < plan.size() && sim.cancel(ids[i + 1])) cancelled[i + 1] = true;
    }));
  }
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (plan[i].second && sim.cancel(ids[i])) cancelled[i] = true;
  }
  sim.run_until_idle(1'000'000);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    RC_ASSERT(fire_count[i] == (cancelled[i] ? 0 : 1));
    RC_ASSERT(!sim.cancel(ids[i]));  // nothing is cancellable once the run is over
  }
}

TEST(SimEventQueue, CancelIsIdempotentAndStaleIdsNeverMatch) {
  Simulator sim(3);
  int fired = 0;
  const TimerId a = sim.schedule_after(Duration::from_ms(1), [&] { fired++; });
  EXPECT_TRUE(sim.is_pending(a));
  EXPECT_TRUE(sim.cancel(a));
  EXPECT_FALSE(sim.cancel(a));
  EXPECT_FALSE(sim.is_pending(a));
  // The slot is reused by the next event; the stale id must not cancel it.
  sim.run_until_idle(10);
  const TimerId b = sim.schedule_after(Duration::from_ms(1), [&] { fired++; });
  EXPECT_FALSE(sim.cancel(a));
  EXPECT_TRUE(sim.is_pending(b));
  EXPECT_FALSE(sim.cancel(TimerId::none()));
  sim.run_until_idle(10);
  EXPECT_EQ(fired, 1);
}

TEST(SimEventQueue, CancelledEventsCostNothingWhenTheySurface) {
  Simulator sim(4);
  std::vector<TimerId> ids;
  for (int i = 0; i < 5000; ++i) {
    ids.push_back(sim.schedule_after(Duration::from_ns(i), [] {}));
  }
  for (int i = 0; i < 5000; i += 2) sim.cancel(ids[i]);
  const std::uint64_t trace_before = sim.trace_count();
  EXPECT_EQ(sim.events_pending(), 2500u);
  sim.run_until_idle(100'000);
  EXPECT_EQ(sim.events_executed(), 2500u);             // tombstones are not events
  EXPECT_EQ(sim.trace_count() - trace_before, 2500u);  // nor trace records
}

TEST(SimEventQueue, MassCancellationCompactsTheHeap) {
  Simulator sim(5);
  std::vector<TimerId> ids;
  for (int i = 0; i < 10'000; ++i) ids.push_back(sim.schedule_after(Duration::from_ns(i), [] {}));
  for (int i = 0; i < 9'000; ++i) sim.cancel(ids[i]);
  EXPECT_EQ(sim.events_pending(), 1000u);
  sim.run_until_idle(100'000);
  EXPECT_EQ(sim.events_executed(), 1000u);
}

TEST(SimEventQueue, CrashCancelsOnlyThatNodesTimers) {
  Simulator sim(6);
  const NodeId a = sim.add_node("a");
  const NodeId b = sim.add_node("b");
  std::vector<std::string> fired;
  sim.schedule_after(a, Duration::from_ms(2), [&] { fired.push_back("a"); });
  sim.schedule_after(b, Duration::from_ms(2), [&] { fired.push_back("b"); });
  sim.schedule_after(Duration::from_ms(2), [&] { fired.push_back("world"); });
  sim.schedule_after(Duration::from_ms(1), [&] { sim.crash(a); });
  sim.schedule_after(Duration::from_ms(3), [&] { sim.restart(a); });
  sim.run_until_idle(100);
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "world"}));
  EXPECT_TRUE(sim.is_up(a));
  EXPECT_EQ(sim.incarnation(a), 1u);
}

TEST(SimEventQueue, ANodeMayCrashItselfFromItsOwnTimer) {
  Simulator sim(7);
  const NodeId a = sim.add_node("a");
  int later = 0;
  sim.schedule_after(a, Duration::from_ms(5), [&] { later++; });
  sim.schedule_after(a, Duration::from_ms(1), [&] { sim.crash(a); });
  sim.run_until_idle(100);
  EXPECT_EQ(later, 0);
  EXPECT_FALSE(sim.is_up(a));
}

TEST(SimEventQueue, RunUntilStopsAtTheLimitAndAdvancesTime) {
  Simulator sim(8);
  std::vector<std::int64_t> at;
  for (int ms : {1, 2, 3, 4}) {
    sim.schedule_at(SimTime::zero() + Duration::from_ms(ms), [&] { at.push_back(sim.now().ns()); });
  }
  sim.run_until(SimTime::zero() + Duration::from_ms(2));
  EXPECT_EQ(at.size(), 2u);  // events exactly at the limit run
  EXPECT_EQ(sim.now(), SimTime::zero() + Duration::from_ms(2));
  sim.run_for(Duration::from_ms(10));
  EXPECT_EQ(at.size(), 4u);
  EXPECT_EQ(sim.now(), SimTime::zero() + Duration::from_ms(12));  // idle time passes too
}

TEST(SimEventQueue, RunWhileAndRunUntilIdleAreBounded) {
  Simulator sim(9);
  int count = 0;
  std::function<void()> again = [&] {
    count++;
    sim.schedule_after(Duration::from_us(1), [&] { again(); });
  };
  sim.schedule_after(Duration::zero(), [&] { again(); });
  EXPECT_EQ(sim.run_while([&] { return count < 10; }), 10u);
  EXPECT_FALSE(sim.run_until_idle(100));  // it never idles: the bound stops it
  EXPECT_EQ(count, 110);
}

TEST(SimEventQueue, CallbacksStoreSmallCapturesInline) {
  struct Big {
    char bytes[200];
  };
  static_assert(
      Callback::fits_inline<decltype([a = std::array<std::uint64_t, 6>{}] { (void)a; })>());
  static_assert(!Callback::fits_inline<decltype([b = Big{}] { (void)b; })>());
  Big big{};
  big.bytes[0] = 7;
  int seen = 0;
  Simulator sim(10);
  sim.schedule_after(Duration::zero(), [&seen, big] { seen = big.bytes[0]; });  // boxed: works
  Callback moved = [&seen] { seen += 1; };
  sim.schedule_after(Duration::zero(), std::move(moved));
  sim.run_until_idle(10);
  EXPECT_EQ(seen, 8);
}

// The hold model in steady state: each event schedules one more. Once the slab, the free list
// and the heap have grown, scheduling and executing allocates nothing.
TEST(SimEventQueue, HotPathAllocatesNothing) {
  Simulator sim(11);
  Rng rng(1);
  struct Hold {
    Simulator* sim;
    Rng* rng;
    void again() {
      sim->schedule_after(Duration::from_ns(uniform_int(*rng, 0, 1000)), [this] { again(); });
    }
  } hold{&sim, &rng};
  for (int i = 0; i < 10'000; ++i) hold.again();
  for (int i = 0; i < 20'000; ++i) sim.step();  // warm up
  const std::uint64_t before = g_allocations;
  for (int i = 0; i < 100'000; ++i) sim.step();
  EXPECT_EQ(g_allocations - before, 0u);
  EXPECT_EQ(sim.events_pending(), 10'000u);
}

TEST(SimEventQueueDeathTest, AssertionsReportSeedAndTime) {
  EXPECT_DEATH(
      {
        Simulator sim(424242);
        sim.run_until(SimTime::zero() + Duration::from_ms(5));
        sim.schedule_at(SimTime::zero(), [] {});  // in the past
      },
      "seed=424242 t=5000000ns");
}

}  // namespace
}  // namespace imsim::sim
