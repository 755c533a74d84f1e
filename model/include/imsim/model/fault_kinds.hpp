#pragma once
// The fault kinds, one row each: the one place that says what a kind is called, which fields of
// the scenario format it takes and requires, which node it names, and what undoes it. The
// loader (field validation, `for_s` sugar), the shrinker (names_node), the nemesis
// (fault_kind_name), the swarm (which kinds it draws, among which nodes) and the plots read this
// table; only how a fault acts (nemesis.cpp) and how the swarm draws its parameters (swarm.cpp)
// are written per kind elsewhere. tests/scenarios/fault_kinds_test.cpp checks the table.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "imsim/model/world_config.hpp"

namespace imsim::model {

// The fields of a fault in the scenario format, besides "at_s" and "kind", in the order error
// messages list them (bit i = kFaultFieldNames[i]).
enum FaultField : std::uint16_t {
  kFieldGroups = 1u << 0,     // partition's groups
  kFieldFrom = 1u << 1,       // one end of a directed cut
  kFieldTo = 1u << 2,         // the other end
  kFieldLinks = 1u << 3,      // link: [[a, b], ...] or a link class
  kFieldLatency = 1u << 4,    // link: the new latency distribution
  kFieldLossP = 1u << 5,      // link
  kFieldDupP = 1u << 6,       // link
  kFieldReorderP = 1u << 7,   // link
  kFieldNode = 1u << 8,       // the one node the fault acts on
  kFieldByMs = 1u << 9,       // clock_step's step
  kFieldForS = 1u << 10,      // a duration: the fault's own (required) or sugar for its undo
  kFieldBothWays = 1u << 11,  // cut: also to -> from
};
inline constexpr std::array<std::string_view, 12> kFaultFieldNames = {
    "groups", "from",      "to",   "links", "latency", "loss_p",
    "dup_p",  "reorder_p", "node", "by_ms", "for_s",   "both_ways"};

// Which nodes a fault's `node` may name.
enum class FaultNode : std::uint8_t {
  kNone,    // the kind names no single node
  kServer,  // a server node
  kDevice,  // a device node
  kAny,     // a server or a device node
};

struct FaultKindInfo {
  FaultKind kind;
  std::string_view name;   // the scenario format's "kind"
  std::uint16_t fields;    // FaultField bits it takes (the loader rejects any other)
  std::uint16_t required;  // FaultField bits it must have (a subset of `fields`)
  FaultNode node;          // what `node` names
  // The fault a `for_s` ends it with (crash -> restart, offline -> online, cuts -> heal), when
  // for_s is sugar for a second fault; nullopt when its duration is its own (clog, cut) or it
  // takes none.
  std::optional<FaultKind> undo;
  // heal, restart, online: only ever the second half of another fault (the swarm never draws
  // them on their own, and swarm.kinds refuses them).
  bool undo_half;
  // The fault swarm draws it (swarm.kinds); cut is drawn by the world swarm only.
  bool swarm_drawn;

  bool takes(std::uint16_t field) const { return (fields & field) != 0; }
  bool requires_field(std::uint16_t field) const { return (required & field) != 0; }
};

// In FaultKind order (fault_kind_info asserts it).
inline constexpr FaultKindInfo kFaultKinds[] = {
    {FaultKind::kPartition, "partition", kFieldGroups | kFieldForS, kFieldGroups, FaultNode::kNone,
     FaultKind::kHeal, false, true},
    {FaultKind::kPartitionOneway, "partition_oneway", kFieldFrom | kFieldTo | kFieldForS,
     kFieldFrom | kFieldTo, FaultNode::kNone, FaultKind::kHeal, false, true},
    {FaultKind::kHeal, "heal", 0, 0, FaultNode::kNone, std::nullopt, true, false},
    {FaultKind::kClog, "clog", kFieldFrom | kFieldTo | kFieldForS,
     kFieldFrom | kFieldTo | kFieldForS, FaultNode::kNone, std::nullopt, false, true},
    {FaultKind::kLink, "link",
     kFieldLinks | kFieldLatency | kFieldLossP | kFieldDupP | kFieldReorderP | kFieldForS,
     kFieldLinks, FaultNode::kNone, FaultKind::kHeal, false, true},
    {FaultKind::kCrash, "crash", kFieldNode | kFieldForS, kFieldNode, FaultNode::kServer,
     FaultKind::kRestart, false, true},
    {FaultKind::kRestart, "restart", kFieldNode, kFieldNode, FaultNode::kServer, std::nullopt, true,
     false},
    {FaultKind::kKill, "kill", kFieldNode, kFieldNode, FaultNode::kDevice, std::nullopt, false,
     true},
    {FaultKind::kReinstall, "reinstall", kFieldNode, kFieldNode, FaultNode::kDevice, std::nullopt,
     false, true},
    {FaultKind::kOffline, "offline", kFieldNode | kFieldForS, kFieldNode, FaultNode::kDevice,
     FaultKind::kOnline, false, true},
    {FaultKind::kOnline, "online", kFieldNode, kFieldNode, FaultNode::kDevice, std::nullopt, true,
     false},
    {FaultKind::kReset, "reset", kFieldNode, kFieldNode, FaultNode::kDevice, std::nullopt, false,
     true},
    {FaultKind::kClockStep, "clock_step", kFieldNode | kFieldByMs, kFieldNode | kFieldByMs,
     FaultNode::kAny, std::nullopt, false, true},
    {FaultKind::kCut, "cut", kFieldFrom | kFieldTo | kFieldForS | kFieldBothWays,
     kFieldFrom | kFieldTo | kFieldForS, FaultNode::kNone, std::nullopt, false, false},
};

constexpr const FaultKindInfo& fault_kind_info(FaultKind kind) {
  return kFaultKinds[static_cast<std::size_t>(kind)];
}

constexpr bool fault_kinds_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kFaultKinds); i++) {
    if (static_cast<std::size_t>(kFaultKinds[i].kind) != i) return false;
    if ((kFaultKinds[i].required & ~kFaultKinds[i].fields) != 0) return false;
  }
  return true;
}
static_assert(fault_kinds_in_enum_order(), "kFaultKinds: one row per FaultKind, in enum order");
static_assert(std::size(kFaultKinds) == static_cast<std::size_t>(FaultKind::kCut) + 1,
              "kFaultKinds: a row for every FaultKind");

// Whether `fault` names `node` in any field its kind takes (node, from, to, groups, links).
bool fault_names_node(const Fault& fault, std::string_view node);

}  // namespace imsim::model
