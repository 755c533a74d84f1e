// History reading throughput on the synthetic 1M-event history (history/synthetic.hpp): the
// reader as `imsim check` runs it (fast line reader, strict fallback), the strict DOM parser on
// every line (what every line cost before the fast reader), and parse + every checker.
// Reports events/s (items_per_second) and bytes/s.
//
//   cmake --build <build> --target imsim_bench_history_parse &&
//   <build>/bench/imsim_bench_history_parse
#include <benchmark/benchmark.h>

#include <string>

#include "imsim/base/assert.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/history/synthetic.hpp"
#include "imsim/properties/check.hpp"

namespace {

using namespace imsim;

constexpr std::uint64_t events_target = 1'000'000;

const std::string& history_text() {
  static const std::string text = history::synthetic_history(events_target);
  return text;
}

void set_counters(benchmark::State& state, std::size_t events) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * history_text().size()));
  state.counters["events"] = static_cast<double>(events);
}

void BM_Parse(benchmark::State& state, history::LineReading reading) {
  const std::string& text = history_text();
  std::size_t events = 0;
  for (auto _ : state) {
    auto r = history::parse_history(text, reading);
    IMSIM_ASSERT(r.ok());
    events = r.value().events.size();
    benchmark::DoNotOptimize(events);
  }
  set_counters(state, events);
}
BENCHMARK_CAPTURE(BM_Parse, fast, history::LineReading::fast)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_Parse, strict_only, history::LineReading::strict_only)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void BM_ParseAndCheck(benchmark::State& state) {
  const std::string& text = history_text();
  std::size_t events = 0;
  for (auto _ : state) {
    auto r = history::parse_history(text);
    IMSIM_ASSERT(r.ok());
    properties::Report report = properties::check(r.value());
    IMSIM_ASSERT(report.ok());
    events = r.value().events.size();
    benchmark::DoNotOptimize(report);
  }
  set_counters(state, events);
}
BENCHMARK(BM_ParseAndCheck)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
