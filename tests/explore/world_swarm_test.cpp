// The world swarm (swarm.world): every dimension is drawn from the seed within its range,
// recorded in swarm_parameters and in the drawn config, changes the run, and a failure file of a
// world-swarm run replays with the swarm off. Plus the `cut` fault the world swarm draws.
#include <gtest/gtest.h>

#include <algorithm>
#include <imsim/model/world.hpp>
#include <imsim/scenarios/explore.hpp>
#include <imsim/scenarios/failure_file.hpp>
#include <imsim/scenarios/run.hpp>
#include <imsim/scenarios/scenario.hpp>
#include <optional>
#include <set>
#include <string>

namespace imsim {
namespace {

constexpr const char* kBase = R"({
  "name": "world", "seed": 1,
  "durations": {"safety_s": 8, "quiescence_s": 60, "workload_stop_s": 7},
  "users": {"count": 6, "devices_min": 1, "devices_max": 2},
  "conversations": {"direct": 2, "groups": [{"count": 3, "size": 3}]},
  "engine": {"large_group_threshold": 3},
  "workload": {"messages_per_s": 10},
  "swarm": {"enabled": true, "kinds": ["partition", "kill"], "fault_mean_interval_s": 2,
            "faults_max": 4, "partition_max_s": 4}
})";

model::WorldConfig base_config() {
  auto loaded = scenarios::load_scenario_text(kBase, "inline");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.value();
}

model::Fault fault(std::int64_t at_ns, model::FaultKind kind) {
  model::Fault f;
  f.at_ns = at_ns;
  f.kind = kind;
  return f;
}

model::Fault cut_fault(std::int64_t at_ns, const char* from, const char* to, std::int64_t for_ns,
                       bool both_ways) {
  model::Fault f = fault(at_ns, model::FaultKind::kCut);
  f.from = from;
  f.to = to;
  f.for_ns = for_ns;
  f.both_ways = both_ways;
  return f;
}

bool has_param(const model::RunResult& r, const std::string& prefix) {
  auto it = r.swarm_parameters.lower_bound(prefix);
  return it != r.swarm_parameters.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

struct Dimension {
  const char* name;
  const char* param;  // swarm_parameters key prefix
  void (*set)(model::WorldSwarm&);
  // A knob that by design changes no output (an index horizon: the scan past it answers the
  // same) shows by reaching this coverage point instead of changing the trace hash.
  std::optional<engine::CoveragePoint> reached = std::nullopt;
};

const Dimension kDimensions[] = {
    {"page_size", "world.page_size",
     [](model::WorldSwarm& w) {
       w.page_size = model::Range{1, 5};
     }},
    {"inbox_ttl", "world.inbox_ttl",
     [](model::WorldSwarm& w) {
       w.inbox_ttl_ns = model::Range{1'000'000'000, 60'000'000'000};
     }},
    {"retry_budget", "world.retry_budget",
     [](model::WorldSwarm& w) {
       w.retry_budget = model::Range{1, 2};
     }},
    {"send_timeout", "world.send_timeout",
     [](model::WorldSwarm& w) {
       w.send_timeout_ns = model::Range{250'000'000, 2'000'000'000};
     }},
    {"request_timeout", "world.request_timeout",
     [](model::WorldSwarm& w) {
       w.request_timeout_ns = model::Range{50'000'000, 500'000'000};
     }},
    {"page_bytes_max", "world.page_bytes_max",
     [](model::WorldSwarm& w) {
       w.page_bytes_max = model::Range{4096, 8192};
       w.page_size = model::Range{40, 50};
     }},
    {"queue_length_max", "world.queue_length_max",
     [](model::WorldSwarm& w) {
       w.queue_length_max = model::Range{1, 3};
     }},
    {"push_buffer_max", "world.push_buffer_max",
     [](model::WorldSwarm& w) {
       w.push_buffer_max = model::Range{1, 2};
     }},
    {"outbox_length_max", "world.outbox_length_max",
     [](model::WorldSwarm& w) {
       w.outbox_length_max = model::Range{1, 2};
     }},
    {"dedup_key_retention", "world.dedup_key_retention",
     [](model::WorldSwarm& w) {
       w.dedup_key_retention_ns = model::Range{100'000'000, 2'000'000'000};
     },
     engine::CoveragePoint::store_dedup_scan},
    {"message_bytes", "world.message_bytes",
     [](model::WorldSwarm& w) {
       w.message_bytes = model::Range{1, 4096};
     }},
    {"buggify", "world.buggify", [](model::WorldSwarm& w) { w.buggify_p = 0.5; }},
    {"servers_per_role", "world.gateways",
     [](model::WorldSwarm& w) {
       w.servers_per_role = model::Range{1, 3};
     }},
    {"group_size", "world.group_sizes",
     [](model::WorldSwarm& w) {
       w.group_size = model::Range{2, 6};
     }},
    {"threshold_edge", "world.group_sizes", [](model::WorldSwarm& w) { w.threshold_edge_p = 1.0; }},
    {"long_offline", "world.long_offline.",
     [](model::WorldSwarm& w) {
       w.long_offline_max = 2;
       w.long_offline_ns = model::Range{3'000'000'000, 6'000'000'000};
     }},
    {"pair_cuts", "world.pair_cut.",
     [](model::WorldSwarm& w) {
       w.pair_cuts_max = 3;
       w.pair_cut_ns = model::Range{2'000'000'000, 6'000'000'000};
     }},
};

TEST(WorldSwarm, EachDimensionIsDrawnRecordedAndChangesTheRun) {
  const model::WorldConfig base = base_config();
  for (const Dimension& d : kDimensions) {
    SCOPED_TRACE(d.name);
    model::WorldConfig config = base;
    config.swarm.world.enable_p = 1.0;
    d.set(config.swarm.world);
    int recorded = 0;
    int changed = 0;
    std::set<std::string> values;
    for (std::uint64_t seed = 1; seed <= 10; seed++) {
      const auto plain = scenarios::run_scenario(scenarios::seed_config(base, seed, true), {});
      const auto drawn = scenarios::run_scenario(scenarios::seed_config(config, seed, true), {});
      ASSERT_TRUE(drawn.error.empty()) << drawn.error;
      ASSERT_TRUE(drawn.result.drawn_config.has_value());
      EXPECT_FALSE(drawn.result.drawn_config->swarm.world.any());  // drawn once, not again
      if (has_param(drawn.result, d.param)) {
        recorded++;
        values.insert(drawn.result.swarm_parameters.lower_bound(d.param)->second);
      }
      if (d.reached) {
        if (drawn.result.coverage[std::size_t(*d.reached)] > 0) changed++;
      } else if (drawn.result.trace_hash != plain.result.trace_hash) {
        changed++;
      }
    }
    EXPECT_GE(recorded, 3);
    EXPECT_GE(changed, d.reached ? 1 : 3);
    EXPECT_GE(values.size(), 2u);  // drawn from the seed, not fixed
  }
}

// Every dimension of the world swarm is drawn by at least one library scenario, so the CI gate
// (every library scenario under --swarm) explores it.
TEST(WorldSwarm, EveryDimensionIsInSomeGateScenario) {
  model::WorldSwarm any;
  for (const auto& entry : scenarios::list_library()) {
    auto loaded = scenarios::load_scenario_named(entry.name);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    const model::WorldSwarm& w = loaded.value().swarm.world;
    const auto take = [](auto& into, const auto& from) {
      if (from) into = from;
    };
    take(any.page_size, w.page_size);
    take(any.inbox_ttl_ns, w.inbox_ttl_ns);
    take(any.retry_budget, w.retry_budget);
    take(any.send_timeout_ns, w.send_timeout_ns);
    take(any.request_timeout_ns, w.request_timeout_ns);
    take(any.page_bytes_max, w.page_bytes_max);
    take(any.queue_length_max, w.queue_length_max);
    take(any.push_buffer_max, w.push_buffer_max);
    take(any.outbox_length_max, w.outbox_length_max);
    take(any.dedup_key_retention_ns, w.dedup_key_retention_ns);
    take(any.message_bytes, w.message_bytes);
    take(any.servers_per_role, w.servers_per_role);
    take(any.group_size, w.group_size);
    any.buggify_p = std::max(any.buggify_p, w.buggify_p);
    any.threshold_edge_p = std::max(any.threshold_edge_p, w.threshold_edge_p);
    any.long_offline_max = std::max(any.long_offline_max, w.long_offline_max);
    any.pair_cuts_max = std::max(any.pair_cuts_max, w.pair_cuts_max);
  }
  EXPECT_TRUE(any.page_size && any.inbox_ttl_ns && any.retry_budget && any.send_timeout_ns &&
              any.request_timeout_ns && any.page_bytes_max && any.queue_length_max &&
              any.push_buffer_max && any.outbox_length_max && any.dedup_key_retention_ns &&
              any.message_bytes && any.servers_per_role && any.group_size);
  EXPECT_GT(any.buggify_p, 0);
  EXPECT_GT(any.threshold_edge_p, 0);
  EXPECT_GT(any.long_offline_max, 0);
  EXPECT_GT(any.pair_cuts_max, 0);
}

TEST(WorldSwarm, DrawsStayInTheirRanges) {
  model::WorldConfig config = base_config();
  config.swarm.world.enable_p = 1.0;
  config.swarm.world.page_size = model::Range{2, 4};
  config.swarm.world.retry_budget = model::Range{3, 5};
  config.swarm.world.threshold_edge_p = 1.0;  // every group at threshold-1 .. threshold+1
  config.swarm.world.servers_per_role = model::Range{1, 2};
  config.faults.push_back(fault(1'000'000'000, model::FaultKind::kCrash));
  config.faults.back().node = "store2";  // needs 3 stores
  for (std::uint64_t seed = 1; seed <= 20; seed++) {
    std::map<std::string, std::string> params;
    config.seed = seed;
    const model::WorldConfig drawn = model::draw_world(config, params);
    EXPECT_GE(drawn.engine.page_size, 2u);
    EXPECT_LE(drawn.engine.page_size, 4u);
    EXPECT_GE(drawn.engine.retry_budget, 3u);
    EXPECT_LE(drawn.engine.retry_budget, 5u);
    EXPECT_EQ(drawn.topology.stores, 3);  // never below a named node
    EXPECT_LE(drawn.topology.gateways, 2);
    EXPECT_EQ(drawn.engine.queue_partitions, std::uint32_t(drawn.topology.queue_partitions));
    ASSERT_EQ(drawn.generated_conversations->groups.size(), 3u);
    for (const auto& g : drawn.generated_conversations->groups) {
      EXPECT_EQ(g.count, 1);
      EXPECT_GE(g.size, 2);
      EXPECT_LE(g.size, 4);
    }
    // The same seed draws the same world; the world seed overrides the run's seed.
    std::map<std::string, std::string> again;
    EXPECT_EQ(model::draw_world(config, again).engine.page_size, drawn.engine.page_size);
    EXPECT_EQ(again, params);
  }
  config.seed = 1;
  config.swarm.world_seed = 7;
  std::map<std::string, std::string> a, b;
  model::draw_world(config, a);
  config.seed = 2;
  model::draw_world(config, b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.at("world.seed"), "7");
}

// Swarm testing of the world: with enable_p 0.5 some seeds keep each dimension as written.
TEST(WorldSwarm, EachDimensionIsOnForSomeSeedsOnly) {
  model::WorldConfig config = base_config();
  config.swarm.world.page_size = model::Range{1, 3};
  config.swarm.world.pair_cuts_max = 2;
  config.swarm.world.pair_cut_ns = model::Range{1'000'000'000, 2'000'000'000};
  int page_drawn = 0;
  int none = 0;
  for (std::uint64_t seed = 1; seed <= 40; seed++) {
    std::map<std::string, std::string> params;
    config.seed = seed;
    const model::WorldConfig drawn = model::draw_world(config, params);
    if (params.count("world.page_size")) {
      page_drawn++;
    } else {
      EXPECT_EQ(drawn.engine.page_size, config.engine.page_size);
    }
    if (params.at("world.dimensions") == "-") none++;
  }
  EXPECT_GT(page_drawn, 10);
  EXPECT_LT(page_drawn, 30);
  EXPECT_GT(none, 0);
}

TEST(WorldSwarm, TheFailureFileRecordsTheDrawnWorldAndReplays) {
  model::WorldConfig config = base_config();
  config.swarm.world.page_size = model::Range{1, 3};
  config.swarm.world.servers_per_role = model::Range{1, 3};
  config.swarm.world.pair_cuts_max = 2;
  config.swarm.world.pair_cut_ns = model::Range{1'000'000'000, 3'000'000'000};
  for (std::uint64_t seed = 1; seed <= 3; seed++) {
    const auto run = scenarios::run_scenario(scenarios::seed_config(config, seed, true), {});
    ASSERT_TRUE(run.error.empty()) << run.error;
    const scenarios::FailureFile file = scenarios::failure_file_of(run);
    EXPECT_FALSE(file.scenario.swarm.enabled);
    EXPECT_EQ(file.scenario.engine.page_size, run.result.drawn_config->engine.page_size);
    EXPECT_EQ(file.scenario.topology.gateways, run.result.drawn_config->topology.gateways);
    auto loaded = scenarios::load_failure(scenarios::to_json(file));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    model::WorldConfig replay = loaded.value().scenario;
    replay.seed = loaded.value().seed;
    const auto again = scenarios::run_scenario(replay, {});
    EXPECT_EQ(again.result.trace_hash, run.result.trace_hash) << seed;
  }
}

TEST(CutFault, CutsOnePairAndHealsOnItsOwn) {
  model::WorldConfig config = base_config();
  config.swarm.enabled = false;
  const auto plain = scenarios::run_scenario(config, {});
  config.faults.push_back(cut_fault(1'000'000'000, "u1/d1", "gateway0", 3'000'000'000, true));
  config.faults.push_back(cut_fault(2'000'000'000, "processor0", "store0", 2'000'000'000, false));
  const auto cut = scenarios::run_scenario(config, {});
  ASSERT_TRUE(cut.error.empty()) << cut.error;
  EXPECT_EQ(cut.exit_code, scenarios::kExitValid);
  EXPECT_EQ(cut.result.counters.at("nemesis.cut"), 2u);
  EXPECT_EQ(cut.result.counters.at("nemesis.cut_healed"), 2u);  // both before the safety end
  EXPECT_NE(cut.result.trace_hash, plain.result.trace_hash);
  // A cut that outlasts the safety phase is ended by the final heal, not by itself.
  config.faults.back().for_ns = 60'000'000'000;
  const auto long_cut = scenarios::run_scenario(config, {});
  EXPECT_EQ(long_cut.result.counters.at("nemesis.cut_healed"), 1u);
  EXPECT_EQ(long_cut.exit_code, scenarios::kExitValid);
}

}  // namespace
}  // namespace imsim
