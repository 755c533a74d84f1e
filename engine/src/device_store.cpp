// Device local store: messages per conversation by conv_seq, deduplicated by message id, and
// the displayed range grown only contiguously.
#include <algorithm>
#include <vector>

#include "device_impl.hpp"

namespace imsim::engine {
// The top of the contiguous run of held messages that ends at the view's top: roaming continues
// below it. (Not the lowest message held: a message that arrived early through the inbox can sit
// below a gap that roaming still has to fill.)
ConvSeq Device::Impl::lowest_held(const ConvState& cs) const {
  ConvSeq s = cs.lo;
  while (s.value > 1 && cs.msgs.count(ConvSeq{s.value - 1}) != 0) s = ConvSeq{s.value - 1};
  return s;
}

bool Device::Impl::roaming_wanted(const ConvState& cs) const {
  if (!cs.anchored || cs.top_known) return false;
  const ConvSeq low = lowest_held(cs);
  if (cs.scroll_to_top) return low.value > 1;  // the user scrolls past the automatic limit
  return low.value > 1 && cs.anchor.value + 1 - low.value < config.roam_messages_max;
}

// The view reached the conversation's first message by paging back: say so once per install.
void Device::Impl::report_top(ConvId conv, ConvState& cs, Effects& fx) {
  if (cs.top_reported || !cs.anchor_durable || cs.anchor.value == 0) return;
  const bool at_top = cs.lo.value == 1 || (cs.top_known && cs.lo == lowest_held(cs));
  if (!at_top) return;
  cs.top_reported = true;
  io.cover(CoveragePoint::device_top_reached);
  device_counters.tops_reached++;
  fx.observations.push_back(TopReached{conv});
}

void Device::Impl::page_back(ConvId conv, LocalTime now, Effects& fx) {
  if (!topology.is_member(id.user, conv)) return;
  ConvState& cs = convs[conv];
  cs.scroll_to_top = true;
  if (authed && roaming_wanted(cs)) enqueue(SyncTask{TaskKind::conv_backward, conv});
  pump_sync(now, fx);
}

// Our own message, seen committed in the inbox or a timeline: whatever the outbox thought, it is
// stored at this conv_seq. This is how failed or still-sending statuses converge.
void Device::Impl::reconcile(const TimelineEntry& entry, LocalTime now, Effects& fx) {
  if (entry.msg.id.device != id) return;
  if (entry.msg.id.incarnation < incarnation) {
    // Sent by an earlier install of this device, which can no longer report it: the device
    // that sent it learns here that it is stored.
    if (earlier_install_acked.insert(entry.msg.id).second) {
      io.cover(CoveragePoint::device_reconcile_earlier_install);
      device_counters.reconciled++;
      fx.observations.push_back(Acked{entry.msg.id, entry.msg.conv, entry.conv_seq});
    }
    return;
  }
  if (!is_mine(entry.msg.id)) return;
  auto it = outbox.find(entry.msg.id);
  if (it == outbox.end() || it->second.state == records::OutboxState::sent) return;
  io.cover(CoveragePoint::device_reconcile_own);
  device_counters.reconciled++;
  on_ack(entry.msg.id, entry.conv_seq, now, fx);
}

void Device::Impl::put_message(const TimelineEntry& entry, std::set<OpId>& needs, LocalTime now,
                               Effects& fx) {
  const ConvId conv = entry.msg.conv;
  IMSIM_ASSERT(topology.is_member(id.user, conv));
  IMSIM_ASSERT(entry.conv_seq.value > 0);
  reconcile(entry, now, fx);
  ConvState& cs = convs[conv];
  auto it = cs.msgs.find(entry.conv_seq);
  if (it != cs.msgs.end()) {
    io.cover(CoveragePoint::device_duplicate_seq);
    device_counters.duplicates_ignored++;
    if (it->second.write_op) needs.insert(*it->second.write_op);
    if (config.mutations.no_client_dedup && cs.anchor_durable && !it->second.write_op &&
        entry.conv_seq >= cs.lo && entry.conv_seq <= cs.hi) {
      // mutation: show what we already show once more
      fx.observations.push_back(Displayed{conv, entry.msg.id, DisplayAt::bottom, entry.conv_seq});
    }
    // A held durable message next to the view is normally shown already; after a reset of the
    // delivered marks (resume_counter_reset) the re-sent copy shows it again.
    extend_view(conv, cs, fx);
    return;
  }
  if (cs.ids.count(entry.msg.id) != 0 && !config.mutations.no_client_dedup) {
    io.cover(CoveragePoint::device_duplicate_id);
    device_counters.duplicates_ignored++;  // one id at two conv_seqs: show it once
    return;
  }
  const records::LocalMsgRecord r{entry};
  const OpId op = io.write(fx, storage_keys::local_msg(conv.value, entry.conv_seq.value),
                           records::seal(records::Kind::local_msg, r));
  cs.msgs[entry.conv_seq] = LocalMsg{entry.msg, op};
  cs.ids.insert(entry.msg.id);
  msg_ops[op] = {conv, entry.conv_seq};
  needs.insert(op);
}

void Device::Impl::set_anchor(ConvId conv, ConvSeq head, Effects& fx) {
  ConvState& cs = convs[conv];
  IMSIM_ASSERT(!cs.anchored);
  cs.anchored = true;
  cs.anchor = head;
  cs.hi = head;
  cs.lo = ConvSeq{head.value + 1};
  const records::ConvAnchorRecord r{conv, head};
  const OpId op = io.write(fx, storage_keys::conv_anchor(conv.value),
                           records::seal(records::Kind::conv_anchor, r));
  anchor_ops[op] = conv;
}

bool Device::Impl::finish_msg_write(OpId op, Effects& fx) {
  auto it = msg_ops.find(op);
  if (it == msg_ops.end()) return false;
  const auto [conv, seq] = it->second;
  msg_ops.erase(it);
  ConvState& cs = convs[conv];
  LocalMsg& m = cs.msgs.at(seq);
  IMSIM_ASSERT(m.write_op == op);
  m.write_op.reset();
  extend_view(conv, cs, fx);
  return true;
}

bool Device::Impl::finish_anchor_write(OpId op, Effects& fx) {
  auto it = anchor_ops.find(op);
  if (it == anchor_ops.end()) return false;
  const ConvId conv = it->second;
  anchor_ops.erase(it);
  ConvState& cs = convs[conv];
  cs.anchor_durable = true;
  extend_view(conv, cs, fx);
  return true;
}

// Display grows only contiguously: at the bottom from hi + 1, at the top from lo - 1, and only
// through durable messages, so the user never sees a message inserted between shown ones.
void Device::Impl::extend_view(ConvId conv, ConvState& cs, Effects& fx) {
  if (!cs.anchor_durable) return;
  std::vector<std::pair<ConvSeq, const MessageData*>> bottom;  // newly contiguous, by conv_seq
  for (;;) {
    auto it = cs.msgs.find(ConvSeq{cs.hi.value + 1});
    if (it == cs.msgs.end() || it->second.write_op) break;
    cs.hi = it->first;
    bottom.emplace_back(it->first, &it->second.msg);
  }
  if (config.mutations.order_by_timestamp) {
    // mutation: show what became displayable in the order of the senders' clocks, which skew.
    std::stable_sort(bottom.begin(), bottom.end(), [](const auto& a, const auto& b) {
      return a.second->sent_at_local_ns < b.second->sent_at_local_ns;
    });
  }
  for (const auto& [seq, msg] : bottom) {
    fx.observations.push_back(Displayed{conv, msg->id, DisplayAt::bottom, seq});
  }
  while (cs.lo.value > 1) {
    auto it = cs.msgs.find(ConvSeq{cs.lo.value - 1});
    if (it == cs.msgs.end() || it->second.write_op) break;
    cs.lo = it->first;
    fx.observations.push_back(Displayed{conv, it->second.msg.id, DisplayAt::top, cs.lo});
  }
  report_top(conv, cs, fx);
}

std::set<OpId> Device::Impl::pending_store_ops() const {
  std::set<OpId> ops;
  for (const auto& [op, where] : msg_ops) ops.insert(op);
  for (const auto& [op, conv] : anchor_ops) ops.insert(op);
  return ops;
}

}  // namespace imsim::engine
