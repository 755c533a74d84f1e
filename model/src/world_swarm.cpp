// World swarm: with the swarm on, draw the world itself (engine limits and timeouts, servers per
// role, group sizes around the large-group threshold, long offline periods, targeted pair cuts)
// from the world seed within the scenario's ranges, before the world is built. The result is an
// ordinary WorldConfig: a failure file records it, and replays it with the swarm off.
#include <algorithm>
#include <cmath>
#include <imsim/sim/distributions.hpp>
#include <imsim/sim/rng.hpp>
#include <set>

#include "world_impl.hpp"

namespace imsim::model {
namespace {

std::int64_t draw_in(sim::Rng& rng, const Range& range) {
  return sim::uniform_int(rng, range.min, std::max(range.min, range.max));
}

// Log-uniform: every order of magnitude of the range is as likely (TTLs from 1 s to 1 h).
std::int64_t draw_log(sim::Rng& rng, const Range& range) {
  const double lo = std::log(static_cast<double>(std::max<std::int64_t>(1, range.min)));
  const double hi = std::log(static_cast<double>(std::max(range.min, range.max)));
  const double x = std::exp(sim::uniform_real(rng, lo, hi));
  return std::clamp(static_cast<std::int64_t>(std::llround(x)), range.min,
                    std::max(range.min, range.max));
}

std::string seconds(std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3fs", static_cast<double>(ns) / 1e9);
  return text;
}

// The smallest count of each server role the scenario's node names need ("store1" needs 2).
std::map<std::string, std::int32_t> named_server_minimum(const WorldConfig& c) {
  std::map<std::string, std::int32_t> need;
  const auto note = [&need](const std::string& name) {
    for (const char* role : {"gateway", "queue", "processor", "store"}) {
      const std::string prefix = role;
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string digits = name.substr(prefix.size());
      if (!std::all_of(digits.begin(), digits.end(),
                       [](char ch) { return ch >= '0' && ch <= '9'; }))
        continue;
      auto& n = need[prefix];
      n = std::max(n, static_cast<std::int32_t>(std::stol(digits) + 1));
    }
  };
  for (const Fault& f : c.faults) {
    note(f.node);
    note(f.from);
    note(f.to);
    for (const auto& group : f.groups) {
      for (const auto& name : group) note(name);
    }
    for (const auto& [a, b] : f.links) {
      note(a);
      note(b);
    }
  }
  for (const auto& [name, clock] : c.topology.server_clocks) note(name);
  for (const auto& name : c.swarm.nodes) note(name);
  return need;
}

std::int32_t user_count(const WorldConfig& c) {
  return c.generated_users ? c.generated_users->count : static_cast<std::int32_t>(c.users.size());
}

// Devices that exist and are online from the start, whatever the population draw: d1 of every
// generated user, or the explicit devices without a login time.
std::vector<std::string> devices_from_start(const WorldConfig& c) {
  std::vector<std::string> names;
  if (c.generated_users) {
    for (std::int32_t i = 1; i <= c.generated_users->count; i++) {
      names.push_back("u" + std::to_string(i) + "/d1");
    }
    return names;
  }
  for (const UserSpec& user : c.users) {
    for (const DeviceSpec& device : user.devices) {
      if (!device.login_at_ns && device.online_at_start) names.push_back(user.id + "/" + device.id);
    }
  }
  return names;
}

template <class T>
const T& pick(sim::Rng& rng, const std::vector<T>& items) {
  return items[static_cast<std::size_t>(
      sim::uniform_int(rng, 0, static_cast<std::int64_t>(items.size()) - 1))];
}

void draw_engine(const WorldSwarm& w, sim::Rng& rng, WorldConfig& c,
                 std::map<std::string, std::string>& params) {
  engine::Config& e = c.engine;
  if (w.page_size) {
    e.page_size = static_cast<std::uint32_t>(
        std::min<std::int64_t>(draw_in(rng, *w.page_size), e.page_size_max));
    params["world.page_size"] = std::to_string(e.page_size);
  }
  if (w.inbox_ttl_ns) {
    e.inbox_ttl = engine::Duration::from_ns(draw_log(rng, *w.inbox_ttl_ns));
    params["world.inbox_ttl"] = seconds(e.inbox_ttl.ns());
  }
  if (w.retry_budget) {
    e.retry_budget = static_cast<std::uint32_t>(draw_in(rng, *w.retry_budget));
    params["world.retry_budget"] = std::to_string(e.retry_budget);
  }
  if (w.send_timeout_ns) {
    e.send_timeout = engine::Duration::from_ns(draw_log(rng, *w.send_timeout_ns));
    e.send_timeout_max = std::max(e.send_timeout_max, e.send_timeout);
    params["world.send_timeout"] = seconds(e.send_timeout.ns());
  }
  const auto bound = [&](const std::optional<Range>& range, std::uint32_t& field,
                         const char* name) {
    if (!range) return;
    field = static_cast<std::uint32_t>(draw_in(rng, *range));
    params[std::string("world.") + name] = std::to_string(field);
  };
  bound(w.page_bytes_max, e.page_bytes_max, "page_bytes_max");
  bound(w.queue_length_max, e.queue_length_max, "queue_length_max");
  bound(w.push_buffer_max, e.push_buffer_max, "push_buffer_max");
  bound(w.outbox_length_max, e.outbox_length_max, "outbox_length_max");
  if (w.dedup_key_retention_ns) {
    e.dedup_key_retention = engine::Duration::from_ns(draw_log(rng, *w.dedup_key_retention_ns));
    params["world.dedup_key_retention"] = seconds(e.dedup_key_retention.ns());
  }
  if (w.message_bytes) {
    c.workload.size_bytes =
        Distribution{.kind = DistributionKind::kConstant, .value = draw_in(rng, *w.message_bytes)};
    params["world.message_bytes"] = std::to_string(c.workload.size_bytes.value);
  }
  if (w.buggify_p > 0) {
    e.buggify = sim::bernoulli(rng, w.buggify_p);
    params["world.buggify"] = e.buggify ? "on" : "off";
  }
  if (w.request_timeout_ns) {
    e.request_timeout = engine::Duration::from_ns(draw_log(rng, *w.request_timeout_ns));
    e.request_timeout_max = std::max(e.request_timeout_max, e.request_timeout);
    params["world.request_timeout"] = seconds(e.request_timeout.ns());
  }
}

void draw_servers(const WorldSwarm& w, sim::Rng& rng, WorldConfig& c,
                  std::map<std::string, std::string>& params) {
  if (!w.servers_per_role) return;
  const auto need = named_server_minimum(c);
  const auto draw = [&](const char* role, std::int32_t& count) {
    auto it = need.find(role);
    const std::int32_t floor = it == need.end() ? 1 : it->second;
    count = std::max(floor, static_cast<std::int32_t>(draw_in(rng, *w.servers_per_role)));
    params[std::string("world.") + role + "s"] = std::to_string(count);
  };
  draw("gateway", c.topology.gateways);
  draw("queue", c.topology.queue_partitions);
  draw("processor", c.topology.processors);
  draw("store", c.topology.stores);
  c.engine.queue_partitions = static_cast<std::uint32_t>(c.topology.queue_partitions);
}

void move_threshold_to_a_group(sim::Rng& rng, WorldConfig& c,
                               std::map<std::string, std::string>& params);

void draw_groups(const WorldSwarm& w, sim::Rng& rng, WorldConfig& c,
                 std::map<std::string, std::string>& params) {
  const std::int64_t users = user_count(c);
  const std::int64_t threshold = c.engine.large_group_threshold;
  // Groups can reach threshold + 1 members: sizes snap to the edge. Else the edge moves.
  const bool snap_sizes = threshold + 1 <= users;
  if (c.generated_conversations && (w.group_size || (w.threshold_edge_p > 0 && snap_sizes))) {
    // One entry per group, so each group gets its own size (ids c1.. keep their order).
    std::vector<GeneratedGroups> groups;
    std::string sizes;
    for (const GeneratedGroups& entry : c.generated_conversations->groups) {
      for (std::int32_t i = 0; i < entry.count; i++) {
        std::int64_t size = w.group_size ? draw_in(rng, *w.group_size) : entry.size;
        if (snap_sizes && w.threshold_edge_p > 0 && sim::bernoulli(rng, w.threshold_edge_p)) {
          size = threshold + sim::uniform_int(rng, -1, 1);
        }
        size = std::clamp<std::int64_t>(size, 2, users);
        groups.push_back(GeneratedGroups{1, static_cast<std::int32_t>(size)});
        sizes += (sizes.empty() ? "" : ",") + std::to_string(size);
      }
    }
    c.generated_conversations->groups = std::move(groups);
    if (!sizes.empty()) params["world.group_sizes"] = sizes;
    if (snap_sizes) return;
  }
  if (w.threshold_edge_p <= 0 || !sim::bernoulli(rng, w.threshold_edge_p)) return;
  move_threshold_to_a_group(rng, c, params);
}

// The threshold moves to one group's size (write fan-out) or size - 1 (read fan-out).
void move_threshold_to_a_group(sim::Rng& rng, WorldConfig& c,
                               std::map<std::string, std::string>& params) {
  std::vector<std::int64_t> sizes;
  for (const ConversationSpec& conv : c.conversations) {
    if (conv.kind == ConversationKind::kGroup) sizes.push_back(std::ssize(conv.members));
  }
  if (c.generated_conversations) {
    for (const GeneratedGroups& g : c.generated_conversations->groups) sizes.push_back(g.size);
  }
  if (sizes.empty()) return;
  const std::int64_t n = pick(rng, sizes);
  c.engine.large_group_threshold = static_cast<std::uint32_t>(n - sim::uniform_int(rng, 0, 1));
  params["world.large_group_threshold"] = std::to_string(c.engine.large_group_threshold);
}

void draw_long_offline(const WorldSwarm& w, sim::Rng& rng, WorldConfig& c,
                       std::map<std::string, std::string>& params) {
  if (w.long_offline_max <= 0) return;
  const std::vector<std::string> devices = devices_from_start(c);
  if (devices.empty()) return;
  const std::int64_t n = sim::uniform_int(rng, 0, w.long_offline_max);
  const std::int64_t safety = c.durations.safety_ns;
  for (std::int64_t i = 0; i < n; i++) {
    Fault off;
    off.kind = FaultKind::kOffline;
    off.node = pick(rng, devices);
    off.at_ns = sim::uniform_int(rng, safety / 5, std::max(safety / 5, 2 * safety / 5));
    const std::int64_t for_ns = draw_in(rng, w.long_offline_ns);
    params["world.long_offline." + std::to_string(i)] =
        off.node + " at " + seconds(off.at_ns) + " for " + seconds(for_ns);
    c.faults.push_back(off);
    if (off.at_ns + for_ns < safety) {  // else the final heal brings it back
      Fault on;
      on.kind = FaultKind::kOnline;
      on.node = off.node;
      on.at_ns = off.at_ns + for_ns;
      c.faults.push_back(on);
    }
  }
}

void draw_pair_cuts(const WorldSwarm& w, sim::Rng& rng, WorldConfig& c,
                    std::map<std::string, std::string>& params) {
  if (w.pair_cuts_max <= 0) return;
  const std::vector<std::string> devices = devices_from_start(c);
  const std::vector<std::string> servers = server_node_names(c.topology);
  const std::int64_t n = sim::uniform_int(rng, 0, w.pair_cuts_max);
  for (std::int64_t i = 0; i < n; i++) {
    Fault cut;
    cut.kind = FaultKind::kCut;
    cut.at_ns = sim::uniform_int(rng, 0, c.durations.safety_ns - 1);
    cut.for_ns = draw_in(rng, w.pair_cut_ns);
    cut.both_ways = !sim::bernoulli(rng, w.pair_cut_one_way_p);
    if (!devices.empty() && sim::bernoulli(rng, 0.5)) {
      const std::string device = pick(rng, devices);
      const std::string gateway =
          "gateway" + std::to_string(sim::uniform_int(rng, 0, c.topology.gateways - 1));
      const bool up = sim::bernoulli(rng, 0.5);  // device -> gateway, or the other way
      cut.from = up ? device : gateway;
      cut.to = up ? gateway : device;
    } else {
      cut.from = pick(rng, servers);
      do {
        cut.to = pick(rng, servers);
      } while (cut.to == cut.from && servers.size() > 1);
      if (cut.to == cut.from) continue;
    }
    params["world.pair_cut." + std::to_string(i)] =
        "t=" + seconds(cut.at_ns) + " " + detail::describe_fault(cut);
    c.faults.push_back(cut);
  }
}

// The dimensions this seed draws: each set one kept with probability enable_p.
WorldSwarm enabled_dimensions(const WorldSwarm& w, sim::Rng& rng,
                              std::map<std::string, std::string>& params) {
  WorldSwarm on = w;
  std::string names;
  const auto keep = [&](const char* name) {
    const bool kept = sim::bernoulli(rng, w.enable_p);
    if (kept) names += (names.empty() ? "" : ",") + std::string(name);
    return kept;
  };
  const auto range = [&](std::optional<Range>& dimension, const char* name) {
    if (dimension && !keep(name)) dimension.reset();
  };
  range(on.page_size, "page_size");
  range(on.inbox_ttl_ns, "inbox_ttl");
  range(on.retry_budget, "retry_budget");
  range(on.send_timeout_ns, "send_timeout");
  range(on.request_timeout_ns, "request_timeout");
  range(on.page_bytes_max, "page_bytes_max");
  range(on.queue_length_max, "queue_length_max");
  range(on.push_buffer_max, "push_buffer_max");
  range(on.outbox_length_max, "outbox_length_max");
  range(on.dedup_key_retention_ns, "dedup_key_retention");
  range(on.message_bytes, "message_bytes");
  range(on.servers_per_role, "servers_per_role");
  range(on.group_size, "group_size");
  if (on.buggify_p > 0 && !keep("buggify")) on.buggify_p = 0;
  if (on.threshold_edge_p > 0 && !keep("threshold_edge")) on.threshold_edge_p = 0;
  if (on.long_offline_max > 0 && !keep("long_offline")) on.long_offline_max = 0;
  if (on.pair_cuts_max > 0 && !keep("pair_cuts")) on.pair_cuts_max = 0;
  params["world.dimensions"] = names.empty() ? "-" : names;
  return on;
}

}  // namespace

WorldConfig draw_world(const WorldConfig& config, std::map<std::string, std::string>& params) {
  WorldConfig c = config;
  const std::uint64_t world_seed = config.swarm.world_seed.value_or(config.seed);
  sim::Rng rng = sim::Rng(world_seed).fork("world");
  sim::Rng enable_rng = rng.fork("enable");
  const WorldSwarm w = enabled_dimensions(config.swarm.world, enable_rng, params);
  if (config.swarm.world_seed) params["world.seed"] = std::to_string(world_seed);
  // Each dimension draws from its own stream, so narrowing one range leaves the others' draws.
  sim::Rng engine_rng = rng.fork("engine");
  sim::Rng servers_rng = rng.fork("servers");
  sim::Rng groups_rng = rng.fork("groups");
  sim::Rng offline_rng = rng.fork("long_offline");
  sim::Rng cuts_rng = rng.fork("pair_cuts");
  draw_engine(w, engine_rng, c, params);
  draw_servers(w, servers_rng, c, params);
  draw_groups(w, groups_rng, c, params);
  draw_long_offline(w, offline_rng, c, params);
  draw_pair_cuts(w, cuts_rng, c, params);
  std::stable_sort(c.faults.begin(), c.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  c.swarm.world = WorldSwarm{};  // drawn: the config now holds the world as it ran
  c.swarm.world_seed.reset();
  return c;
}

}  // namespace imsim::model
