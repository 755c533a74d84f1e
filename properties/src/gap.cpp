// gap (version 2, per-device FIFO completeness): with T(C) and `end` quiesced, a message that
// device D sent into C is in T(C) while a message that D sent into C earlier in the same
// incarnation is not. "Earlier" is file order of the sends; sends before D's first reinstall
// belong to its first incarnation. Counted per missing (earlier) message.
// Cost: O(messages).
#include <fmt/format.h>

#include <map>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {

void check_gap(const HistoryIndex& index, AnomalySink& sink) {
  if (index.version() < 2 || !index.quiesced()) return;
  const History& h = index.history();
  for (std::uint32_t c = 0; c < h.conv_count(); ++c) {
    const ConvId conv{c};
    if (index.timeline(conv) == nullptr) continue;
    // Walk the sends of C newest first; per (sender, incarnation) remember the newest stored.
    std::map<std::pair<std::uint32_t, std::uint32_t>, MsgId> later_stored;
    const std::vector<MsgId>& msgs = index.msgs_of(conv);  // in file order of their sends
    for (auto it = msgs.rbegin(); it != msgs.rend(); ++it) {
      const MsgFacts& facts = index.msg(*it);
      const std::pair key{facts.sender.value, facts.sender_incarnation};
      if (facts.timeline_pos != no_position) {
        later_stored.insert_or_assign(key, *it);
        continue;
      }
      auto stored = later_stored.find(key);
      if (stored == later_stored.end()) continue;
      const MsgId missing = *it;
      const MsgId later = stored->second;
      sink.add([&] {
        const MsgFacts& l = index.msg(later);
        return Witness{
            .clause = "earlier_send_not_stored",
            .summary = fmt::format(
                "{} sent {} and then {} into {} (incarnation {}): {} is in T({}) at position {}, "
                "{} is not",
                index.name(facts.sender), index.name(missing), index.name(later), index.name(conv),
                facts.sender_incarnation, index.name(later), index.name(conv), l.timeline_pos,
                index.name(missing)),
            .msgs = {index.name(missing), index.name(later)},
            .devices = {index.name(facts.sender)},
            .convs = {index.name(conv)},
            .events = {index.ref(facts.send_event, "send of the missing message"),
                       index.ref(l.send_event, "send of the later stored message"),
                       index.ref(index.timeline_event(conv), "timeline")}};
      });
    }
  }
}

}  // namespace imsim::properties
