// The classic hold model (Vaucher & Duval): P events pending; each executed event schedules one
// more at now + a random delay, so the queue stays at P. Measures the simulation kernel
// (sim::Simulator: 4-ary heap of 16-byte entries + slab + small-buffer callbacks + trace hash)
// against a naive baseline (std::priority_queue of std::function), in the same binary.
//
// Delays are uniform integers in [0, 2 * delay_mean] drawn from the same generator for both,
// so the two do the same work apart from the queue. `allocs_per_event` counts calls to the
// global operator new during the timed loop (the kernel's target is 0).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <imsim/sim/distributions.hpp>
#include <imsim/sim/simulator.hpp>
#include <new>
#include <queue>
#include <vector>

namespace {
std::uint64_t g_allocations = 0;
}  // namespace

// Replaces the global allocation functions to count allocations; GCC cannot see that the
// replacement pair matches, hence the pragma.
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

namespace {

using imsim::sim::Duration;
using imsim::sim::Rng;
using imsim::sim::Simulator;

constexpr std::int64_t kDelayMeanNs = 1'000'000;

std::int64_t hold_delay_ns(Rng& rng) { return imsim::sim::uniform_int(rng, 0, 2 * kDelayMeanNs); }

struct KernelHold {
  Simulator sim{42};
  Rng rng{7};

  void schedule_one() {
    sim.schedule_after(Duration::from_ns(hold_delay_ns(rng)), [this] { schedule_one(); });
  }
};

struct NaiveEvent {
  std::int64_t time_ns;
  std::uint64_t seq;
  std::function<void()> fn;
};
struct NaiveLater {
  bool operator()(const NaiveEvent& a, const NaiveEvent& b) const {
    return a.time_ns > b.time_ns || (a.time_ns == b.time_ns && a.seq > b.seq);
  }
};

struct NaiveHold {
  std::priority_queue<NaiveEvent, std::vector<NaiveEvent>, NaiveLater> queue;
  std::int64_t now_ns = 0;
  std::uint64_t seq = 0;
  Rng rng{7};

  void schedule_one() {
    queue.push(NaiveEvent{now_ns + hold_delay_ns(rng), seq++, [this] { schedule_one(); }});
  }
  void step() {
    NaiveEvent e = queue.top();  // the naive way: copy the top out, then pop
    queue.pop();
    now_ns = e.time_ns;
    e.fn();
  }
};

template <class Hold, class Step>
void run_hold(benchmark::State& state, Hold& hold, Step step) {
  const auto pending = state.range(0);
  for (std::int64_t i = 0; i < pending; ++i) hold.schedule_one();
  // Warm up: one full turnover so slabs, free lists and heaps reach steady state.
  for (std::int64_t i = 0; i < pending; ++i) step();
  const std::uint64_t allocations_before = g_allocations;
  for (auto _ : state) step();
  state.SetItemsProcessed(state.iterations());
  state.counters["allocs_per_event"] =
      benchmark::Counter(static_cast<double>(g_allocations - allocations_before) /
                         static_cast<double>(state.iterations()));
}

void BM_KernelHold(benchmark::State& state) {
  auto hold = std::make_unique<KernelHold>();
  run_hold(state, *hold, [&] { hold->sim.step(); });
  IMSIM_ASSERT(hold->sim.events_pending() == static_cast<std::size_t>(state.range(0)));
}

void BM_NaiveHold(benchmark::State& state) {
  auto hold = std::make_unique<NaiveHold>();
  run_hold(state, *hold, [&] { hold->step(); });
  IMSIM_ASSERT(hold->queue.size() == static_cast<std::size_t>(state.range(0)));
}

BENCHMARK(BM_KernelHold)->ArgName("P")->Arg(1'000)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_NaiveHold)->ArgName("P")->Arg(1'000)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);

}  // namespace

BENCHMARK_MAIN();
