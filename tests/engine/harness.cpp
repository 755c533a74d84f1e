#include "harness.hpp"

#include <algorithm>
#include <imsim/base/assert.hpp>

namespace imsim::engine::testing {

Topology make_topology(std::uint32_t users, std::uint32_t devices_per_user,
                       const std::map<ConvId, std::vector<UserId>>& conversations) {
  Topology t;
  for (std::uint32_t u = 1; u <= users; u++) {
    for (std::uint32_t d = 1; d <= devices_per_user; d++) t.users[UserId{u}].push_back(dev(u, d));
  }
  t.conversations = conversations;
  t.normalize();
  return t;
}

Config fast_config() {
  Config c;
  c.page_size = 4;  // small pages: every test pages
  c.page_size_max = 8;
  c.send_timeout = Duration::from_ms(300);
  c.send_timeout_max = Duration::from_ms(1200);
  c.retry_budget = 8;
  c.pull_timeout = Duration::from_ms(300);
  c.sync_poll_interval = Duration::from_ms(2000);
  c.queue_redelivery_timeout = Duration::from_ms(400);
  c.request_timeout = Duration::from_ms(50);
  c.request_timeout_max = Duration::from_ms(400);
  c.reconnect_backoff = Duration::from_ms(50);
  c.reconnect_backoff_max = Duration::from_ms(500);
  c.large_group_threshold = 3;
  return c;
}

World::World(Config config, Topology topology, Random* random)
    : config_(std::move(config)), topology_(std::move(topology)), random_(random) {
  topology_.normalize();
  for (std::uint32_t i = 0; i < topology_.gateway_count; i++) make_server({RoleKind::gateway, i});
  for (std::uint32_t i = 0; i < topology_.queue_count; i++) make_server({RoleKind::queue, i});
  for (std::uint32_t i = 0; i < topology_.processor_count; i++) {
    make_server({RoleKind::processor, i});
  }
  for (std::uint32_t i = 0; i < topology_.store_count; i++) make_server({RoleKind::store, i});
  for (const auto& [user, ds] : topology_.users) {
    for (DeviceId d : ds) make_device(d, Incarnation{0});
  }
}

void World::make_server(Address a) {
  std::unique_ptr<ServerRole> role;
  switch (a.kind) {
    case RoleKind::gateway:
      role = std::make_unique<Gateway>(config_, topology_, a.index, random_);
      break;
    case RoleKind::queue:
      role = std::make_unique<Queue>(config_, topology_, a.index, random_);
      break;
    case RoleKind::processor:
      role = std::make_unique<Processor>(config_, topology_, a.index, random_);
      break;
    case RoleKind::store:
      role = std::make_unique<TimelineStore>(config_, topology_, a.index, random_);
      break;
  }
  servers_[a] = std::move(role);
  NodeState& n = nodes_[a];
  n.down = false;
  Effects fx;
  servers_[a]->recover(n.durable, now(), fx);
  apply(a, fx);
}

void World::make_device(DeviceId d, Incarnation inc) {
  DeviceSlot& s = devices_[d];
  s.incarnation = inc;
  s.device = std::make_unique<Device>(config_, topology_, d,
                                      DeviceOptions{inc, topology_.device_token(d, inc)}, random_);
  NodeState& n = nodes_[d];
  n.down = false;
  Effects fx;
  s.device->recover(n.durable, now(), fx);
  apply(d, fx);
}

void World::schedule(std::int64_t at_ns, const NodeKey& target, decltype(Event::what) what) {
  events_.emplace(std::make_pair(at_ns, next_seq_++),
                  Event{nodes_[target].generation, target, std::move(what)});
}

void World::apply(const NodeKey& node, Effects& fx) {
  NodeState& n = nodes_[node];
  for (SendFrame& f : fx.frames) {
    if (const Address* to = std::get_if<Address>(&f.to)) {
      const Address from = std::get<Address>(node);
      if (drop_datagram && drop_datagram(from, *to, f.bytes)) continue;
      schedule(now_ns_ + latency_ns_, *to, Datagram{from, *to, std::move(f.bytes)});
    } else {
      const ConnId conn = std::get<ConnId>(f.to);
      auto it = conns_.find(conn);
      if (it == conns_.end() || !it->second.open) continue;
      const bool to_device = std::holds_alternative<Address>(node);
      const NodeKey target = to_device ? NodeKey{it->second.device}
                                       : NodeKey{Address{RoleKind::gateway, it->second.gateway}};
      schedule(now_ns_ + latency_ns_, target, ConnFrame{conn, to_device, std::move(f.bytes)});
    }
  }
  for (const CancelTimer& c : fx.timers_cancelled) n.cancelled.insert(c.id);
  for (const SetTimer& t : fx.timers_set) {
    IMSIM_ASSERT(t.deadline.ns() >= now_ns_);
    schedule(t.deadline.ns(), node, TimerFire{node, t.id});
  }
  for (StorageOp& op : fx.storage) {
    const OpId id = std::visit([](const auto& o) { return o.op; }, op);
    n.pending.emplace(id, std::move(op));
    schedule(now_ns_ + storage_ns_, node, StorageDone{node, id});
  }
  for (const Connect& c : fx.connects) {
    const DeviceId d = std::get<DeviceId>(node);
    schedule(now_ns_ + latency_ns_, node, ConnectReq{d, c.gateway_index});
  }
  for (const Disconnect& d : fx.disconnects) {
    const bool from_device = std::holds_alternative<DeviceId>(node);
    close_conn(d.conn, !from_device, from_device);
  }
  for (Observation& o : fx.observations) {
    devices_.at(std::get<DeviceId>(node)).observations.push_back(std::move(o));
  }
  fx.clear();
}

void World::close_conn(ConnId conn, bool tell_device, bool tell_gateway) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || !it->second.open) return;
  it->second.open = false;
  if (tell_device)
    schedule(now_ns_ + latency_ns_, it->second.device, ConnClosed{it->second.device, conn});
  if (tell_gateway) {
    const Address g{RoleKind::gateway, it->second.gateway};
    schedule(now_ns_ + latency_ns_, g, ConnClosed{g, conn});
  }
}

void World::deliver(const Event& e, Effects& fx) {
  const NodeKey& target = e.target;
  NodeState& n = nodes_[target];
  const LocalTime t = now();
  Device* d = std::holds_alternative<DeviceId>(target)
                  ? devices_.at(std::get<DeviceId>(target)).device.get()
                  : nullptr;
  ServerRole* s = d == nullptr ? servers_.at(std::get<Address>(target)).get() : nullptr;
  std::visit(
      [&](const auto& w) {
        using W = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<W, Datagram>) {
          s->on_datagram(w.from, w.bytes, t, fx);
        } else if constexpr (std::is_same_v<W, ConnFrame>) {
          if (!conns_.at(w.conn).open) return;
          if (w.to_device)
            d->on_frame(w.conn, w.bytes, t, fx);
          else
            static_cast<Gateway*>(s)->on_conn_frame(w.conn, w.bytes, t, fx);
        } else if constexpr (std::is_same_v<W, TimerFire>) {
          if (n.cancelled.erase(w.id) != 0) return;
          if (d)
            d->on_timer(w.id, t, fx);
          else
            s->on_timer(w.id, t, fx);
        } else if constexpr (std::is_same_v<W, StorageDone>) {
          auto it = n.pending.find(w.op);
          IMSIM_ASSERT(it != n.pending.end());
          std::visit(
              [&](const auto& op) {
                if constexpr (std::is_same_v<std::decay_t<decltype(op)>, StorageWrite>) {
                  n.durable[op.key] = op.value;
                } else {
                  n.durable.erase(op.key);
                }
              },
              it->second);
          n.pending.erase(it);
          if (d)
            d->on_storage_done(w.op, t, fx);
          else
            s->on_storage_done(w.op, t, fx);
        } else if constexpr (std::is_same_v<W, ConnectReq>) {
          const Address g{RoleKind::gateway, w.gateway};
          if (nodes_[g].down) {
            d->on_connect_failed(t, fx);
            return;
          }
          const ConnId conn{next_conn_++};
          conns_[conn] = Conn{w.device, w.gateway, true};
          Effects gfx;
          static_cast<Gateway&>(*servers_.at(g)).on_conn_opened(conn, t, gfx);
          apply(g, gfx);
          d->on_connected(conn, t, fx);
        } else if constexpr (std::is_same_v<W, ConnClosed>) {
          if (d)
            d->on_conn_closed(w.conn, t, fx);
          else
            static_cast<Gateway*>(s)->on_conn_closed(w.conn, t, fx);
        }
      },
      e.what);
}

bool World::step() {
  while (!events_.empty()) {
    auto it = events_.begin();
    Event e = std::move(it->second);
    now_ns_ = std::max(now_ns_, it->first.first);
    events_.erase(it);
    NodeState& n = nodes_[e.target];
    if (n.down || e.generation != n.generation) continue;  // sent to a crashed incarnation
    Effects fx;
    deliver(e, fx);
    n.inputs++;
    apply(e.target, fx);
    if (after_event) after_event(e.target, nodes_[e.target]);
    return true;
  }
  return false;
}

void World::run_for(std::int64_t ns) {
  const std::int64_t end = now_ns_ + ns;
  while (!events_.empty() && events_.begin()->first.first <= end) step();
  now_ns_ = std::max(now_ns_, end);
}

bool World::run_until(const std::function<bool()>& done, std::int64_t limit_ns) {
  const std::int64_t end = now_ns_ + limit_ns;
  while (!done()) {
    if (events_.empty() || events_.begin()->first.first > end) return false;
    step();
  }
  return true;
}

bool World::quiet() {
  for (auto& [d, s] : devices_) {
    if (nodes_[d].down) continue;
    if (s.wants_online && !s.device->quiescent()) return false;
    if (s.device->sending_count() != 0) return false;
  }
  for (std::uint32_t i = 0; i < topology_.queue_count; i++) {
    if (queue(i).pending_count() != 0) return false;
  }
  for (std::uint32_t i = 0; i < topology_.processor_count; i++) {
    if (processor(i).job_count() != 0) return false;
  }
  return true;
}

std::string World::why_not_quiet() {
  std::string out;
  for (auto& [d, s] : devices_) {
    out += to_string(d) + (nodes_[d].down ? " down" : "") + (s.wants_online ? " wants" : "") +
           (s.device->online() ? " online" : "") + (s.device->quiescent() ? " quiescent" : "") +
           " sending=" + std::to_string(s.device->sending_count()) + " " +
           s.device->state_digest() + "\n";
  }
  for (std::uint32_t i = 0; i < topology_.queue_count; i++) {
    out += "queue " + std::to_string(i) + " pending=" + std::to_string(queue(i).pending_count()) +
           (nodes_[Address{RoleKind::queue, i}].down ? " down" : "") + "\n";
  }
  for (std::uint32_t i = 0; i < topology_.processor_count; i++) {
    out += "processor " + std::to_string(i) + " " + processor(i).state_digest() + "\n";
  }
  for (std::uint32_t i = 0; i < topology_.store_count; i++) {
    out += "store " + std::to_string(i) + " " + store(i).state_digest() + "\n";
  }
  return out;
}

ClientMsgId World::send(DeviceId d, ConvId conv, std::string body) {
  std::optional<ClientMsgId> m = try_send(d, conv, std::move(body));
  IMSIM_ASSERT(m.has_value());
  return *m;
}

std::optional<ClientMsgId> World::try_send(DeviceId d, ConvId conv, std::string body) {
  Effects fx;
  SendOutcome out = device(d).send(conv, std::move(body), now(), fx);
  if (!out.ok()) {
    IMSIM_ASSERT(fx.empty());  // a refused send has no effects
    return std::nullopt;
  }
  apply(d, fx);
  return out.msg;
}

bool World::resend(DeviceId d, const ClientMsgId& msg) {
  Effects fx;
  const bool ok = device(d).resend(msg, now(), fx);
  apply(d, fx);
  return ok;
}

void World::online(DeviceId d) {
  slot(d).wants_online = true;
  Effects fx;
  device(d).go_online(now(), fx);
  apply(d, fx);
}

void World::page_back(DeviceId d, ConvId conv) {
  Effects fx;
  device(d).page_back(conv, now(), fx);
  apply(d, fx);
}

std::size_t World::tops_reached(DeviceId d, ConvId conv) const {
  std::size_t n = 0;
  for (const Observation& o : devices_.at(d).observations) {
    if (const auto* t = std::get_if<TopReached>(&o); t && t->conv == conv) n++;
  }
  return n;
}

void World::offline(DeviceId d) {
  slot(d).wants_online = false;
  Effects fx;
  device(d).go_offline(now(), fx);
  apply(d, fx);
}

void World::crash(const NodeKey& node, bool keep_pending) {
  NodeState& n = nodes_[node];
  if (keep_pending) {
    for (auto& [op, sop] : n.pending) {
      std::visit(
          [&](const auto& o) {
            if constexpr (std::is_same_v<std::decay_t<decltype(o)>, StorageWrite>) {
              n.durable[o.key] = o.value;
            } else {
              n.durable.erase(o.key);
            }
          },
          sop);
    }
  }
  n.pending.clear();
  n.cancelled.clear();
  n.generation++;
  n.down = true;
  for (auto& [conn, c] : conns_) {
    if (!c.open) continue;
    const bool mine = std::holds_alternative<DeviceId>(node)
                          ? c.device == std::get<DeviceId>(node)
                          : std::get<Address>(node) == Address{RoleKind::gateway, c.gateway};
    if (mine) close_conn(conn, true, true);
  }
}

void World::restart(const NodeKey& node) {
  IMSIM_ASSERT(nodes_[node].down);
  if (const Address* a = std::get_if<Address>(&node)) {
    make_server(*a);
  } else {
    const DeviceId d = std::get<DeviceId>(node);
    make_device(d, devices_.at(d).incarnation);
    record_restored_view(d);
  }
}

// A write that became durable without its completion being reported (keep_pending crashes)
// displayed messages the observations never announced. Like a recorder would, add what the
// recovered durable view holds beyond the recorded one; it must only extend it at the ends.
void World::record_restored_view(DeviceId d) {
  for (ConvId conv : topology_.conversations_of(d.user)) {
    const std::vector<ClientMsgId> recorded = displayed(d, conv);
    const std::vector<ClientMsgId> actual = device(d).view(conv);
    std::size_t start = 0;
    if (!recorded.empty()) {
      auto it = std::search(actual.begin(), actual.end(), recorded.begin(), recorded.end());
      IMSIM_ASSERT_MSG(it != actual.end(), "recovered view does not contain the recorded one");
      start = static_cast<std::size_t>(it - actual.begin());
    }
    auto& obs = devices_.at(d).observations;
    for (std::size_t i = start; i-- > 0;) {
      obs.push_back(Displayed{conv, actual[i], DisplayAt::top, ConvSeq{}});
    }
    for (std::size_t i = start + recorded.size(); i < actual.size(); i++) {
      obs.push_back(Displayed{conv, actual[i], DisplayAt::bottom, ConvSeq{}});
    }
  }
}

void World::kill(DeviceId d) {
  const bool was_online = slot(d).wants_online;
  crash(d, false);
  restart(d);
  if (was_online) online(d);
}

void World::reinstall(DeviceId d) {
  slot(d).wants_online = false;
  crash(d, false);
  nodes_[d].durable.clear();
  DeviceSlot& s = devices_.at(d);
  s.observations.clear();  // a new incarnation starts a new view
  make_device(d, Incarnation{s.incarnation.value + 1});
}

std::vector<ClientMsgId> World::displayed(DeviceId d, ConvId conv) const {
  std::vector<ClientMsgId> view;
  for (const Observation& o : devices_.at(d).observations) {
    const auto* disp = std::get_if<Displayed>(&o);
    if (disp == nullptr || disp->conv != conv) continue;
    if (disp->at == DisplayAt::bottom)
      view.push_back(disp->msg);
    else
      view.insert(view.begin(), disp->msg);
  }
  return view;
}

std::vector<ConvSeq> World::acks(DeviceId d, const ClientMsgId& msg) const {
  std::vector<ConvSeq> result;
  for (const Observation& o : devices_.at(d).observations) {
    if (const auto* a = std::get_if<Acked>(&o); a && a->msg == msg) result.push_back(a->conv_seq);
  }
  return result;
}

bool World::failed(DeviceId d, const ClientMsgId& msg) const {
  bool status_failed = false;
  for (const Observation& o : devices_.at(d).observations) {
    if (const auto* f = std::get_if<Failed>(&o); f && f->msg == msg) status_failed = true;
    if (const auto* a = std::get_if<Acked>(&o); a && a->msg == msg) status_failed = false;
  }
  return status_failed;
}

}  // namespace imsim::engine::testing
