// Parse and check throughput on the synthetic 1M-event history (history/synthetic.hpp): 200
// devices of 100 users, 50 group conversations of 5 users, every message acked and displayed
// right away on every member device, store timelines at the end. Reports events/s for the
// reader+validator and for check() (all checkers + metrics) separately.
//
//   cmake --build <build> --target imsim_bench_checkers && <build>/bench/imsim_bench_checkers
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

const history::History& parsed_history() {
  static const history::History h = [] {
    auto r = history::parse_history(history_text());
    IMSIM_ASSERT(r.ok());
    return std::move(r).value();
  }();
  return h;
}

void BM_Parse(benchmark::State& state) {
  const std::string& text = history_text();
  std::size_t events = 0;
  for (auto _ : state) {
    auto r = history::parse_history(text);
    IMSIM_ASSERT(r.ok());
    events = r.value().events.size();
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Check(benchmark::State& state) {
  const history::History& h = parsed_history();
  for (auto _ : state) {
    properties::Report report = properties::check(h);
    IMSIM_ASSERT(report.ok());
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * h.events.size()));
  state.counters["events"] = static_cast<double>(h.events.size());
}
BENCHMARK(BM_Check)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
