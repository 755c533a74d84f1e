// Population: expands the WorldConfig's users, devices and conversations (explicit or
// generated from the seed) into concrete entries and the engine's static Topology.
#include <algorithm>
#include <imsim/sim/distributions.hpp>

#include "world_impl.hpp"

namespace imsim::model::detail {

void World::build_population() {
  sim::Rng rng = sim.fork_rng("population");
  build_users(rng);
  build_conversations(rng);
  build_topology();
}

void World::build_users(sim::Rng& rng) {
  const auto add_device = [this](std::int32_t user, const std::string& device_name,
                                 std::optional<std::int64_t> login_at_ns, bool online,
                                 const ClockSpec& clock) {
    DevicePlan plan;
    plan.user = user;
    plan.name = users[user].name + "/" + device_name;
    plan.id = engine::DeviceId{users[user].id,
                               static_cast<std::uint32_t>(users[user].devices.size() + 1)};
    plan.login_at_ns = login_at_ns;
    plan.online_at_start = online;
    plan.clock = clock;
    users[user].devices.push_back(static_cast<std::int32_t>(device_plans.size()));
    device_index[plan.id] = static_cast<std::int32_t>(device_plans.size());
    device_plans.push_back(std::move(plan));
  };
  if (config.generated_users.has_value()) {
    const GeneratedUsers& generated = *config.generated_users;
    for (std::int32_t i = 0; i < generated.count; i++) {
      users.push_back(UserEntry{
          "u" + std::to_string(i + 1), engine::UserId(static_cast<std::uint32_t>(i + 1)), {}});
      const auto k = sim::uniform_int(rng, generated.devices_min, generated.devices_max);
      for (std::int64_t d = 0; d < k; d++) {
        add_device(i, "d" + std::to_string(d + 1), std::nullopt, true, ClockSpec{});
      }
    }
  } else {
    for (std::size_t i = 0; i < config.users.size(); i++) {
      const UserSpec& spec = config.users[i];
      users.push_back(UserEntry{spec.id, engine::UserId(static_cast<std::uint32_t>(i + 1)), {}});
      for (const DeviceSpec& device : spec.devices) {
        add_device(static_cast<std::int32_t>(i), device.id, device.login_at_ns,
                   device.online_at_start, device.clock);
      }
    }
  }
  // New-device logins: drawn now, so the engine's static topology knows every device.
  const std::int64_t interval_ns = config.device_behaviour.new_device_interval_mean_ns;
  if (interval_ns <= 0) return;
  for (std::size_t u = 0; u < users.size(); u++) {
    double t_ns = 0;
    while (true) {
      t_ns += sim::exponential(rng, static_cast<double>(interval_ns));
      if (t_ns >= static_cast<double>(config.durations.safety_ns)) break;
      if (users[u].devices.size() >= static_cast<std::size_t>(kDevicesPerUserMax)) break;
      std::string name = "d" + std::to_string(users[u].devices.size() + 1);
      while (std::any_of(users[u].devices.begin(), users[u].devices.end(), [&](std::int32_t d) {
        return device_plans[d].name == users[u].name + "/" + name;
      })) {
        name += "n";
      }
      add_device(static_cast<std::int32_t>(u), name, static_cast<std::int64_t>(t_ns), true,
                 ClockSpec{});
    }
  }
}

void World::build_conversations(sim::Rng& rng) {
  std::map<std::string, std::int32_t> user_by_name;
  for (std::size_t i = 0; i < users.size(); i++) {
    user_by_name[users[i].name] = static_cast<std::int32_t>(i);
  }
  const auto add_conv = [this](std::string name, std::vector<std::int32_t> members, bool direct) {
    std::sort(members.begin(), members.end());
    ConvEntry entry;
    entry.name = std::move(name);
    entry.id = engine::ConvId(static_cast<std::uint32_t>(convs.size() + 1));
    entry.members = std::move(members);
    entry.direct = direct;
    entry.large = entry.members.size() > engine_config.large_group_threshold;
    conv_index[entry.id.value] = static_cast<std::int32_t>(convs.size());
    convs.push_back(std::move(entry));
  };
  if (!config.generated_conversations.has_value()) {
    for (const ConversationSpec& spec : config.conversations) {
      std::vector<std::int32_t> members;
      for (const auto& member : spec.members) members.push_back(user_by_name.at(member));
      add_conv(spec.id, std::move(members), spec.kind == ConversationKind::kDirect);
    }
    return;
  }
  // Distinct members by a partial Fisher-Yates shuffle on our own generator.
  // The first `size` steps of a Fisher-Yates shuffle of 0..users-1, with the pool kept sparse
  // (only the positions a step touched): the same draws and members as a dense pool, in
  // O(size) memory and time. A dense pool per conversation made a generated world's
  // population cost O(users x conversations) (20 GB at 100k users).
  const auto draw_members = [&rng, this](std::int32_t size) {
    const auto n = static_cast<std::int64_t>(users.size());
    std::map<std::int64_t, std::int32_t> moved;  // position -> user, where it differs from i
    const auto at = [&moved](std::int64_t i) {
      auto it = moved.find(i);
      return it == moved.end() ? static_cast<std::int32_t>(i) : it->second;
    };
    std::vector<std::int32_t> members(static_cast<std::size_t>(size));
    for (std::int64_t i = 0; i < size; i++) {
      const std::int64_t j = sim::uniform_int(rng, i, n - 1);
      const std::int32_t picked = at(j);
      moved[j] = at(i);
      members[static_cast<std::size_t>(i)] = picked;
    }
    return members;
  };
  const GeneratedConversations& generated = *config.generated_conversations;
  for (std::int32_t i = 0; i < generated.direct; i++) {
    add_conv("c" + std::to_string(convs.size() + 1), draw_members(2), true);
  }
  for (const GeneratedGroups& groups : generated.groups) {
    for (std::int32_t i = 0; i < groups.count; i++) {
      add_conv("c" + std::to_string(convs.size() + 1), draw_members(groups.size), false);
    }
  }
}

void World::build_topology() {
  for (const UserEntry& user : users) {
    auto& list = topology.users[user.id];
    for (std::int32_t device : user.devices) list.push_back(device_plans[device].id);
  }
  for (const ConvEntry& conv : convs) {
    auto& members = topology.conversations[conv.id];
    for (std::int32_t member : conv.members) members.push_back(users[member].id);
  }
  topology.gateway_count = static_cast<std::uint32_t>(config.topology.gateways);
  topology.queue_count = static_cast<std::uint32_t>(config.topology.queue_partitions);
  topology.processor_count = static_cast<std::uint32_t>(config.topology.processors);
  topology.store_count = static_cast<std::uint32_t>(config.topology.stores);
  topology.auth_secret = sim.fork_rng("auth").next_u64();
  if (config.adversaries.count > 0) {
    sim::Rng adversary_rng = sim.fork_rng("adversaries");  // the honest world's draws stay
    build_adversaries(adversary_rng);
  }
  topology.normalize();
}

}  // namespace imsim::model::detail
