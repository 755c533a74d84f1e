// liveness: `end` has quiesced: false; or, when there is a liveness phase, a device whose
// user is a member of some conversation is never online during it. Cost: O(devices + convs).
#include <fmt/format.h>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {

void check_liveness(const HistoryIndex& index, AnomalySink& sink) {
  const History& h = index.history();
  const std::uint32_t end = index.end_event();
  IMSIM_ASSERT(end != no_index);  // the reader guarantees exactly one end
  if (!std::get<history::End>(index.event(end).body).quiesced) {
    sink.add([&] {
      return Witness{.clause = "not_quiesced",
                     .summary = "the run ended before quiescence (end quiesced: false)",
                     .msgs = {},
                     .devices = {},
                     .convs = {},
                     .events = {index.ref(end, "end")}};
    });
  }
  if (!index.has_liveness_phase()) return;
  std::vector<ConvId> conv_of_user(h.user_count());  // some conversation of each member user
  for (std::uint32_t c = 0; c < h.conv_count(); ++c) {
    for (UserId user : h.header.conversations[c].members) {
      if (conv_of_user[user.value].is_none()) conv_of_user[user.value] = ConvId{c};
    }
  }
  for (std::uint32_t d = 0; d < h.device_count(); ++d) {
    const DeviceId device{d};
    const ConvId conv = conv_of_user[h.header.device_user[d].value];
    if (conv.is_none() || index.online_in_liveness(device)) continue;
    sink.add([&] {
      return Witness{
          .clause = "never_online_in_liveness",
          .summary = fmt::format("{} (member of {}) is never online in the liveness phase",
                                 index.name(device), index.name(conv)),
          .msgs = {},
          .devices = {index.name(device)},
          .convs = {index.name(conv)},
          .events = {index.ref(index.liveness_event(), "liveness phase starts")}};
    });
  }
}

}  // namespace imsim::properties
