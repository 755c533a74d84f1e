// Gateway: authentication, per-frame authorization, forwarding, delivery to connections.
#include <algorithm>
#include <imsim/engine/gateway.hpp>
#include <limits>
#include <set>
#include <sstream>

#include "role_io.hpp"

namespace imsim::engine {

struct Gateway::Impl {
  struct Conn {
    std::uint64_t nonce = 0;         // of the Challenge; the Hello's proof must answer it
    std::optional<DeviceId> device;  // set by a valid Hello
    Incarnation incarnation;
    // Token bucket (GCRA): when the next frame is due. Local times may be negative (a clock
    // offset), so "no frame yet" is the smallest time.
    std::int64_t next_frame_ns = std::numeric_limits<std::int64_t>::min();
    std::int64_t opened_ns = 0;  // local time the connection opened
  };

  Impl(const Config& c, const Topology& t, std::uint32_t i, Random* r)
      : config(c), topology(t), index(i), random(r), io(c.frame_bytes_max) {}

  void on_conn_opened(ConnId id, LocalTime now, Effects& fx);
  void on_conn_frame(ConnId conn, std::span<const std::uint8_t> bytes, LocalTime now, Effects& fx);
  bool admit(Conn& conn, LocalTime now) const;  // the connection's token bucket
  void on_hello(ConnId id, Conn& conn, const Hello& h, Effects& fx);
  void supersede(DeviceId device, ConnId newer, Effects& fx);
  void forget(ConnId id);
  void on_send(ConnId id, const Conn& conn, const Send& s, Effects& fx);
  void on_pull_inbox(ConnId id, const Conn& conn, PullInbox p, Effects& fx);
  void on_pull_conv(ConnId id, const Conn& conn, PullConv p, Effects& fx);
  void on_datagram(Address from, const Frame& frame, Effects& fx);
  void on_deliveries(Address from, const Deliveries& d, Effects& fx);
  void reject(ConnId conn, RejectReason reason, FrameType type, ReqId req, Effects& fx);
  void nack(ConnId conn, const ClientMsgId& msg, RejectReason reason, Effects& fx);
  const Conn* authenticated(ConnId conn) const;

  const Config& config;
  const Topology& topology;
  std::uint32_t index;
  Random* random;                 // the host's randomness: makes nonces unpredictable
  std::uint64_t nonces_made = 0;  // makes them distinct within this gateway's life
  RoleIo io;
  std::map<ConnId, Conn> conns;
  std::map<UserId, std::set<ConnId>> by_user;  // authenticated connections per user
  std::map<DeviceId, ConnId> by_device;        // the one authenticated connection of a device
  std::set<ConnId> pending;  // open, not yet authenticated (at most config.conn_pending_max)
};

void Gateway::Impl::reject(ConnId conn, RejectReason reason, FrameType type, ReqId req,
                           Effects& fx) {
  io.count_reject(reason);
  io.send(fx, conn, Reject{reason, static_cast<std::uint8_t>(type), req});
}

void Gateway::Impl::nack(ConnId conn, const ClientMsgId& msg, RejectReason reason, Effects& fx) {
  io.count_reject(reason);
  io.send(fx, conn, SendNack{msg, reason});
}

const Gateway::Impl::Conn* Gateway::Impl::authenticated(ConnId conn) const {
  auto it = conns.find(conn);
  if (it == conns.end() || !it->second.device) return nullptr;
  return &it->second;
}

void Gateway::Impl::on_conn_opened(ConnId id, LocalTime now, Effects& fx) {
  IMSIM_ASSERT(id.value != 0);  // 0 means "no connection" inside frames
  // Bounded. The oldest connection that has not authenticated makes room once it has been
  // waiting hello_timeout (its device has given up on it by then: it is dead, or an attacker
  // holding a slot); a younger one is still a handshake under way, so the new connection is
  // refused instead. Closing the oldest regardless turned a login storm of more than
  // conn_pending_max devices into a livelock: each handshake was closed just before its Hello
  // arrived (a 60 000-device world never converged).
  if (pending.size() >= config.conn_pending_max) {
    const ConnId oldest = *pending.begin();  // ids grow with time
    io.count_reject(RejectReason::not_authenticated);
    if (now.ns() - conns.at(oldest).opened_ns < config.hello_timeout.ns()) {
      fx.disconnects.push_back(Disconnect{id});
      return;
    }
    fx.disconnects.push_back(Disconnect{oldest});
    forget(oldest);
  }
  // Distinct per connection (the counter) and unpredictable (the host's randomness, when given).
  const std::uint64_t drawn = random != nullptr ? random->next_u64() : 0;
  const std::uint64_t nonce = challenge_nonce(topology.auth_secret, index, ++nonces_made, drawn);
  Conn conn;
  conn.nonce = nonce;
  conn.opened_ns = now.ns();
  conns[id] = conn;
  pending.insert(id);
  io.send(fx, id, Challenge{nonce});
}

// Generic cell rate algorithm: a frame is due every 1/conn_frames_per_s, and may come up to
// conn_frame_burst - 1 intervals early. Integer nanoseconds of the gateway's clock.
bool Gateway::Impl::admit(Conn& conn, LocalTime now) const {
  const std::int64_t interval_ns = kNsPerS / config.conn_frames_per_s;
  const std::int64_t early_ns = interval_ns * (std::int64_t{config.conn_frame_burst} - 1);
  // Clamped to what admitting can produce, so a clock stepped back does not stall the device.
  // Kept even when refusing: the wait starts from the clamped value.
  conn.next_frame_ns = std::clamp(conn.next_frame_ns, now.ns(), now.ns() + early_ns + interval_ns);
  if (conn.next_frame_ns - now.ns() > early_ns) return false;
  conn.next_frame_ns += interval_ns;
  return true;
}

void Gateway::Impl::on_conn_frame(ConnId id, std::span<const std::uint8_t> bytes, LocalTime now,
                                  Effects& fx) {
  auto it = conns.find(id);
  // A frame on a connection this gateway closed (or never opened): counted, nothing else.
  if (it == conns.end()) return io.count_reject(RejectReason::unexpected_frame);
  std::optional<Frame> frame = io.receive(bytes);
  if (!frame) {
    io.send(fx, id, Reject{RejectReason::malformed, 0, ReqId{}});
    return;
  }
  Conn& conn = it->second;
  if (!admit(conn, now)) {
    if (auto* s = std::get_if<Send>(&*frame))
      return nack(id, s->msg.id, RejectReason::rate_limited, fx);
    return reject(id, RejectReason::rate_limited, type_of(*frame), {}, fx);
  }
  if (auto* h = std::get_if<Hello>(&*frame)) return on_hello(id, conn, *h, fx);
  if (!conn.device) return reject(id, RejectReason::not_authenticated, type_of(*frame), {}, fx);
  if (auto* s = std::get_if<Send>(&*frame)) return on_send(id, conn, *s, fx);
  if (auto* p = std::get_if<PullInbox>(&*frame)) return on_pull_inbox(id, conn, *p, fx);
  if (auto* c = std::get_if<PullConv>(&*frame)) return on_pull_conv(id, conn, *c, fx);
  reject(id, RejectReason::unexpected_frame, type_of(*frame), {}, fx);
}

void Gateway::Impl::on_hello(ConnId id, Conn& conn, const Hello& h, Effects& fx) {
  if (conn.device) return reject(id, RejectReason::unexpected_frame, FrameType::hello, {}, fx);
  if (!topology.has_device(h.device) ||
      h.proof != hello_proof(topology.device_token(h.device, h.incarnation), conn.nonce, h.device,
                             h.incarnation)) {
    return reject(id, RejectReason::auth_failed, FrameType::hello, {}, fx);
  }
  supersede(h.device, id, fx);
  pending.erase(id);
  conn.device = h.device;
  conn.incarnation = h.incarnation;
  by_user[h.device.user].insert(id);
  by_device[h.device] = id;
  io.send(fx, id, HelloOk{h.device});
}

// One authenticated connection per device on this gateway: the newest wins (a device that
// reconnects may find its old connection still open here), the older one is closed.
void Gateway::Impl::supersede(DeviceId device, ConnId newer, Effects& fx) {
  auto it = by_device.find(device);
  if (it == by_device.end()) return;
  const ConnId older = it->second;
  IMSIM_ASSERT(older != newer);
  io.count_reject(RejectReason::superseded);
  io.send(fx, older,
          Reject{RejectReason::superseded, static_cast<std::uint8_t>(FrameType::hello), ReqId{}});
  fx.disconnects.push_back(Disconnect{older});
  forget(older);
}

void Gateway::Impl::forget(ConnId id) {
  pending.erase(id);
  auto it = conns.find(id);
  if (it == conns.end()) return;
  if (it->second.device) {
    auto& set = by_user[it->second.device->user];
    set.erase(id);
    if (set.empty()) by_user.erase(it->second.device->user);
    auto device = by_device.find(*it->second.device);
    if (device != by_device.end() && device->second == id) by_device.erase(device);
  }
  conns.erase(it);
}

void Gateway::Impl::on_send(ConnId id, const Conn& conn, const Send& s, Effects& fx) {
  const MessageData& m = s.msg;
  if (m.id.device != *conn.device || m.id.incarnation != conn.incarnation) {
    return nack(id, m.id, RejectReason::forged_sender, fx);
  }
  if (!topology.has_conv(m.conv)) return nack(id, m.id, RejectReason::unknown_conv, fx);
  if (!topology.is_member(conn.device->user, m.conv)) {
    return nack(id, m.id, RejectReason::not_member, fx);
  }
  if (m.body.size() > config.message_body_bytes_max) {
    return nack(id, m.id, RejectReason::oversized, fx);
  }
  if (m.lane_seq.value == 0 || m.id.counter == 0) {
    return nack(id, m.id, RejectReason::bad_field, fx);
  }
  const std::uint32_t partition = topology.partition_of(m.conv, config);
  io.send(fx, topology.queue_for_partition(partition), Enqueue{Origin{index, id}, m});
}

void Gateway::Impl::on_pull_inbox(ConnId id, const Conn& conn, PullInbox p, Effects& fx) {
  if (p.user != conn.device->user) {
    return reject(id, RejectReason::forbidden_inbox, FrameType::pull_inbox, p.req, fx);
  }
  if (p.limit == 0 || p.limit > config.page_size_max) {
    return reject(id, RejectReason::bad_limit, FrameType::pull_inbox, p.req, fx);
  }
  p.conn = id;  // the store echoes it so the page finds its way back
  io.send(fx, topology.store_for_user(p.user), p);
}

void Gateway::Impl::on_pull_conv(ConnId id, const Conn& conn, PullConv p, Effects& fx) {
  if (!topology.has_conv(p.conv)) {
    return reject(id, RejectReason::unknown_conv, FrameType::pull_conv, p.req, fx);
  }
  if (!topology.is_member(conn.device->user, p.conv)) {
    return reject(id, RejectReason::not_member, FrameType::pull_conv, p.req, fx);
  }
  if (p.limit == 0 || p.limit > config.page_size_max) {
    return reject(id, RejectReason::bad_limit, FrameType::pull_conv, p.req, fx);
  }
  p.conn = id;
  io.send(fx, topology.store_for_conv(p.conv), p);
}

void Gateway::Impl::on_datagram(Address from, const Frame& frame, Effects& fx) {
  const bool from_store = from.kind == RoleKind::store;
  const bool from_processor = from.kind == RoleKind::processor;
  if (auto* page = std::get_if<InboxPage>(&frame); page && from_store) {
    const Conn* conn = authenticated(page->conn);
    if (conn == nullptr) {
      return io.cover(CoveragePoint::gateway_page_conn_gone);  // the device is gone
    }
    // The return path checks again: a page of another user's inbox never reaches this device.
    if (conn->device->user != page->user) return io.count_reject(RejectReason::forbidden_inbox);
    InboxPage out = *page;
    out.conn = ConnId{0};
    io.send(fx, page->conn, out);
  } else if (auto* cp = std::get_if<ConvPage>(&frame); cp && from_store) {
    const Conn* conn = authenticated(cp->conn);
    if (conn == nullptr) return;  // the device is gone
    if (!topology.is_member(conn->device->user, cp->conv)) {
      return io.count_reject(RejectReason::not_member);
    }
    ConvPage out = *cp;
    out.conn = ConnId{0};
    io.send(fx, cp->conn, out);
  } else if (auto* r = std::get_if<SendResult>(&frame);
             r && (from_processor ||
                   (from.kind == RoleKind::queue && r->reason == RejectReason::overloaded))) {
    const Conn* conn = authenticated(r->origin.conn);
    if (r->origin.gateway != index || conn == nullptr) {
      return io.cover(CoveragePoint::gateway_result_conn_gone);  // the device resends instead
    }
    if (*conn->device != r->msg.device || conn->incarnation != r->msg.incarnation) return;
    if (r->reason == RejectReason::none) {
      io.send(fx, r->origin.conn, SendAck{r->msg, r->conv_seq});
    } else {
      io.send(fx, r->origin.conn, SendNack{r->msg, r->reason});
    }
  } else if (auto* d = std::get_if<Deliveries>(&frame); d && from_processor) {
    on_deliveries(from, *d, fx);
  } else {
    io.count_reject(RejectReason::unexpected_frame);
  }
}

void Gateway::Impl::on_deliveries(Address from, const Deliveries& d, Effects& fx) {
  if (!topology.has_conv(d.msg.conv)) return io.count_reject(RejectReason::unknown_conv);
  if (d.notice_only) {
    for (UserId member : topology.members(d.msg.conv)) {
      auto it = by_user.find(member);
      if (it == by_user.end()) continue;
      for (ConnId conn : it->second) io.send(fx, conn, Notice{d.msg.conv, d.conv_seq});
    }
  } else {
    for (const Recipient& r : d.recipients) {
      if (r.inbox_seq.value == 0) continue;  // expired already: the device will pull
      if (!topology.is_member(r.user, d.msg.conv)) continue;
      auto it = by_user.find(r.user);
      if (it == by_user.end()) continue;
      for (ConnId conn : it->second) {
        io.send(fx, conn, Push{r.user, InboxEntry{r.inbox_seq, d.conv_seq, d.msg}});
      }
    }
  }
  io.send(fx, from, DeliveriesAck{d.req});
}

// --- Gateway facade ---

Gateway::Gateway(const Config& config, const Topology& topology, std::uint32_t index,
                 Random* random)
    : impl_(std::make_unique<Impl>(config, topology, index, random)) {
  validate(config);
  IMSIM_ASSERT(index < topology.gateway_count);
}
Gateway::~Gateway() = default;

Address Gateway::address() const { return Address{RoleKind::gateway, impl_->index}; }
void Gateway::recover(const DurableMap&, LocalTime, Effects&) {}  // stateless
void Gateway::on_timer(TimerId, LocalTime, Effects&) {}
void Gateway::on_storage_done(OpId, LocalTime, Effects&) {}

void Gateway::on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime,
                          Effects& fx) {
  std::optional<Frame> frame = impl_->io.receive(bytes);
  if (!frame) return;
  impl_->on_datagram(from, *frame, fx);
}

void Gateway::on_conn_opened(ConnId conn, LocalTime now, Effects& fx) {
  impl_->on_conn_opened(conn, now, fx);
}

void Gateway::on_conn_closed(ConnId conn, LocalTime, Effects&) { impl_->forget(conn); }

void Gateway::on_conn_frame(ConnId conn, std::span<const std::uint8_t> bytes, LocalTime now,
                            Effects& fx) {
  impl_->on_conn_frame(conn, bytes, now, fx);
}

const RoleCounters& Gateway::counters() const { return impl_->io.counters; }
std::size_t Gateway::connection_count() const { return impl_->conns.size(); }

std::string Gateway::state_digest() const {
  std::ostringstream out;
  for (const auto& [conn, c] : impl_->conns) {
    out << conn.value << "=" << (c.device ? to_string(*c.device) : "-") << ";";
  }
  return out.str();
}

}  // namespace imsim::engine
