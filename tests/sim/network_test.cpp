// Datagrams: latency, loss/duplication rates (5 sigma), reordering, partitions (grouped and
// asymmetric), heal, clogs, crashed and restarted receivers, counters.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <imsim/sim/simulator.hpp>
#include <string>
#include <vector>

#include "stats.hpp"

namespace imsim::sim {
namespace {

Duration ms(std::int64_t v) { return Duration::from_ms(v); }
SimTime at_ms(std::int64_t v) { return SimTime::zero() + ms(v); }

struct Received {
  std::int64_t time_ns;
  EndpointId from;
  std::string bytes;
};

// N nodes with one endpoint each; every endpoint records what it receives.
struct Net {
  Simulator sim;
  std::vector<NodeId> nodes;
  std::vector<EndpointId> eps;
  std::vector<std::vector<Received>> inbox;

  explicit Net(int n, std::uint64_t seed = 1) : sim(seed), inbox(n) {
    for (int i = 0; i < n; ++i) {
      nodes.push_back(sim.add_node("n" + std::to_string(i)));
      eps.push_back(sim.network().add_endpoint(nodes.back()));
      sim.network().set_datagram_handler(eps.back(), [this, i](EndpointId from, std::string b) {
        inbox[i].push_back({sim.now().ns(), from, std::move(b)});
      });
    }
  }
  Network& net() { return sim.network(); }
  void send(int from, int to, std::string bytes) { net().send(eps[from], eps[to], bytes); }
};

TEST(SimNetwork, DeliversAfterTheLinkLatency) {
  Net w(2);
  LinkParams slow;
  slow.latency = LatencyModel::constant(ms(7));
  w.net().set_link(w.nodes[0], w.nodes[1], slow);
  w.send(0, 1, "hello");
  w.send(1, 0, "back");  // the reverse direction keeps the default (1 ms)
  w.sim.run_until_idle(100);
  ASSERT_EQ(w.inbox[1].size(), 1u);
  EXPECT_EQ(w.inbox[1][0].time_ns, ms(7).ns());
  EXPECT_EQ(w.inbox[1][0].from, w.eps[0]);
  EXPECT_EQ(w.inbox[1][0].bytes, "hello");
  ASSERT_EQ(w.inbox[0].size(), 1u);
  EXPECT_EQ(w.inbox[0][0].time_ns, ms(1).ns());
  EXPECT_EQ(w.net().counters().packets_delivered, 2u);
  EXPECT_EQ(w.net().counters().bytes_delivered, 9u);
}

TEST(SimNetwork, LossRateWithinFiveSigma) {
  Net w(2, 11);
  LinkParams lossy;
  lossy.loss_probability = 0.2;
  w.net().set_default_link(lossy);
  constexpr int n = 50'000;
  for (int i = 0; i < n; ++i) w.send(0, 1, "x");
  w.sim.run_until_idle(10 * n);
  const auto& c = w.net().counters();
  test::expect_rate_near(c.dropped_loss, n, 0.2);
  EXPECT_EQ(c.packets_dropped, c.dropped_loss);
  EXPECT_EQ(c.packets_delivered + c.packets_dropped, static_cast<std::uint64_t>(n));
  EXPECT_EQ(w.inbox[1].size(), c.packets_delivered);
}

TEST(SimNetwork, DuplicationRateWithinFiveSigma) {
  Net w(2, 12);
  LinkParams dup;
  dup.duplicate_probability = 0.1;
  w.net().set_default_link(dup);
  constexpr int n = 50'000;
  for (int i = 0; i < n; ++i) w.send(0, 1, std::to_string(i));
  w.sim.run_until_idle(10 * n);
  const auto& c = w.net().counters();
  test::expect_rate_near(c.packets_duplicated, n, 0.1);
  EXPECT_EQ(w.inbox[1].size(), n + c.packets_duplicated);
}

TEST(SimNetwork, ReorderingLetsLaterPacketsOvertake) {
  Net w(2, 13);
  LinkParams params;
  params.latency = LatencyModel::constant(ms(1));
  w.net().set_default_link(params);
  for (int i = 0; i < 100; ++i) w.send(0, 1, std::to_string(i));
  w.sim.run_until_idle(1000);
  // Constant latency, no reordering: sends at one instant arrive in send order.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(w.inbox[1][i].bytes, std::to_string(i));

  params.reorder_probability = 0.3;
  params.reorder_delay = LatencyModel::uniform(ms(1), ms(5));
  w.net().set_default_link(params);
  w.inbox[1].clear();
  constexpr int n = 10'000;
  for (int i = 0; i < n; ++i) w.send(0, 1, std::to_string(i));
  w.sim.run_until_idle(10 * n);
  ASSERT_EQ(w.inbox[1].size(), static_cast<std::size_t>(n));
  // A packet is late (reordered) iff it arrives after the 1 ms that the others take.
  std::uint64_t late = 0;
  for (const auto& r : w.inbox[1]) late += r.time_ns > w.inbox[1].front().time_ns ? 1 : 0;
  test::expect_rate_near(late, n, 0.3);
  int out_of_order = 0;
  for (int i = 1; i < n; ++i) {
    out_of_order += std::stoi(w.inbox[1][i].bytes) < std::stoi(w.inbox[1][i - 1].bytes);
  }
  EXPECT_GT(out_of_order, 0);
}

// Any grouping of nodes: nothing crosses between groups while partitioned (packets sent
// before the partition and arriving during it included); after heal everything flows again.
RC_GTEST_PROP(SimNetwork, PartitionedLinksDeliverNothingHealedDeliverAgain,
              (std::vector<std::uint8_t> group_of_node)) {
  RC_PRE(group_of_node.size() >= 2);
  const int n = static_cast<int>(std::min<std::size_t>(group_of_node.size(), 8));
  Net w(n, 14);
  std::vector<std::vector<NodeId>> groups(3);
  for (int i = 0; i < n; ++i) groups[group_of_node[i] % 3].push_back(w.nodes[i]);
  auto same_group = [&](int a, int b) { return group_of_node[a] % 3 == group_of_node[b] % 3; };
  auto send_all = [&] {
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < n; ++b) w.send(a, b, std::to_string(a));
    }
  };
  send_all();  // in flight when the partition starts
  w.net().set_partition(groups);
  send_all();  // sent during the partition
  w.sim.run_until(at_ms(100));
  for (int b = 0; b < n; ++b) {
    for (const auto& r : w.inbox[b]) {
      const int a = static_cast<int>(r.from.value);
      RC_ASSERT(same_group(a, b));
    }
    w.inbox[b].clear();
  }
  w.net().heal();
  send_all();
  w.sim.run_until(at_ms(200));
  for (int b = 0; b < n; ++b) RC_ASSERT(w.inbox[b].size() == static_cast<std::size_t>(n));
}

TEST(SimNetwork, AsymmetricBlockOneWayOnly) {
  Net w(2);
  w.net().block(w.nodes[0], w.nodes[1]);  // 0 -> 1 cut, 1 -> 0 flows: 1 hears nothing from 0
  EXPECT_TRUE(w.net().is_blocked(w.nodes[0], w.nodes[1]));
  EXPECT_FALSE(w.net().is_blocked(w.nodes[1], w.nodes[0]));
  w.send(0, 1, "lost");
  w.send(1, 0, "heard");
  w.sim.run_until_idle(100);
  EXPECT_TRUE(w.inbox[1].empty());
  ASSERT_EQ(w.inbox[0].size(), 1u);
  EXPECT_EQ(w.net().counters().dropped_partition, 1u);
  w.net().unblock(w.nodes[0], w.nodes[1]);
  w.send(0, 1, "now");
  w.sim.run_until_idle(100);
  EXPECT_EQ(w.inbox[1].size(), 1u);
}

TEST(SimNetwork, AddPartitionIsCumulative) {
  Net w(3);
  w.net().add_partition({{w.nodes[0]}, {w.nodes[1]}});
  w.net().add_partition({{w.nodes[1]}, {w.nodes[2]}});
  EXPECT_TRUE(w.net().is_blocked(w.nodes[0], w.nodes[1]));
  EXPECT_TRUE(w.net().is_blocked(w.nodes[2], w.nodes[1]));
  EXPECT_FALSE(w.net().is_blocked(w.nodes[0], w.nodes[2]));
  w.net().set_partition({{w.nodes[0]}, {w.nodes[2]}});  // replaces
  EXPECT_FALSE(w.net().is_blocked(w.nodes[0], w.nodes[1]));
  EXPECT_TRUE(w.net().is_blocked(w.nodes[2], w.nodes[0]));
}

TEST(SimNetwork, ClogHoldsThenReleasesInArrivalOrder) {
  Net w(2);
  LinkParams params;
  params.latency = LatencyModel::uniform(ms(1), ms(3));
  w.net().set_default_link(params);
  w.net().clog(w.nodes[0], w.nodes[1], at_ms(50));
  for (int i = 0; i < 20; ++i) w.send(0, 1, std::to_string(i));
  w.send(1, 0, "other way");
  w.sim.run_until(at_ms(49));
  EXPECT_TRUE(w.inbox[1].empty());
  EXPECT_EQ(w.inbox[0].size(), 1u);
  EXPECT_TRUE(w.net().is_clogged(w.nodes[0], w.nodes[1]));
  w.sim.run_until(at_ms(50));
  ASSERT_EQ(w.inbox[1].size(), 20u);
  for (const auto& r : w.inbox[1]) EXPECT_EQ(r.time_ns, ms(50).ns());
  EXPECT_FALSE(w.net().is_clogged(w.nodes[0], w.nodes[1]));
}

TEST(SimNetwork, ClogCanBeExtendedAndReleasedEarly) {
  Net w(2);
  w.net().clog(w.nodes[0], w.nodes[1], at_ms(10));
  w.net().clog(w.nodes[0], w.nodes[1], at_ms(30));  // extends
  w.send(0, 1, "a");
  w.sim.run_until(at_ms(20));
  EXPECT_TRUE(w.inbox[1].empty());
  w.net().unclog(w.nodes[0], w.nodes[1]);
  w.sim.run_until(at_ms(21));
  ASSERT_EQ(w.inbox[1].size(), 1u);
  EXPECT_EQ(w.inbox[1][0].time_ns, ms(20).ns());
}

TEST(SimNetwork, PacketsToACrashedOrRestartedNodeAreDropped) {
  Net w(2);
  LinkParams params;
  params.latency = LatencyModel::constant(ms(10));
  w.net().set_default_link(params);
  w.send(0, 1, "to the old incarnation");
  w.sim.run_until(at_ms(2));
  w.sim.crash(w.nodes[1]);
  w.sim.run_until(at_ms(3));
  w.sim.restart(w.nodes[1]);  // back before the packet lands: still dropped
  w.sim.run_until(at_ms(20));
  EXPECT_TRUE(w.inbox[1].empty());
  w.send(0, 1, "to the new incarnation");
  w.sim.crash(w.nodes[1]);
  w.sim.run_until(at_ms(40));
  EXPECT_TRUE(w.inbox[1].empty());
  EXPECT_EQ(w.net().counters().dropped_node_down, 2u);
  w.sim.restart(w.nodes[1]);
  w.send(0, 1, "delivered");
  w.sim.run_until(at_ms(60));
  EXPECT_EQ(w.inbox[1].size(), 1u);
}

TEST(SimNetwork, LinkParametersChangeDuringARun) {
  Net w(2);
  w.send(0, 1, "a");  // default 1 ms
  LinkParams params;
  params.latency = LatencyModel::constant(ms(5));
  w.net().set_link(w.nodes[0], w.nodes[1], params);
  w.send(0, 1, "b");
  w.net().clear_link_overrides();
  w.send(0, 1, "c");
  w.sim.run_until_idle(100);
  ASSERT_EQ(w.inbox[1].size(), 3u);
  EXPECT_EQ(w.inbox[1][0].time_ns, ms(1).ns());
  EXPECT_EQ(w.inbox[1][1].time_ns, ms(1).ns());
  EXPECT_EQ(w.inbox[1][2].time_ns, ms(5).ns());
}

TEST(SimNetwork, NoHandlerCountsAsDropped) {
  Simulator sim(1);
  const NodeId a = sim.add_node("a");
  const EndpointId e0 = sim.network().add_endpoint(a);
  const EndpointId e1 = sim.network().add_endpoint(a);
  sim.network().send(e0, e1, "void");
  sim.run_until_idle(10);
  EXPECT_EQ(sim.network().counters().dropped_no_handler, 1u);
}

}  // namespace
}  // namespace imsim::sim
