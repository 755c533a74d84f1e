// Device unit tests, driving one device by hand: outbox states, retries, resend, push
// contiguity, checkpoint durability.
#include <algorithm>

#include "role_helpers.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC{1};
const ConnId kConn{4};

struct DeviceFixture : ::testing::Test {
  Config config = fast_config();
  Topology topology = make_topology(2, 1, {{kC, {UserId{1}, UserId{2}}}});
  DeviceId me = dev(1, 1);
  std::unique_ptr<Device> device;
  DurableMap durable;
  LocalTime now = LocalTime::from_ns(0);
  std::vector<Observation> observations;
  std::vector<Frame> sent;      // frames the device wrote on its connection
  std::vector<StorageOp> held;  // storage ops not completed yet (when holding)
  bool hold_storage = false;
  std::vector<SetTimer> timers;  // every timer the device set (it ignores stale ones itself)

  // Moves the clock to `t` and fires every timer due by then.
  void advance_to(LocalTime t) {
    now = t;
    std::vector<SetTimer> due;
    std::erase_if(timers, [&](const SetTimer& timer) {
      if (timer.deadline > now) return false;
      due.push_back(timer);
      return true;
    });
    for (const SetTimer& timer : due) {
      Effects fx;
      device->on_timer(timer.id, now, fx);
      absorb(fx);
    }
  }
  void advance_by(std::int64_t ns) { advance_to(LocalTime::from_ns(now.ns() + ns)); }

  void SetUp() override {
    device = std::make_unique<Device>(
        config, topology, me,
        DeviceOptions{Incarnation{0}, topology.device_token(me, Incarnation{0})}, nullptr);
    Effects fx;
    device->recover(durable, now, fx);
    absorb(fx);
  }
  // Takes the outputs: storage completes at once unless held; frames are recorded.
  void absorb(Effects& fx) {
    for (Observation& o : fx.observations) observations.push_back(o);
    for (const SetTimer& t : fx.timers_set) timers.push_back(t);
    for (const SendFrame& f : fx.frames) sent.push_back(*decode(f.bytes, 1 << 20).frame);
    std::vector<StorageOp> ops = std::move(fx.storage);
    fx = Effects{};
    for (StorageOp& op : ops) {
      if (hold_storage) {
        held.push_back(std::move(op));
        continue;
      }
      Effects more;
      if (auto* w = std::get_if<StorageWrite>(&op)) {
        durable[w->key] = w->value;
        device->on_storage_done(w->op, now, more);
      } else {
        device->on_storage_done(std::get<StorageErase>(op).op, now, more);
      }
      absorb(more);
    }
  }
  void release_storage() {
    hold_storage = false;
    Effects fx;
    fx.storage = std::move(held);
    held.clear();
    absorb(fx);
  }
  void frame(const Frame& f) {
    Effects fx;
    device->on_frame(kConn, encode(f), now, fx);
    absorb(fx);
  }
  // Connects and answers the bootstrap pulls as an empty server would.
  void connect_and_bootstrap() {
    Effects fx;
    device->go_online(now, fx);
    ASSERT_EQ(fx.connects.size(), 1u);
    device->on_connected(kConn, now, fx);
    absorb(fx);
    frame(Challenge{1});
    frame(HelloOk{me});
    for (int i = 0; i < 20; i++) {
      auto pulls = take<PullInbox>();
      auto convs = take<PullConv>();
      if (pulls.empty() && convs.empty()) break;
      for (const PullInbox& p : pulls) {
        frame(InboxPage{p.req, {}, p.user, InboxSeq{0}, InboxSeq{1}, {}});
      }
      for (const PullConv& p : convs)
        frame(ConvPage{p.req, {}, p.conv, p.direction, ConvSeq{0}, {}});
    }
    ASSERT_TRUE(device->quiescent());
  }
  template <typename T>
  std::vector<T> take() {
    std::vector<T> out;
    for (auto it = sent.begin(); it != sent.end();) {
      if (std::holds_alternative<T>(*it)) {
        out.push_back(std::get<T>(*it));
        it = sent.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }
  // The connection drops and comes back: returns the first inbox pull of the new session.
  PullInbox reconnect() {
    Effects fx;
    device->go_offline(now, fx);
    device->go_online(now, fx);
    device->on_connected(kConn, now, fx);
    absorb(fx);
    sent.clear();
    frame(Challenge{1});
    frame(HelloOk{me});
    auto pulls = take<PullInbox>();
    EXPECT_FALSE(pulls.empty());
    return pulls.empty() ? PullInbox{} : pulls.front();
  }
  // Sends `n` messages and acknowledges each at conv_seq 1, 2, ...
  void send_acked(std::uint64_t n) {
    for (std::uint64_t i = 1; i <= n; i++) {
      Effects fx;
      const ClientMsgId m = device->send(kC, "x", now, fx).msg;
      absorb(fx);
      frame(SendAck{m, ConvSeq{i}});
    }
    take<Send>();
  }
  std::vector<ClientMsgId> displays() const {
    std::vector<ClientMsgId> out;
    for (const Observation& o : observations) {
      if (const auto* d = std::get_if<Displayed>(&o)) out.push_back(d->msg);
    }
    return out;
  }
  InboxEntry entry(std::uint64_t inbox_seq, std::uint64_t conv_seq, DeviceId from) {
    return InboxEntry{InboxSeq{inbox_seq}, ConvSeq{conv_seq},
                      message(from, kC, conv_seq + 100, conv_seq)};
  }
};

// A connection that has not become a session within hello_timeout (its HelloOk lost) is dropped
// and the device reconnects; one whose HelloOk came in time is kept.
TEST_F(DeviceFixture, NoSessionWithinHelloTimeoutDropsTheConnectionAndReconnects) {
  // Fires every timer due by `t`; returns the disconnects and connects they caused.
  const auto fire_until = [this](LocalTime t) {
    now = t;
    std::pair<std::size_t, std::size_t> out{0, 0};
    std::vector<SetTimer> due;
    std::erase_if(timers, [&](const SetTimer& timer) {
      if (timer.deadline > now) return false;
      due.push_back(timer);
      return true;
    });
    for (const SetTimer& timer : due) {
      Effects fx;
      device->on_timer(timer.id, now, fx);
      out.first += fx.disconnects.size();
      out.second += fx.connects.size();
      absorb(fx);
    }
    return out;
  };
  for (const bool hello_ok_arrives : {true, false}) {
    Effects fx;
    device->go_online(now, fx);
    ASSERT_EQ(fx.connects.size(), 1u);
    device->on_connected(kConn, now, fx);
    absorb(fx);
    frame(Challenge{1});
    ASSERT_EQ(take<Hello>().size(), 1u);
    if (hello_ok_arrives) frame(HelloOk{me});
    const auto [disconnects, connects] =
        fire_until(LocalTime::from_ns(now.ns() + config.hello_timeout.ns()));
    if (hello_ok_arrives) {
      EXPECT_EQ(disconnects, 0u);
      EXPECT_TRUE(device->online());
      Effects off;
      device->go_offline(now, off);  // the next round starts from scratch
      absorb(off);
      continue;
    }
    EXPECT_EQ(disconnects, 1u);
    EXPECT_FALSE(device->online());
    const auto [more_disconnects, reconnects] =
        fire_until(LocalTime::from_ns(now.ns() + config.reconnect_backoff_max.ns()));
    EXPECT_EQ(more_disconnects, 0u);
    EXPECT_EQ(reconnects, 1u);
  }
}

TEST_F(DeviceFixture, SendEchoesAndTransmitsOnlyOnceDurable) {
  connect_and_bootstrap();
  hold_storage = true;
  Effects fx;
  const SendOutcome out = device->send(kC, "hi", now, fx);
  absorb(fx);
  ASSERT_TRUE(out.ok());
  // Until the outbox entry is durable a kill forgets the send: no echo, nothing on the wire.
  for (const auto& o : observations) EXPECT_FALSE(std::holds_alternative<LocalEcho>(o));
  EXPECT_TRUE(take<Send>().empty());
  release_storage();
  ASSERT_FALSE(observations.empty());
  EXPECT_TRUE(std::holds_alternative<LocalEcho>(observations.back()));
  const auto sends = take<Send>();
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].msg.id, out.msg);
  EXPECT_EQ(sends[0].msg.lane_seq, LaneSeq{1});
  EXPECT_EQ(device->status(out.msg), OutboxStatus::sending);
  frame(SendAck{out.msg, ConvSeq{1}});
  EXPECT_EQ(device->status(out.msg), OutboxStatus::sent);
  ASSERT_TRUE(std::holds_alternative<Acked>(observations.back()));
  frame(SendAck{out.msg, ConvSeq{1}});  // a duplicate ACK says nothing new
  EXPECT_TRUE(std::holds_alternative<Acked>(observations.back()));
  EXPECT_EQ(device->device_counters().acks, 1u);
}

TEST_F(DeviceFixture, RefusedSendsTakeNoIdOrLane) {
  Effects fx;
  EXPECT_EQ(device->send(ConvId{9}, "x", now, fx).error, SendError::unknown_conv);
  EXPECT_EQ(device->send(kC, std::string(config.message_body_bytes_max + 1, 'x'), now, fx).error,
            SendError::oversized);
  config.outbox_length_max = 1;
  SetUp();
  EXPECT_TRUE(device->send(kC, "a", now, fx).ok());
  EXPECT_EQ(device->send(kC, "b", now, fx).error, SendError::outbox_full);
}

TEST_F(DeviceFixture, PermanentNackFailsTheLaneAndResendKeepsTheId) {
  connect_and_bootstrap();
  Effects fx;
  const ClientMsgId a = device->send(kC, "a", now, fx).msg;
  const ClientMsgId b = device->send(kC, "b", now, fx).msg;
  absorb(fx);
  take<Send>();
  frame(SendNack{a, RejectReason::stale_lane});
  EXPECT_EQ(device->status(a), OutboxStatus::failed);
  EXPECT_EQ(device->status(b), OutboxStatus::failed);  // FIFO: b cannot overtake a
  fx = Effects{};
  EXPECT_TRUE(device->resend(b, now, fx));  // revives a too, a first
  absorb(fx);
  const auto sends = take<Send>();
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].msg.id, a);
  EXPECT_EQ(sends[1].msg.id, b);
  EXPECT_EQ(sends[1].msg.lane_seq, LaneSeq{2});  // same id, same lane position
  EXPECT_FALSE(device->resend(b, now, fx));      // not failed any more
}

// The retry budget counts only transmissions no server answered (docs/engine.md): an
// overloaded or fifo_gap refusal, or time without a session, spends none; a timeout after a
// silent transmission does.
TEST_F(DeviceFixture, OnlyUnansweredTransmissionsSpendTheBudget) {
  config.retry_budget = 1;
  SetUp();
  connect_and_bootstrap();
  Effects fx;
  const ClientMsgId a = device->send(kC, "a", now, fx).msg;
  absorb(fx);
  ASSERT_EQ(take<Send>().size(), 1u);
  frame(SendNack{a, RejectReason::overloaded});
  advance_by(config.send_timeout.ns());
  EXPECT_EQ(device->status(a), OutboxStatus::sending);  // answered: resent, no budget spent
  EXPECT_EQ(take<Send>().size(), 1u);
  advance_by(config.send_timeout.ns());  // silent this time: the budget of 1 is spent
  EXPECT_EQ(device->status(a), OutboxStatus::failed);
}

TEST_F(DeviceFixture, NoBudgetIsSpentWithoutASession) {
  config.retry_budget = 1;
  SetUp();
  connect_and_bootstrap();
  Effects fx;
  device->go_offline(now, fx);
  absorb(fx);
  const ClientMsgId a = device->send(kC, "a", now, fx).msg;
  absorb(fx);
  for (int i = 0; i < 5; i++) advance_by(config.send_timeout_max.ns());
  EXPECT_EQ(device->status(a), OutboxStatus::sending);
  sent.clear();
  reconnect();
  bool resent = false;
  for (const Frame& f : sent) {
    if (const auto* s = std::get_if<Send>(&f)) resent = resent || s->msg.id == a;
  }
  EXPECT_TRUE(resent);
}

TEST_F(DeviceFixture, AHeadOutOfBudgetWaitsForItsLaneAndAHeldSendSpendsNothing) {
  config.retry_budget = 1;
  SetUp();
  connect_and_bootstrap();
  Effects fx;
  const ClientMsgId a = device->send(kC, "a", now, fx).msg;
  absorb(fx);
  advance_by(config.send_timeout.ns() / 2);
  const ClientMsgId b = device->send(kC, "b", now, fx).msg;  // sent later: a's deadline first
  absorb(fx);
  ASSERT_EQ(take<Send>().size(), 2u);
  frame(SendNack{b, RejectReason::fifo_gap});  // the store holds b for a
  advance_to(LocalTime::from_ns(now.ns() + config.send_timeout.ns() / 2));
  // a timed out with its budget spent, but b (younger, in budget) keeps it retrying: failing a
  // would fail b too (FIFO).
  EXPECT_EQ(device->status(a), OutboxStatus::sending);
  EXPECT_EQ(device->status(b), OutboxStatus::sending);
  advance_by(config.send_timeout.ns());  // b's timeout: it was held (answered), no budget spent
  EXPECT_EQ(device->status(b), OutboxStatus::sending);
  frame(SendAck{a, ConvSeq{1}});
  frame(SendAck{b, ConvSeq{2}});
  EXPECT_EQ(device->status(a), OutboxStatus::sent);
  EXPECT_EQ(device->status(b), OutboxStatus::sent);
  // Without a younger send in budget, a head past its budget fails as before.
  const ClientMsgId c = device->send(kC, "c", now, fx).msg;
  absorb(fx);
  advance_by(config.send_timeout.ns());
  EXPECT_EQ(device->status(c), OutboxStatus::failed);
}

TEST_F(DeviceFixture, PushAppliesOnlyContiguouslyAndPullsTheGap) {
  connect_and_bootstrap();
  frame(Push{me.user, entry(2, 2, dev(2, 1))});
  EXPECT_EQ(device->checkpoint(), InboxSeq{0});  // never past the gap
  auto pulls = take<PullInbox>();
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls[0].after, InboxSeq{0});
  frame(InboxPage{pulls[0].req, {}, me.user, InboxSeq{2}, InboxSeq{1}, {entry(1, 1, dev(2, 1))}});
  EXPECT_EQ(device->checkpoint(), InboxSeq{2});  // the page filled the gap, the buffer follows
  EXPECT_EQ(device->view(kC).size(), 2u);
}

TEST_F(DeviceFixture, CheckpointMovesOnlyAfterThePageIsDurable) {
  connect_and_bootstrap();
  frame(Push{me.user, entry(3, 3, dev(2, 1))});
  auto pulls = take<PullInbox>();
  ASSERT_EQ(pulls.size(), 1u);
  hold_storage = true;
  frame(InboxPage{pulls[0].req,
                  {},
                  me.user,
                  InboxSeq{3},
                  InboxSeq{1},
                  {entry(1, 1, dev(2, 1)), entry(2, 2, dev(2, 1))}});
  EXPECT_EQ(device->checkpoint(), InboxSeq{0});
  EXPECT_TRUE(device->view(kC).empty());
  EXPECT_TRUE(take<PullInbox>().empty());  // the next page waits for this one to be durable
  release_storage();
  EXPECT_EQ(device->checkpoint(), InboxSeq{3});
  EXPECT_EQ(device->view(kC).size(), 3u);
  std::size_t displays = 0;
  for (const Observation& o : observations) displays += std::holds_alternative<Displayed>(o);
  EXPECT_EQ(displays, 3u);
}

TEST_F(DeviceFixture, OwnMessageInTheInboxReconcilesAFailedStatus) {
  connect_and_bootstrap();
  Effects fx;
  const ClientMsgId a = device->send(kC, "a", now, fx).msg;
  absorb(fx);
  frame(SendNack{a, RejectReason::not_member});  // say it failed
  EXPECT_EQ(device->status(a), OutboxStatus::failed);
  InboxEntry e{InboxSeq{1}, ConvSeq{5}, MessageData{a, kC, LaneSeq{1}, 0, "a"}};
  frame(Push{me.user, e});
  EXPECT_EQ(device->status(a), OutboxStatus::sent);  // ack after fail
  const Acked* ack = nullptr;
  for (const Observation& o : observations) {
    if (const auto* a2 = std::get_if<Acked>(&o)) ack = a2;
  }
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->msg, a);
  EXPECT_EQ(ack->conv_seq, ConvSeq{5});
}

TEST_F(DeviceFixture, ClientIdsAreNeverReusedAfterAKill) {
  Effects fx;
  hold_storage = true;
  const ClientMsgId first = device->send(kC, "a", now, fx).msg;
  absorb(fx);
  held.clear();  // app kill: the outbox entry never became durable
  device = std::make_unique<Device>(
      config, topology, me,
      DeviceOptions{Incarnation{0}, topology.device_token(me, Incarnation{0})}, nullptr);
  fx = Effects{};
  device->recover(durable, now, fx);
  // Until the new id block is durable, sends are refused without effects.
  Effects refused;
  EXPECT_EQ(device->send(kC, "b", now, refused).error, SendError::not_ready);
  EXPECT_TRUE(refused.empty());
  hold_storage = false;
  absorb(fx);
  fx = Effects{};
  const ClientMsgId second = device->send(kC, "b", now, fx).msg;
  EXPECT_NE(second, first);
  EXPECT_GT(second.counter, first.counter);
}

// --- Mutation branches (docs/mutations.md): each changes behaviour; the reference does not ---

TEST_F(DeviceFixture, OrderByTimestampShowsAPageInSenderClockOrder) {
  for (const bool mutated : {false, true}) {
    config.mutations.order_by_timestamp = mutated;
    durable.clear();
    sent.clear();
    observations.clear();
    SetUp();
    connect_and_bootstrap();
    frame(Push{me.user, entry(2, 2, dev(2, 1))});  // a gap: the device pulls
    auto pulls = take<PullInbox>();
    ASSERT_EQ(pulls.size(), 1u);
    InboxEntry early = entry(1, 1, dev(2, 1));
    InboxEntry late = entry(2, 2, dev(2, 1));
    early.msg.sent_at_local_ns = 5'000 * kMs;  // the first sender's clock runs ahead
    late.msg.sent_at_local_ns = 1'000 * kMs;
    hold_storage = true;
    frame(InboxPage{pulls[0].req, {}, me.user, InboxSeq{2}, InboxSeq{1}, {early, late}});
    std::reverse(held.begin(), held.end());  // the second write completes first: both become
    release_storage();                       // displayable at once when the first completes
    const std::vector<ClientMsgId> want = mutated
                                              ? std::vector<ClientMsgId>{late.msg.id, early.msg.id}
                                              : std::vector<ClientMsgId>{early.msg.id, late.msg.id};
    EXPECT_EQ(displays(), want) << "mutated " << mutated;
    EXPECT_EQ(device->view(kC).size(), 2u);  // the durable view keeps conv_seq order
  }
}

TEST_F(DeviceFixture, CursorFromClientIdResumesAfterTheOwnMessageCounter) {
  for (const bool mutated : {false, true}) {
    config.mutations.cursor_from_client_id = mutated;
    durable.clear();
    sent.clear();
    SetUp();
    connect_and_bootstrap();
    send_acked(3);  // counter 3; nothing arrived in the inbox yet
    const PullInbox pull = reconnect();
    EXPECT_EQ(pull.after, mutated ? InboxSeq{3} : InboxSeq{0}) << "mutated " << mutated;
  }
}

TEST_F(DeviceFixture, ResumeCounterResetShowsReSentEntriesAgain) {
  for (const bool mutated : {false, true}) {
    config.mutations.resume_counter_reset = mutated;
    durable.clear();
    sent.clear();
    observations.clear();
    SetUp();
    connect_and_bootstrap();
    frame(Push{me.user, entry(1, 1, dev(2, 1))});
    frame(Push{me.user, entry(2, 2, dev(2, 1))});
    ASSERT_EQ(displays().size(), 2u);
    ASSERT_EQ(device->checkpoint(), InboxSeq{2});
    const PullInbox pull = reconnect();
    EXPECT_EQ(pull.after, mutated ? InboxSeq{0} : InboxSeq{2}) << "mutated " << mutated;
    // The server answers from `after`: the reference is told nothing new, the mutant gets both
    // entries again and shows them as new.
    std::vector<InboxEntry> resent;
    if (mutated) resent = {entry(1, 1, dev(2, 1)), entry(2, 2, dev(2, 1))};
    frame(InboxPage{pull.req, {}, me.user, InboxSeq{2}, InboxSeq{1}, resent});
    EXPECT_EQ(displays().size(), mutated ? 4u : 2u) << "mutated " << mutated;
    EXPECT_EQ(device->checkpoint(), InboxSeq{2});
  }
}

// Timing-heavy outbox behaviour runs in the World, which fires timers.
TEST(DeviceRetry, BudgetExhaustedFailsThenResendSucceedsWithTheSameId) {
  Config c = fast_config();
  c.retry_budget = 3;
  World w(c, make_topology(2, 1, {{kC, {UserId{1}, UserId{2}}}}));
  w.online(dev(1, 1));
  w.run_for(100 * kMs);
  w.crash(Address{RoleKind::queue, 0}, false);  // nothing gets through
  const ClientMsgId m = w.send(dev(1, 1), kC, "x");
  w.run_for(10'000 * kMs);
  EXPECT_TRUE(w.failed(dev(1, 1), m));
  EXPECT_EQ(w.device(dev(1, 1)).status(m), OutboxStatus::failed);
  w.restart(Address{RoleKind::queue, 0});
  ASSERT_TRUE(w.resend(dev(1, 1), m));
  ASSERT_TRUE(w.settle());
  EXPECT_EQ(w.acks(dev(1, 1), m).size(), 1u);
  EXPECT_FALSE(w.failed(dev(1, 1), m));
  EXPECT_EQ(w.store_of(kC).timeline(kC).size(), 1u);
  EXPECT_EQ(w.store_of(kC).timeline(kC)[0].msg.id, m);
}

}  // namespace
}  // namespace imsim::engine::testing
