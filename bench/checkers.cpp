// Parse and check throughput on a synthetic 1M-event history (history format v1): 200
// devices of 100 users, 50 group conversations of 5 users, every message acked and displayed
// right away on every member device, store timelines at the end. Reports events/s for the
// reader+validator and for check() (all checkers + metrics) separately.
//
//   cmake --build <build> --target imsim_bench_checkers && <build>/bench/imsim_bench_checkers
#include <benchmark/benchmark.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "imsim/base/assert.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/history/writer.hpp"
#include "imsim/properties/check.hpp"

namespace {

using namespace imsim;

constexpr int users_count = 100;
constexpr int devices_per_user = 2;
constexpr int convs_count = 50;
constexpr int members_per_conv = 5;
constexpr std::uint64_t events_target = 1'000'000;

std::string device_name(int user, int device) {
  return "u" + std::to_string(user) + "/d" + std::to_string(device);
}

std::string synthetic_history() {
  history::HeaderSpec header{.devices = {}, .conversations = {}, .scenario = "bench", .seed = 1};
  for (int u = 0; u < users_count; ++u) {
    for (int d = 0; d < devices_per_user; ++d)
      header.devices.emplace_back(device_name(u, d), "u" + std::to_string(u));
  }
  std::vector<std::vector<int>> members(convs_count);
  for (int c = 0; c < convs_count; ++c) {
    history::ConversationSpec conv{
        .name = "c" + std::to_string(c), .members = {}, .kind = history::ConvKind::group};
    for (int k = 0; k < members_per_conv; ++k) {
      members[c].push_back((c * 7 + k * 13) % users_count);
      conv.members.push_back("u" + std::to_string(members[c].back()));
    }
    header.conversations.push_back(conv);
  }
  std::ostringstream out;
  history::HistoryWriter w(out);
  w.write_header(header);
  history::TimeNs t = 0;
  for (const auto& [device, user] : header.devices) w.online(t, device);
  w.phase(t, history::PhaseKind::liveness);
  std::map<std::pair<std::string, int>, std::uint64_t> sends;            // (device, conv) -> count
  std::vector<std::pair<std::string, std::uint64_t>> last(convs_count);  // previous sender, count
  std::vector<std::vector<std::string>> timelines(convs_count);
  std::uint64_t seq = 0;
  while (w.events_written() + 2 * convs_count < events_target) {
    const int c = static_cast<int>(seq % convs_count);
    const int user = members[c][(seq / convs_count) % members_per_conv];
    const std::string sender = device_name(user, static_cast<int>(seq % devices_per_user));
    const std::string msg = "m" + std::to_string(seq);
    const std::string conv = "c" + std::to_string(c);
    history::ClockSpec vc{{sender, ++sends[{sender, c}]}};
    if (!last[c].first.empty() && last[c].first != sender) vc.push_back(last[c]);
    t += 1000;
    w.send(t, sender, conv, msg, vc);
    w.ack(t + 500, sender, msg, timelines[c].size() + 1);
    for (int member : members[c]) {
      for (int d = 0; d < devices_per_user; ++d)
        w.display(t + 700, device_name(member, d), conv, msg, history::DisplayAt::bottom);
    }
    last[c] = vc.front();
    timelines[c].push_back(msg);
    ++seq;
  }
  t += 1000;
  for (int c = 0; c < convs_count; ++c) w.timeline(t, "c" + std::to_string(c), timelines[c]);
  w.metrics(t, {{"network_frames", seq * 14}, {"store_writes", seq * 2}});
  w.end(t, true);
  return out.str();
}

const std::string& history_text() {
  static const std::string text = synthetic_history();
  return text;
}

const history::History& parsed_history() {
  static const history::History h = [] {
    history::ParseResult r = history::parse_history(history_text());
    IMSIM_ASSERT(r.ok());
    return std::move(r).history();
  }();
  return h;
}

void BM_Parse(benchmark::State& state) {
  const std::string& text = history_text();
  std::size_t events = 0;
  for (auto _ : state) {
    history::ParseResult r = history::parse_history(text);
    IMSIM_ASSERT(r.ok());
    events = r.history().events.size();
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
