// Connections: handshake, FIFO and loss-free delivery, close, reset seen by both ends,
// partitions (stall, then reset after stall_timeout; healed in time: nothing lost), clogs,
// crashes of either end, connect failures.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <imsim/sim/simulator.hpp>
#include <string>
#include <vector>

namespace imsim::sim {
namespace {

Duration ms(std::int64_t v) { return Duration::from_ms(v); }
SimTime at_ms(std::int64_t v) { return SimTime::zero() + ms(v); }

struct Seen {
  std::int64_t time_ns;
  ConnId conn;
  ConnEventKind kind;
  std::string bytes;
};

// Two nodes, a client endpoint on node 0 and a server endpoint on node 1.
struct Pair {
  Simulator sim;
  NodeId n0, n1;
  EndpointId client, server;
  std::vector<Seen> at_client, at_server;

  explicit Pair(std::uint64_t seed = 1) : sim(seed) {
    n0 = sim.add_node("client");
    n1 = sim.add_node("server");
    client = net().add_endpoint(n0);
    server = net().add_endpoint(n1);
    net().set_conn_handler(client, [this](ConnId c, ConnEvent e) {
      at_client.push_back({sim.now().ns(), c, e.kind, std::move(e.bytes)});
    });
    net().set_conn_handler(server, [this](ConnId c, ConnEvent e) {
      at_server.push_back({sim.now().ns(), c, e.kind, std::move(e.bytes)});
    });
  }
  Network& net() { return sim.network(); }
  static std::vector<ConnEventKind> kinds(const std::vector<Seen>& seen) {
    std::vector<ConnEventKind> out;
    for (const auto& s : seen) out.push_back(s.kind);
    return out;
  }
  static std::vector<std::string> data(const std::vector<Seen>& seen) {
    std::vector<std::string> out;
    for (const auto& s : seen) {
      if (s.kind == ConnEventKind::data) out.push_back(s.bytes);
    }
    return out;
  }
  // Every link `wild` (latency up to max_latency; loss, duplication and reordering with
  // probability p), retransmissions practically never giving up, and a connection with
  // `transport` waited for however long its handshake takes.
  ConnId open_wild(Duration max_latency, double p, Transport transport) {
    LinkParams wild;
    wild.latency = LatencyModel::uniform(Duration::from_ms(1), max_latency);
    wild.loss_probability = p;
    wild.duplicate_probability = p;
    wild.reorder_probability = p;
    net().set_default_link(wild);
    NetworkConfig config;
    config.retransmit_max = 64;
    config.connect_timeout = Duration::from_s(3600);
    net().set_config(config);
    const ConnId c = net().connect(client, server, transport);
    while (!net().is_open_at(c, client)) sim.run_for(Duration::from_ms(100));
    return c;
  }
  ConnId open() {
    const ConnId c = net().connect(client, server);
    sim.run_for(ms(10));
    IMSIM_ASSERT(net().is_open_at(c, client));
    return c;
  }
};

using K = ConnEventKind;

TEST(SimConnection, HandshakeOpensBothEnds) {
  Pair p;
  const ConnId c = p.net().connect(p.client, p.server);
  EXPECT_FALSE(p.net().send_on(c, p.client, "too early"));
  p.sim.run_until_idle(100);
  ASSERT_EQ(Pair::kinds(p.at_server), (std::vector<K>{K::opened}));
  ASSERT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::opened}));
  EXPECT_EQ(p.at_server[0].time_ns, ms(1).ns());  // SYN: one default latency
  EXPECT_EQ(p.at_client[0].time_ns, ms(2).ns());  // SYN-ACK: a round trip
  EXPECT_EQ(p.net().peer_of(c, p.client), p.server);
  EXPECT_EQ(p.net().counters().conns_opened, 1u);
}

// Whatever the latency spread, loss (retransmitted), duplication and reordering settings
// (datagrams only), data on a stream arrives complete and in order in both directions while the
// connection lives (retransmit_max at its ceiling: 65 losses in a row never happen here).
RC_GTEST_PROP(SimConnection, FifoAndLossFree, (std::uint64_t seed, std::uint8_t count)) {
  Pair p(seed);
  const ConnId c = p.open_wild(ms(50), 0.5, Transport::stream);
  std::vector<std::string> sent;
  for (int i = 0; i < count; ++i) {
    sent.push_back(std::to_string(i));
    RC_ASSERT(p.net().send_on(c, p.client, sent.back()));
    RC_ASSERT(p.net().send_on(c, p.server, sent.back()));
    p.sim.run_for(Duration::from_us(100 * (i % 7)));
  }
  p.sim.run_until_idle(100'000);
  RC_ASSERT(Pair::data(p.at_server) == sent);
  RC_ASSERT(Pair::data(p.at_client) == sent);
}

TEST(SimConnection, ResetIsSeenByBothEndsAndDropsInFlightData) {
  Pair p;
  const ConnId c = p.open();
  p.net().send_on(c, p.client, "in flight");
  p.net().reset(c);
  EXPECT_FALSE(p.net().is_live(c));
  EXPECT_FALSE(p.net().send_on(c, p.client, "after"));
  p.net().reset(c);  // twice is harmless
  p.sim.run_until_idle(100);
  EXPECT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::opened, K::reset}));
  EXPECT_EQ(Pair::kinds(p.at_server), (std::vector<K>{K::opened, K::reset}));
  EXPECT_EQ(p.net().counters().conn_messages_dropped, 1u);
  EXPECT_EQ(p.net().counters().conns_reset, 1u);
}

TEST(SimConnection, CloseDeliversPendingDataThenClosed) {
  Pair p;
  const ConnId c = p.open();
  p.net().send_on(c, p.client, "1");
  p.net().send_on(c, p.client, "2");
  p.net().close(c, p.client);
  EXPECT_FALSE(p.net().send_on(c, p.client, "3"));
  EXPECT_FALSE(p.net().send_on(c, p.server, "x"));
  p.sim.run_until_idle(100);
  EXPECT_EQ(Pair::kinds(p.at_server), (std::vector<K>{K::opened, K::data, K::data, K::closed}));
  EXPECT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::opened, K::closed}));
  EXPECT_FALSE(p.net().is_live(c));
}

TEST(SimConnection, PartitionStallsThenResetsAfterStallTimeout) {
  Pair p;
  p.net().set_config({.connect_timeout = ms(500), .stall_timeout = ms(100)});
  const ConnId c = p.open();  // t = 10 ms
  p.net().block(p.n1, p.n0);  // one direction is enough: TCP needs ACKs back
  p.net().send_on(c, p.client, "stuck");
  p.sim.run_until(at_ms(109));
  EXPECT_TRUE(p.net().is_live(c));
  p.sim.run_until(at_ms(111));
  EXPECT_FALSE(p.net().is_live(c));
  EXPECT_EQ(p.at_client.back().kind, K::reset);
  EXPECT_EQ(p.at_server.back().kind, K::reset);
  EXPECT_EQ(p.at_client.back().time_ns, ms(110).ns());
}

TEST(SimConnection, PartitionHealedInTimeLosesNothing) {
  Pair p;
  p.net().set_config({.connect_timeout = ms(500), .stall_timeout = ms(100)});
  const ConnId c = p.open();
  p.net().set_partition({{p.n0}, {p.n1}});
  for (int i = 0; i < 5; ++i) p.net().send_on(c, p.client, std::to_string(i));
  p.sim.run_until(at_ms(60));
  EXPECT_TRUE(Pair::data(p.at_server).empty());
  p.net().heal();
  p.net().send_on(c, p.client, "5");
  p.sim.run_until(at_ms(300));
  EXPECT_TRUE(p.net().is_live(c));
  EXPECT_EQ(Pair::data(p.at_server), (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
}

TEST(SimConnection, ZeroStallTimeoutResetsAtOnce) {
  Pair p;
  p.net().set_config({.connect_timeout = ms(500), .stall_timeout = Duration::zero()});
  const ConnId c = p.open();
  p.net().block(p.n0, p.n1);
  p.sim.run_until(p.sim.now());
  EXPECT_FALSE(p.net().is_live(c));
}

TEST(SimConnection, ClogHoldsFramesInOrder) {
  Pair p;
  const ConnId c = p.open();
  p.net().clog(p.n0, p.n1, at_ms(80));
  for (int i = 0; i < 10; ++i) p.net().send_on(c, p.client, std::to_string(i));
  p.sim.run_until(at_ms(79));
  EXPECT_TRUE(Pair::data(p.at_server).empty());
  p.sim.run_until(at_ms(81));
  EXPECT_EQ(Pair::data(p.at_server).size(), 10u);
  EXPECT_EQ(Pair::data(p.at_server).front(), "0");
  EXPECT_EQ(Pair::data(p.at_server).back(), "9");
}

TEST(SimConnection, CrashResetsConnectionsTheSurvivorObserves) {
  Pair p;
  const ConnId c = p.open();
  p.net().send_on(c, p.client, "lost with the crash");
  p.sim.crash(p.n1);
  p.sim.run_until_idle(100);
  EXPECT_FALSE(p.net().is_live(c));
  EXPECT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::opened, K::reset}));
  EXPECT_EQ(Pair::kinds(p.at_server), (std::vector<K>{K::opened}));  // it was down
}

TEST(SimConnection, ConnectToAPartitionedOrDownPeerFails) {
  Pair p;
  p.net().set_config({.connect_timeout = ms(300), .stall_timeout = ms(1000)});
  p.net().block(p.n0, p.n1);
  const ConnId c = p.net().connect(p.client, p.server);
  p.sim.run_until_idle(100);
  EXPECT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::failed}));
  EXPECT_EQ(p.at_client[0].time_ns, ms(300).ns());
  EXPECT_TRUE(p.at_server.empty());
  EXPECT_FALSE(p.net().is_live(c));

  p.net().heal();
  p.sim.crash(p.n1);
  p.at_client.clear();
  p.net().connect(p.client, p.server);
  p.sim.run_until_idle(100);
  EXPECT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::failed}));
  EXPECT_EQ(p.net().counters().conns_failed, 2u);
}

TEST(SimConnection, HandlersMayResetFromInsideAnEvent) {
  Pair p;
  ConnId c;
  p.net().set_conn_handler(p.server, [&](ConnId conn, ConnEvent e) {
    p.at_server.push_back({p.sim.now().ns(), conn, e.kind, e.bytes});
    if (e.kind == K::data) p.net().reset(conn);
  });
  c = p.open();
  p.net().send_on(c, p.client, "a");
  p.net().send_on(c, p.client, "b");
  p.sim.run_until_idle(100);
  EXPECT_EQ(Pair::kinds(p.at_server), (std::vector<K>{K::opened, K::data, K::reset}));
  EXPECT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::opened, K::reset}));
}

// ---- Stream loss: retransmission timeouts, head-of-line blocking, resets ---------------------

// The link loses every transmission from the client; the stream's RTO (rto_min: the handshake's
// 2 ms RTT sample is far below it) doubles per retransmission of the oldest frame, and after
// retransmit_max of them the connection resets when the last RTO expires: 200 + 400 + 800 ms
// after the send.
TEST(SimStreamLoss, ConsecutiveLossesResetWhenTheLastRtoExpires) {
  Pair p;
  NetworkConfig config;
  config.retransmit_max = 2;
  p.net().set_config(config);
  const ConnId c = p.open();
  LinkParams lossy = p.net().default_link();
  lossy.loss_probability = 1.0;
  p.net().set_link(p.n0, p.n1, lossy);
  const std::int64_t sent_at = p.sim.now().ns();
  ASSERT_TRUE(p.net().send_on(c, p.client, "doomed"));
  ASSERT_TRUE(p.net().send_on(c, p.client, "behind it"));
  p.sim.run_until_idle(1000);
  ASSERT_EQ(Pair::kinds(p.at_client), (std::vector<K>{K::opened, K::reset}));
  ASSERT_EQ(Pair::kinds(p.at_server), (std::vector<K>{K::opened, K::reset}));
  EXPECT_EQ(p.at_client[1].time_ns - sent_at, ms(200 + 400 + 800).ns());
  EXPECT_EQ(p.at_server[1].time_ns - sent_at, ms(200 + 400 + 800).ns());
  EXPECT_EQ(p.net().counters().conns_reset_retransmit, 1u);
  // The oldest frame's 3 losses, the 3rd giving up, and the retries of the frame behind it.
  EXPECT_GE(p.net().counters().conn_segments_retransmitted, 4u);
  EXPECT_EQ(p.net().counters().conn_messages_dropped, 2u);
}

// A lossy link delays frames by whole RTOs and never reorders them: the frame behind a
// retransmitted one arrives no earlier than it (head-of-line blocking).
TEST(SimStreamLoss, LossDelaysByRtosAndBlocksTheFramesBehind) {
  Pair p(7);
  NetworkConfig config;
  config.retransmit_max = 64;
  p.net().set_config(config);
  const ConnId c = p.open();
  LinkParams lossy = p.net().default_link();
  lossy.loss_probability = 0.3;
  p.net().set_link(p.n0, p.n1, lossy);
  std::vector<std::string> sent;
  std::vector<std::int64_t> sent_at;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(std::to_string(i));
    sent_at.push_back(p.sim.now().ns());
    ASSERT_TRUE(p.net().send_on(c, p.client, sent.back()));
    p.sim.run_for(ms(5));
  }
  p.sim.run_until_idle(100'000);
  ASSERT_EQ(Pair::data(p.at_server), sent);
  EXPECT_GT(p.net().counters().conn_segments_retransmitted, 30u);
  EXPECT_EQ(p.net().counters().conns_reset_retransmit, 0u);
  std::int64_t delayed = 0;
  std::int64_t previous = 0;  // delivery never goes back in time, whatever each frame's tries
  std::size_t i = 0;
  for (const Seen& seen : p.at_server) {
    if (seen.kind != K::data) continue;
    EXPECT_GE(seen.time_ns, previous);
    previous = seen.time_ns;
    const std::int64_t delay = seen.time_ns - sent_at[i++];
    EXPECT_GE(delay, ms(1).ns());
    if (delay >= ms(200).ns()) delayed++;  // waited at least one RTO (rto_min)
  }
  EXPECT_GT(delayed, 30);  // its own loss or one ahead of it
}

// Frames of n bytes are ceil(n / segment_bytes) segments: at the same loss rate, big frames
// are retransmitted more often than small ones.
TEST(SimStreamLoss, BigFramesLoseMoreSegments) {
  auto retransmissions = [](std::size_t bytes) {
    Pair p(3);
    NetworkConfig config;
    config.retransmit_max = 64;
    p.net().set_config(config);
    const ConnId c = p.open();
    LinkParams lossy = p.net().default_link();
    lossy.loss_probability = 0.05;
    p.net().set_link(p.n0, p.n1, lossy);
    for (int i = 0; i < 100; ++i) {
      EXPECT_TRUE(p.net().send_on(c, p.client, std::string(bytes, 'x')));
      p.sim.run_for(ms(1));
    }
    p.sim.run_until_idle(100'000);
    EXPECT_EQ(Pair::data(p.at_server).size(), 100u);
    return p.net().counters().conn_segments_retransmitted;
  };
  EXPECT_GT(retransmissions(20 * 1400), 5 * retransmissions(100));
}

// Each retransmission is drawn with the link as it is then: a burst of total loss delays the
// frame, and the first retransmission after the loss ends gets it through.
TEST(SimStreamLoss, RetransmissionsSeeTheLinkAsItIsThen) {
  Pair p;
  const ConnId c = p.open();
  LinkParams lossy = p.net().default_link();
  lossy.loss_probability = 1.0;
  p.net().set_link(p.n0, p.n1, lossy);
  const std::int64_t sent_at = p.sim.now().ns();
  ASSERT_TRUE(p.net().send_on(c, p.client, "late"));
  p.sim.run_for(ms(500));  // tries at +0 and +200 lost; the next is due at +600
  p.net().clear_link(p.n0, p.n1);
  p.sim.run_until_idle(100);
  ASSERT_EQ(Pair::data(p.at_server), (std::vector<std::string>{"late"}));
  EXPECT_EQ(p.at_server.back().time_ns - sent_at, ms(200 + 400 + 1).ns());
  EXPECT_EQ(p.net().counters().conn_segments_retransmitted, 2u);
}

// A loss-free link draws nothing for loss: the run is the one a stream without the loss model
// gives (arrival = send + latency, FIFO).
TEST(SimStreamLoss, LossFreeLinksAreUntouched) {
  Pair p;
  const ConnId c = p.open();
  ASSERT_TRUE(p.net().send_on(c, p.client, "a"));
  p.sim.run_until_idle(100);
  EXPECT_EQ(p.at_server.back().time_ns - ms(10).ns(), ms(1).ns());
  EXPECT_EQ(p.net().counters().conn_segments_retransmitted, 0u);
}

// ---- Datagram transport --------------------------------------------------------------------

// Data frames are lost, duplicated and reordered, never retransmitted; the counters add up.
TEST(SimDatagramTransport, DataFramesAreUnreliableAndCounted) {
  Pair p(11);
  const ConnId c = p.open_wild(ms(30), 0.2, Transport::datagram);
  const std::uint64_t handshake_retransmissions = p.net().counters().conn_segments_retransmitted;
  const int sent = 500;
  for (int i = 0; i < sent; ++i) {
    ASSERT_TRUE(p.net().send_on(c, p.client, std::to_string(i)));
    p.sim.run_for(ms(1));
  }
  p.sim.run_until_idle(100'000);
  const auto got = Pair::data(p.at_server);
  const auto& n = p.net().counters();
  EXPECT_EQ(n.conn_messages_delivered + n.conn_frames_lost + n.conn_messages_dropped,
            std::uint64_t(sent) + n.conn_frames_duplicated);
  EXPECT_EQ(got.size(), n.conn_messages_delivered);
  EXPECT_GT(n.conn_frames_lost, 50u);
  EXPECT_GT(n.conn_frames_duplicated, 50u);
  int inversions = 0;
  for (std::size_t i = 1; i < got.size(); ++i) {
    if (std::stoi(got[i]) < std::stoi(got[i - 1])) inversions++;
  }
  EXPECT_GT(inversions, 50);
  EXPECT_EQ(n.conn_segments_retransmitted, handshake_retransmissions);  // data: never
}

// A partition loses a datagram-transport frame at arrival instead of holding it.
TEST(SimDatagramTransport, PartitionLosesDataFrames) {
  Pair p;
  const ConnId c = p.net().connect(p.client, p.server, Transport::datagram);
  p.sim.run_for(ms(10));
  ASSERT_TRUE(p.net().is_open_at(c, p.client));
  ASSERT_TRUE(p.net().send_on(c, p.client, "lost"));
  p.net().block(p.n0, p.n1);
  p.sim.run_for(ms(100));
  p.net().unblock(p.n0, p.n1);
  ASSERT_TRUE(p.net().send_on(c, p.client, "kept"));
  p.sim.run_until_idle(100);
  EXPECT_EQ(Pair::data(p.at_server), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(p.net().counters().conn_frames_lost, 1u);
}

}  // namespace
}  // namespace imsim::sim
