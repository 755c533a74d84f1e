// End-to-end exchanges through every role, in the test World.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC1{1};

std::vector<ClientMsgId> timeline_ids(World& w, ConvId conv) {
  std::vector<ClientMsgId> ids;
  for (const TimelineEntry& e : w.store_of(conv).timeline(conv)) ids.push_back(e.msg.id);
  return ids;
}

// The script: A sends to B while B is offline -> B comes online and pages -> B's second
// device syncs the same -> A's other device sees A's message as sent.
// Both devices of a two-user chat online; u1/d1 sends nine messages into c1, all settled.
// Returns them (empty if the world did not settle).
std::vector<ClientMsgId> nine_sent(World& w) {
  w.online(dev(1, 1));
  w.online(dev(2, 1));
  w.run_for(100 * kMs);
  std::vector<ClientMsgId> sent;
  for (int i = 0; i < 9; i++) sent.push_back(w.send(dev(1, 1), kC1, std::to_string(i)));
  if (!w.settle()) sent.clear();
  return sent;
}

TEST(EndToEnd, OfflineRecipientPagesThenSecondDeviceThenSendersOtherDevice) {
  World w(fast_config(), make_topology(2, 2, {{kC1, {UserId{1}, UserId{2}}}}));
  const DeviceId a1 = dev(1, 1), a2 = dev(1, 2), b1 = dev(2, 1), b2 = dev(2, 2);
  w.online(a1);
  w.run_for(100 * kMs);
  ASSERT_TRUE(w.device(a1).online());

  std::vector<ClientMsgId> sent;
  for (int i = 0; i < 10; i++) sent.push_back(w.send(a1, kC1, "hello " + std::to_string(i)));
  ASSERT_TRUE(w.settle());
  for (const ClientMsgId& m : sent) {
    EXPECT_EQ(w.device(a1).status(m), OutboxStatus::sent);
    EXPECT_EQ(w.acks(a1, m).size(), 1u);
  }
  EXPECT_EQ(timeline_ids(w, kC1), sent);  // conv_seq order = send order (one lane)
  EXPECT_EQ(w.store_of(UserId{2}).inbox(UserId{2}).size(), 10u);  // B's inbox, while offline
  EXPECT_EQ(w.store_of(UserId{1}).inbox(UserId{1}).size(), 10u);  // the sender's own inbox too

  w.online(b1);  // pages: 10 entries, page size 4
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.displayed(b1, kC1), sent);
  EXPECT_EQ(w.device(b1).checkpoint(), InboxSeq{10});
  EXPECT_GE(w.device(b1).device_counters().pages_applied, 3u);

  w.online(b2);
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.displayed(b2, kC1), sent);

  w.online(a2);
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.displayed(a2, kC1), sent);  // A's own messages, synced from A's inbox
  EXPECT_EQ(w.displayed(a1, kC1), sent);
}

TEST(EndToEnd, OnlineRecipientsGetPushesInOrder) {
  World w(fast_config(), make_topology(2, 1, {{kC1, {UserId{1}, UserId{2}}}}));
  w.online(dev(1, 1));
  w.online(dev(2, 1));
  w.run_for(100 * kMs);
  std::vector<ClientMsgId> sent;
  for (int i = 0; i < 5; i++) {
    sent.push_back(w.send(dev(1, 1), kC1, "a" + std::to_string(i)));
    sent.push_back(w.send(dev(2, 1), kC1, "b" + std::to_string(i)));
  }
  ASSERT_TRUE(w.settle());
  const auto timeline = timeline_ids(w, kC1);
  EXPECT_EQ(timeline.size(), 10u);
  EXPECT_EQ(w.displayed(dev(1, 1), kC1), timeline);
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), timeline);
  EXPECT_GT(w.device(dev(2, 1)).device_counters().pushes_applied, 0u);
}

TEST(EndToEnd, LargeGroupUsesReadFanOut) {
  Config c = fast_config();
  c.large_group_threshold = 2;
  World w(c, make_topology(4, 1, {{kC1, {UserId{1}, UserId{2}, UserId{3}, UserId{4}}}}));
  for (std::uint32_t u = 1; u <= 4; u++) w.online(dev(u, 1));
  w.run_for(100 * kMs);
  std::vector<ClientMsgId> sent;
  for (int i = 0; i < 6; i++) sent.push_back(w.send(dev(1, 1), kC1, "m" + std::to_string(i)));
  ASSERT_TRUE(w.settle());
  for (std::uint32_t u = 1; u <= 4; u++) {
    EXPECT_EQ(w.displayed(dev(u, 1), kC1), sent) << u;
    EXPECT_TRUE(w.store_of(UserId{u}).inbox(UserId{u}).empty());  // no inbox copies
  }
  std::uint64_t read_fanout_reads = 0, inbox_writes = 0;
  for (std::uint32_t s = 0; s < w.topology().store_count; s++) {
    read_fanout_reads += w.store(s).store_counters().timeline_reads_read_fanout;
    inbox_writes += w.store(s).store_counters().inbox_writes;
  }
  EXPECT_GT(read_fanout_reads, 0u);
  EXPECT_EQ(inbox_writes, 0u);
}

TEST(EndToEnd, ReinstalledDeviceRoamsHistoryBackwards) {
  World w(fast_config(), make_topology(2, 1, {{kC1, {UserId{1}, UserId{2}}}}));
  std::vector<ClientMsgId> sent = nine_sent(w);
  ASSERT_EQ(sent.size(), 9u);
  w.reinstall(dev(2, 1));
  w.online(dev(2, 1));
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), sent);
  // Roamed history is shown at the top, newest first.
  const auto& obs = w.slot(dev(2, 1)).observations;
  ASSERT_FALSE(obs.empty());
  EXPECT_EQ(std::get<Displayed>(obs.front()).at, DisplayAt::top);
  EXPECT_EQ(std::get<Displayed>(obs.front()).msg, sent.back());
  // New messages after the reinstall go to the bottom.
  const ClientMsgId later = w.send(dev(1, 1), kC1, "later");
  ASSERT_TRUE(w.settle());
  sent.push_back(later);
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), sent);
}

TEST(EndToEnd, ARoamedViewThatReachesTheFirstMessageReportsTopReached) {
  World w(fast_config(), make_topology(2, 1, {{kC1, {UserId{1}, UserId{2}}}}));
  std::vector<ClientMsgId> sent = nine_sent(w);
  ASSERT_EQ(sent.size(), 9u);
  // A view anchored at an empty conversation holds it all by construction: nothing to report.
  EXPECT_EQ(w.tops_reached(dev(2, 1), kC1), 0u);
  w.reinstall(dev(2, 1));
  w.online(dev(2, 1));
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), sent);
  EXPECT_EQ(w.tops_reached(dev(2, 1), kC1), 1u);
  EXPECT_TRUE(w.device(dev(2, 1)).top_reached(kC1));
  // After an app kill the install still knows, and says nothing twice.
  w.kill(dev(2, 1));
  ASSERT_TRUE(w.settle());
  EXPECT_TRUE(w.device(dev(2, 1)).top_reached(kC1));
}

TEST(EndToEnd, RoamingStopsAtItsLimitUntilTheUserPagesBack) {
  Config config = fast_config();
  config.roam_messages_max = 3;
  config.inbox_ttl = Duration::from_ms(5'000);  // the new install cannot take it all from the inbox
  World w(config, make_topology(2, 1, {{kC1, {UserId{1}, UserId{2}}}}));
  std::vector<ClientMsgId> sent = nine_sent(w);
  ASSERT_EQ(sent.size(), 9u);
  w.run_for(10'000 * kMs);
  w.reinstall(dev(2, 1));
  w.online(dev(2, 1));
  ASSERT_TRUE(w.settle());
  const auto partial = w.displayed(dev(2, 1), kC1);
  ASSERT_LT(partial.size(), sent.size());  // the automatic roam stopped short
  EXPECT_EQ(w.tops_reached(dev(2, 1), kC1), 0u);
  w.page_back(dev(2, 1), kC1);
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), sent);
  EXPECT_EQ(w.tops_reached(dev(2, 1), kC1), 1u);
}

TEST(EndToEnd, ExpiredInboxRangeTriggersResyncFromTimelines) {
  Config c = fast_config();
  c.inbox_ttl = Duration::from_ms(5'000);
  World w(c, make_topology(2, 1, {{kC1, {UserId{1}, UserId{2}}}}));
  w.online(dev(1, 1));
  w.online(dev(2, 1));
  w.run_for(100 * kMs);
  std::vector<ClientMsgId> sent{w.send(dev(1, 1), kC1, "before")};
  ASSERT_TRUE(w.settle());
  w.offline(dev(2, 1));
  for (int i = 0; i < 6; i++) sent.push_back(w.send(dev(1, 1), kC1, std::to_string(i)));
  ASSERT_TRUE(w.settle());
  w.run_for(10'000 * kMs);  // B's missed entries expire
  sent.push_back(w.send(dev(1, 1), kC1, "after ttl"));
  ASSERT_TRUE(w.settle());
  EXPECT_GT(w.store_of(UserId{2}).inbox_low(UserId{2}).value, 2u);
  w.online(dev(2, 1));
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.device(dev(2, 1)).device_counters().ttl_resyncs, 1u);
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), sent);
}

TEST(EndToEnd, AppKillKeepsOutboxAndView) {
  World w(fast_config(), make_topology(2, 1, {{kC1, {UserId{1}, UserId{2}}}}));
  w.online(dev(1, 1));
  w.online(dev(2, 1));
  w.run_for(100 * kMs);
  std::vector<ClientMsgId> sent{w.send(dev(1, 1), kC1, "x"), w.send(dev(1, 1), kC1, "y")};
  w.run_for(3 * kMs);  // records durable, sends in flight
  w.kill(dev(1, 1));
  w.kill(dev(2, 1));
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(timeline_ids(w, kC1), sent);
  EXPECT_EQ(w.device(dev(1, 1)).status(sent[0]), OutboxStatus::sent);
  EXPECT_EQ(w.device(dev(2, 1)).view(kC1), sent);
  EXPECT_EQ(w.displayed(dev(2, 1), kC1), sent);  // no display twice across the kill
}

TEST(EndToEnd, LossyNetworkStillConverges) {
  World w(fast_config(), make_topology(3, 2, {{kC1, {UserId{1}, UserId{2}, UserId{3}}}}));
  std::uint64_t n = 0;
  w.drop_datagram = [&](Address, Address, const Bytes&) { return (++n % 3) == 0; };
  for (std::uint32_t u = 1; u <= 3; u++) {
    for (std::uint32_t d = 1; d <= 2; d++) w.online(dev(u, d));
  }
  w.run_for(100 * kMs);
  std::vector<ClientMsgId> sent;
  for (int i = 0; i < 4; i++) {
    for (std::uint32_t u = 1; u <= 3; u++) sent.push_back(w.send(dev(u, 1), kC1, "m"));
  }
  w.run_for(20'000 * kMs);  // a third of all datagrams lost, then heal
  w.drop_datagram = nullptr;
  ASSERT_TRUE(w.settle());
  const auto timeline = timeline_ids(w, kC1);
  EXPECT_EQ(timeline.size(), sent.size());
  for (std::uint32_t u = 1; u <= 3; u++) {
    for (std::uint32_t d = 1; d <= 2; d++) EXPECT_EQ(w.displayed(dev(u, d), kC1), timeline);
  }
}

}  // namespace
}  // namespace imsim::engine::testing
