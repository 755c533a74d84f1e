// TimelineStore: write fan-out into user inboxes (sync timelines), and TTL expiry.
#include "store_impl.hpp"

namespace imsim::engine {
void TimelineStore::Impl::reply_inbox(Effects& fx, ReplyTo to, UserId user, AppendStatus status,
                                      InboxSeq seq) {
  io.send(fx, to.to, InboxAppendReply{to.req, user, status, seq});
}

void TimelineStore::Impl::on_inbox_append(ReplyTo reply, const InboxAppend& a, LocalTime now,
                                          Effects& fx) {
  if (!owns_user(a.user)) return io.count_reject(RejectReason::bad_field);
  if (!topology.has_conv(a.msg.conv)) return io.count_reject(RejectReason::unknown_conv);
  if (!topology.is_member(a.user, a.msg.conv)) return io.count_reject(RejectReason::not_member);
  if (a.conv_seq.value == 0) return io.count_reject(RejectReason::bad_field);
  if (a.msg.body.size() > config.message_body_bytes_max) {
    return io.count_reject(RejectReason::oversized);
  }
  UserInbox& inbox = inboxes[a.user];
  if (inbox.in_flight) {
    const InboxEntry& e = inbox.in_flight->record.entry;
    if (e.msg.conv == a.msg.conv && e.conv_seq == a.conv_seq) {
      inbox.in_flight->replies.push_back(reply);
      return io.cover(CoveragePoint::store_append_joins);
    }
    if (inbox.waiting.size() >= config.queue_length_max) {
      io.cover(CoveragePoint::store_overloaded);
      return io.count_reject(RejectReason::overloaded);
    }
    io.cover(CoveragePoint::store_append_waits);
    inbox.waiting.emplace_back(reply, a);
    return;
  }
  start_inbox_append(inbox, reply, a, now, fx);
}

void TimelineStore::Impl::start_inbox_append(UserInbox& inbox, ReplyTo reply, const InboxAppend& a,
                                             LocalTime now, Effects& fx) {
  IMSIM_ASSERT(!inbox.in_flight);
  expire(a.user, inbox, now, fx, /*room=*/1);
  auto wm_it = inbox.watermark.find(a.msg.conv);
  const ConvSeq wm = wm_it == inbox.watermark.end() ? ConvSeq{0} : wm_it->second;
  if (a.conv_seq <= wm && !config.mutations.fanout_not_idempotent) {
    // Redelivered fan-out: the entry exists (or existed and expired).
    io.cover(CoveragePoint::store_inbox_duplicate);
    store_counters.fanout_duplicates++;
    InboxSeq existing{0};
    for (auto it = inbox.entries.rbegin(); it != inbox.entries.rend(); ++it) {
      if (it->entry.msg.conv == a.msg.conv && it->entry.conv_seq == a.conv_seq) {
        existing = it->entry.inbox_seq;
        break;
      }
    }
    return reply_inbox(fx, reply, a.user, AppendStatus::duplicate, existing);
  }
  if (a.conv_seq.value > wm.value + 1) {
    // Per (user, conversation) the inbox holds conv_seqs in order: the earlier one's fan-out
    // (its queue entry is still pending) must land first. The processor retries.
    io.cover(CoveragePoint::store_inbox_gap);
    return reply_inbox(fx, reply, a.user, AppendStatus::gap, InboxSeq{0});
  }
  const InboxSeq seq{inbox.head().value + 1};
  records::InboxRecord record{a.user, InboxEntry{seq, a.conv_seq, a.msg}, now.ns()};
  const OpId op = io.write(fx, storage_keys::inbox(a.user.value, seq.value),
                           records::seal(records::Kind::inbox, record));
  inbox_ops[op] = a.user;
  inbox.in_flight = UserInbox::InFlight{op, std::move(record), {reply}};
  if (config.mutations.push_before_store) {
    // mutation: answer now, so the processor pushes the entry to online devices before it is
    // persisted; a crash before the write completes loses an entry devices already applied.
    reply_inbox(fx, reply, a.user, AppendStatus::appended, seq);
    inbox.in_flight->replies.clear();
  }
}

bool TimelineStore::Impl::finish_inbox_append(OpId op, LocalTime now, Effects& fx) {
  auto op_it = inbox_ops.find(op);
  if (op_it == inbox_ops.end()) return false;
  const UserId user = op_it->second;
  inbox_ops.erase(op_it);
  UserInbox& inbox = inboxes[user];
  IMSIM_ASSERT(inbox.in_flight.has_value());
  IMSIM_ASSERT(inbox.in_flight->op == op);
  UserInbox::InFlight flight = std::move(*inbox.in_flight);
  inbox.in_flight.reset();
  const InboxEntry& e = flight.record.entry;
  IMSIM_ASSERT(e.inbox_seq.value == inbox.head().value + 1);  // contiguous inbox_seq
  ConvSeq& wm = inbox.watermark[e.msg.conv];
  wm = std::max(wm, e.conv_seq);
  store_counters.inbox_writes++;
  store_counters.bytes_stored += e.msg.body.size();
  for (const ReplyTo& r : flight.replies) {
    reply_inbox(fx, r, user, AppendStatus::appended, e.inbox_seq);
  }
  inbox.entries.push_back(std::move(flight.record));
  while (!inbox.in_flight && !inbox.waiting.empty()) {
    auto [reply, next] = std::move(inbox.waiting.front());
    inbox.waiting.pop_front();
    start_inbox_append(inbox, reply, next, now, fx);
  }
  return true;
}

void TimelineStore::Impl::expire(UserId user, UserInbox& inbox, LocalTime now, Effects& fx,
                                 std::size_t room) {
  std::uint64_t expired = 0;
  const auto over_bound = [&] { return inbox.entries.size() + room > config.inbox_entries_max; };
  while (!inbox.entries.empty() &&
         (inbox.entries.front().stored_at_ns + config.inbox_ttl.ns() <= now.ns() || over_bound())) {
    if (inbox.entries.front().stored_at_ns + config.inbox_ttl.ns() > now.ns()) {
      store_counters.inbox_entries_evicted++;
    }
    store_counters.bytes_stored -= inbox.entries.front().entry.msg.body.size();
    inbox.entries.pop_front();
    inbox.low = InboxSeq{inbox.low.value + 1};
    expired++;
  }
  if (expired == 0) return;
  io.cover(CoveragePoint::store_inbox_expired);
  store_counters.inbox_entries_expired += expired;
  if (!inbox.floor_op) write_floor(user, inbox, fx);  // else: rewritten when that one is done
}

// The floor (low + watermarks) is made durable before any expired record is erased, so a crash
// in between never loses what the erased records knew.
void TimelineStore::Impl::write_floor(UserId user, UserInbox& inbox, Effects& fx) {
  IMSIM_ASSERT(!inbox.floor_op);
  records::InboxFloorRecord floor{user, inbox.low, {}};
  for (const auto& [conv, seq] : inbox.watermark) floor.watermarks.push_back({conv, seq});
  const OpId op = io.write(fx, storage_keys::inbox_floor(user.value),
                           records::seal(records::Kind::inbox_floor, floor));
  floor_ops[op] = user;
  inbox.floor_op = op;
  inbox.floor_low = inbox.low;
}

bool TimelineStore::Impl::finish_floor(OpId op, Effects& fx) {
  auto op_it = floor_ops.find(op);
  if (op_it == floor_ops.end()) return false;
  const UserId user = op_it->second;
  floor_ops.erase(op_it);
  UserInbox& inbox = inboxes[user];
  IMSIM_ASSERT(inbox.floor_op == op);
  inbox.floor_op.reset();
  for (std::uint64_t seq = inbox.durable_low.value; seq < inbox.floor_low.value; seq++) {
    io.erase(fx, storage_keys::inbox(user.value, seq));
  }
  inbox.durable_low = std::max(inbox.durable_low, inbox.floor_low);
  if (inbox.low > inbox.floor_low) write_floor(user, inbox, fx);
  return true;
}

}  // namespace imsim::engine
