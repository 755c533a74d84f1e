// TimelineStore: dispatch, recovery and reads. Appends live in store_append.cpp and
// store_inbox.cpp.
#include <algorithm>
#include <sstream>

#include "store_impl.hpp"

namespace imsim::engine {
bool TimelineStore::Impl::owns_conv(ConvId conv) const {
  return topology.has_conv(conv) && topology.store_for_conv(conv).index == index;
}

bool TimelineStore::Impl::owns_user(UserId user) const {
  return topology.users.count(user) == 1 && topology.store_for_user(user).index == index;
}

void TimelineStore::Impl::recover(const DurableMap& durable, LocalTime now) {
  IMSIM_ASSERT_MSG(!recovered, "recover is called once");
  recovered = true;
  std::map<ConvId, std::map<ConvSeq, records::TimelineRecord>> tl_records;
  std::map<UserId, std::map<InboxSeq, records::InboxRecord>> in_records;
  using storage_keys::KeyKind;
  for (const auto& [key, value] : durable) {
    const std::optional<KeyKind> kind = storage_keys::kind_of(key);
    if (kind == KeyKind::timeline) {
      records::TimelineRecord r;
      if (!records::unseal(records::Kind::timeline, value, r)) continue;  // torn: absent
      if (!owns_conv(r.entry.msg.conv)) continue;
      tl_records[r.entry.msg.conv][r.entry.conv_seq] = r;
    } else if (kind == KeyKind::inbox) {
      records::InboxRecord r;
      if (!records::unseal(records::Kind::inbox, value, r)) continue;
      if (!owns_user(r.user)) continue;
      in_records[r.user][r.entry.inbox_seq] = r;
    } else if (kind == KeyKind::inbox_floor) {
      records::InboxFloorRecord f;
      if (!records::unseal(records::Kind::inbox_floor, value, f)) continue;
      if (!owns_user(f.user)) continue;
      UserInbox& inbox = inboxes[f.user];
      inbox.low = f.low;
      inbox.durable_low = f.low;
      for (const auto& w : f.watermarks) inbox.watermark[w.conv] = w.conv_seq;
    }
  }
  for (auto& [conv, by_seq] : tl_records) {
    ConvTimeline& tl = timelines[conv];
    // Contiguous from 1: writes of one timeline are serialized, so only a suffix can be missing.
    for (auto& [seq, r] : by_seq) {
      if (seq.value != tl.entries.size() + 1) break;
      const auto lane = LaneId{r.entry.msg.id.device, r.entry.msg.id.incarnation, conv};
      tl.lane_last[lane] = std::max(tl.lane_last[lane], r.entry.msg.lane_seq);
      Incarnation& newest = tl.newest_install[r.entry.msg.id.device];
      newest = std::max(newest, r.entry.msg.id.incarnation);
      tl.dedup[r.entry.msg.id] = seq;
      store_counters.bytes_stored += r.entry.msg.body.size();
      tl.entries.push_back(std::move(r));
    }
    if (!tl.entries.empty()) io.cover(CoveragePoint::store_recover_timelines);
    // The allocator is durable because it is the timeline itself; the mutation forgets it.
    tl.allocated =
        config.mutations.volatile_seq_allocator ? ConvSeq{0} : ConvSeq{tl.entries.size()};
    prune_dedup(tl, now);
  }
  for (auto& [user, by_seq] : in_records) {
    UserInbox& inbox = inboxes[user];
    // Records below the floor that survived a crash are erased after the next floor write.
    inbox.durable_low = std::min(inbox.low, by_seq.begin()->first);
    for (auto& [seq, r] : by_seq) {
      if (seq < inbox.low) continue;  // below the durable floor: expired
      if (inbox.entries.empty() && seq != inbox.low) inbox.low = seq;  // floor write was lost
      if (seq.value != inbox.head().value + 1) break;
      ConvSeq& wm = inbox.watermark[r.entry.msg.conv];
      wm = std::max(wm, r.entry.conv_seq);
      store_counters.bytes_stored += r.entry.msg.body.size();
      inbox.entries.push_back(std::move(r));
    }
  }
}

void TimelineStore::Impl::on_datagram(Address from, std::span<const std::uint8_t> bytes,
                                      LocalTime now, Effects& fx) {
  std::optional<Frame> frame = io.receive(bytes);
  if (!frame) return;
  const bool from_processor = from.kind == RoleKind::processor;
  const bool from_gateway = from.kind == RoleKind::gateway;
  if (auto* a = std::get_if<Append>(&*frame); a && from_processor) {
    on_append(ReplyTo{from, a->req}, a->msg, now, fx);
  } else if (auto* ia = std::get_if<InboxAppend>(&*frame); ia && from_processor) {
    on_inbox_append(ReplyTo{from, ia->req}, *ia, now, fx);
  } else if (auto* pi = std::get_if<PullInbox>(&*frame); pi && from_gateway) {
    serve_inbox(from, *pi, now, fx);
  } else if (auto* pc = std::get_if<PullConv>(&*frame); pc && (from_gateway || from_processor)) {
    // Gateways pull for devices; processors read to repair a stalled fan-out.
    serve_conv(from, *pc, fx);
  } else {
    io.count_reject(RejectReason::unexpected_frame);
  }
}

void TimelineStore::Impl::on_storage_done(OpId op, LocalTime now, Effects& fx) {
  if (finish_append(op, now, fx)) return;
  if (finish_inbox_append(op, now, fx)) return;
  if (finish_floor(op, fx)) return;
  // Erases of expired records need no follow-up.
}

void TimelineStore::Impl::serve_inbox(Address from, const PullInbox& pull, LocalTime now,
                                      Effects& fx) {
  if (!owns_user(pull.user)) return io.count_reject(RejectReason::bad_field);
  if (pull.limit == 0 || pull.limit > config.page_size_max) {
    return io.count_reject(RejectReason::bad_limit);
  }
  UserInbox& inbox = inboxes[pull.user];
  expire(pull.user, inbox, now, fx);
  InboxPage page{pull.req, pull.conn, pull.user, inbox.head(), inbox.low, {}};
  std::uint32_t limit = pull.limit;
  if (limit > 1 && buggify(BuggifySite::store_short_page)) limit = limit / 2;
  std::uint64_t first = std::max(pull.after.value + 1, inbox.low.value);
  std::size_t body_bytes = 0;
  for (std::uint64_t seq = first; seq <= inbox.head().value && page.entries.size() < limit; seq++) {
    const InboxEntry& e = inbox.entries[seq - inbox.low.value].entry;
    IMSIM_ASSERT(e.inbox_seq.value == seq);
    if (!page.entries.empty() && body_bytes + e.msg.body.size() > config.page_bytes_max) {
      io.cover(CoveragePoint::store_page_bytes_cut);
      break;
    }
    body_bytes += e.msg.body.size();
    page.entries.push_back(e);
  }
  if (page.entries.size() >= limit) io.cover(CoveragePoint::store_page_full);
  store_counters.inbox_reads++;
  store_counters.inbox_entries_read += page.entries.size();
  io.send(fx, from, page);
}

void TimelineStore::Impl::serve_conv(Address from, const PullConv& pull, Effects& fx) {
  if (!owns_conv(pull.conv)) return io.count_reject(RejectReason::bad_field);
  if (pull.limit == 0 || pull.limit > config.page_size_max) {
    return io.count_reject(RejectReason::bad_limit);
  }
  const ConvTimeline& tl = timelines[pull.conv];
  const std::uint64_t head = tl.entries.size();
  ConvPage page{pull.req, pull.conn, pull.conv, pull.direction, ConvSeq{head}, {}};
  std::uint32_t limit = pull.limit;
  if (limit > 1 && buggify(BuggifySite::store_short_page)) limit = limit / 2;
  std::size_t body_bytes = 0;
  auto take = [&](std::uint64_t seq) {
    const TimelineEntry& e = tl.entries[seq - 1].entry;
    if (!page.entries.empty() && body_bytes + e.msg.body.size() > config.page_bytes_max) {
      io.cover(CoveragePoint::store_page_bytes_cut);
      return false;
    }
    body_bytes += e.msg.body.size();
    page.entries.push_back(e);
    return page.entries.size() < limit;
  };
  if (pull.direction == PullDirection::forward) {
    for (std::uint64_t seq = pull.anchor.value + 1; seq <= head; seq++) {
      if (!take(seq)) break;
    }
  } else {
    io.cover(CoveragePoint::store_conv_backward);
    const std::uint64_t top = pull.anchor.value == 0 ? head : std::min(head, pull.anchor.value - 1);
    for (std::uint64_t seq = top; seq >= 1; seq--) {
      if (!take(seq)) break;
    }
    std::reverse(page.entries.begin(), page.entries.end());
  }
  if (page.entries.size() >= limit) io.cover(CoveragePoint::store_page_full);
  if (topology.is_large(pull.conv, config)) {
    io.cover(CoveragePoint::store_conv_read_fanout);
    store_counters.timeline_reads_read_fanout++;
  } else {
    store_counters.timeline_reads_other++;
  }
  store_counters.timeline_entries_read += page.entries.size();
  io.send(fx, from, page);
}

// --- TimelineStore facade ---

TimelineStore::TimelineStore(const Config& config, const Topology& topology, std::uint32_t index,
                             Random* random)
    : impl_(std::make_unique<Impl>(config, topology, index, random)) {
  validate(config);
  IMSIM_ASSERT(index < topology.store_count);
}
TimelineStore::~TimelineStore() = default;

Address TimelineStore::address() const { return Address{RoleKind::store, impl_->index}; }

void TimelineStore::recover(const DurableMap& durable, LocalTime now, Effects&) {
  impl_->recover(durable, now);
}

void TimelineStore::on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                                Effects& fx) {
  IMSIM_ASSERT(impl_->recovered);
  impl_->on_datagram(from, bytes, now, fx);
}

void TimelineStore::on_timer(TimerId, LocalTime, Effects&) {}  // the store sets no timers

void TimelineStore::on_storage_done(OpId op, LocalTime now, Effects& fx) {
  impl_->on_storage_done(op, now, fx);
}

const RoleCounters& TimelineStore::counters() const { return impl_->io.counters; }
const StoreCounters& TimelineStore::store_counters() const { return impl_->store_counters; }

std::string TimelineStore::state_digest() const {
  std::ostringstream out;
  for (const auto& [conv, tl] : impl_->timelines) {
    out << to_string(conv) << ":" << tl.entries.size() << ":" << tl.allocated.value << ":"
        << tl.lane_last.size() << ":" << (tl.in_flight ? 1 : 0) << ":" << tl.waiting.size() << ";";
  }
  for (const auto& [user, inbox] : impl_->inboxes) {
    out << to_string(user) << ":" << inbox.low.value << ":" << inbox.head().value << ":"
        << inbox.watermark.size() << ":" << (inbox.in_flight ? 1 : 0) << ":" << inbox.waiting.size()
        << ";";
  }
  return out.str();
}

std::vector<ConvId> TimelineStore::conversations() const {
  std::vector<ConvId> result;
  for (const auto& [conv, tl] : impl_->timelines) {
    if (!tl.entries.empty()) result.push_back(conv);
  }
  return result;
}

std::vector<TimelineEntry> TimelineStore::timeline(ConvId conv) const {
  std::vector<TimelineEntry> result;
  auto it = impl_->timelines.find(conv);
  if (it == impl_->timelines.end()) return result;
  for (const auto& r : it->second.entries) result.push_back(r.entry);
  return result;
}

std::vector<InboxEntry> TimelineStore::inbox(UserId user) const {
  std::vector<InboxEntry> result;
  auto it = impl_->inboxes.find(user);
  if (it == impl_->inboxes.end()) return result;
  for (const auto& r : it->second.entries) result.push_back(r.entry);
  return result;
}

InboxSeq TimelineStore::inbox_low(UserId user) const {
  auto it = impl_->inboxes.find(user);
  return it == impl_->inboxes.end() ? InboxSeq{1} : it->second.low;
}

}  // namespace imsim::engine
