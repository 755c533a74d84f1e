// Idempotency under crashes: one message is sent into a group; the test first counts how many
// inputs each node handles for it, then, for every node and every point k (crash right after
// the node's k-th input since the send — each input is one pipeline step: a delivery, a store
// reply, a storage completion, a timer), and for both fates of the node's unfinished storage ops
// (lost, or made durable without the completion being reported), replays the run with that
// crash, restarts the node, heals, and checks: exactly one stored copy, exactly one inbox entry
// per member, one conv_seq acknowledged, and every member device displays the message once.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC1{1};

Topology crash_topology() {
  Topology t = make_topology(3, 1, {{kC1, {UserId{1}, UserId{2}, UserId{3}}}});
  t.store_count = 2;  // conversation and inboxes on different shards
  return t;
}

struct Outcome {
  std::size_t timeline_copies = 0;
  std::map<UserId, std::size_t> inbox_copies;
  std::set<ConvSeq> acked_seqs;
  std::map<DeviceId, std::vector<ClientMsgId>> views;
};

// Runs the scenario; `crash_at` = {node, k, keep_pending} or nothing for the reference run.
// Returns the outcome and, through `inputs`, how many inputs each node handled after the send.
Outcome run(std::optional<std::tuple<NodeKey, std::uint64_t, bool>> crash_at,
            std::map<NodeKey, std::uint64_t>* inputs, ClientMsgId* sent) {
  World w(fast_config(), crash_topology());
  for (std::uint32_t u = 1; u <= 3; u++) w.online(dev(u, 1));
  EXPECT_TRUE(w.settle());
  std::map<NodeKey, std::uint64_t> base;
  std::vector<NodeKey> all;
  for (std::uint32_t u = 1; u <= 3; u++) all.push_back(dev(u, 1));
  all.push_back(Address{RoleKind::gateway, 0});
  all.push_back(Address{RoleKind::queue, 0});
  all.push_back(Address{RoleKind::processor, 0});
  all.push_back(Address{RoleKind::store, 0});
  all.push_back(Address{RoleKind::store, 1});
  for (const NodeKey& n : all) base[n] = w.node(n).inputs;

  bool triggered = false;
  if (crash_at) {
    const auto& [target, k, keep] = *crash_at;
    w.after_event = [&, target = target, k = k](const NodeKey& n, const NodeState& st) {
      if (n == target && st.inputs == base[target] + k) triggered = true;
    };
  }
  const ClientMsgId m = w.send(dev(1, 1), kC1, "once");
  if (sent) *sent = m;
  if (crash_at) {
    const auto& [target, k, keep] = *crash_at;
    EXPECT_TRUE(w.run_until([&] { return triggered; }, 60'000 * kMs));
    w.after_event = nullptr;
    const bool is_device = std::holds_alternative<DeviceId>(target);
    if (is_device) {
      w.crash(target, keep);
      w.run_for(50 * kMs);
      w.restart(target);
      w.online(std::get<DeviceId>(target));
    } else {
      w.crash(target, keep);
      w.run_for(50 * kMs);
      w.restart(target);
    }
  }
  EXPECT_TRUE(w.settle());
  if (inputs) {
    for (const NodeKey& n : all) (*inputs)[n] = w.node(n).inputs - base[n];
  }
  Outcome out;
  for (const TimelineEntry& e : w.store_of(kC1).timeline(kC1)) {
    out.timeline_copies += e.msg.id == m;
  }
  for (std::uint32_t u = 1; u <= 3; u++) {
    for (const InboxEntry& e : w.store_of(UserId{u}).inbox(UserId{u})) {
      out.inbox_copies[UserId{u}] += e.msg.id == m;
    }
    out.views[dev(u, 1)] = w.displayed(dev(u, 1), kC1);
  }
  for (ConvSeq s : w.acks(dev(1, 1), m)) out.acked_seqs.insert(s);
  return out;
}

TEST(CrashIdempotency, EveryCrashPointOfEveryNodeLeavesExactlyOneCopy) {
  std::map<NodeKey, std::uint64_t> inputs;
  ClientMsgId m;
  const Outcome reference = run(std::nullopt, &inputs, &m);
  ASSERT_EQ(reference.timeline_copies, 1u);
  std::size_t points = 0;
  for (const auto& [node, count] : inputs) {
    for (std::uint64_t k = 1; k <= count; k++) {
      for (bool keep : {false, true}) {
        SCOPED_TRACE("crash " + describe(node) + " after input " + std::to_string(k) +
                     (keep ? " (pending ops durable)" : " (pending ops lost)"));
        ClientMsgId sent;
        const Outcome o = run(std::make_tuple(node, k, keep), nullptr, &sent);
        points++;
        const bool sender = node == NodeKey{dev(1, 1)};
        // Only the sender's own crash before its outbox record is durable may lose the message
        // entirely, and then nothing anywhere may show it.
        const std::size_t expected = (sender && o.timeline_copies == 0) ? 0 : 1;
        ASSERT_EQ(o.timeline_copies, expected);
        for (std::uint32_t u = 1; u <= 3; u++) {
          EXPECT_EQ(o.inbox_copies.count(UserId{u}) ? o.inbox_copies.at(UserId{u}) : 0, expected)
              << "inbox of u" << u;
          const std::vector<ClientMsgId> want =
              expected ? std::vector<ClientMsgId>{sent} : std::vector<ClientMsgId>{};
          EXPECT_EQ(o.views.at(dev(u, 1)), want) << "view of u" << u << "/d1";
        }
        EXPECT_EQ(o.acked_seqs.size(), expected);
      }
    }
  }
  RecordProperty("crash_points", static_cast<int>(points));
  EXPECT_GT(points, 50u);
  std::printf("[ crash points enumerated: %zu ]\n", points);
}

}  // namespace
}  // namespace imsim::engine::testing
