// Device: lifecycle, recovery, connection management and frame dispatch.
#include <sstream>

#include "backoff.hpp"
#include "device_impl.hpp"

namespace imsim::engine {
bool Device::Impl::is_mine(const ClientMsgId& msg) const {
  return msg.device == id && msg.incarnation == incarnation;
}

void Device::Impl::recover(const DurableMap& durable, LocalTime now, Effects& fx) {
  IMSIM_ASSERT_MSG(!recovered, "recover is called once");
  recovered = true;
  incarnation = options.incarnation;
  bool have_checkpoint = false;
  using storage_keys::KeyKind;
  for (const auto& [key, value] : durable) {
    const std::optional<KeyKind> kind = storage_keys::kind_of(key);
    if (kind == KeyKind::id_reservation) {
      records::IdReservationRecord r;
      if (records::unseal(records::Kind::id_reservation, value, r)) ids_reserved = r.reserved;
    } else if (kind == KeyKind::checkpoint) {
      records::CheckpointRecord r;
      if (!records::unseal(records::Kind::checkpoint, value, r)) continue;
      checkpoint = r.checkpoint;
      bootstrapped = r.bootstrapped;
      incarnation = r.incarnation;  // the install's own, whatever the host passed
      have_checkpoint = true;
    } else if (kind == KeyKind::outbox) {
      records::OutboxRecord r;
      if (!records::unseal(records::Kind::outbox, value, r)) continue;
      if (r.msg.id.device != id) continue;
      OutboxEntry& e = outbox[r.msg.id];
      e.msg = r.msg;
      e.state = r.state;
      e.conv_seq = r.conv_seq;
      e.durable = true;
      e.deadline = now + config.send_timeout;
      if (e.state == records::OutboxState::sending) io.cover(CoveragePoint::device_recover_outbox);
      last_counter = std::max(last_counter, r.msg.id.counter);
      lane_last[r.msg.conv] = std::max(lane_last[r.msg.conv], r.msg.lane_seq);
    } else if (kind == KeyKind::conv_anchor) {
      records::ConvAnchorRecord r;
      if (!records::unseal(records::Kind::conv_anchor, value, r)) continue;
      ConvState& cs = convs[r.conv];
      cs.anchored = cs.anchor_durable = true;
      cs.anchor = r.anchor;
    } else if (kind == KeyKind::local_msg) {
      records::LocalMsgRecord r;
      if (!records::unseal(records::Kind::local_msg, value, r)) continue;
      ConvState& cs = convs[r.entry.msg.conv];
      cs.msgs[r.entry.conv_seq] = LocalMsg{r.entry.msg, std::nullopt};
      cs.ids.insert(r.entry.msg.id);
    }
  }
  // The view is a function of the anchor and the durable messages: rebuild it silently (its
  // display events were emitted before the crash, when the records became durable).
  for (auto& [conv, cs] : convs) {
    if (!cs.anchored) continue;
    cs.hi = cs.anchor;
    while (cs.msgs.count(ConvSeq{cs.hi.value + 1}) != 0) cs.hi = ConvSeq{cs.hi.value + 1};
    cs.lo = ConvSeq{cs.anchor.value + 1};
    while (cs.lo.value > 1 && cs.msgs.count(ConvSeq{cs.lo.value - 1}) != 0) {
      cs.lo = ConvSeq{cs.lo.value - 1};
    }
    // Reported before the restart (or, if the app died between durable and done, the host's
    // recorder reconciles it with top_reached()).
    cs.top_reported = cs.anchor.value > 0 && cs.lo.value == 1;
  }
  // Ids up to the durable reservation may have been handed out before the crash, even those
  // whose outbox entry never became durable: continue above it.
  last_counter = std::max(last_counter, ids_reserved);
  reserve_ids(fx);
  cursor = checkpoint;
  if (!have_checkpoint) {
    // Make the install's incarnation durable before any message id is built from it.
    ApplyBatch b{checkpoint, {}, false, std::nullopt};
    batches.push_back(b);
    check_batches(now, fx);
  }
  arm_send_timer(now, fx);
}

void Device::Impl::connect(Effects& fx) {
  IMSIM_ASSERT(!conn.has_value());
  IMSIM_ASSERT(!connecting);
  connecting = true;
  const std::uint32_t g =
      (id.user.value * 31u + id.index + connect_attempts) % topology.gateway_count;
  fx.connects.push_back(Connect{g});
}

void Device::Impl::schedule_reconnect(LocalTime now, Effects& fx) {
  if (!want_online) return;
  io.cover(CoveragePoint::device_reconnect_backoff);
  const Duration delay = capped_backoff(config.reconnect_backoff, 2, steps_before(connect_attempts),
                                        config.reconnect_backoff_max);
  reconnect_timer.arm_by(io, fx, now, now + delay);
}

// Authenticated: retransmit everything pending, then sync.
void Device::Impl::on_session(LocalTime now, Effects& fx) {
  authed = true;
  hello_timer.cancel(io, fx);
  connect_attempts = 0;
  for (auto& [msg, e] : outbox) {
    if (e.state == records::OutboxState::sending && e.durable) transmit(e, now, fx);
  }
  arm_send_timer(now, fx);
  if (config.mutations.cursor_from_client_id) {
    // mutation: resume the inbox pull after the device's own newest message id (a client-side
    // counter) instead of the server's inbox_seq; entries between the two are skipped.
    cursor = std::max(cursor, InboxSeq{last_counter});
  }
  if (config.mutations.resume_counter_reset) {
    // mutation: the acknowledged (resume) counter restarts at 0, as a client that forgets its
    // XEP-0198 `h`: the server re-sends everything it retains, and the device's delivered marks
    // (inbox cursor, checkpoint, each conversation's shown-up-to seq) restart with it, so the
    // re-sent entries are shown again as new.
    cursor = checkpoint = InboxSeq{0};
    for (ApplyBatch& b : batches) b.last = InboxSeq{0};
    for (auto& [conv, cs] : convs) cs.hi = std::min(cs.hi, cs.anchor);
  }
  if (!bootstrapped) {
    io.cover(CoveragePoint::device_first_sync);
    enqueue(SyncTask{TaskKind::resync_start, ConvId{}});
  }
  enqueue(SyncTask{TaskKind::inbox_pull, ConvId{}});
  enqueue_catch_up();
  for (auto& [conv, cs] : convs) {
    if (roaming_wanted(cs)) enqueue(SyncTask{TaskKind::conv_backward, conv});
  }
  if (config.sync_poll_interval > Duration::zero()) {
    poll_timer.arm_by(io, fx, now, now + config.sync_poll_interval);
  }
  pump_sync(now, fx);
}

// The connection is gone: in-flight pulls die with it; the next session starts over.
void Device::Impl::drop_session() {
  conn.reset();
  hello_sent = false;
  authed = false;
  tasks.clear();
  outstanding.reset();
  resync_head.reset();
}

void Device::Impl::on_frame(const Frame& frame, LocalTime now, Effects& fx) {
  if (const auto* challenge = std::get_if<Challenge>(&frame)) {
    if (authed || hello_sent) return io.count_reject(RejectReason::unexpected_frame);
    // The proof answers this connection's nonce: the token itself never travels.
    hello_sent = true;
    io.send(fx, *conn,
            Hello{id, incarnation, hello_proof(options.token, challenge->nonce, id, incarnation)});
    return;
  }
  if (std::holds_alternative<HelloOk>(frame)) {
    if (authed || !hello_sent || std::get<HelloOk>(frame).device != id) {
      return io.count_reject(RejectReason::unexpected_frame);
    }
    on_session(now, fx);
    return;
  }
  if (!authed) return io.count_reject(RejectReason::not_authenticated);
  if (auto* a = std::get_if<SendAck>(&frame)) return on_ack(a->msg, a->conv_seq, now, fx);
  if (auto* n = std::get_if<SendNack>(&frame)) return on_nack(*n, now, fx);
  if (auto* p = std::get_if<InboxPage>(&frame)) return on_inbox_page(*p, now, fx);
  if (auto* c = std::get_if<ConvPage>(&frame)) return on_conv_page(*c, now, fx);
  if (auto* p = std::get_if<Push>(&frame)) return on_push(*p, now, fx);
  if (auto* n = std::get_if<Notice>(&frame)) return on_notice(*n, now, fx);
  if (std::holds_alternative<Reject>(frame)) {
    // The gateway refused one of our frames (a pull): retried on timeout.
    return io.count_reject(std::get<Reject>(frame).reason == RejectReason::none
                               ? RejectReason::unexpected_frame
                               : std::get<Reject>(frame).reason);
  }
  io.count_reject(RejectReason::unexpected_frame);
}

// --- Entry points the facade forwards to ---

void Device::Impl::go_online(Effects& fx) {
  IMSIM_ASSERT(recovered);
  want_online = true;
  if (!conn && !connecting) connect(fx);
}

void Device::Impl::go_offline(Effects& fx) {
  want_online = false;
  reconnect_timer.cancel(io, fx);
  poll_timer.cancel(io, fx);
  pull_timer.cancel(io, fx);
  if (conn) fx.disconnects.push_back(Disconnect{*conn});
  drop_session();
}

void Device::Impl::on_connected(ConnId opened, LocalTime now, Effects& fx) {
  connecting = false;
  if (!want_online || conn) {
    fx.disconnects.push_back(Disconnect{opened});  // went offline meanwhile
    return;
  }
  conn = opened;               // the gateway's Challenge comes first; the Hello answers it
  hello_timer.cancel(io, fx);  // a fresh deadline for this connection
  hello_timer.arm_by(io, fx, now, now + config.hello_timeout);
}

void Device::Impl::on_connect_failed(LocalTime now, Effects& fx) {
  connecting = false;
  connect_attempts++;
  schedule_reconnect(now, fx);
}

void Device::Impl::on_conn_closed(ConnId closed, LocalTime now, Effects& fx) {
  if (conn != closed) return;
  drop_session();
  poll_timer.cancel(io, fx);
  pull_timer.cancel(io, fx);
  connect_attempts++;
  schedule_reconnect(now, fx);
}

void Device::Impl::receive(ConnId from, std::span<const std::uint8_t> bytes, LocalTime now,
                           Effects& fx) {
  IMSIM_ASSERT(recovered);
  if (conn != from) return;  // a frame of a connection we already dropped
  std::optional<Frame> frame = io.receive(bytes);
  if (!frame) return;
  on_frame(*frame, now, fx);
}

void Device::Impl::on_timer(TimerId timer, LocalTime now, Effects& fx) {
  if (reconnect_timer.take(timer)) {
    if (want_online && !conn && !connecting) connect(fx);
  } else if (hello_timer.take(timer)) {
    if (!conn || authed) return;  // the session came (or the connection went) in time
    io.cover(CoveragePoint::device_hello_timeout);
    fx.disconnects.push_back(Disconnect{*conn});
    drop_session();
    connect_attempts++;
    schedule_reconnect(now, fx);
  } else if (send_timer.take(timer)) {
    on_send_timer(now, fx);
  } else if (pull_timer.take(timer)) {
    on_pull_timer(now, fx);
  } else if (poll_timer.take(timer)) {
    on_poll_timer(now, fx);
  }
}

void Device::Impl::on_storage_done(OpId op, LocalTime now, Effects& fx) {
  if (finish_outbox_write(op, now, fx)) return;
  if (finish_reservation(op, fx)) return;
  if (finish_msg_write(op, fx) || finish_anchor_write(op, fx)) {
    check_batches(now, fx);
    return;
  }
  finish_checkpoint(op, now, fx);
}

// --- Inspection ---

std::vector<ClientMsgId> Device::Impl::view(ConvId conv) const {
  std::vector<ClientMsgId> result;
  auto it = convs.find(conv);
  if (it == convs.end() || !it->second.anchor_durable) return result;
  const ConvState& cs = it->second;
  for (std::uint64_t s = cs.lo.value; s <= cs.hi.value; s++) {
    result.push_back(cs.msgs.at(ConvSeq{s}).msg.id);
  }
  return result;
}

bool Device::Impl::top_reached(ConvId conv) const {
  auto it = convs.find(conv);
  return it != convs.end() && it->second.top_reported;
}

OutboxStatus Device::Impl::status(const ClientMsgId& msg) const {
  auto it = outbox.find(msg);
  if (it == outbox.end()) {
    // Sent entries below the newest of their lane are pruned; every counter up to the last one
    // of this install was handed out, so a missing one of ours was sent.
    const bool ours = is_mine(msg) && msg.counter <= last_counter;
    return ours ? OutboxStatus::sent : OutboxStatus::unknown;
  }
  switch (it->second.state) {
    case records::OutboxState::sending:
      return OutboxStatus::sending;
    case records::OutboxState::sent:
      return OutboxStatus::sent;
    case records::OutboxState::failed:
      return OutboxStatus::failed;
  }
  return OutboxStatus::unknown;
}

std::size_t Device::Impl::sending_count() const {
  std::size_t n = 0;
  for (const auto& [msg, e] : outbox) n += e.state == records::OutboxState::sending;
  return n;
}

bool Device::Impl::quiescent() const {
  return authed && sending_count() == 0 && tasks.empty() && !outstanding && batches.empty() &&
         msg_ops.empty() && anchor_ops.empty() && outbox_ops.empty() && push_buffer.empty() &&
         !reservation_op;
}

std::string Device::Impl::state_digest() const {
  std::ostringstream out;
  out << "conn:" << (conn ? std::to_string(conn->value) : "-") << (connecting ? "+" : "")
      << (authed ? "a" : "") << ";tasks:" << tasks.size() << (outstanding ? "+out" : "")
      << ";batches:" << batches.size();
  if (!batches.empty()) {
    out << "(last " << batches.front().last.value << " needs " << batches.front().needs.size()
        << (batches.front().checkpoint_op ? " writing" : "") << ")";
  }
  out << ";ops:" << msg_ops.size() << "/" << anchor_ops.size() << "/" << outbox_ops.size()
      << ";k:" << checkpoint.value << ":" << cursor.value << ":" << bootstrapped
      << ";outbox:" << outbox.size() << ";buffer:" << push_buffer.size() << ";";
  for (const auto& [conv_id, cs] : convs) {
    out << to_string(conv_id) << ":" << cs.anchor.value << ":" << cs.lo.value << ":" << cs.hi.value
        << ":" << cs.msgs.size() << ";";
  }
  return out.str();
}

// --- Device facade: every method forwards; only Impl changes device state ---

Device::Device(const Config& config, const Topology& topology, DeviceId id, DeviceOptions options,
               Random* random)
    : impl_(std::make_unique<Impl>(config, topology, id, options, random)) {
  validate(config);
  IMSIM_ASSERT_MSG(topology.has_device(id), "device not in the topology");
}
Device::~Device() = default;

void Device::recover(const DurableMap& durable, LocalTime now, Effects& fx) {
  impl_->recover(durable, now, fx);
}
SendOutcome Device::send(ConvId conv, std::string body, LocalTime now, Effects& fx) {
  return impl_->send(conv, std::move(body), now, fx);
}
bool Device::resend(const ClientMsgId& msg, LocalTime now, Effects& fx) {
  return impl_->resend(msg, now, fx);
}
void Device::go_online(LocalTime, Effects& fx) { impl_->go_online(fx); }
void Device::go_offline(LocalTime, Effects& fx) { impl_->go_offline(fx); }
void Device::page_back(ConvId conv, LocalTime now, Effects& fx) { impl_->page_back(conv, now, fx); }
void Device::on_connected(ConnId conn, LocalTime now, Effects& fx) {
  impl_->on_connected(conn, now, fx);
}
void Device::on_connect_failed(LocalTime now, Effects& fx) { impl_->on_connect_failed(now, fx); }
void Device::on_conn_closed(ConnId conn, LocalTime now, Effects& fx) {
  impl_->on_conn_closed(conn, now, fx);
}
void Device::on_frame(ConnId conn, std::span<const std::uint8_t> bytes, LocalTime now,
                      Effects& fx) {
  impl_->receive(conn, bytes, now, fx);
}
void Device::on_timer(TimerId timer, LocalTime now, Effects& fx) {
  impl_->on_timer(timer, now, fx);
}
void Device::on_storage_done(OpId op, LocalTime now, Effects& fx) {
  impl_->on_storage_done(op, now, fx);
}

DeviceId Device::id() const { return impl_->device_id(); }
Incarnation Device::incarnation() const { return impl_->current_incarnation(); }
bool Device::online() const { return impl_->online(); }
std::vector<ClientMsgId> Device::view(ConvId conv) const { return impl_->view(conv); }
bool Device::top_reached(ConvId conv) const { return impl_->top_reached(conv); }
OutboxStatus Device::status(const ClientMsgId& msg) const { return impl_->status(msg); }
std::size_t Device::sending_count() const { return impl_->sending_count(); }
InboxSeq Device::checkpoint() const { return impl_->durable_checkpoint(); }
bool Device::quiescent() const { return impl_->quiescent(); }
const DeviceCounters& Device::device_counters() const { return impl_->counters_of_device(); }
const RoleCounters& Device::counters() const { return impl_->role_counters(); }
std::string Device::state_digest() const { return impl_->state_digest(); }

}  // namespace imsim::engine
