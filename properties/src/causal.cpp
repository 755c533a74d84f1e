// causal: in a view, a message x stands before a message y that happened-before it, i.e.
// vc[x][sender(y)] >= vc[y][sender(y)]. One scan per view (first occurrences) keeping, per
// device s, the max of vc[.][s] over the messages already passed and which message holds it:
// y violates iff that max for sender(y) reaches vc[y][sender(y)]. Sparse clocks keep this
// O(sum of clock sizes over the view); no pair is ever enumerated.
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

const history::VectorClock& vc_of(const HistoryIndex& index, MsgId msg) {
  return std::get<history::Send>(index.event(index.msg(msg).send_event).body).vc;
}

struct ClockMax {
  explicit ClockMax(std::size_t devices) : value(devices, 0), entry(devices, 0), seen(devices) {}
  std::vector<std::uint64_t> value;  // max vc[.][s] so far
  std::vector<std::uint32_t> entry;  // the display holding it
  EpochMarks seen;
};

void check_view(const HistoryIndex& index, const View& view, ClockMax& max, AnomalySink& sink) {
  max.seen.next_epoch();
  for (std::uint32_t entry : view.firsts) {
    const MsgId y = index.display_msg(entry);
    const MsgFacts& facts = index.msg(y);
    const std::uint32_t s = facts.sender.value;
    if (max.seen.marked(s) && max.value[s] >= facts.own_count) {
      const std::uint32_t x_entry = max.entry[s];
      const MsgId x = index.display_msg(x_entry);
      IMSIM_ASSERT(x != y);
      sink.add([&] {
        return Witness{
            .clause = "view",
            .summary =
                fmt::format("{} shows {} before {}, but {} happened-before it "
                            "(vc[{}][{}] = {} >= vc[{}][{}] = {})",
                            view_name(index, view), index.name(x), index.name(y), index.name(y),
                            index.name(x), index.name(facts.sender), max.value[s], index.name(y),
                            index.name(facts.sender), facts.own_count),
            .msgs = {index.name(x), index.name(y)},
            .devices = {index.name(view.device), index.name(index.msg(x).sender),
                        index.name(facts.sender)},
            .convs = {index.name(view.conv)},
            .events = {index.ref(facts.send_event, "send of the earlier (happened-before)"),
                       index.ref(index.msg(x).send_event, "send of the later"),
                       index.ref(x_entry, "display of the later"),
                       index.ref(entry, "display of the earlier")}};
      });
      return;  // one anomaly per view
    }
    for (const history::ClockEntry& e : vc_of(index, y)) {
      const std::uint32_t d = e.device.value;
      if (max.seen.marked(d) && max.value[d] >= e.count) continue;
      max.seen.mark(d);
      max.value[d] = e.count;
      max.entry[d] = entry;
    }
  }
}

}  // namespace

void check_causal(const HistoryIndex& index, AnomalySink& sink) {
  ClockMax max(index.history().device_count());
  for (const View& view : index.views()) check_view(index, view, max, sink);
}

}  // namespace imsim::properties
