// Device sync: pushes, paged pulls, the durable inbox checkpoint, TTL resync and roaming.
// One pull is outstanding at a time; tasks queue behind it.
#include <algorithm>

#include "device_impl.hpp"

namespace imsim::engine {
void Device::Impl::enqueue(SyncTask task, bool front) {
  if (std::find(tasks.begin(), tasks.end(), task) != tasks.end()) return;
  if (front) {
    tasks.push_front(task);
  } else {
    tasks.push_back(task);
  }
}

void Device::Impl::enqueue_catch_up() {
  for (ConvId conv : topology.conversations_of(id.user)) {
    if (!topology.is_large(conv, config)) continue;  // small ones arrive through the inbox
    if (convs[conv].anchored) enqueue(SyncTask{TaskKind::conv_forward, conv});
  }
}

void Device::Impl::pump_sync(LocalTime now, Effects& fx) {
  while (authed && !outstanding && !tasks.empty()) {
    const SyncTask task = tasks.front();
    // Asking for the next page acknowledges the previous one: only once it is durable.
    if (task.kind == TaskKind::inbox_pull && !batches.empty()) return;
    tasks.pop_front();
    if (task.kind == TaskKind::resync_finish) {
      finish_resync(now, fx);
      continue;
    }
    issue(task, now, fx);
  }
}

void Device::Impl::issue(const SyncTask& task, LocalTime now, Effects& fx) {
  IMSIM_ASSERT(!outstanding);
  IMSIM_ASSERT(authed);
  const ReqId req{next_req++};
  Frame frame;
  switch (task.kind) {
    case TaskKind::resync_start:
      frame = PullInbox{req, ConnId{}, id.user, cursor, 1};
      break;
    case TaskKind::inbox_pull:
      frame = PullInbox{req, ConnId{}, id.user, cursor, config.page_size};
      break;
    case TaskKind::conv_anchor:
      frame =
          PullConv{req, ConnId{}, task.conv, PullDirection::backward, ConvSeq{0}, config.page_size};
      break;
    case TaskKind::conv_forward:
      frame = PullConv{
          req, ConnId{}, task.conv, PullDirection::forward, convs[task.conv].hi, config.page_size};
      break;
    case TaskKind::conv_backward:
      frame = PullConv{req,
                       ConnId{},
                       task.conv,
                       PullDirection::backward,
                       lowest_held(convs[task.conv]),
                       config.page_size};
      break;
    case TaskKind::resync_finish:
      IMSIM_ASSERT_MSG(false, "resync_finish sends nothing");
  }
  outstanding = Outstanding{req, task, std::move(frame), now + config.pull_timeout};
  send_pull(now, fx);
}

void Device::Impl::send_pull(LocalTime now, Effects& fx) {
  IMSIM_ASSERT(outstanding.has_value());
  io.send(fx, *conn, outstanding->frame);
  device_counters.pulls++;
  outstanding->deadline = now + config.pull_timeout;
  pull_timer.arm_by(io, fx, now, outstanding->deadline);
}

void Device::Impl::on_pull_timer(LocalTime now, Effects& fx) {
  if (!outstanding || !authed) return;
  if (outstanding->deadline > now) {
    pull_timer.arm_by(io, fx, now, outstanding->deadline);
    return;
  }
  io.cover(CoveragePoint::device_pull_retransmit);
  send_pull(now, fx);  // same request id: a late page of the first copy is just as good
}

void Device::Impl::on_poll_timer(LocalTime now, Effects& fx) {
  if (!authed) return;
  // Backstop for pushes and notices lost between processor and gateway.
  enqueue(SyncTask{TaskKind::inbox_pull, ConvId{}});
  enqueue_catch_up();
  poll_timer.arm_by(io, fx, now, now + config.sync_poll_interval);
  pump_sync(now, fx);
}

// The page contract (docs/engine.md): at most page_size_max entries, and past the first entry
// at most page_bytes_max bytes of bodies. A page that breaks it is refused (the pull is retried
// on its timeout), so a store that stops cutting pages shows as a device that cannot sync.
template <class Entry>
bool Device::Impl::within_page_limits(const std::vector<Entry>& entries) const {
  if (entries.size() > config.page_size_max) return false;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < entries.size(); i++) {
    bytes += entries[i].msg.body.size();
    if (i > 0 && bytes > config.page_bytes_max) return false;
  }
  return true;
}

void Device::Impl::on_inbox_page(const InboxPage& page, LocalTime now, Effects& fx) {
  if (!outstanding || outstanding->req != page.req) {
    return io.cover(CoveragePoint::device_stale_page);  // a page of a pull no longer asked
  }
  if (page.user != id.user) return io.count_reject(RejectReason::bad_field);
  if (!within_page_limits(page.entries)) return io.count_reject(RejectReason::bad_field);
  const SyncTask task = outstanding->task;
  outstanding.reset();
  if (task.kind == TaskKind::resync_start) {
    start_resync(page.head, now, fx);
    return pump_sync(now, fx);
  }
  if (task.kind != TaskKind::inbox_pull) return io.count_reject(RejectReason::bad_field);
  device_counters.pages_applied++;
  if (page.low.value > cursor.value + 1) {
    // Entries after our checkpoint expired (TTL): the inbox cannot tell us what we missed.
    if (!config.mutations.ttl_gap_ignored) {
      io.cover(CoveragePoint::device_ttl_resync);
      device_counters.ttl_resyncs++;
      start_resync(page.head, now, fx);
      enqueue(SyncTask{TaskKind::inbox_pull, ConvId{}});
      return pump_sync(now, fx);
    }
    cursor = InboxSeq{page.low.value - 1};  // mutation: skip the expired range
  }
  apply_inbox(page.entries, now, fx);
  bool more = !page.entries.empty();  // only an empty page ends the sync
  if (config.mutations.short_page_is_end && page.entries.size() < config.page_size) more = false;
  if (page.entries.size() >= config.page_size) io.cover(CoveragePoint::device_backlog_multi_page);
  if (more) enqueue(SyncTask{TaskKind::inbox_pull, ConvId{}}, /*front=*/true);
  drain_push_buffer(now, fx);
  pump_sync(now, fx);
}

void Device::Impl::on_conv_page(const ConvPage& page, LocalTime now, Effects& fx) {
  if (!outstanding || outstanding->req != page.req) {
    return io.cover(CoveragePoint::device_stale_page);
  }
  const SyncTask task = outstanding->task;
  if (task.conv != page.conv || !topology.is_member(id.user, page.conv) ||
      !within_page_limits(page.entries)) {
    return io.count_reject(RejectReason::bad_field);
  }
  outstanding.reset();
  device_counters.pages_applied++;
  ConvState& cs = convs[page.conv];
  if (task.kind == TaskKind::conv_anchor && !cs.anchored) set_anchor(page.conv, page.head, fx);
  std::set<OpId> needs;
  for (const TimelineEntry& e : page.entries) {
    if (e.msg.conv != page.conv || e.conv_seq.value == 0 || e.conv_seq > page.head) {
      io.count_reject(RejectReason::bad_field);
      continue;
    }
    put_message(e, needs, now, fx);
  }
  const bool got = !page.entries.empty();
  if (task.kind == TaskKind::conv_backward && !got) {
    cs.top_known = true;  // the server says nothing older exists
    report_top(page.conv, cs, fx);
  }
  if (task.kind == TaskKind::conv_backward && got) io.cover(CoveragePoint::device_roam_page);
  if (task.kind == TaskKind::conv_forward && got) {
    io.cover(CoveragePoint::device_conv_forward_more);
    enqueue(SyncTask{TaskKind::conv_forward, page.conv}, /*front=*/true);
  }
  if ((task.kind == TaskKind::conv_anchor || (task.kind == TaskKind::conv_backward && got)) &&
      roaming_wanted(cs)) {
    enqueue(SyncTask{TaskKind::conv_backward, page.conv});  // history last: behind live sync
  }
  pump_sync(now, fx);
}

void Device::Impl::on_push(const Push& push, LocalTime now, Effects& fx) {
  if (push.user != id.user) return io.count_reject(RejectReason::bad_field);
  const InboxSeq seq = push.entry.inbox_seq;
  if (buggify(BuggifySite::device_drop_push)) {
    device_counters.pushes_ignored++;
    enqueue(SyncTask{TaskKind::inbox_pull, ConvId{}});
    return pump_sync(now, fx);
  }
  if (seq <= cursor) {
    io.cover(CoveragePoint::device_push_old);
    device_counters.pushes_ignored++;
    return;
  }
  if (seq.value != cursor.value + 1 && config.mutations.checkpoint_from_push) {
    cursor = InboxSeq{seq.value - 1};  // mutation: jump over the gap
  }
  if (seq.value == cursor.value + 1) {
    io.cover(CoveragePoint::device_push_in_order);
    device_counters.pushes_applied++;
    apply_inbox({push.entry}, now, fx);
    drain_push_buffer(now, fx);
    return pump_sync(now, fx);
  }
  // A gap: keep the push for later and pull what is missing. Never move past the gap.
  io.cover(CoveragePoint::device_push_gap);
  if (push_buffer.size() < config.push_buffer_max) {
    push_buffer.emplace(seq, push.entry);
    device_counters.pushes_buffered++;
  } else {
    io.cover(CoveragePoint::device_push_buffer_full);
  }
  enqueue(SyncTask{TaskKind::inbox_pull, ConvId{}});
  pump_sync(now, fx);
}

void Device::Impl::on_notice(const Notice& notice, LocalTime now, Effects& fx) {
  if (!topology.is_member(id.user, notice.conv)) return io.count_reject(RejectReason::bad_field);
  ConvState& cs = convs[notice.conv];
  if (!cs.anchored || notice.conv_seq <= cs.hi) return;
  io.cover(CoveragePoint::device_notice_pull);
  enqueue(SyncTask{TaskKind::conv_forward, notice.conv});
  pump_sync(now, fx);
}

void Device::Impl::apply_inbox(const std::vector<InboxEntry>& entries, LocalTime now, Effects& fx) {
  ApplyBatch batch;
  for (const InboxEntry& e : entries) {
    if (e.inbox_seq <= cursor) continue;
    if (e.inbox_seq.value != cursor.value + 1) break;  // never past a gap
    if (!topology.is_member(id.user, e.msg.conv) || e.conv_seq.value == 0) {
      io.count_reject(RejectReason::bad_field);
      break;
    }
    cursor = e.inbox_seq;
    put_message(TimelineEntry{e.conv_seq, e.msg}, batch.needs, now, fx);
  }
  if (batch.needs.empty() && (batches.empty() ? checkpoint : batches.back().last) >= cursor) {
    return;
  }
  batch.last = cursor;
  batches.push_back(std::move(batch));
  check_batches(now, fx);
}

void Device::Impl::drain_push_buffer(LocalTime now, Effects& fx) {
  while (!push_buffer.empty()) {
    auto it = push_buffer.begin();
    if (it->first <= cursor) {
      push_buffer.erase(it);
      continue;
    }
    if (it->first.value != cursor.value + 1) return;
    const InboxEntry entry = it->second;
    push_buffer.erase(it);
    io.cover(CoveragePoint::device_push_buffer_drained);
    device_counters.pushes_applied++;
    apply_inbox({entry}, now, fx);
  }
}

// Catch every conversation up from its store timeline (anchoring the ones never synced), then
// move the checkpoint to `head`, read before any timeline so nothing falls in between.
void Device::Impl::start_resync(InboxSeq head, LocalTime, Effects&) {
  resync_head = std::max(resync_head.value_or(head), head);
  for (ConvId conv : topology.conversations_of(id.user)) {
    const TaskKind kind = convs[conv].anchored ? TaskKind::conv_forward : TaskKind::conv_anchor;
    enqueue(SyncTask{kind, conv});
  }
  enqueue(SyncTask{TaskKind::resync_finish, ConvId{}});
}

void Device::Impl::finish_resync(LocalTime now, Effects& fx) {
  if (!resync_head) return;
  ApplyBatch batch;
  batch.last = std::max(cursor, *resync_head);
  batch.needs = pending_store_ops();  // every page of the resync must be durable first
  batch.bootstraps = true;
  cursor = batch.last;
  resync_head.reset();
  batches.push_back(std::move(batch));
  check_batches(now, fx);
  drain_push_buffer(now, fx);
}

void Device::Impl::check_batches(LocalTime, Effects& fx) {
  if (batches.empty() || batches.front().checkpoint_op) return;  // one checkpoint write at a time
  auto ready = [&](ApplyBatch& b) {
    if (config.mutations.checkpoint_before_apply) return true;  // mutation: don't wait
    for (auto it = b.needs.begin(); it != b.needs.end();) {
      const bool pending = msg_ops.count(*it) != 0 || anchor_ops.count(*it) != 0;
      it = pending ? std::next(it) : b.needs.erase(it);
    }
    return b.needs.empty();
  };
  if (!ready(batches.front())) {
    io.cover(CoveragePoint::device_checkpoint_waits);
    return;
  }
  // Fold the ready batches behind it into one checkpoint write (only at the deque's ends:
  // erasing in the middle would invalidate references).
  ApplyBatch merged = std::move(batches.front());
  batches.pop_front();
  while (!batches.empty() && ready(batches.front())) {
    io.cover(CoveragePoint::device_checkpoint_merged);
    merged.last = std::max(merged.last, batches.front().last);
    merged.bootstraps = merged.bootstraps || batches.front().bootstraps;
    batches.pop_front();
  }
  const records::CheckpointRecord r{merged.last, bootstrapped || merged.bootstraps, incarnation};
  merged.checkpoint_op =
      io.write(fx, storage_keys::checkpoint(), records::seal(records::Kind::checkpoint, r));
  batches.push_front(std::move(merged));
}

bool Device::Impl::finish_checkpoint(OpId op, LocalTime now, Effects& fx) {
  if (batches.empty() || batches.front().checkpoint_op != op) return false;
  IMSIM_ASSERT(batches.front().last >= checkpoint);  // the checkpoint never moves back
  checkpoint = batches.front().last;
  bootstrapped = bootstrapped || batches.front().bootstraps;
  batches.pop_front();
  check_batches(now, fx);
  pump_sync(now, fx);
  return true;
}

}  // namespace imsim::engine
