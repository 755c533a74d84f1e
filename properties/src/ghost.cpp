// ghost: at the end, a message that is in T(C), or displayed on any device, has status fail
// or none; or, with T(C), a message with status ack is not in T(C). A message with no status
// that is neither stored nor displayed is no anomaly. Cost: O(messages).
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

Witness seen_but_not_acked(const HistoryIndex& index, MsgId msg) {
  const MsgFacts& facts = index.msg(msg);
  const bool stored = facts.timeline_pos != no_position;
  Witness w{
      .clause = "not_acked_but_seen",
      .summary = fmt::format("{} is {} but its status is {}", index.name(msg),
                             stored ? fmt::format("in T({})", index.name(facts.conv)) : "displayed",
                             status_name(facts.status)),
      .msgs = {index.name(msg)},
      .devices = {index.name(facts.sender)},
      .convs = {index.name(facts.conv)},
      .events = {index.ref(facts.send_event, "send")}};
  if (stored) w.events.push_back(index.ref(index.timeline_event(facts.conv), "timeline"));
  if (facts.first_display_event != no_index)
    w.events.push_back(index.ref(facts.first_display_event, "first display"));
  if (facts.status_event != no_index)
    w.events.push_back(index.ref(facts.status_event, "last status (fail)"));
  return w;
}

}  // namespace

void check_ghost(const HistoryIndex& index, AnomalySink& sink) {
  for (std::uint32_t m = 0; m < index.history().msg_count(); ++m) {
    const MsgId msg{m};
    const MsgFacts& facts = index.msg(msg);
    const bool stored = facts.timeline_pos != no_position;
    const bool displayed = facts.first_display_event != no_index;
    if ((stored || displayed) && facts.status != Status::ack) {
      sink.add([&] { return seen_but_not_acked(index, msg); });
    }
    if (facts.status == Status::ack && !stored && index.timeline(facts.conv) != nullptr) {
      sink.add([&] {
        return Witness{.clause = "acked_not_stored",
                       .summary = fmt::format("{} has status ack but is not in T({})",
                                              index.name(msg), index.name(facts.conv)),
                       .msgs = {index.name(msg)},
                       .devices = {index.name(facts.sender)},
                       .convs = {index.name(facts.conv)},
                       .events = {index.ref(facts.send_event, "send"),
                                  index.ref(facts.status_event, "last status (ack)"),
                                  index.ref(index.timeline_event(facts.conv), "timeline")}};
      });
    }
  }
}

}  // namespace imsim::properties
