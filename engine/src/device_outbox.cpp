// Device outbox: sends, retries with backoff and a budget, ACK/NACK, lane FIFO, user resend.
#include "backoff.hpp"
#include "device_impl.hpp"

namespace imsim::engine {
namespace {
using records::OutboxState;
}  // namespace

std::size_t Device::Impl::pending_count() const {
  std::size_t n = 0;
  for (const auto& [msg, e] : outbox) n += e.state != OutboxState::sent;
  return n;
}

Duration Device::Impl::send_timeout(std::uint32_t timeouts) const {
  return capped_backoff(config.send_timeout, config.send_backoff_factor, timeouts,
                        config.send_timeout_max);
}

SendOutcome Device::Impl::send(ConvId conv, std::string body, LocalTime now, Effects& fx) {
  IMSIM_ASSERT(recovered);
  // Refused sends take no id and no lane position, so they can never block a lane.
  if (!topology.has_conv(conv)) return SendOutcome{SendError::unknown_conv, {}};
  if (!topology.is_member(id.user, conv)) return SendOutcome{SendError::not_member, {}};
  if (body.size() > config.message_body_bytes_max) return SendOutcome{SendError::oversized, {}};
  if (pending_count() >= config.outbox_length_max) {
    io.cover(CoveragePoint::device_send_outbox_full);
    return SendOutcome{SendError::outbox_full, {}};
  }
  // Refused sends have no effects: the reservation is in flight since recover().
  if (last_counter >= ids_reserved) {
    io.cover(CoveragePoint::device_send_not_ready);
    return SendOutcome{SendError::not_ready, {}};
  }
  const ClientMsgId msg_id{id, incarnation, ++last_counter};
  IMSIM_ASSERT(outbox.count(msg_id) == 0);  // a counter is never reused within an install
  LaneSeq& lane = lane_last[conv];
  lane = LaneSeq{lane.value + 1};
  // FIFO: failed predecessors in this lane must be stored first, so they are revived.
  revive_lane(conv, lane, now, fx);
  OutboxEntry& e = outbox[msg_id];
  e.msg = MessageData{msg_id, conv, lane, now.ns(), std::move(body)};
  if (admitting.has_value()) io.cover(CoveragePoint::device_admit_queued);
  admit_queue.push_back(msg_id);
  admit_next(fx);
  device_counters.sends++;
  if (ids_reserved - last_counter <= config.client_id_block_size / 2) reserve_ids(fx);
  return SendOutcome{SendError::none, msg_id};
}

bool Device::Impl::resend(const ClientMsgId& msg, LocalTime now, Effects& fx) {
  IMSIM_ASSERT(recovered);
  auto it = outbox.find(msg);
  if (it == outbox.end() || it->second.state != OutboxState::failed) return false;
  const LaneSeq lane{it->second.msg.lane_seq.value + 1};
  revive_lane(it->second.msg.conv, lane, now, fx);  // this one and failed ones before it
  return true;
}

// Every failed message of `conv`'s lane below position `below` goes back to sending, keeping
// its id and lane position.
void Device::Impl::revive_lane(ConvId conv, LaneSeq below, LocalTime now, Effects& fx) {
  for (auto& [msg, e] : outbox) {
    if (e.msg.conv != conv || e.state != OutboxState::failed || e.msg.lane_seq >= below) continue;
    io.cover(CoveragePoint::device_lane_revived);
    e.state = OutboxState::sending;
    e.timeouts = 0;
    e.gap_held = false;
    write_outbox(e, fx);
    if (e.durable) transmit(e, now, fx);
  }
  arm_send_timer(now, fx);
}

// Reserves the next block of client ids durably; ids are handed out only below a durable
// reservation. One reservation write at a time.
void Device::Impl::reserve_ids(Effects& fx) {
  if (reservation_op) return;
  const std::uint64_t target = std::max(last_counter, ids_reserved) + config.client_id_block_size;
  const records::IdReservationRecord r{target};
  const OpId op =
      io.write(fx, storage_keys::id_reservation(), records::seal(records::Kind::id_reservation, r));
  reservation_op = std::make_pair(op, target);
}

bool Device::Impl::finish_reservation(OpId op, Effects& fx) {
  if (!reservation_op || reservation_op->first != op) return false;
  ids_reserved = std::max(ids_reserved, reservation_op->second);
  reservation_op.reset();
  if (ids_reserved - last_counter <= config.client_id_block_size / 2) reserve_ids(fx);
  return true;
}

void Device::Impl::admit_next(Effects& fx) {
  while (!admitting && !admit_queue.empty()) {
    const ClientMsgId next = admit_queue.front();
    admit_queue.pop_front();
    auto it = outbox.find(next);
    if (it == outbox.end() || it->second.durable) continue;
    admitting = next;
    write_outbox(it->second, fx);
  }
}

void Device::Impl::write_outbox(OutboxEntry& e, Effects& fx) {
  if (e.write_op) {
    e.dirty = true;  // one write per key in flight; rewrite when it completes
    return;
  }
  const records::OutboxRecord r{e.msg, e.state, e.conv_seq};
  e.write_op =
      io.write(fx, storage_keys::outbox(e.msg.id.counter), records::seal(records::Kind::outbox, r));
  outbox_ops[*e.write_op] = e.msg.id;
}

bool Device::Impl::finish_outbox_write(OpId op, LocalTime now, Effects& fx) {
  auto it = outbox_ops.find(op);
  if (it == outbox_ops.end()) return false;
  const ClientMsgId msg = it->second;
  outbox_ops.erase(it);
  auto e_it = outbox.find(msg);
  if (e_it == outbox.end()) return true;  // pruned meanwhile
  OutboxEntry& e = e_it->second;
  IMSIM_ASSERT(e.write_op == op);
  e.write_op.reset();
  if (!e.durable) {
    // Durable now: a crash can no longer forget the id, so it may leave the device, and the
    // send is accepted: the user sees it (a kill before this point drops it like a tap that
    // never registered, so no later message of the lane can overtake a forgotten one).
    e.durable = true;
    fx.observations.push_back(LocalEcho{msg, e.msg.conv});
    if (admitting == msg) admitting.reset();
    admit_next(fx);
    if (e.state == OutboxState::sending) transmit(e, now, fx);
  }
  if (e.dirty) {
    e.dirty = false;
    write_outbox(e, fx);
  }
  arm_send_timer(now, fx);
  return true;
}

void Device::Impl::transmit(OutboxEntry& e, LocalTime now, Effects& fx) {
  IMSIM_ASSERT(e.state == OutboxState::sending);
  IMSIM_ASSERT(e.durable);
  e.deadline = now + send_timeout(e.timeouts);
  if (!authed) {
    io.cover(CoveragePoint::device_transmit_offline);
    return;  // sent on the next session (on_session)
  }
  io.send(fx, *conn, Send{e.msg});
  device_counters.transmissions++;
}

void Device::Impl::on_ack(const ClientMsgId& msg, ConvSeq seq, LocalTime now, Effects& fx) {
  auto it = outbox.find(msg);
  if (it == outbox.end() || it->second.state == OutboxState::sent) return;
  IMSIM_ASSERT(seq.value > 0);
  OutboxEntry& e = it->second;
  e.state = OutboxState::sent;
  e.conv_seq = seq;
  e.gap_held = false;
  write_outbox(e, fx);
  fx.observations.push_back(Acked{msg, e.msg.conv, seq});
  device_counters.acks++;
  const ConvId conv = e.msg.conv;
  const LaneSeq next{e.msg.lane_seq.value + 1};
  // The successor was refused for overtaking this one: send it now instead of at its timeout.
  for (auto& [other_id, other] : outbox) {
    if (other.msg.conv == conv && other.msg.lane_seq == next &&
        other.state == OutboxState::sending && other.gap_held && other.durable) {
      other.gap_held = false;
      io.cover(CoveragePoint::device_gap_held_released);
      transmit(other, now, fx);
    }
  }
  prune_sent(conv, e.msg.lane_seq, fx);
  arm_send_timer(now, fx);
}

// Sent entries below the newest sent one of a lane are no longer needed: the newest keeps the
// lane position and the counter high-water marks for recovery.
void Device::Impl::prune_sent(ConvId conv, LaneSeq below, Effects& fx) {
  for (auto it = outbox.begin(); it != outbox.end();) {
    const OutboxEntry& e = it->second;
    if (e.msg.conv == conv && e.state == OutboxState::sent && e.msg.lane_seq < below &&
        !e.write_op) {
      io.erase(fx, storage_keys::outbox(e.msg.id.counter));
      it = outbox.erase(it);
    } else {
      ++it;
    }
  }
}

void Device::Impl::on_nack(const SendNack& nack, LocalTime now, Effects& fx) {
  auto it = outbox.find(nack.msg);
  if (it == outbox.end() || it->second.state != OutboxState::sending) return;
  switch (nack.reason) {
    case RejectReason::fifo_gap:
      io.cover(CoveragePoint::device_nack_fifo_gap);
      it->second.gap_held = true;
      hurry_lane_head(it->second.msg.conv, it->second.msg.lane_seq, now, fx);
      return;
    case RejectReason::overloaded:
      io.cover(CoveragePoint::device_nack_overloaded);
      it->second.busy = true;
      return;  // the timeout resends, spending no budget (backpressure, not loss)
    case RejectReason::rate_limited:
      io.cover(CoveragePoint::device_nack_rate_limited);
      it->second.busy = true;
      return;  // likewise: the gateway answered
    default:
      // Permanent refusal (stale lane, forged, not member, ...): retrying cannot help.
      io.cover(CoveragePoint::device_fail_refused);
      fail_lane(it->second, fx);
      arm_send_timer(now, fx);
      return;
  }
}

// A successor was refused because the store lacks an earlier message of the lane (after a
// store outage, say): the lane's head is what it waits for, so resend the head now rather than
// at its backed-off timeout, like TCP's fast retransmit. Once per head and timeout period, so a
// burst of refusals costs one retransmission.
void Device::Impl::hurry_lane_head(ConvId conv, LaneSeq below, LocalTime now, Effects& fx) {
  OutboxEntry* head = nullptr;
  for (auto& [msg, e] : outbox) {
    if (e.msg.conv != conv || e.state != OutboxState::sending || !e.durable) continue;
    if (e.msg.lane_seq >= below) continue;
    if (head == nullptr || e.msg.lane_seq < head->msg.lane_seq) head = &e;
  }
  if (head == nullptr || head->gap_held || head->hurried) return;
  head->hurried = true;
  io.cover(CoveragePoint::device_fast_retransmit);
  device_counters.fast_retransmits++;
  transmit(*head, now, fx);
  arm_send_timer(now, fx);
}

// `first` and every later sending message of its lane fail: FIFO forbids them to overtake it.
void Device::Impl::fail_lane(const OutboxEntry& first, Effects& fx) {
  const ConvId conv = first.msg.conv;
  const LaneSeq from = first.msg.lane_seq;
  for (auto& [msg, e] : outbox) {
    if (e.msg.conv != conv || e.state != OutboxState::sending || e.msg.lane_seq < from) continue;
    e.state = OutboxState::failed;
    e.gap_held = false;
    write_outbox(e, fx);
    fx.observations.push_back(Failed{msg, conv});
    device_counters.failures++;
  }
}

void Device::Impl::on_send_timer(LocalTime now, Effects& fx) {
  // Oldest lane position first, so a failing head fails its lane before retransmitting it.
  std::vector<ClientMsgId> due;
  for (const auto& [msg, e] : outbox) {
    if (e.state == OutboxState::sending && e.durable && e.deadline <= now) due.push_back(msg);
  }
  for (const ClientMsgId& msg : due) {
    OutboxEntry& e = outbox.at(msg);
    if (e.state != OutboxState::sending) continue;  // failed with its lane head just now
    if (!authed) {
      // Nothing was transmitted since the last timeout: the budget counts attempts the network
      // could have lost, not time away (a send made as a fault heals must not fail because the
      // device is still reconnecting). A device that never comes back keeps it sending.
      io.cover(CoveragePoint::device_timeout_offline);
      e.deadline = now + send_timeout(e.timeouts);
      continue;
    }
    if (e.gap_held || e.busy) {
      // The servers answered (fifo_gap: the store holds this one for an earlier send of the
      // lane; overloaded: the queue is full), so nothing was lost: resend, spending no budget.
      // The next timeout counts unless they refuse it again.
      io.cover(CoveragePoint::device_timeout_gap_held);
      e.gap_held = false;
      e.busy = false;
      e.hurried = false;
      transmit(e, now, fx);
      continue;
    }
    e.timeouts++;
    e.hurried = false;
    if (e.timeouts >= config.retry_budget && younger_in_budget(e)) {
      // A later send of the lane still has budget: failing this one would fail it too (FIFO),
      // so a send made after a fault heals could fail for a timeout that ran out before it.
      // The lane fails when its newest message's budget is spent, not its oldest's.
      io.cover(CoveragePoint::device_head_outlived);
      transmit(e, now, fx);
    } else if (e.timeouts >= config.retry_budget) {
      io.cover(CoveragePoint::device_fail_budget);
      fail_lane(e, fx);
    } else {
      io.cover(CoveragePoint::device_retransmit_timeout);
      transmit(e, now, fx);
    }
  }
  arm_send_timer(now, fx);
}

bool Device::Impl::younger_in_budget(const OutboxEntry& head) const {
  for (const auto& [msg, e] : outbox) {
    if (e.msg.conv == head.msg.conv && e.state == OutboxState::sending &&
        e.msg.lane_seq > head.msg.lane_seq && e.timeouts < config.retry_budget) {
      return true;
    }
  }
  return false;
}

void Device::Impl::arm_send_timer(LocalTime now, Effects& fx) {
  for (const auto& [msg, e] : outbox) {
    if (e.state == OutboxState::sending && e.durable) send_timer.arm_by(io, fx, now, e.deadline);
  }
}

}  // namespace imsim::engine
