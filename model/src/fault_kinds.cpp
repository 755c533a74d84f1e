#include "imsim/model/fault_kinds.hpp"

#include <algorithm>

namespace imsim::model {

bool fault_names_node(const Fault& fault, std::string_view node) {
  const FaultKindInfo& info = fault_kind_info(fault.kind);
  if (info.takes(kFieldNode) && fault.node == node) return true;
  if (info.takes(kFieldFrom) && fault.from == node) return true;
  if (info.takes(kFieldTo) && fault.to == node) return true;
  if (info.takes(kFieldGroups)) {
    for (const auto& group : fault.groups) {
      if (std::find(group.begin(), group.end(), node) != group.end()) return true;
    }
  }
  if (info.takes(kFieldLinks)) {
    for (const auto& [a, b] : fault.links) {
      if (a == node || b == node) return true;
    }
  }
  return false;
}

}  // namespace imsim::model
