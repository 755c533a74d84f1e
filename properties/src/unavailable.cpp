// unavailable (version 2, the system works again once healed): with a liveness phase and `end`
// quiesced, a message sent during the liveness phase by a device that has no `offline`, `kill`
// or `reinstall` after that send has a final status other than `ack`, or (with T(C)) is not in
// T(C). A liveness-phase send is judged even if the device was offline when it sent. Counted
// per message. Cost: O(messages).
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {

void check_unavailable(const HistoryIndex& index, AnomalySink& sink) {
  if (index.version() < 2 || !index.has_liveness_phase() || !index.quiesced()) return;
  for (std::uint32_t m = 0; m < index.history().msg_count(); ++m) {
    const MsgId msg{m};
    const MsgFacts& facts = index.msg(msg);
    if (!facts.sent_in_liveness) continue;
    const std::uint32_t gone = index.last_disconnect_event(facts.sender);
    if (gone != no_index && gone > facts.send_event) continue;  // it left after sending
    const bool has_timeline = index.timeline(facts.conv) != nullptr;
    const bool not_acked = facts.status != Status::ack;
    const bool not_stored = has_timeline && facts.timeline_pos == no_position;
    if (!not_acked && !not_stored) continue;
    sink.add([&] {
      Witness w{
          .clause = not_acked ? "not_acked_after_heal" : "not_stored_after_heal",
          .summary = fmt::format(
              "{} sent {} into {} in the liveness phase and stayed connected, but its final "
              "status is {}{}",
              index.name(facts.sender), index.name(msg), index.name(facts.conv),
              facts.status == Status::none ? "none (neither acked nor failed)"
                                           : status_name(facts.status),
              not_stored ? fmt::format(" and it is not in T({})", index.name(facts.conv)) : ""),
          .msgs = {index.name(msg)},
          .devices = {index.name(facts.sender)},
          .convs = {index.name(facts.conv)},
          .events = {index.ref(index.liveness_event(), "liveness phase starts"),
                     index.ref(facts.send_event, "send (in the liveness phase)")}};
      if (facts.status_event != no_index)
        w.events.push_back(index.ref(facts.status_event, "final status"));
      if (has_timeline) w.events.push_back(index.ref(index.timeline_event(facts.conv), "timeline"));
      w.events.push_back(index.ref(index.end_event(), "end (quiesced)"));
      return w;
    });
  }
}

}  // namespace imsim::properties
