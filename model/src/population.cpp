// Population: expands the WorldConfig's users, devices and conversations (explicit or
// generated from the seed) into concrete entries and the engine's static Topology.
#include "population.hpp"

#include <algorithm>
#include <imsim/base/assert.hpp>
#include <imsim/sim/distributions.hpp>

namespace imsim::model::detail {

Population::Population(const WorldConfig& config, const sim::Simulator& sim) : config_(config) {
  sim::Rng rng = sim.fork_rng("population");
  build_users(rng);
  build_conversations(rng);
  build_topology(sim);
  check();
}

const UserEntry& Population::user(std::int32_t index) const {
  IMSIM_ASSERT(index >= 0 && static_cast<std::size_t>(index) < users_.size());
  return users_[static_cast<std::size_t>(index)];
}

const ConvEntry& Population::conv(std::int32_t index) const {
  IMSIM_ASSERT(index >= 0 && static_cast<std::size_t>(index) < convs_.size());
  return convs_[static_cast<std::size_t>(index)];
}

const DevicePlan& Population::device_plan(std::int32_t index) const {
  IMSIM_ASSERT(index >= 0 && static_cast<std::size_t>(index) < device_plans_.size());
  return device_plans_[static_cast<std::size_t>(index)];
}

std::int32_t Population::conv_index(engine::ConvId conv) const {
  auto it = conv_index_.find(conv.value);
  IMSIM_ASSERT_MSG(it != conv_index_.end(), "a conversation the population does not have");
  return it->second;
}

std::int32_t Population::device_index(engine::DeviceId device) const {
  auto it = device_index_.find(device);
  IMSIM_ASSERT_MSG(it != device_index_.end(), "a device the population does not have");
  return it->second;
}

void Population::add_device(std::int32_t user, const std::string& device_name,
                            std::optional<std::int64_t> login_at_ns, bool online,
                            const ClockSpec& clock) {
  UserEntry& entry = users_[static_cast<std::size_t>(user)];
  IMSIM_ASSERT(entry.devices.size() < std::numeric_limits<std::uint32_t>::max());
  DevicePlan plan;
  plan.user = user;
  plan.name = entry.name + "/" + device_name;
  plan.id = engine::DeviceId{entry.id, static_cast<std::uint32_t>(entry.devices.size() + 1)};
  plan.login_at_ns = login_at_ns;
  plan.online_at_start = online;
  plan.clock = clock;
  const auto index = static_cast<std::int32_t>(device_plans_.size());
  IMSIM_ASSERT(entry.devices.empty() || entry.devices.back() < index);
  entry.devices.push_back(index);
  device_index_[plan.id] = index;
  device_plans_.push_back(std::move(plan));
}

void Population::build_users(sim::Rng& rng) {
  if (config_.generated_users.has_value()) {
    const GeneratedUsers& generated = *config_.generated_users;
    IMSIM_ASSERT(generated.devices_min <= generated.devices_max);
    for (std::int32_t i = 0; i < generated.count; i++) {
      users_.push_back(UserEntry{
          "u" + std::to_string(i + 1), engine::UserId(static_cast<std::uint32_t>(i + 1)), {}});
      const auto k = sim::uniform_int(rng, generated.devices_min, generated.devices_max);
      for (std::int64_t d = 0; d < k; d++) {
        add_device(i, "d" + std::to_string(d + 1), std::nullopt, true, ClockSpec{});
      }
    }
  } else {
    for (std::size_t i = 0; i < config_.users.size(); i++) {
      const UserSpec& spec = config_.users[i];
      users_.push_back(UserEntry{spec.id, engine::UserId(static_cast<std::uint32_t>(i + 1)), {}});
      for (const DeviceSpec& device : spec.devices) {
        add_device(static_cast<std::int32_t>(i), device.id, device.login_at_ns,
                   device.online_at_start, device.clock);
      }
    }
  }
  // New-device logins: drawn now, so the engine's static topology knows every device.
  const std::int64_t interval_ns = config_.device_behaviour.new_device_interval_mean_ns;
  if (interval_ns <= 0) return;
  for (std::size_t u = 0; u < users_.size(); u++) {
    double t_ns = 0;
    while (true) {
      t_ns += sim::exponential(rng, static_cast<double>(interval_ns));
      if (t_ns >= static_cast<double>(config_.durations.safety_ns)) break;
      const UserEntry& entry = users_[u];
      if (entry.devices.size() >= static_cast<std::size_t>(kDevicesPerUserMax)) break;
      std::string name = "d" + std::to_string(entry.devices.size() + 1);
      while (std::any_of(entry.devices.begin(), entry.devices.end(), [&](std::int32_t d) {
        return device_plan(d).name == entry.name + "/" + name;
      })) {
        name += "n";
      }
      add_device(static_cast<std::int32_t>(u), name, static_cast<std::int64_t>(t_ns), true,
                 ClockSpec{});
    }
  }
}

void Population::add_conv(std::string name, std::vector<std::int32_t> members, bool direct) {
  std::sort(members.begin(), members.end());
  IMSIM_ASSERT(std::adjacent_find(members.begin(), members.end()) == members.end());
  ConvEntry entry;
  entry.name = std::move(name);
  entry.id = engine::ConvId(static_cast<std::uint32_t>(convs_.size() + 1));
  entry.members = std::move(members);
  entry.direct = direct;
  entry.large = entry.members.size() > config_.engine.large_group_threshold;
  conv_index_[entry.id.value] = static_cast<std::int32_t>(convs_.size());
  convs_.push_back(std::move(entry));
}

void Population::build_conversations(sim::Rng& rng) {
  std::map<std::string, std::int32_t> user_by_name;
  for (std::size_t i = 0; i < users_.size(); i++) {
    user_by_name[users_[i].name] = static_cast<std::int32_t>(i);
  }
  if (!config_.generated_conversations.has_value()) {
    for (const ConversationSpec& spec : config_.conversations) {
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
    const auto n = static_cast<std::int64_t>(users_.size());
    IMSIM_ASSERT(size >= 0 && size <= n);
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
  const GeneratedConversations& generated = *config_.generated_conversations;
  for (std::int32_t i = 0; i < generated.direct; i++) {
    add_conv("c" + std::to_string(convs_.size() + 1), draw_members(2), true);
  }
  for (const GeneratedGroups& groups : generated.groups) {
    for (std::int32_t i = 0; i < groups.count; i++) {
      add_conv("c" + std::to_string(convs_.size() + 1), draw_members(groups.size), false);
    }
  }
}

void Population::build_topology(const sim::Simulator& sim) {
  for (const UserEntry& user : users_) {
    auto& list = topology_.users[user.id];
    for (std::int32_t device : user.devices) list.push_back(device_plan(device).id);
  }
  for (const ConvEntry& conv : convs_) {
    auto& members = topology_.conversations[conv.id];
    for (std::int32_t member : conv.members) members.push_back(user(member).id);
  }
  topology_.gateway_count = static_cast<std::uint32_t>(config_.topology.gateways);
  topology_.queue_count = static_cast<std::uint32_t>(config_.topology.queue_partitions);
  topology_.processor_count = static_cast<std::uint32_t>(config_.topology.processors);
  topology_.store_count = static_cast<std::uint32_t>(config_.topology.stores);
  topology_.auth_secret = sim.fork_rng("auth").next_u64();
  if (config_.adversaries.count > 0) {
    sim::Rng adversary_rng = sim.fork_rng("adversaries");  // the honest world's draws stay
    build_adversaries(adversary_rng);
  }
  topology_.normalize();
}

// ---- Population: the adversaries' users, memberships and attack mixes ------------------------

void Population::build_adversaries(sim::Rng& rng) {
  const Adversaries& spec = config_.adversaries;
  const auto first_user = static_cast<std::uint32_t>(users_.size() + 1);
  for (std::int32_t i = 0; i < spec.count; i++) {
    const engine::UserId user{first_user + static_cast<std::uint32_t>(i)};
    const engine::DeviceId device{user, 1};
    topology_.users[user].push_back(device);
    // Memberships: distinct conversations, drawn uniformly.
    std::vector<std::int32_t> pool(convs_.size());
    for (std::size_t c = 0; c < pool.size(); c++) pool[c] = static_cast<std::int32_t>(c);
    const auto n = static_cast<std::int64_t>(pool.size());
    const std::int64_t joins = std::min<std::int64_t>(spec.conversations, n);
    for (std::int64_t k = 0; k < joins; k++) {
      const auto slot = static_cast<std::size_t>(k);
      std::swap(pool[slot], pool[static_cast<std::size_t>(sim::uniform_int(rng, k, n - 1))]);
      topology_.conversations[conv(pool[slot]).id].push_back(user);
    }
    AdversaryPlan plan;
    plan.name = "x" + std::to_string(i + 1) + "/d1";
    plan.id = device;
    for (AttackKind kind : spec.attacks) {
      if (sim::bernoulli(rng, spec.attack_enable_p)) plan.mix.push_back(kind);
    }
    if (plan.mix.empty()) {
      const auto pick =
          sim::uniform_int(rng, 0, static_cast<std::int64_t>(spec.attacks.size()) - 1);
      plan.mix.push_back(spec.attacks[static_cast<std::size_t>(pick)]);
    }
    adversary_plans_.push_back(std::move(plan));
  }
  // A joined group may cross the large-group threshold: the engine decides by its members.
  for (ConvEntry& conv : convs_) {
    conv.large = topology_.conversations[conv.id].size() > config_.engine.large_group_threshold;
  }
}

void Population::check() const {
  for (std::size_t i = 0; i < device_plans_.size(); i++) {
    const DevicePlan& plan = device_plans_[i];
    IMSIM_ASSERT(plan.user >= 0 && static_cast<std::size_t>(plan.user) < users_.size());
    IMSIM_ASSERT(device_index_.at(plan.id) == static_cast<std::int32_t>(i));
  }
  for (const ConvEntry& conv : convs_) {
    IMSIM_ASSERT(!conv.members.empty());
    IMSIM_ASSERT(std::is_sorted(conv.members.begin(), conv.members.end()));
    IMSIM_ASSERT(conv.members.front() >= 0 &&
                 static_cast<std::size_t>(conv.members.back()) < users_.size());
    IMSIM_ASSERT(convs_[static_cast<std::size_t>(conv_index(conv.id))].id == conv.id);
  }
  IMSIM_ASSERT(conv_index_.size() == convs_.size());
  IMSIM_ASSERT(device_index_.size() == device_plans_.size());
}

}  // namespace imsim::model::detail
