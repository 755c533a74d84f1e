// lost. With T(C): for each required device D, every message of T(C) at or after the
// earliest T(C) position among the messages of D's final view must be in that view (from
// T(C)'s first position for a first incarnation, or when the view holds no message of T(C));
// and every message with an ack must be in T(C). Without T(C): every message with an ack or
// a display anywhere must be in the final view of every required device never reinstalled.
// Version 2: a required device with a top_reached for C in its final incarnation must hold T(C)
// from its first position.
// Cost: O(sum over C of |T(C)| x required devices of C) = O(the displays a correct run makes).
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

Witness missing_witness(const HistoryIndex& index, MsgId msg, DeviceId device, ConvId conv,
                        std::string clause, std::string why) {
  const MsgFacts& facts = index.msg(msg);
  Witness w{
      .clause = std::move(clause),
      .summary = fmt::format("{} is missing from the final view of {} on {} (incarnation {}): {}",
                             index.name(msg), index.name(conv), index.name(device),
                             index.reinstalls(device), why),
      .msgs = {index.name(msg)},
      .devices = {index.name(device)},
      .convs = {index.name(conv)},
      .events = {index.ref(facts.send_event, "send")}};
  if (index.timeline_event(conv) != no_index)
    w.events.push_back(index.ref(index.timeline_event(conv), "timeline"));
  if (facts.first_ack_event != no_index)
    w.events.push_back(index.ref(facts.first_ack_event, "first ack"));
  if (facts.first_display_event != no_index) {
    w.events.push_back(index.ref(facts.first_display_event, "first display (any device)"));
  }
  w.events.push_back(index.ref(index.liveness_event(), "liveness phase (device online in it)"));
  return w;
}

void against_timeline(const HistoryIndex& index, ConvId conv, EpochMarks& in_view,
                      AnomalySink& sink) {
  const history::Timeline& timeline = *index.timeline(conv);
  for (DeviceId device : index.required(conv)) {
    const View* view = index.final_view(device, conv);
    in_view.next_epoch();
    std::int64_t start = no_position;  // earliest T position among the view's messages
    if (view != nullptr) {
      for (std::uint32_t entry : view->firsts) {
        const MsgId msg = index.display_msg(entry);
        in_view.mark(msg.value);
        const std::int64_t pos = index.msg(msg).timeline_pos;
        if (pos != no_position && (start == no_position || pos < start)) start = pos;
      }
    }
    // Only a reinstalled device whose view starts below T's first position needs top_reached
    // to be held to T from the start: it names the clause that fired.
    const bool by_top = index.reinstalls(device) != 0 && start != no_position && start != 0 &&
                        index.top_reached_final(device, conv);
    if (index.reinstalls(device) == 0 || start == no_position || by_top) start = 0;
    for (std::size_t p = static_cast<std::size_t>(start); p < timeline.msgs.size(); ++p) {
      const MsgId msg = timeline.msgs[p];
      if (index.msg(msg).timeline_pos != static_cast<std::int64_t>(p)) continue;  // a repeat
      if (in_view.marked(msg.value)) continue;
      sink.add([&] {
        if (by_top) {
          return missing_witness(
              index, msg, device, conv, "missing_after_top_reached",
              fmt::format("T({}) position {}; the device paged back to the first message "
                          "(top_reached), so its view must hold all of T",
                          index.name(conv), p));
        }
        return missing_witness(
            index, msg, device, conv, "missing_from_view",
            fmt::format("T({}) position {}, the view must hold T from position {}",
                        index.name(conv), p, start));
      });
    }
  }
}

void acked_not_stored(const HistoryIndex& index, ConvId conv, AnomalySink& sink) {
  for (MsgId msg : index.msgs_of(conv)) {
    const MsgFacts& facts = index.msg(msg);
    if (facts.first_ack_event == no_index || facts.timeline_pos != no_position) continue;
    sink.add([&] {
      return Witness{.clause = "acked_not_stored",
                     .summary = fmt::format("{} was acked but is not in T({})", index.name(msg),
                                            index.name(conv)),
                     .msgs = {index.name(msg)},
                     .devices = {index.name(facts.sender)},
                     .convs = {index.name(conv)},
                     .events = {index.ref(facts.send_event, "send"),
                                index.ref(facts.first_ack_event, "first ack"),
                                index.ref(index.timeline_event(conv), "timeline")}};
    });
  }
}

void without_timeline(const HistoryIndex& index, ConvId conv, EpochMarks& in_view,
                      AnomalySink& sink) {
  for (DeviceId device : index.required(conv)) {
    if (index.reinstalls(device) != 0) continue;
    const View* view = index.final_view(device, conv);
    in_view.next_epoch();
    if (view != nullptr) {
      for (std::uint32_t entry : view->firsts) in_view.mark(index.display_msg(entry).value);
    }
    for (MsgId msg : index.msgs_of(conv)) {
      const MsgFacts& facts = index.msg(msg);
      const bool known = facts.first_ack_event != no_index || facts.first_display_event != no_index;
      if (!known || in_view.marked(msg.value)) continue;
      sink.add([&] {
        return missing_witness(
            index, msg, device, conv, "missing_no_timeline",
            facts.first_ack_event != no_index ? "it was acked" : "it was displayed");
      });
    }
  }
}

}  // namespace

void check_lost(const HistoryIndex& index, AnomalySink& sink) {
  EpochMarks in_view(index.history().msg_count());
  for (std::uint32_t c = 0; c < index.history().conv_count(); ++c) {
    const ConvId conv{c};
    if (index.timeline(conv) != nullptr) {
      against_timeline(index, conv, in_view, sink);
      acked_not_stored(index, conv, sink);
    } else {
      without_timeline(index, conv, in_view, sink);
    }
  }
}

}  // namespace imsim::properties
