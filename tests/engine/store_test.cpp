// TimelineStore unit tests: appends, dedup, lane FIFO, inbox ordering, TTL, recovery.
#include "role_helpers.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC{2};
const Address kProc{RoleKind::processor, 0};
const Address kGw{RoleKind::gateway, 0};

struct StoreFixture : ::testing::Test {
  Config config = fast_config();
  Topology topology = make_topology(2, 1, {{kC, {UserId{1}, UserId{2}}}});
  std::unique_ptr<TimelineStore> store;
  DurableMap durable;
  LocalTime now = LocalTime::from_ns(1'000);

  void SetUp() override { restart(); }
  void restart() {
    store = std::make_unique<TimelineStore>(config, topology, 0, nullptr);
    Effects fx;
    store->recover(durable, now, fx);
  }
  Effects in(const Frame& f, Address from = kProc) {
    Effects fx;
    store->on_datagram(from, encode(f), now, fx);
    return fx;
  }
  std::uint64_t next_req = 100;
  // A new request (as a new processor job sends).
  AppendReply append(const MessageData& m, bool complete = true) {
    return append_as(ReqId{next_req++}, m, complete);
  }
  AppendReply append_as(ReqId req, const MessageData& m, bool complete = true) {
    Effects fx = in(Append{req, m});
    if (complete) {
      Effects done = complete_storage(*store, fx, durable, now);
      if (!frames_of<AppendReply>(done).empty()) return only_frame<AppendReply>(done);
    }
    return only_frame<AppendReply>(fx);
  }
};

TEST_F(StoreFixture, AppendAllocatesContiguousSeqsAndAnswersWhenDurable) {
  Effects fx = in(Append{ReqId{1}, message(dev(1, 1), kC, 1, 1)});
  EXPECT_TRUE(frames_of<AppendReply>(fx).empty());  // not durable yet: no answer
  ASSERT_EQ(fx.storage.size(), 1u);
  Effects done = complete_storage(*store, fx, durable);
  AppendReply r = only_frame<AppendReply>(done);
  EXPECT_EQ(r.status, AppendStatus::appended);
  EXPECT_EQ(r.conv_seq, ConvSeq{1});
  EXPECT_EQ(append(message(dev(2, 1), kC, 1, 1)).conv_seq, ConvSeq{2});
  EXPECT_EQ(store->timeline(kC).size(), 2u);
}

TEST_F(StoreFixture, DuplicateClientIdGetsTheSameSeq) {
  const MessageData m = message(dev(1, 1), kC, 1, 1);
  EXPECT_EQ(append(m).conv_seq, ConvSeq{1});
  AppendReply again = append(m);
  EXPECT_EQ(again.status, AppendStatus::duplicate);
  EXPECT_EQ(again.conv_seq, ConvSeq{1});
  EXPECT_EQ(store->timeline(kC).size(), 1u);
}

TEST_F(StoreFixture, DedupSurvivesRetentionByScanning) {
  config.dedup_key_retention = Duration::from_ns(10);
  restart();
  const MessageData m = message(dev(1, 1), kC, 1, 1);
  append(m);
  now = LocalTime::from_ns(now.ns() + 1'000);
  append(message(dev(1, 1), kC, 2, 2));  // prunes the index
  AppendReply again = append(m);
  EXPECT_EQ(again.status, AppendStatus::duplicate);
  EXPECT_EQ(again.conv_seq, ConvSeq{1});
  EXPECT_GE(store->store_counters().dedup_scans, 1u);
}

TEST_F(StoreFixture, LaneFifoRefusesOvertaking) {
  AppendReply r = append(message(dev(1, 1), kC, 2, 2));
  EXPECT_EQ(r.status, AppendStatus::fifo_gap);
  EXPECT_EQ(r.lane_expected, LaneSeq{1});
  EXPECT_TRUE(store->timeline(kC).empty());
  EXPECT_EQ(append(message(dev(1, 1), kC, 1, 1)).status, AppendStatus::appended);
  EXPECT_EQ(append(message(dev(1, 1), kC, 2, 2)).status, AppendStatus::appended);
  // Another message claiming a taken lane position is refused.
  EXPECT_EQ(append(message(dev(1, 1), kC, 9, 2)).status, AppendStatus::stale);
}

// A processor job whose append was refused (fifo_gap) has ended; a delayed copy of the same
// request arriving once the gap is filled must not be stored (nobody would fan it out). The
// device's resend comes as a new request and is stored.
TEST_F(StoreFixture, ARefusedRequestStaysRefusedForItsLateCopies) {
  const MessageData second = message(dev(1, 1), kC, 2, 2);
  EXPECT_EQ(append_as(ReqId{7}, second).status, AppendStatus::fifo_gap);
  EXPECT_EQ(append(message(dev(1, 1), kC, 1, 1)).status, AppendStatus::appended);
  EXPECT_EQ(append_as(ReqId{7}, second).status, AppendStatus::fifo_gap);  // the late copy
  EXPECT_EQ(in(Append{ReqId{7}, second}, Address{RoleKind::processor, 1}).storage.size(), 1u)
      << "another processor's request 7 is another request";
}

TEST_F(StoreFixture, TheDevicesResendAfterARefusalIsStored) {
  const MessageData second = message(dev(1, 1), kC, 2, 2);
  EXPECT_EQ(append_as(ReqId{7}, second).status, AppendStatus::fifo_gap);
  EXPECT_EQ(append(message(dev(1, 1), kC, 1, 1)).status, AppendStatus::appended);
  const AppendReply resent = append(second);
  EXPECT_EQ(resent.status, AppendStatus::appended);
  EXPECT_EQ(resent.conv_seq, ConvSeq{2});
  // Once stored, a late copy of the refused request is a plain duplicate.
  EXPECT_EQ(append_as(ReqId{7}, second).status, AppendStatus::duplicate);
}

TEST_F(StoreFixture, AnEarlierInstallCannotStoreAfterANewerOne) {
  MessageData newer = message(dev(1, 1), kC, 1, 1);
  newer.id.incarnation = Incarnation{1};
  EXPECT_EQ(append(newer).status, AppendStatus::appended);
  // Sent before the reinstall, arriving after: storing it would break the device's FIFO.
  EXPECT_EQ(append(message(dev(1, 1), kC, 7, 3)).status, AppendStatus::stale);
  restart();  // the rule survives recovery
  EXPECT_EQ(append(message(dev(1, 1), kC, 8, 4)).status, AppendStatus::stale);
  EXPECT_EQ(store->timeline(kC).size(), 1u);
}

TEST_F(StoreFixture, AppendsOfOneConversationAreWrittenOneAtATime) {
  Effects a = in(Append{ReqId{1}, message(dev(1, 1), kC, 1, 1)});
  Effects b = in(Append{ReqId{2}, message(dev(2, 1), kC, 1, 1)});
  EXPECT_EQ(a.storage.size(), 1u);
  EXPECT_TRUE(b.storage.empty());  // waits for the first write
  Effects done = complete_storage(*store, a, durable);
  EXPECT_EQ(done.storage.size(), 1u);  // now the second is written
  complete_storage(*store, done, durable);
  EXPECT_EQ(store->timeline(kC).size(), 2u);
}

TEST_F(StoreFixture, InboxFanOutIsIdempotentAndOrderedPerConversation) {
  const UserId u{2};
  auto fan = [&](std::uint64_t seq) {
    Effects fx = in(InboxAppend{ReqId{seq}, u, ConvSeq{seq}, message(dev(1, 1), kC, seq, seq)});
    Effects done = complete_storage(*store, fx, durable);
    auto replies = frames_of<InboxAppendReply>(done);
    return replies.empty() ? only_frame<InboxAppendReply>(fx) : replies.front().second;
  };
  EXPECT_EQ(fan(2).status, AppendStatus::gap);  // conv_seq 1 is not in yet
  EXPECT_EQ(fan(1).inbox_seq, InboxSeq{1});
  EXPECT_EQ(fan(2).inbox_seq, InboxSeq{2});
  const InboxAppendReply again = fan(1);
  EXPECT_EQ(again.status, AppendStatus::duplicate);
  EXPECT_EQ(again.inbox_seq, InboxSeq{1});
  EXPECT_EQ(store->inbox(u).size(), 2u);
}

// Mutation push_before_store: the inbox append is answered (so the processor pushes) while its
// write is still in flight; a crash then loses an entry devices already applied, and the next
// append takes its inbox_seq. The reference answers only once durable.
TEST_F(StoreFixture, PushBeforeStoreAnswersTheInboxAppendBeforeItIsDurable) {
  for (const bool mutated : {false, true}) {
    config.mutations.push_before_store = mutated;
    durable.clear();
    restart();
    const UserId u{2};
    Effects fx = in(InboxAppend{ReqId{1}, u, ConvSeq{1}, message(dev(1, 1), kC, 1, 1)});
    const auto early = frames_of<InboxAppendReply>(fx);
    ASSERT_EQ(early.size(), mutated ? 1u : 0u);
    if (!mutated) {
      Effects done = complete_storage(*store, fx, durable);
      EXPECT_EQ(only_frame<InboxAppendReply>(done).inbox_seq, InboxSeq{1});
      continue;
    }
    EXPECT_EQ(early.front().second.status, AppendStatus::appended);
    EXPECT_EQ(early.front().second.inbox_seq, InboxSeq{1});
    restart();  // crash: the write never completed
    EXPECT_TRUE(store->inbox(u).empty());
    Effects next = in(InboxAppend{ReqId{2}, u, ConvSeq{1}, message(dev(1, 1), kC, 2, 2)});
    EXPECT_EQ(only_frame<InboxAppendReply>(next).inbox_seq, InboxSeq{1});  // the slot again
  }
}

TEST_F(StoreFixture, TtlExpiresEntriesAndReportsLowestRetained) {
  const UserId u{2};
  for (std::uint64_t s = 1; s <= 3; s++) {
    Effects fx = in(InboxAppend{ReqId{s}, u, ConvSeq{s}, message(dev(1, 1), kC, s, s)});
    complete_storage(*store, fx, durable);
  }
  now = LocalTime::from_ns(now.ns() + config.inbox_ttl.ns() + 1);
  Effects fx = in(PullInbox{ReqId{9}, ConnId{3}, u, InboxSeq{0}, 4}, kGw);
  InboxPage page = only_frame<InboxPage>(fx);
  EXPECT_EQ(page.low, InboxSeq{4});
  EXPECT_EQ(page.head, InboxSeq{3});
  EXPECT_TRUE(page.entries.empty());
  // The floor is written first, the expired records erased after it is durable.
  ASSERT_EQ(fx.storage.size(), 1u);
  Effects erases = complete_storage(*store, fx, durable);
  EXPECT_EQ(erases.storage.size(), 3u);
  complete_storage(*store, erases, durable);
  restart();  // the floor keeps low and the fan-out watermark
  EXPECT_EQ(store->inbox_low(u), InboxSeq{4});
  Effects dup = in(InboxAppend{ReqId{7}, u, ConvSeq{3}, message(dev(1, 1), kC, 3, 3)});
  EXPECT_EQ(only_frame<InboxAppendReply>(dup).status, AppendStatus::duplicate);
}

// A user whose devices never pull (or never acknowledge a page: the adversary's no_ack) keeps
// at most inbox_entries_max entries; the oldest expire early, as after the TTL, and a pull
// reports the raised low so the device resyncs.
TEST_F(StoreFixture, AnInboxNobodyPullsStaysUnderItsBound) {
  config.inbox_entries_max = 16;
  restart();
  const UserId u{2};
  for (std::uint64_t s = 1; s <= 1000; s++) {
    Effects fx = in(InboxAppend{ReqId{s}, u, ConvSeq{s}, message(dev(1, 1), kC, s, s)});
    Effects done = complete_storage(*store, fx, durable);
    complete_storage(*store, done, durable);  // the floor, then the erases
    ASSERT_LE(store->inbox(u).size(), config.inbox_entries_max) << s;
  }
  EXPECT_EQ(store->store_counters().inbox_entries_evicted, 1000u - config.inbox_entries_max);
  Effects fx = in(PullInbox{ReqId{9}, ConnId{3}, u, InboxSeq{0}, 4}, kGw);
  const InboxPage page = only_frame<InboxPage>(fx);
  EXPECT_EQ(page.low, InboxSeq{1000 - config.inbox_entries_max + 1});
  EXPECT_EQ(page.head, InboxSeq{1000});
  // On disk too: the erased records are gone (the floor record remains).
  std::size_t records = 0;
  for (const auto& [key, value] : durable) records += key.rfind("i/", 0) == 0 ? 1 : 0;
  EXPECT_LE(records, config.inbox_entries_max);
}

TEST_F(StoreFixture, RecoveryRebuildsSeqsAndIgnoresTornRecords) {
  append(message(dev(1, 1), kC, 1, 1));
  append(message(dev(1, 1), kC, 2, 2));
  Effects fx = in(Append{ReqId{3}, message(dev(1, 1), kC, 3, 3)});
  const StorageWrite& w = std::get<StorageWrite>(fx.storage.front());
  durable[w.key] = w.value.substr(0, w.value.size() / 2);  // torn
  restart();
  EXPECT_EQ(store->timeline(kC).size(), 2u);
  // The allocator continues after the durable head; the lost append is taken again.
  AppendReply r = append(message(dev(1, 1), kC, 3, 3));
  EXPECT_EQ(r.status, AppendStatus::appended);
  EXPECT_EQ(r.conv_seq, ConvSeq{3});
  EXPECT_EQ(append(message(dev(1, 1), kC, 1, 1)).status, AppendStatus::duplicate);
}

TEST_F(StoreFixture, PagesForwardAndBackward) {
  for (std::uint64_t i = 1; i <= 6; i++) append(message(dev(1, 1), kC, i, i));
  Effects f = in(PullConv{ReqId{1}, ConnId{1}, kC, PullDirection::forward, ConvSeq{2}, 3}, kGw);
  ConvPage fwd = only_frame<ConvPage>(f);
  ASSERT_EQ(fwd.entries.size(), 3u);
  EXPECT_EQ(fwd.entries.front().conv_seq, ConvSeq{3});
  EXPECT_EQ(fwd.head, ConvSeq{6});
  Effects b = in(PullConv{ReqId{2}, ConnId{1}, kC, PullDirection::backward, ConvSeq{0}, 4}, kGw);
  ConvPage back = only_frame<ConvPage>(b);
  ASSERT_EQ(back.entries.size(), 4u);
  EXPECT_EQ(back.entries.front().conv_seq, ConvSeq{3});  // ascending, newest four
  EXPECT_EQ(back.entries.back().conv_seq, ConvSeq{6});
}

}  // namespace
}  // namespace imsim::engine::testing
