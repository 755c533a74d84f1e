// Randomized fault runs (RapidCheck): sends from every device into direct, group and large
// conversations while the network drops datagrams, server nodes crash (with either fate of their
// unfinished writes), apps are killed, devices go offline, reinstall, and BUGGIFY fires. After
// healing, the run must settle and the sync invariants must hold.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "harness.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kDirect{1}, kGroup{2}, kLarge{3};

void check_invariants(World& w, const std::set<DeviceId>& reinstalled) {
  for (ConvId conv : {kDirect, kGroup, kLarge}) {
    const std::vector<TimelineEntry> tl = w.store_of(conv).timeline(conv);
    std::vector<ClientMsgId> ids;
    std::map<DeviceId, std::pair<Incarnation, LaneSeq>> lanes;  // FIFO per device, all installs
    for (std::size_t i = 0; i < tl.size(); i++) {
      RC_ASSERT(tl[i].conv_seq.value == i + 1);  // contiguous
      ids.push_back(tl[i].msg.id);
      const auto pos = std::make_pair(tl[i].msg.id.incarnation, tl[i].msg.lane_seq);
      RC_ASSERT(pos > lanes[tl[i].msg.id.device]);  // FIFO per device, across reinstalls
      lanes[tl[i].msg.id.device] = pos;
    }
    std::vector<ClientMsgId> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    RC_ASSERT(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // no dup
    for (UserId u : w.topology().members(conv)) {
      for (DeviceId d : w.topology().users.at(u)) {
        const std::vector<ClientMsgId> view = w.displayed(d, conv);
        RC_ASSERT(view == w.device(d).view(conv));
        if (reinstalled.count(d) == 0) {
          if (view != ids) {
            RC_LOG() << to_string(d) << " " << to_string(conv) << " view";
            for (auto& m : view) RC_LOG() << " " << to_string(m);
            RC_LOG() << " timeline";
            for (auto& m : ids) RC_LOG() << " " << to_string(m);
            RC_LOG() << "\n" << w.why_not_quiet();
          }
          RC_ASSERT(view == ids);  // the whole timeline, once, in order
        } else {
          RC_ASSERT(view.size() <= ids.size());  // a suffix of it
          RC_ASSERT(std::equal(view.begin(), view.end(), ids.end() - view.size()));
        }
        for (const Observation& o : w.slot(d).observations) {
          if (const auto* a = std::get_if<Acked>(&o)) {
            RC_ASSERT(a->conv_seq.value >= 1);
            const auto& stored = w.store_of(a->conv).timeline(a->conv);
            RC_ASSERT(a->conv_seq.value <= stored.size());
            RC_ASSERT(stored[a->conv_seq.value - 1].msg.id == a->msg);
          }
        }
      }
    }
  }
}

RC_GTEST_PROP(RandomFaults, SyncInvariantsHoldAfterHeal, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  TestRandom rnd(seed);
  Config c = fast_config();
  c.buggify = *rc::gen::arbitrary<bool>();
  c.large_group_threshold = 2;
  c.inbox_ttl = Duration::from_ns(*rc::gen::element<std::int64_t>(3'000 * kMs, 3600'000 * kMs));
  Topology t = make_topology(3, 2,
                             {{kDirect, {UserId{1}, UserId{2}}},
                              {kGroup, {UserId{1}, UserId{2}}},
                              {kLarge, {UserId{1}, UserId{2}, UserId{3}}}});
  t.gateway_count = 2;
  t.queue_count = *rc::gen::inRange<std::uint32_t>(1, 3);
  t.processor_count = 2;
  t.store_count = 2;
  World w(c, t, &rnd);
  const auto loss_pct = *rc::gen::inRange<std::uint64_t>(0, 30);
  w.drop_datagram = [&](Address, Address, const Bytes&) { return rnd.next_u64() % 100 < loss_pct; };
  std::vector<DeviceId> devices;
  for (const auto& [u, ds] : t.users) devices.insert(devices.end(), ds.begin(), ds.end());
  for (DeviceId d : devices) w.online(d);
  std::vector<Address> servers;
  for (std::uint32_t i = 0; i < t.gateway_count; i++) servers.push_back({RoleKind::gateway, i});
  for (std::uint32_t i = 0; i < t.queue_count; i++) servers.push_back({RoleKind::queue, i});
  for (std::uint32_t i = 0; i < t.processor_count; i++) servers.push_back({RoleKind::processor, i});
  for (std::uint32_t i = 0; i < t.store_count; i++) servers.push_back({RoleKind::store, i});
  std::set<DeviceId> reinstalled;
  const auto steps = *rc::gen::inRange(10, 120);
  for (int i = 0; i < steps; i++) {
    const std::uint64_t r = rnd.next_u64() % 100;
    const DeviceId d = devices[rnd.next_u64() % devices.size()];
    if (r < 60) {
      const auto convs = t.conversations_of(d.user);
      const ConvId conv = convs[rnd.next_u64() % convs.size()];
      w.try_send(d, conv, "m" + std::to_string(i));  // refused right after a restart
    } else if (r < 70) {
      const Address a = servers[rnd.next_u64() % servers.size()];
      w.crash(a, rnd.next_u64() % 2 == 0);
      w.run_for(static_cast<std::int64_t>(rnd.next_u64() % 500) * kMs);
      w.restart(a);
    } else if (r < 80) {
      w.kill(d);
    } else if (r < 88) {
      w.offline(d);
    } else if (r < 96) {
      w.online(d);
    } else if (r < 98) {
      w.reinstall(d);
      reinstalled.insert(d);
      w.online(d);
    }
    w.run_for(static_cast<std::int64_t>(rnd.next_u64() % 300) * kMs);
  }
  // Heal: no loss, everyone online; resend whatever the budget gave up on.
  w.drop_datagram = nullptr;
  for (DeviceId d : devices) w.online(d);
  const bool settled = w.settle(300'000 * kMs);
  if (!settled) RC_LOG() << w.why_not_quiet();
  RC_ASSERT(settled);
  check_invariants(w, reinstalled);
}

}  // namespace
}  // namespace imsim::engine::testing
