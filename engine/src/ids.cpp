#include <imsim/base/assert.hpp>
#include <imsim/engine/ids.hpp>

namespace imsim::engine {

std::string to_string(UserId user) { return "u" + std::to_string(user.value); }

std::string to_string(DeviceId device) {
  return to_string(device.user) + "/d" + std::to_string(device.index);
}

std::string to_string(ConvId conv) { return "c" + std::to_string(conv.value); }

std::string to_string(const ClientMsgId& m) {
  return to_string(m.device) + ".i" + std::to_string(m.incarnation.value) + ".m" +
         std::to_string(m.counter);
}

std::string to_string(RoleKind kind) {
  switch (kind) {
    case RoleKind::gateway:
      return "gateway";
    case RoleKind::queue:
      return "queue";
    case RoleKind::processor:
      return "processor";
    case RoleKind::store:
      return "store";
  }
  IMSIM_ASSERT_MSG(false, "unknown RoleKind");
}

std::string to_string(Address address) {
  return to_string(address.kind) + "/" + std::to_string(address.index);
}

}  // namespace imsim::engine
