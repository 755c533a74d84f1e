#pragma once
// Population: the concrete users, devices, conversations and adversaries of one run, expanded
// from the WorldConfig (explicit, or generated from the seed), and the engine's static Topology
// over them. Built once, before any node exists; read-only afterwards.
#include <cstdint>
#include <imsim/engine/topology.hpp>
#include <imsim/model/world_config.hpp>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imsim::model::detail {

struct UserEntry {
  std::string name;
  engine::UserId id;
  std::vector<std::int32_t> devices;  // device indices, ascending
};

// A device of the population: present from the start, or logging in at login_at_ns.
struct DevicePlan {
  std::int32_t user = 0;  // users()[i]
  std::string name;       // "u1/d1"
  engine::DeviceId id;
  std::optional<std::int64_t> login_at_ns;
  bool online_at_start = true;
  ClockSpec clock;
};

struct ConvEntry {
  std::string name;
  engine::ConvId id;
  std::vector<std::int32_t> members;  // user indices, ascending
  bool large = false;
  bool direct = false;
};

// An adversarial device (WorldConfig::adversaries): its user is in the topology, not in users().
struct AdversaryPlan {
  std::string name;  // "x1/d1"
  engine::DeviceId id;
  std::vector<AttackKind> mix;
};

class Population {
 public:
  // Draws from `sim`'s seed (streams "population", "auth", "adversaries"): the same config and
  // seed give the same population, whatever else the run does.
  Population(const WorldConfig& config, const sim::Simulator& sim);

  const std::vector<UserEntry>& users() const { return users_; }
  const std::vector<ConvEntry>& convs() const { return convs_; }
  const std::vector<DevicePlan>& device_plans() const { return device_plans_; }
  const std::vector<AdversaryPlan>& adversary_plans() const { return adversary_plans_; }
  const engine::Topology& topology() const { return topology_; }

  const UserEntry& user(std::int32_t index) const;
  const ConvEntry& conv(std::int32_t index) const;
  const DevicePlan& device_plan(std::int32_t index) const;
  std::int32_t device_count() const { return static_cast<std::int32_t>(device_plans_.size()); }
  // Index of an engine id of this population (asserts it is one).
  std::int32_t conv_index(engine::ConvId conv) const;
  std::int32_t device_index(engine::DeviceId device) const;

 private:
  void build_users(sim::Rng& rng);
  void add_device(std::int32_t user, const std::string& device_name,
                  std::optional<std::int64_t> login_at_ns, bool online, const ClockSpec& clock);
  void build_conversations(sim::Rng& rng);
  void add_conv(std::string name, std::vector<std::int32_t> members, bool direct);
  void build_topology(const sim::Simulator& sim);
  void build_adversaries(sim::Rng& rng);  // adversary.cpp: users, memberships, mixes
  void check() const;                     // the invariants the other parts rely on

  const WorldConfig& config_;
  std::vector<UserEntry> users_;
  std::vector<ConvEntry> convs_;
  std::vector<DevicePlan> device_plans_;  // by device index
  std::vector<AdversaryPlan> adversary_plans_;
  std::map<std::uint32_t, std::int32_t> conv_index_;       // engine ConvId value -> convs_[i]
  std::map<engine::DeviceId, std::int32_t> device_index_;  // engine DeviceId -> device_plans_[i]
  engine::Topology topology_;
};

}  // namespace imsim::model::detail
