// Processor unit tests: the pipeline order, retries, gap waits, abandonment.
#include "role_helpers.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC{1};
const Address kQueue{RoleKind::queue, 0};
const Address kStore{RoleKind::store, 0};
const Address kGw{RoleKind::gateway, 0};

struct ProcessorFixture : ::testing::Test {
  Config config = fast_config();
  Topology topology = make_topology(2, 1, {{kC, {UserId{1}, UserId{2}}}});
  Processor processor{config, topology, 0, nullptr};
  const MessageData m = message(dev(1, 1), kC, 1, 1);
  LocalTime now = LocalTime::from_ns(0);

  void SetUp() override {
    Effects fx;
    processor.recover({}, now, fx);
    processor.on_storage_done(std::get<StorageWrite>(fx.storage[0]).op, now, fx);  // epoch
  }
  Effects in(Address from, const Frame& f) {
    Effects fx;
    processor.on_datagram(from, encode(f), now, fx);
    return fx;
  }
};

TEST_F(ProcessorFixture, AppendThenFanOutThenAckThenDeliveriesThenDone) {
  Effects fx = in(kQueue, Deliver{1, 7, Origin{0, ConnId{3}}, m});
  const Append a = only_frame<Append>(fx);
  EXPECT_EQ(a.msg, m);
  EXPECT_TRUE(frames_of<SendResult>(fx).empty());
  fx = in(kStore, AppendReply{a.req, m.id, AppendStatus::appended, ConvSeq{4}, LaneSeq{2}});
  auto fan = frames_of<InboxAppend>(fx);
  ASSERT_EQ(fan.size(), 2u);  // both members, the sender's user included
  EXPECT_EQ(fan[0].second.user, UserId{1});
  EXPECT_EQ(fan[1].second.user, UserId{2});
  fx = in(kStore,
          InboxAppendReply{fan[0].second.req, UserId{1}, AppendStatus::appended, InboxSeq{9}});
  EXPECT_TRUE(frames_of<SendResult>(fx).empty());  // ACK waits for every member
  fx = in(kStore,
          InboxAppendReply{fan[1].second.req, UserId{2}, AppendStatus::duplicate, InboxSeq{3}});
  const SendResult ack = only_frame<SendResult>(fx);
  EXPECT_EQ(ack.reason, RejectReason::none);
  EXPECT_EQ(ack.conv_seq, ConvSeq{4});
  const Deliveries d = only_frame<Deliveries>(fx);
  ASSERT_EQ(d.recipients.size(), 2u);
  EXPECT_EQ(d.recipients[1].inbox_seq, InboxSeq{3});
  EXPECT_TRUE(frames_of<Done>(fx).empty());
  fx = in(kGw, DeliveriesAck{d.req});
  const Done done = only_frame<Done>(fx);
  EXPECT_EQ(done.offset, 7u);
  EXPECT_EQ(processor.job_count(), 0u);
}

// A stored message whose job is gone (its append was refused, then an earlier copy of it landed)
// leaves a hole every later fan-out of its conversation waits on. On `gap` the processor reads
// the timeline below its own conv_seq and appends those entries to the inbox itself; a `gap` on
// the lowest of them repairs deeper.
TEST_F(ProcessorFixture, GapRepairsTheInboxFromTheTimeline) {
  Effects fx = in(kQueue, Deliver{1, 7, Origin{0, ConnId{3}}, m});
  const Append a = only_frame<Append>(fx);
  fx = in(kStore, AppendReply{a.req, m.id, AppendStatus::appended, ConvSeq{5}, LaneSeq{1}});
  auto fan = frames_of<InboxAppend>(fx);
  ASSERT_EQ(fan.size(), 2u);
  fx = in(kStore, InboxAppendReply{fan[0].second.req, UserId{1}, AppendStatus::gap, InboxSeq{}});
  const PullConv read = only_frame<PullConv>(fx);
  EXPECT_EQ(read.conv, kC);
  EXPECT_EQ(read.direction, PullDirection::backward);
  EXPECT_EQ(read.anchor, ConvSeq{5});
  // A second gap while the read is in flight does not read again.
  EXPECT_TRUE(frames_of<PullConv>(in(kStore, InboxAppendReply{fan[0].second.req, UserId{1},
                                                              AppendStatus::gap, InboxSeq{}}))
                  .empty());
  const MessageData m3 = message(dev(2, 1), kC, 1, 1);
  const MessageData m4 = message(dev(2, 1), kC, 2, 2);
  fx = in(kStore, ConvPage{read.req,
                           ConnId{0},
                           kC,
                           PullDirection::backward,
                           ConvSeq{5},
                           {TimelineEntry{ConvSeq{3}, m3}, TimelineEntry{ConvSeq{4}, m4}}});
  auto repairs = frames_of<InboxAppend>(fx);
  ASSERT_EQ(repairs.size(), 2u);
  EXPECT_EQ(repairs[0].second.user, UserId{1});
  EXPECT_EQ(repairs[0].second.conv_seq, ConvSeq{3});
  EXPECT_EQ(repairs[1].second.conv_seq, ConvSeq{4});
  // The lowest repaired entry still has a hole below it: repair deeper.
  fx =
      in(kStore, InboxAppendReply{repairs[0].second.req, UserId{1}, AppendStatus::gap, InboxSeq{}});
  EXPECT_EQ(only_frame<PullConv>(fx).anchor, ConvSeq{3});
  EXPECT_EQ(processor.counters().frames_rejected, 0u);
}

TEST_F(ProcessorFixture, FifoGapNacksTheSenderAndCompletes) {
  Effects fx = in(kQueue, Deliver{1, 7, Origin{0, ConnId{3}}, m});
  const Append a = only_frame<Append>(fx);
  fx = in(kStore, AppendReply{a.req, m.id, AppendStatus::fifo_gap, ConvSeq{}, LaneSeq{1}});
  EXPECT_EQ(only_frame<SendResult>(fx).reason, RejectReason::fifo_gap);
  EXPECT_EQ(frames_of<Done>(fx).size(), 1u);
  EXPECT_TRUE(frames_of<InboxAppend>(fx).empty());
}

TEST_F(ProcessorFixture, RetriesThenAbandonsWithoutDone) {
  Effects fx = in(kQueue, Deliver{1, 7, Origin{}, m});
  std::size_t appends = frames_of<Append>(fx).size();
  for (int i = 0; i < 50 && processor.job_count() > 0; i++) {
    ASSERT_FALSE(fx.timers_set.empty());
    const SetTimer t = fx.timers_set.back();
    now = t.deadline;
    fx = Effects{};
    processor.on_timer(t.id, now, fx);
    appends += frames_of<Append>(fx).size();
    EXPECT_TRUE(frames_of<Done>(fx).empty());
  }
  EXPECT_EQ(processor.job_count(), 0u);  // the queue will redeliver
  EXPECT_EQ(appends, config.request_retry_budget);
  EXPECT_EQ(processor.processor_counters().jobs_abandoned, 1u);
}

TEST_F(ProcessorFixture, StaleRepliesFromAnEarlierLifeAreIgnored) {
  Effects fx = in(kQueue, Deliver{1, 7, Origin{}, m});
  const Append a = only_frame<Append>(fx);
  fx = in(kStore, AppendReply{ReqId{a.req.value + 1000}, m.id, AppendStatus::appended, ConvSeq{1},
                              LaneSeq{2}});
  EXPECT_TRUE(fx.frames.empty());
}

}  // namespace
}  // namespace imsim::engine::testing
