// Queue unit tests: durable before delivery, redelivery, Done, recovery.
#include "role_helpers.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC{1};
const Address kGw{RoleKind::gateway, 0};

struct QueueFixture : ::testing::Test {
  Config config = fast_config();
  Topology topology = make_topology(2, 1, {{kC, {UserId{1}, UserId{2}}}});
  std::unique_ptr<Queue> queue;
  DurableMap durable;

  void SetUp() override { restart(); }
  Effects restart() {
    queue = std::make_unique<Queue>(config, topology, 0, nullptr);
    Effects fx;
    queue->recover(durable, LocalTime{}, fx);
    return fx;
  }
  Effects in(Address from, const Frame& f, LocalTime now = {}) {
    Effects fx;
    queue->on_datagram(from, encode(f), now, fx);
    return fx;
  }
};

TEST_F(QueueFixture, DeliversOnlyDurableEntriesAndRedeliversUntilDone) {
  const MessageData m = message(dev(1, 1), kC, 1, 1);
  Effects fx = in(kGw, Enqueue{Origin{0, ConnId{5}}, m});
  EXPECT_TRUE(frames_of<Deliver>(fx).empty());  // not durable yet
  Effects done = complete_storage(*queue, fx, durable);
  const Deliver d = only_frame<Deliver>(done);
  EXPECT_EQ(d.msg, m);
  EXPECT_EQ(d.origin.conn, ConnId{5});
  ASSERT_EQ(done.timers_set.size(), 1u);
  Effects again;
  queue->on_timer(done.timers_set[0].id, done.timers_set[0].deadline, again);
  EXPECT_EQ(only_frame<Deliver>(again).offset, d.offset);  // redelivered
  Effects fin = in(Address{RoleKind::processor, 0}, Done{d.partition, d.offset, m.id});
  EXPECT_EQ(queue->pending_count(), 0u);
  ASSERT_EQ(fin.storage.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<StorageErase>(fin.storage[0]));
}

TEST_F(QueueFixture, DuplicateEnqueueKeepsOneEntryWithTheNewestOrigin) {
  const MessageData m = message(dev(1, 1), kC, 1, 1);
  Effects a = in(kGw, Enqueue{Origin{0, ConnId{5}}, m});
  Effects b = in(kGw, Enqueue{Origin{0, ConnId{6}}, m});
  EXPECT_TRUE(b.storage.empty());
  EXPECT_EQ(queue->pending_count(), 1u);
  Effects done = complete_storage(*queue, a, durable);
  EXPECT_EQ(only_frame<Deliver>(done).origin.conn, ConnId{6});
}

// Issue 17: the overloaded path. A full partition drops the send (the device resends after its
// timeout), counts it, and writes nothing.
TEST_F(QueueFixture, AFullPartitionDropsAndCountsWithoutWriting) {
  config.queue_length_max = 2;
  restart();
  in(kGw, Enqueue{Origin{0, ConnId{5}}, message(dev(1, 1), kC, 1, 1)});
  in(kGw, Enqueue{Origin{0, ConnId{5}}, message(dev(1, 1), kC, 2, 2)});
  const std::string before = queue->state_digest();
  Effects full = in(kGw, Enqueue{Origin{0, ConnId{5}}, message(dev(1, 1), kC, 3, 3)});
  EXPECT_TRUE(full.storage.empty());
  // The sender hears it (through its gateway): it resends later without spending its budget.
  const SendResult told = only_frame<SendResult>(full);
  EXPECT_EQ(told.reason, RejectReason::overloaded);
  EXPECT_EQ(told.origin.conn, ConnId{5});
  EXPECT_EQ(told.msg.counter, 3u);
  EXPECT_EQ(queue->state_digest(), before);
  EXPECT_EQ(queue->pending_count(), 2u);
  EXPECT_EQ(queue->queue_counters().overflow_dropped, 1u);
  EXPECT_EQ(queue->counters().rejected(RejectReason::overloaded), 1u);
  // A resend of a pending one is still a duplicate, not an overflow.
  in(kGw, Enqueue{Origin{0, ConnId{6}}, message(dev(1, 1), kC, 1, 1)});
  EXPECT_EQ(queue->queue_counters().overflow_dropped, 1u);
  EXPECT_EQ(queue->queue_counters().duplicates_dropped, 1u);
}

TEST_F(QueueFixture, RecoversDurableEntriesAndDeliversThem) {
  Effects fx = in(kGw, Enqueue{Origin{}, message(dev(1, 1), kC, 1, 1)});
  complete_storage(*queue, fx, durable);
  in(kGw, Enqueue{Origin{}, message(dev(1, 1), kC, 2, 2)});  // never durable: lost
  Effects after = restart();
  EXPECT_EQ(queue->pending_count(), 1u);
  EXPECT_EQ(only_frame<Deliver>(after).msg.id.counter, 1u);
}

TEST_F(QueueFixture, StaleDoneForAnotherMessageIsIgnored) {
  Effects fx = in(kGw, Enqueue{Origin{}, message(dev(1, 1), kC, 1, 1)});
  const Deliver d = only_frame<Deliver>(complete_storage(*queue, fx, durable));
  in(Address{RoleKind::processor, 0}, Done{d.partition, d.offset, message(dev(2, 1), kC, 1, 1).id});
  EXPECT_EQ(queue->pending_count(), 1u);
}

}  // namespace
}  // namespace imsim::engine::testing
