// TimelineStore: appends to conversation store timelines. Dedup by client message id, lane FIFO,
// contiguous conv_seq allocation, answer once durable.
#include "store_impl.hpp"

namespace imsim::engine {
void TimelineStore::Impl::reply_append(Effects& fx, ReplyTo to, const MessageData& msg,
                                       AppendStatus status, ConvSeq seq, LaneSeq expected) {
  io.send(fx, to.to, AppendReply{to.req, msg.id, status, seq, expected});
}

void TimelineStore::Impl::on_append(ReplyTo reply, const MessageData& msg, LocalTime now,
                                    Effects& fx) {
  // The gateway checked all of this already; the store checks again because it is the last line
  // of defence for the permanent timeline.
  if (!owns_conv(msg.conv)) return io.count_reject(RejectReason::bad_field);
  if (!topology.has_device(msg.id.device)) return io.count_reject(RejectReason::forged_sender);
  if (!topology.is_member(msg.id.device.user, msg.conv)) {
    return io.count_reject(RejectReason::not_member);
  }
  if (msg.lane_seq.value == 0) return io.count_reject(RejectReason::bad_field);
  if (msg.body.size() > config.message_body_bytes_max) {
    return io.count_reject(RejectReason::oversized);
  }
  ConvTimeline& tl = timelines[msg.conv];
  if (tl.in_flight) {
    if (tl.in_flight->record.entry.msg.id == msg.id) {
      tl.in_flight->replies.push_back(reply);  // a retry of the append being written
      return io.cover(CoveragePoint::store_append_joins);
    }
    if (tl.waiting.size() >= config.queue_length_max) {
      io.cover(CoveragePoint::store_overloaded);
      return io.count_reject(RejectReason::overloaded);  // the processor retries
    }
    io.cover(CoveragePoint::store_append_waits);
    tl.waiting.emplace_back(reply, msg);
    return;
  }
  start_append(tl, reply, msg, now, fx);
}

void TimelineStore::Impl::start_append(ConvTimeline& tl, ReplyTo reply, const MessageData& msg,
                                       LocalTime now, Effects& fx) {
  IMSIM_ASSERT(!tl.in_flight);
  prune_dedup(tl, now);
  const LaneId lane{msg.id.device, msg.id.incarnation, msg.conv};
  auto lane_it = tl.lane_last.find(lane);
  const LaneSeq last = lane_it == tl.lane_last.end() ? LaneSeq{0} : lane_it->second;
  const LaneSeq expected{last.value + 1};
  // Per-lane FIFO: a send may neither overtake an earlier one of its lane nor arrive after a
  // later one. The mutation drops the lane order altogether (no hold-back, no stale refusal).
  const bool lane_order = !config.mutations.no_fifo_holdback;
  if (!config.mutations.no_server_dedup) {
    if (std::optional<ConvSeq> seq = find_duplicate(tl, msg, now)) {
      io.cover(CoveragePoint::store_dedup_hit);
      store_counters.dedup_hits++;
      return reply_append(fx, reply, msg, AppendStatus::duplicate, *seq, expected);
    }
    if (msg.lane_seq <= last && lane_order) {
      // The position is taken by another message id: a device reused it (never in the
      // reference device). Refuse rather than store out of lane order.
      io.cover(CoveragePoint::store_stale_lane);
      return reply_append(fx, reply, msg, AppendStatus::stale, ConvSeq{0}, expected);
    }
  }
  auto newest = tl.newest_install.find(msg.id.device);
  if (newest != tl.newest_install.end() && msg.id.incarnation < newest->second && lane_order) {
    // A send of an earlier install arriving after the new install stored: it would overtake
    // nothing but stand after newer sends of the same device. Refuse it for good.
    io.cover(CoveragePoint::store_stale_install);
    return reply_append(fx, reply, msg, AppendStatus::stale, ConvSeq{0}, expected);
  }
  const std::pair<Address, ReqId> request{reply.to, reply.req};
  if (lane_order && tl.refused.count(request) != 0) {
    // A late copy of a request already refused: its job has ended (docs/engine.md).
    io.cover(CoveragePoint::store_fifo_gap_late_copy);
    store_counters.fifo_gaps++;
    return reply_append(fx, reply, msg, AppendStatus::fifo_gap, ConvSeq{0}, expected);
  }
  if (msg.lane_seq > expected && lane_order) {
    // An earlier send of this lane is not stored yet: refusing keeps per-lane FIFO. The device
    // resends once the earlier one is acknowledged (a new job, a new request).
    io.cover(CoveragePoint::store_fifo_gap_refused);
    store_counters.fifo_gaps++;
    if (tl.refused.size() >= kRefusedMax) tl.refused.erase(tl.refused.begin());
    tl.refused.emplace(request, std::pair{lane, msg.lane_seq});
    return reply_append(fx, reply, msg, AppendStatus::fifo_gap, ConvSeq{0}, expected);
  }
  const ConvSeq seq{tl.allocated.value + 1};
  tl.allocated = seq;
  records::TimelineRecord record{TimelineEntry{seq, msg}, now.ns()};
  const OpId op = io.write(fx, storage_keys::timeline(msg.conv.value, seq.value),
                           records::seal(records::Kind::timeline, record));
  timeline_ops[op] = msg.conv;
  tl.in_flight = ConvTimeline::InFlight{op, std::move(record), {reply}};
  if (config.mutations.ack_before_durable) {
    reply_append(fx, reply, msg, AppendStatus::appended, seq, expected);
    tl.in_flight->replies.clear();
  }
}

bool TimelineStore::Impl::finish_append(OpId op, LocalTime now, Effects& fx) {
  auto op_it = timeline_ops.find(op);
  if (op_it == timeline_ops.end()) return false;
  const ConvId conv = op_it->second;
  timeline_ops.erase(op_it);
  ConvTimeline& tl = timelines[conv];
  IMSIM_ASSERT(tl.in_flight.has_value());
  IMSIM_ASSERT(tl.in_flight->op == op);
  ConvTimeline::InFlight flight = std::move(*tl.in_flight);
  tl.in_flight.reset();
  const MessageData& msg = flight.record.entry.msg;
  const ConvSeq seq = flight.record.entry.conv_seq;
  if (seq.value <= tl.entries.size()) {
    IMSIM_ASSERT(config.mutations.volatile_seq_allocator);  // only a forgotten allocator reuses
    tl.entries[seq.value - 1] = flight.record;
  } else {
    IMSIM_ASSERT(seq.value == tl.entries.size() + 1);  // contiguous conv_seq
    tl.entries.push_back(flight.record);
  }
  tl.dedup[msg.id] = seq;
  const LaneId lane{msg.id.device, msg.id.incarnation, conv};
  tl.lane_last[lane] = std::max(tl.lane_last[lane], msg.lane_seq);
  Incarnation& newest = tl.newest_install[msg.id.device];
  newest = std::max(newest, msg.id.incarnation);
  store_counters.timeline_writes++;
  store_counters.bytes_stored += msg.body.size();
  const LaneSeq expected{tl.lane_last[lane].value + 1};
  std::erase_if(tl.refused, [&](const auto& entry) {
    return entry.second.first == lane && entry.second.second < expected;
  });
  for (const ReplyTo& r : flight.replies) {
    reply_append(fx, r, msg, AppendStatus::appended, seq, expected);
  }
  while (!tl.in_flight && !tl.waiting.empty()) {
    auto [reply, next] = std::move(tl.waiting.front());
    tl.waiting.pop_front();
    start_append(tl, reply, next, now, fx);
  }
  return true;
}

std::optional<ConvSeq> TimelineStore::Impl::find_duplicate(ConvTimeline& tl, const MessageData& msg,
                                                           LocalTime) {
  auto it = tl.dedup.find(msg.id);
  if (it != tl.dedup.end()) return it->second;
  // Past the retention horizon the index forgets a key. A lane position at or below the lane's
  // last stored one can still be a duplicate: scan the forgotten part of the timeline.
  const LaneId lane{msg.id.device, msg.id.incarnation, msg.conv};
  auto lane_it = tl.lane_last.find(lane);
  if (lane_it == tl.lane_last.end() || msg.lane_seq > lane_it->second) return std::nullopt;
  io.cover(CoveragePoint::store_dedup_scan);
  store_counters.dedup_scans++;
  for (std::size_t i = 0; i < tl.dedup_floor && i < tl.entries.size(); i++) {
    if (tl.entries[i].entry.msg.id == msg.id) return tl.entries[i].entry.conv_seq;
  }
  return std::nullopt;
}

void TimelineStore::Impl::prune_dedup(ConvTimeline& tl, LocalTime now) {
  while (tl.dedup_floor < tl.entries.size()) {
    const records::TimelineRecord& r = tl.entries[tl.dedup_floor];
    if (r.stored_at_ns + config.dedup_key_retention.ns() > now.ns()) break;
    tl.dedup.erase(r.entry.msg.id);
    tl.dedup_floor++;
  }
}

}  // namespace imsim::engine
