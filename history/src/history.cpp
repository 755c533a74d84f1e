// Name tables and small helpers of the history types.
#include "imsim/history/history.hpp"

#include <algorithm>

#include "imsim/base/assert.hpp"

namespace imsim::history {

std::uint64_t clock_at(const VectorClock& clock, DeviceId device) {
  auto it = std::lower_bound(clock.begin(), clock.end(), device,
                             [](const ClockEntry& e, DeviceId d) { return e.device < d; });
  if (it == clock.end() || it->device != device) return 0;
  return it->count;
}

std::string_view event_type_name(const Event& event) {
  struct Namer {
    std::string_view operator()(const Send&) const { return "send"; }
    std::string_view operator()(const Ack&) const { return "ack"; }
    std::string_view operator()(const Fail&) const { return "fail"; }
    std::string_view operator()(const Display&) const { return "display"; }
    std::string_view operator()(const Online&) const { return "online"; }
    std::string_view operator()(const Offline&) const { return "offline"; }
    std::string_view operator()(const Kill&) const { return "kill"; }
    std::string_view operator()(const Reinstall&) const { return "reinstall"; }
    std::string_view operator()(const Phase&) const { return "phase"; }
    std::string_view operator()(const Timeline&) const { return "timeline"; }
    std::string_view operator()(const End&) const { return "end"; }
    std::string_view operator()(const TopReached&) const { return "top_reached"; }
    std::string_view operator()(const Extension& e) const { return e.type; }
  };
  return std::visit(Namer{}, event.body);
}

std::string_view conv_kind_name(ConvKind kind) {
  switch (kind) {
    case ConvKind::unspecified:
      return "";
    case ConvKind::direct:
      return "direct";
    case ConvKind::group:
      return "group";
    case ConvKind::large:
      return "large";
  }
  IMSIM_ASSERT(false);
}

const std::string& History::name(DeviceId id) const {
  IMSIM_ASSERT(id.value < header.device_names.size());
  return header.device_names[id.value];
}
const std::string& History::name(UserId id) const {
  IMSIM_ASSERT(id.value < header.user_names.size());
  return header.user_names[id.value];
}
const std::string& History::name(ConvId id) const {
  IMSIM_ASSERT(id.value < header.conversations.size());
  return header.conversations[id.value].name;
}
const std::string& History::name(MsgId id) const {
  IMSIM_ASSERT(id.value < msg_names.size());
  return msg_names[id.value];
}

bool History::is_member(UserId user, ConvId conv) const {
  IMSIM_ASSERT(conv.value < header.conversations.size());
  const auto& members = header.conversations[conv.value].members;
  return std::find(members.begin(), members.end(), user) != members.end();
}

}  // namespace imsim::history
