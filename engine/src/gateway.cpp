// Gateway: authentication, per-frame authorization, forwarding, delivery to connections.
#include <imsim/engine/gateway.hpp>
#include <set>
#include <sstream>

#include "role_io.hpp"

namespace imsim::engine {

struct Gateway::Impl {
  struct Conn {
    std::optional<DeviceId> device;  // set by a valid Hello
    Incarnation incarnation;
  };

  Impl(const Config& c, const Topology& t, std::uint32_t i)
      : config(c), topology(t), index(i), io(c.frame_bytes_max) {}

  void on_conn_frame(ConnId conn, std::span<const std::uint8_t> bytes, Effects& fx);
  void on_hello(ConnId id, Conn& conn, const Hello& h, Effects& fx);
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
  RoleIo io;
  std::map<ConnId, Conn> conns;
  std::map<UserId, std::set<ConnId>> by_user;  // authenticated connections per user
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

void Gateway::Impl::on_conn_frame(ConnId id, std::span<const std::uint8_t> bytes, Effects& fx) {
  auto it = conns.find(id);
  if (it == conns.end()) return io.count_reject(RejectReason::unexpected_frame);
  std::optional<Frame> frame = io.receive(bytes);
  if (!frame) {
    io.send(fx, id, Reject{RejectReason::malformed, 0, ReqId{}});
    return;
  }
  Conn& conn = it->second;
  if (auto* h = std::get_if<Hello>(&*frame)) return on_hello(id, conn, *h, fx);
  if (!conn.device) return reject(id, RejectReason::not_authenticated, type_of(*frame), {}, fx);
  if (auto* s = std::get_if<Send>(&*frame)) return on_send(id, conn, *s, fx);
  if (auto* p = std::get_if<PullInbox>(&*frame)) return on_pull_inbox(id, conn, *p, fx);
  if (auto* c = std::get_if<PullConv>(&*frame)) return on_pull_conv(id, conn, *c, fx);
  reject(id, RejectReason::unexpected_frame, type_of(*frame), {}, fx);
}

void Gateway::Impl::on_hello(ConnId id, Conn& conn, const Hello& h, Effects& fx) {
  if (conn.device) return reject(id, RejectReason::unexpected_frame, FrameType::hello, {}, fx);
  if (!topology.has_device(h.device) || h.token != topology.device_token(h.device)) {
    return reject(id, RejectReason::auth_failed, FrameType::hello, {}, fx);
  }
  conn.device = h.device;
  conn.incarnation = h.incarnation;
  by_user[h.device.user].insert(id);
  io.send(fx, id, HelloOk{h.device});
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
    if (conn == nullptr || conn->device->user != page->user) {
      return io.cover(CoveragePoint::gateway_page_conn_gone);  // the device is gone
    }
    InboxPage out = *page;
    out.conn = ConnId{0};
    io.send(fx, page->conn, out);
  } else if (auto* cp = std::get_if<ConvPage>(&frame); cp && from_store) {
    const Conn* conn = authenticated(cp->conn);
    if (conn == nullptr || !topology.is_member(conn->device->user, cp->conv)) return;
    ConvPage out = *cp;
    out.conn = ConnId{0};
    io.send(fx, cp->conn, out);
  } else if (auto* r = std::get_if<SendResult>(&frame);
             r && (from_processor || (from.kind == RoleKind::queue &&
                                      r->reason == RejectReason::overloaded))) {
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

Gateway::Gateway(const Config& config, const Topology& topology, std::uint32_t index, Random*)
    : impl_(std::make_unique<Impl>(config, topology, index)) {
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

void Gateway::on_conn_opened(ConnId conn, LocalTime, Effects&) {
  IMSIM_ASSERT(conn.value != 0);  // 0 means "no connection" inside frames
  impl_->conns[conn] = Impl::Conn{};
}

void Gateway::on_conn_closed(ConnId conn, LocalTime, Effects&) {
  auto it = impl_->conns.find(conn);
  if (it == impl_->conns.end()) return;
  if (it->second.device) {
    auto& set = impl_->by_user[it->second.device->user];
    set.erase(conn);
    if (set.empty()) impl_->by_user.erase(it->second.device->user);
  }
  impl_->conns.erase(it);
}

void Gateway::on_conn_frame(ConnId conn, std::span<const std::uint8_t> bytes, LocalTime,
                            Effects& fx) {
  impl_->on_conn_frame(conn, bytes, fx);
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
