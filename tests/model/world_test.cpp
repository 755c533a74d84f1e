// The modelled world end to end: a small world runs, quiesces, records a valid history that the
// checkers accept, and the same seed gives the same trace hash.
#include <gtest/gtest.h>

#include <imsim/history/reader.hpp>
#include <imsim/model/world.hpp>
#include <imsim/properties/check.hpp>
#include <imsim/properties/report.hpp>
#include <set>
#include <sstream>

namespace imsim::model {
namespace {

constexpr std::int64_t kS = 1'000'000'000;

Fault fault(std::int64_t at_ns, FaultKind kind, std::string node) {
  Fault f;
  f.at_ns = at_ns;
  f.kind = kind;
  f.node = std::move(node);
  return f;
}

DeviceSpec device(std::string id) {
  DeviceSpec d;
  d.id = std::move(id);
  return d;
}

WorldConfig small_world(std::uint64_t seed) {
  WorldConfig c;
  c.name = "small";
  c.seed = seed;
  c.durations.safety_ns = 5 * kS;
  c.durations.quiescence_ns = 60 * kS;
  c.engine.queue_partitions = static_cast<std::uint32_t>(c.topology.queue_partitions);
  for (int u = 1; u <= 3; u++) {
    UserSpec user{.id = "u" + std::to_string(u), .devices = {}};
    user.devices.push_back(device("d1"));
    if (u == 1) user.devices.push_back(device("d2"));
    c.users.push_back(user);
  }
  c.conversations.push_back(
      {.id = "c1", .kind = ConversationKind::kDirect, .members = {"u1", "u2"}});
  c.conversations.push_back(
      {.id = "c2", .kind = ConversationKind::kGroup, .members = {"u1", "u2", "u3"}});
  c.workload.messages_per_s = 10;
  return c;
}

struct Outcome {
  RunResult result;
  std::string history;
};

Outcome run(const WorldConfig& config) {
  std::ostringstream out;
  RunOptions options;
  options.history_out = &out;
  Outcome outcome{run_world(config, options), {}};
  outcome.history = out.str();
  return outcome;
}

void expect_valid(const Outcome& outcome) {
  auto parsed = history::parse_history(outcome.history);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const auto report = properties::check(parsed.value());
  EXPECT_TRUE(report.ok()) << properties::to_text(report);
}

TEST(World, SmallWorldQuiescesWithAValidHistory) {
  const Outcome outcome = run(small_world(1));
  EXPECT_TRUE(outcome.result.quiesced);
  EXPECT_GT(outcome.result.messages_sent, 20u);
  EXPECT_EQ(outcome.result.messages_stored, outcome.result.messages_sent);
  EXPECT_GT(outcome.result.displays, outcome.result.messages_sent);
  expect_valid(outcome);
}

TEST(World, SameSeedSameTraceHashDifferentSeedDifferentHash) {
  const Outcome a = run(small_world(7));
  const Outcome b = run(small_world(7));
  const Outcome c = run(small_world(8));
  EXPECT_EQ(a.result.trace_hash, b.result.trace_hash);
  EXPECT_EQ(a.history, b.history);
  EXPECT_NE(a.result.trace_hash, c.result.trace_hash);
}

TEST(World, SurvivesScheduledFaults) {
  WorldConfig c = small_world(3);
  c.faults.push_back(fault(1 * kS, FaultKind::kCrash, "processor0"));
  c.faults.push_back(fault(2 * kS, FaultKind::kRestart, "processor0"));
  c.faults.push_back(fault(1 * kS, FaultKind::kOffline, "u2/d1"));
  c.faults.push_back(fault(3 * kS, FaultKind::kOnline, "u2/d1"));
  c.faults.push_back(fault(2 * kS, FaultKind::kKill, "u1/d2"));
  c.faults.push_back(fault(3 * kS, FaultKind::kReinstall, "u3/d1"));
  const Outcome outcome = run(c);
  EXPECT_TRUE(outcome.result.quiesced);
  expect_valid(outcome);
}

TEST(World, SwarmScheduleReplaysAsExplicitFaults) {
  WorldConfig c = small_world(11);
  c.swarm.enabled = true;
  c.swarm.kind_enable_p = 1.0;
  c.swarm.fault_interval_mean_ns = kS / 2;
  const Outcome swarm = run(c);
  ASSERT_FALSE(swarm.result.fault_schedule.empty());
  EXPECT_FALSE(swarm.result.swarm_parameters.empty());
  WorldConfig expanded = c;
  expanded.swarm.enabled = false;
  expanded.faults = swarm.result.fault_schedule;
  const Outcome replay = run(expanded);
  EXPECT_EQ(swarm.result.trace_hash, replay.result.trace_hash);
  expect_valid(swarm);
}

// swarm.nodes narrows the faults that name one node; kinds left with no candidate are not drawn
// (crash among only device nodes), and the others are unaffected.
TEST(World, SwarmNodesNarrowNodeFaults) {
  WorldConfig c = small_world(12);
  c.swarm.enabled = true;
  c.swarm.kind_enable_p = 1.0;
  c.swarm.fault_interval_mean_ns = kS / 10;
  c.swarm.kinds = {FaultKind::kCrash, FaultKind::kKill, FaultKind::kOffline};
  c.swarm.nodes = {"store0", "u1/d2"};
  const Outcome narrowed = run(c);
  std::set<std::string> crashed, device_faulted;
  for (const Fault& f : narrowed.result.fault_schedule) {
    if (f.kind == FaultKind::kCrash) crashed.insert(f.node);
    if (f.kind == FaultKind::kKill || f.kind == FaultKind::kOffline) device_faulted.insert(f.node);
  }
  EXPECT_EQ(crashed, std::set<std::string>{"store0"});
  EXPECT_EQ(device_faulted, std::set<std::string>{"u1/d2"});
  expect_valid(narrowed);

  c.swarm.kinds = {FaultKind::kCrash, FaultKind::kKill};
  c.swarm.nodes = {"u2/d1"};  // no server: no crash is drawn
  const Outcome devices_only = run(c);
  ASSERT_FALSE(devices_only.result.fault_schedule.empty());
  for (const Fault& f : devices_only.result.fault_schedule) {
    EXPECT_EQ(f.kind, FaultKind::kKill);
    EXPECT_EQ(f.node, "u2/d1");
  }
}

// ---- Adversarial devices ---------------------------------------------------------------------

WorldConfig adversarial_world(std::uint64_t seed) {
  WorldConfig c = small_world(seed);
  c.adversaries.count = 3;
  c.adversaries.conversations = 1;
  c.adversaries.attack_interval_mean_ns = kS / 20;
  c.adversaries.flood_frames = 1200;  // above the burst (1000): the rate limit refuses some
  return c;
}

// Every attack kind is tried, and every attempt is refused by the gateway (no_ack's pulls are
// served: they are allowed, only never acknowledged); the honest users see no anomaly; the
// gateways' refusal counters account for every refusal the adversaries saw.
TEST(World, EveryAdversarialActionIsRejectedAndCounted) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const Outcome outcome = run(adversarial_world(seed));
    EXPECT_TRUE(outcome.result.quiesced);
    expect_valid(outcome);
    ASSERT_TRUE(outcome.result.adversary.has_value());
    const AdversaryReport& report = *outcome.result.adversary;
    std::uint64_t refused = 0;
    for (const char* kind : kAttackKindNames) {
      const AttackTally& t = report.attacks.at(kind);
      EXPECT_GT(t.attempted, 0u) << kind << " seed " << seed;
      EXPECT_EQ(t.accepted, 0u) << kind;
      EXPECT_EQ(t.unanswered, 0u) << kind;
      EXPECT_EQ(t.conn_lost, 0u) << kind;  // no network fault touches them here
      if (std::string(kind) == "no_ack") {
        EXPECT_EQ(t.served + t.rejected + t.timed_out, t.attempted) << kind;
      } else {
        EXPECT_EQ(t.rejected, t.attempted) << kind << " seed " << seed;
      }
      refused += t.rejected;
    }
    EXPECT_GT(report.attacks.at("flood").reasons.at("rate_limited"), 0u);
    EXPECT_EQ(report.breaches(), 0u);
    EXPECT_EQ(outcome.result.counters.at("gateway.frames_rejected"), refused);
  }
}

// Adversaries are not in the history, and without them nothing changes.
TEST(World, AdversariesStayOutOfTheHistory) {
  const Outcome plain = run(small_world(4));
  EXPECT_FALSE(plain.result.adversary.has_value());
  const Outcome attacked = run(adversarial_world(4));
  EXPECT_EQ(attacked.history.find("x1/"), std::string::npos);
  EXPECT_EQ(attacked.result.messages_sent, attacked.result.messages_stored);
  WorldConfig zero = adversarial_world(4);
  zero.adversaries.count = 0;
  EXPECT_EQ(run(zero).result.trace_hash, plain.result.trace_hash);
}

// Each adversary's attack mix is drawn from the seed (same seed, same mixes), never empty.
TEST(World, AdversaryMixesAreDrawnFromTheSeed) {
  WorldConfig c = adversarial_world(5);
  c.adversaries.attack_enable_p = 0.3;
  const Outcome a = run(c);
  const Outcome b = run(c);
  ASSERT_TRUE(a.result.adversary.has_value());
  EXPECT_EQ(a.result.trace_hash, b.result.trace_hash);
  EXPECT_EQ(a.result.adversary->mixes, b.result.adversary->mixes);
  ASSERT_EQ(a.result.adversary->mixes.size(), 3u);
  for (const auto& [name, mix] : a.result.adversary->mixes) EXPECT_FALSE(mix.empty()) << name;
}

}  // namespace
}  // namespace imsim::model
