// misnumbered (version 2): with T(C), an `ack`, or a `display` that carries `conv_seq`, gives a
// message a conv_seq other than its conv_seq in T(C) (first_conv_seq + the raw position of its
// first occurrence). Only messages that are in T(C) are judged. Counted per event.
// Cost: O(events).
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

Witness misnumbered_witness(const HistoryIndex& index, std::uint32_t event, MsgId msg,
                            DeviceId device, std::uint64_t given, std::uint64_t stored) {
  const MsgFacts& facts = index.msg(msg);
  const bool ack = std::holds_alternative<history::Ack>(index.event(event).body);
  return Witness{
      .clause = ack ? "ack_conv_seq" : "display_conv_seq",
      .summary = fmt::format("{} {} {} at conv_seq {}, but it stands at conv_seq {} in T({})",
                             index.name(device), ack ? "was acked for" : "displayed",
                             index.name(msg), given, stored, index.name(facts.conv)),
      .msgs = {index.name(msg)},
      .devices = {index.name(device)},
      .convs = {index.name(facts.conv)},
      .events = {
          index.ref(facts.send_event, "send"),
          index.ref(event, ack ? "ack with the wrong conv_seq" : "display with the wrong conv_seq"),
          index.ref(index.timeline_event(facts.conv), "timeline")}};
}

}  // namespace

void check_misnumbered(const HistoryIndex& index, AnomalySink& sink) {
  if (index.version() < 2) return;
  const auto& events = index.history().events;
  for (std::uint32_t i = 0; i < events.size(); ++i) {
    MsgId msg;
    DeviceId device;
    std::uint64_t given = 0;
    if (const auto* ack = std::get_if<history::Ack>(&events[i].body)) {
      msg = ack->msg;
      device = ack->device;
      given = ack->conv_seq;
    } else if (const auto* display = std::get_if<history::Display>(&events[i].body)) {
      if (!display->conv_seq) continue;
      msg = display->msg;
      device = display->device;
      given = *display->conv_seq;
    } else {
      continue;
    }
    const MsgFacts& facts = index.msg(msg);
    if (facts.timeline_pos == no_position) continue;  // not stored: not judged here
    const std::uint64_t stored = index.conv_seq_at(facts.conv, facts.timeline_pos);
    if (given == stored) continue;
    sink.add([&] { return misnumbered_witness(index, i, msg, device, given, stored); });
  }
}

}  // namespace imsim::properties
