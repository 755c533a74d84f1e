// fifo: two messages sent by one device into C stand, in a view or in T(C), against the
// order of their sends. One scan per view (first occurrences) and per T(C) keeping, per
// sender, the highest send ordinal (vc[sender]) seen so far: a lower one is an inversion.
// Cost: O(displays + timeline entries).
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

// Per sender: the highest send ordinal seen in the current sequence and where it stood.
struct SenderMax {
  explicit SenderMax(std::size_t devices)
      : ordinal(devices, 0), msg(devices), where(devices, 0), seen(devices) {}
  std::vector<std::uint64_t> ordinal;
  std::vector<MsgId> msg;
  std::vector<std::uint32_t> where;  // display event, or timeline position
  EpochMarks seen;
};

struct Inversion {
  MsgId early;  // stands first, sent later
  MsgId late;
  std::uint32_t early_where = 0;
  std::uint32_t late_where = 0;
};

// Scans one sequence of messages; returns the first inversion, if any.
template <class MsgAt>
std::optional<Inversion> first_inversion(const HistoryIndex& index, std::size_t size, MsgAt msg_at,
                                         SenderMax& max) {
  max.seen.next_epoch();
  for (std::size_t i = 0; i < size; ++i) {
    const auto [msg, where] = msg_at(i);
    const MsgFacts& facts = index.msg(msg);
    const std::uint32_t s = facts.sender.value;
    if (max.seen.marked(s) && max.ordinal[s] > facts.own_count) {
      return Inversion{max.msg[s], msg, max.where[s], where};
    }
    IMSIM_ASSERT(!max.seen.marked(s) || max.ordinal[s] != facts.own_count);  // ordinals are unique
    max.seen.mark(s);
    max.ordinal[s] = facts.own_count;
    max.msg[s] = msg;
    max.where[s] = where;
  }
  return std::nullopt;
}

std::string send_order(const HistoryIndex& index, const Inversion& inv) {
  return fmt::format("{} sent {} (send #{}) after {} (send #{})",
                     index.name(index.msg(inv.early).sender), index.name(inv.early),
                     index.msg(inv.early).own_count, index.name(inv.late),
                     index.msg(inv.late).own_count);
}

void in_views(const HistoryIndex& index, SenderMax& max, AnomalySink& sink) {
  for (const View& view : index.views()) {
    auto msg_at = [&](std::size_t i) {
      return std::pair{index.display_msg(view.firsts[i]), view.firsts[i]};
    };
    const auto inv = first_inversion(index, view.firsts.size(), msg_at, max);
    if (!inv) continue;
    sink.add([&] {
      return Witness{
          .clause = "view",
          .summary =
              fmt::format("{} shows {} before {}, but {}", view_name(index, view),
                          index.name(inv->early), index.name(inv->late), send_order(index, *inv)),
          .msgs = {index.name(inv->early), index.name(inv->late)},
          .devices = {index.name(index.msg(inv->early).sender), index.name(view.device)},
          .convs = {index.name(view.conv)},
          .events = {index.ref(index.msg(inv->late).send_event, "send of the earlier-sent"),
                     index.ref(index.msg(inv->early).send_event, "send of the later-sent"),
                     index.ref(inv->early_where, "display of the later-sent"),
                     index.ref(inv->late_where, "display of the earlier-sent")}};
    });
  }
}

void in_timelines(const HistoryIndex& index, SenderMax& max, AnomalySink& sink) {
  for (std::uint32_t c = 0; c < index.history().conv_count(); ++c) {
    const history::Timeline* timeline = index.timeline(ConvId{c});
    if (timeline == nullptr) continue;
    // Positions in T(C) are first occurrences: skip repeats (duplicated's business).
    std::vector<std::uint32_t> firsts;
    for (std::uint32_t p = 0; p < timeline->msgs.size(); ++p) {
      if (index.msg(timeline->msgs[p]).timeline_pos == p) firsts.push_back(p);
    }
    auto msg_at = [&](std::size_t i) { return std::pair{timeline->msgs[firsts[i]], firsts[i]}; };
    const auto inv = first_inversion(index, firsts.size(), msg_at, max);
    if (!inv) continue;
    sink.add([&] {
      return Witness{
          .clause = "timeline",
          .summary = fmt::format("T({}) has {} at position {} before {} at position {}, but {}",
                                 index.name(ConvId{c}), index.name(inv->early), inv->early_where,
                                 index.name(inv->late), inv->late_where, send_order(index, *inv)),
          .msgs = {index.name(inv->early), index.name(inv->late)},
          .devices = {index.name(index.msg(inv->early).sender)},
          .convs = {index.name(ConvId{c})},
          .events = {index.ref(index.msg(inv->late).send_event, "send of the earlier-sent"),
                     index.ref(index.msg(inv->early).send_event, "send of the later-sent"),
                     index.ref(index.timeline_event(ConvId{c}), "timeline")}};
    });
  }
}

}  // namespace

void check_fifo(const HistoryIndex& index, AnomalySink& sink) {
  SenderMax max(index.history().device_count());
  in_views(index, max, sink);
  in_timelines(index, max, sink);
}

}  // namespace imsim::properties
