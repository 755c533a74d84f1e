// Server clocks reach what servers observe (issue 17): before, a server's offset_ms and a
// clock_step on any server left the trace hash identical. Now an engine timer is a deadline on
// its node's local clock (a step moves it) and the store's inbox TTL ages entries on the store's
// clock; a constant server offset, which nothing could observe, is refused by the loader.
#include <gtest/gtest.h>

#include "imsim/model/world.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::scenarios {
namespace {

model::WorldConfig library(const char* name) {
  imsim::base::Result<model::WorldConfig> loaded = load_scenario_named(name);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return std::move(loaded).value();
}

model::RunResult run(const model::WorldConfig& config) { return model::run_world(config, {}); }

// The scenario's clock_step on `node`, re-aimed at `by_ns`.
model::WorldConfig with_step(model::WorldConfig config, const std::string& node,
                             std::int64_t by_ns) {
  bool found = false;
  for (model::Fault& f : config.faults) {
    if (f.kind != model::FaultKind::kClockStep || f.node != node) continue;
    f.by_ns = by_ns;
    found = true;
  }
  EXPECT_TRUE(found) << node;
  return config;
}

std::uint64_t counter(const model::RunResult& r, const std::string& name) {
  auto it = r.counters.find(name);
  return it == r.counters.end() ? 0 : it->second;
}

TEST(ServerClocks, AStepMovesTheServersPendingTimers) {
  const model::WorldConfig skew = library("server-clock-skew");
  for (const char* node : {"queue0", "processor0"}) {
    const std::uint64_t tiny = run(with_step(skew, node, -1'000'000)).trace_hash;
    const std::uint64_t back = run(with_step(skew, node, -10'000'000'000)).trace_hash;
    const std::uint64_t ahead = run(with_step(skew, node, 10'000'000'000)).trace_hash;
    EXPECT_NE(tiny, back) << node;
    EXPECT_NE(tiny, ahead) << node;
    EXPECT_NE(back, ahead) << node;
  }
}

TEST(ServerClocks, TheInboxTtlRunsOnTheStoresClock) {
  const model::WorldConfig skew = library("server-clock-skew");
  const model::RunResult stepped = run(skew);
  EXPECT_TRUE(stepped.quiesced);
  EXPECT_GT(counter(stepped, "store.inbox_entries_expired"), 0u);
  EXPECT_GE(counter(stepped, "device.ttl_resyncs"), 1u);  // u3/d1, offline across the jump
  const model::RunResult steady = run(with_step(skew, "store0", 1'000'000));
  EXPECT_TRUE(steady.quiesced);
  EXPECT_EQ(counter(steady, "store.inbox_entries_expired"), 0u);
  EXPECT_EQ(counter(steady, "device.ttl_resyncs"), 0u);
  EXPECT_NE(stepped.trace_hash, steady.trace_hash);
}

TEST(ServerClocks, AServerOffsetIsRefusedNotIgnored) {
  nlohmann::json doc = to_json(library("server-clock-skew"));
  doc["topology"]["clocks"]["gateway1"] = {{"offset_ms", 5000}};
  EXPECT_EQ(load_scenario(doc).status().message(),
            "topology.clocks.gateway1.offset_ms: a server's clock offset has no effect (servers "
            "only measure intervals on their own clock): use drift_ppm, or a clock_step fault");
}

}  // namespace
}  // namespace imsim::scenarios
