// The fault-kind table (model/fault_kinds.hpp): consistent with itself, and what the loader
// accepts, requires, rejects and writes back for each kind is what its row says.
#include "imsim/model/fault_kinds.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "imsim/scenarios/scenario.hpp"

namespace {

using imsim::model::FaultKindInfo;
using imsim::model::FaultNode;
using imsim::model::kFaultFieldNames;
using imsim::model::kFaultKinds;
using nlohmann::json;

json scenario_with(const json& fault) {
  json doc = json::parse(R"({
    "name": "t",
    "seed": 7,
    "durations": {"safety_s": 10, "quiescence_s": 20},
    "topology": {"gateways": 2, "queue_partitions": 1, "processors": 1, "stores": 1},
    "users": [
      {"id": "u1", "devices": [{"id": "d1"}, {"id": "d2"}]},
      {"id": "u2", "devices": [{"id": "d1"}]}
    ],
    "conversations": [{"id": "c1", "kind": "direct", "members": ["u1", "u2"]}]
  })");
  doc["faults"] = json::array({fault});
  return doc;
}

std::uint16_t bit(std::size_t i) { return static_cast<std::uint16_t>(1u << i); }

// A valid value of every field `info` takes (latency left out: loss_p etc. suffice).
json full_fault(const FaultKindInfo& info) {
  json f = {{"at_s", 1}, {"kind", std::string(info.name)}};
  const std::string node = info.node == FaultNode::kServer ? "processor0" : "u1/d1";
  const json samples = {
      {"groups", json::array({json::array({"gateway0"}), json::array({"store0"})})},
      {"from", "u1/d1"},
      {"to", "gateway0"},
      {"links", "servers"},
      {"loss_p", 0.1},
      {"dup_p", 0.1},
      {"reorder_p", 0.1},
      {"node", node},
      {"by_ms", 5},
      {"for_s", 1},
      {"both_ways", true}};
  for (std::size_t i = 0; i < kFaultFieldNames.size(); i++) {
    const std::string field(kFaultFieldNames[i]);
    if (info.takes(bit(i)) && samples.contains(field)) f[field] = samples[field];
  }
  return f;
}

TEST(FaultKinds, TableIsConsistent) {
  std::set<std::string_view> names;
  for (const FaultKindInfo& info : kFaultKinds) {
    SCOPED_TRACE(info.name);
    EXPECT_TRUE(names.insert(info.name).second) << "name listed twice";
    EXPECT_EQ(&imsim::model::fault_kind_info(info.kind), &info);
    EXPECT_EQ(info.node != FaultNode::kNone, info.takes(imsim::model::kFieldNode));
    if (info.undo) {
      EXPECT_TRUE(imsim::model::fault_kind_info(*info.undo).undo_half);
      EXPECT_TRUE(info.takes(imsim::model::kFieldForS));
      EXPECT_FALSE(info.requires_field(imsim::model::kFieldForS));
    }
    if (info.undo_half) {
      EXPECT_FALSE(info.swarm_drawn);
    }
  }
}

TEST(FaultKinds, EveryKindLoadsAndWritesBackAsItsRowSays) {
  for (const FaultKindInfo& info : kFaultKinds) {
    SCOPED_TRACE(info.name);
    const auto loaded = imsim::scenarios::load_scenario(scenario_with(full_fault(info)));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_FALSE(loaded.value().faults.empty());
    const imsim::model::Fault& fault = loaded.value().faults[0];
    EXPECT_EQ(fault.kind, info.kind);
    // for_s is sugar for a second fault exactly when the row names an undo.
    EXPECT_EQ(loaded.value().faults.size(), info.undo ? 2u : 1u);
    if (info.undo) {
      EXPECT_EQ(loaded.value().faults[1].kind, *info.undo);
    }
    EXPECT_EQ(imsim::scenarios::to_json(loaded.value())["faults"][0]["kind"], info.name);
    // The faults the shrinker drops with a node are those that name it.
    const bool names_some_node =
        info.fields &
        (imsim::model::kFieldNode | imsim::model::kFieldFrom | imsim::model::kFieldGroups);
    EXPECT_EQ(imsim::model::fault_names_node(fault, fault.node.empty() ? "gateway0" : fault.node),
              names_some_node);
    EXPECT_FALSE(imsim::model::fault_names_node(fault, "nobody"));
  }
}

TEST(FaultKinds, EveryRequiredFieldIsRequired) {
  for (const FaultKindInfo& info : kFaultKinds) {
    for (std::size_t i = 0; i < kFaultFieldNames.size(); i++) {
      if (!info.requires_field(bit(i))) continue;
      const std::string field(kFaultFieldNames[i]);
      SCOPED_TRACE(std::string(info.name) + " without " + field);
      json fault = full_fault(info);
      fault.erase(field);
      const auto loaded = imsim::scenarios::load_scenario(scenario_with(fault));
      ASSERT_FALSE(loaded.ok());
      EXPECT_EQ(loaded.status().message(), "faults[0]: missing required field \"" + field + "\"");
    }
  }
}

TEST(FaultKinds, EveryOtherFieldIsRejected) {
  for (const FaultKindInfo& info : kFaultKinds) {
    for (std::size_t i = 0; i < kFaultFieldNames.size(); i++) {
      if (info.takes(bit(i))) continue;
      const std::string field(kFaultFieldNames[i]);
      SCOPED_TRACE(std::string(info.name) + " with " + field);
      json fault = full_fault(info);
      fault[field] = 1;
      const auto loaded = imsim::scenarios::load_scenario(scenario_with(fault));
      ASSERT_FALSE(loaded.ok());
      EXPECT_EQ(loaded.status().message().rfind("faults[0]." + field + ": unknown field", 0), 0u)
          << loaded.status().message();
    }
  }
}

}  // namespace
