// shrink: ddmin over faults, shorter runs, fewer messages, fewer users and devices.
#include "imsim/scenarios/shrink.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "imsim/base/assert.hpp"
#include "imsim/model/fault_kinds.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::scenarios {

namespace {

using Clock = std::chrono::steady_clock;
using model::Fault;
using model::WorldConfig;

// Halvings of one quantity tried in a row at most (2^-20 of anything is nothing).
constexpr int kHalvingStepsMax = 20;
// Rounds of all passes at most (each round either shrinks something or ends the loop).
constexpr int kRoundsMax = 20;
// A shortened safety phase ends this long after the last fault, and is never shorter than
// the floor (a run needs a little time to send anything).
constexpr std::int64_t kAfterLastFault_ns = 1'000'000;  // 1 ms
constexpr std::int64_t kSafetyFloor_ns = 10'000'000;    // 10 ms
constexpr double kMessagesPerSecondFloor = 0.1;

void drop_faults_naming(WorldConfig& c, const std::string& node) {
  std::erase_if(c.faults, [&](const Fault& f) { return model::fault_names_node(f, node); });
}

class Shrinker {
 public:
  Shrinker(const RunOutcome& original, const ShrinkOptions& options)
      : original_(original), options_(options), best_(original), start_(Clock::now()) {}

  ShrinkResult run() {
    for (int round = 0; round < kRoundsMax && !limit_reached(); round++) {
      const std::uint32_t runs_before = runs_;
      bool progress = false;
      progress |= shorten_safety();
      progress |= ddmin_faults();
      progress |= quiet_behaviour();
      progress |= fewer_messages();
      progress |= fewer_participants();
      if (!progress || runs_ == runs_before) break;
    }
    return ShrinkResult{.outcome = best_, .stats = stats()};
  }

 private:
  bool limit_reached() const {
    return runs_ >= options_.runs_max || elapsed_s() >= options_.wall_seconds_max;
  }
  double elapsed_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  // Runs a candidate; keeps it (and returns true) if it still fails like the original.
  bool attempt(const WorldConfig& candidate) {
    if (limit_reached()) return false;
    base::Result<WorldConfig> valid = load_scenario(to_json(candidate), candidate.name);
    if (!valid.ok()) return false;  // e.g. a device logs in after the shortened safety phase
    runs_++;
    RunOutcome outcome = run_scenario(valid.value(), RunSettings{});
    if (!fails_like(original_, outcome)) return false;
    best_ = std::move(outcome);
    return true;
  }

  void step(const std::string& line) {
    if (options_.on_step) options_.on_step(fmt::format("{} (runs {})", line, runs_));
  }

  const WorldConfig& best() const { return best_.config; }

  bool shorten_safety() {
    const std::int64_t before = best().durations.safety_ns;
    std::int64_t target = kSafetyFloor_ns;
    for (const Fault& f : best().faults) target = std::max(target, f.at_ns + kAfterLastFault_ns);
    if (target < before) try_safety(target);
    for (int i = 0; i < kHalvingStepsMax; i++) {
      const std::int64_t half = best().durations.safety_ns / 2;
      if (half < kSafetyFloor_ns || !try_safety(half)) break;
    }
    if (best().durations.safety_ns == before) return false;
    step(fmt::format("safety phase {:.3f} s -> {:.3f} s", double(before) / 1e9,
                     double(best().durations.safety_ns) / 1e9));
    return true;
  }

  bool try_safety(std::int64_t safety_ns) {
    WorldConfig c = best();
    c.durations.safety_ns = safety_ns;
    if (c.durations.workload_stop_ns) {
      c.durations.workload_stop_ns = std::min(*c.durations.workload_stop_ns, safety_ns);
    }
    std::erase_if(c.faults, [&](const Fault& f) { return f.at_ns >= safety_ns; });
    return attempt(c);
  }

  // ddmin: try removing each of n chunks (n = 1, 2, 4, ... up to single faults).
  bool ddmin_faults() {
    const std::size_t before = best().faults.size();
    std::size_t chunks = 1;
    while (!best().faults.empty() && !limit_reached()) {
      const std::size_t size = best().faults.size();
      chunks = std::min(chunks, size);
      const std::size_t chunk = (size + chunks - 1) / chunks;
      bool removed = false;
      for (std::size_t first = 0; first < best().faults.size() && !removed; first += chunk) {
        WorldConfig c = best();
        const std::size_t last = std::min(first + chunk, c.faults.size());
        c.faults.erase(c.faults.begin() + std::ptrdiff_t(first),
                       c.faults.begin() + std::ptrdiff_t(last));
        removed = attempt(c);
      }
      if (removed) {
        chunks = std::max<std::size_t>(chunks - 1, 1);
        continue;
      }
      if (chunks >= size) break;
      chunks = std::min(chunks * 2, size);
    }
    if (best().faults.size() == before) return false;
    step(fmt::format("faults {} -> {}", before, best().faults.size()));
    return true;
  }

  // Switches off one source of noise at a time: each is a candidate of its own.
  bool quiet_behaviour() {
    using Edit = void (*)(WorldConfig&);
    static constexpr std::pair<const char*, Edit> kEdits[] = {
        {"churn off", [](WorldConfig& c) { c.device_behaviour.churn = false; }},
        {"app kills off", [](WorldConfig& c) { c.device_behaviour.app_kill_interval_mean_ns = 0; }},
        {"reinstalls off",
         [](WorldConfig& c) { c.device_behaviour.reinstall_interval_mean_ns = 0; }},
        {"new logins off",
         [](WorldConfig& c) { c.device_behaviour.new_device_interval_mean_ns = 0; }},
        {"mobile loss off", [](WorldConfig& c) { c.network.mobile.loss_p = 0; }},
        {"mobile dup off", [](WorldConfig& c) { c.network.mobile.dup_p = 0; }},
        {"mobile reorder off", [](WorldConfig& c) { c.network.mobile.reorder_p = 0; }},
        {"server loss off", [](WorldConfig& c) { c.network.servers.loss_p = 0; }},
        {"server dup off", [](WorldConfig& c) { c.network.servers.dup_p = 0; }},
        {"server reorder off", [](WorldConfig& c) { c.network.servers.reorder_p = 0; }},
    };
    bool progress = false;
    for (const auto& [name, edit] : kEdits) {
      WorldConfig c = best();
      edit(c);
      if (to_json(c) == to_json(best())) continue;  // already off
      if (attempt(c)) {
        step(name);
        progress = true;
      }
    }
    return progress;
  }

  bool fewer_messages() {
    const std::int64_t max_before = best().workload.messages_max;
    const double rate_before = best().workload.messages_per_s;
    const auto try_max = [&](std::int64_t messages_max) {
      WorldConfig c = best();
      c.workload.messages_max = messages_max;
      return attempt(c);
    };
    const std::int64_t sent = std::int64_t(best_.result.messages_sent);
    if (sent < best().workload.messages_max) try_max(sent);
    for (int i = 0; i < kHalvingStepsMax && best().workload.messages_max > 0; i++) {
      if (!try_max(best().workload.messages_max / 2)) break;
    }
    for (int i = 0; i < kHalvingStepsMax; i++) {
      WorldConfig c = best();
      c.workload.messages_per_s /= 2;
      if (c.workload.messages_per_s < kMessagesPerSecondFloor || !attempt(c)) break;
    }
    std::string changes;
    if (best().workload.messages_max != max_before) {
      changes = fmt::format("messages_max {} -> {}", max_before, best().workload.messages_max);
    }
    if (best().workload.messages_per_s != rate_before) {
      changes += fmt::format("{}messages_per_s {} -> {}", changes.empty() ? "" : ", ", rate_before,
                             best().workload.messages_per_s);
    }
    if (changes.empty()) return false;
    step(changes);
    return true;
  }

  bool fewer_participants() {
    if (best().users.empty()) return false;  // a generated population: the seed draws it
    const std::optional<std::size_t> devices_before = device_count(best());
    const std::size_t users_before = best().users.size();
    const std::size_t convs_before = best().conversations.size();
    for (std::size_t i = best().conversations.size(); i-- > 0 && best().conversations.size() > 1;) {
      WorldConfig c = best();
      c.conversations.erase(c.conversations.begin() + std::ptrdiff_t(i));
      attempt(c);
    }
    for (std::size_t i = best().users.size(); i-- > 0;) {
      if (i < best().users.size()) attempt(without_user(best(), i));
    }
    for (std::size_t u = best().users.size(); u-- > 0;) {
      for (std::size_t d = best().users[u].devices.size(); d-- > 0;) {
        if (best().users[u].devices.size() > 1) attempt(without_device(best(), u, d));
      }
    }
    if (device_count(best()) == devices_before && best().users.size() == users_before &&
        best().conversations.size() == convs_before) {
      return false;
    }
    step(fmt::format("conversations {} -> {}, users {} -> {}, devices {} -> {}", convs_before,
                     best().conversations.size(), users_before, best().users.size(),
                     devices_before.value_or(0), device_count(best()).value_or(0)));
    return true;
  }

  static WorldConfig without_user(const WorldConfig& from, std::size_t index) {
    WorldConfig c = from;
    const model::UserSpec user = c.users[index];
    c.users.erase(c.users.begin() + std::ptrdiff_t(index));
    for (model::ConversationSpec& conv : c.conversations) std::erase(conv.members, user.id);
    std::erase_if(c.conversations, [](const model::ConversationSpec& conv) {
      return conv.members.size() < 2 ||
             (conv.kind == model::ConversationKind::kDirect && conv.members.size() != 2);
    });
    for (const model::DeviceSpec& d : user.devices) {
      drop_faults_naming(c, device_node_name(user.id, d.id));
    }
    return c;  // no conversation left: the loader refuses it, and it costs no run
  }

  static WorldConfig without_device(const WorldConfig& from, std::size_t user, std::size_t device) {
    WorldConfig c = from;
    model::UserSpec& u = c.users[user];
    drop_faults_naming(c, device_node_name(u.id, u.devices[device].id));
    u.devices.erase(u.devices.begin() + std::ptrdiff_t(device));
    return c;
  }

  ShrinkStats stats() const {
    ShrinkStats s;
    s.faults_before = original_.config.faults.size();
    s.faults_after = best().faults.size();
    s.devices_before = device_count(original_.config);
    s.devices_after = device_count(best());
    s.messages_before = original_.result.messages_sent;
    s.messages_after = best_.result.messages_sent;
    s.runs = runs_;
    s.limit_reached = limit_reached();
    s.wall_time_s = elapsed_s();
    return s;
  }

  const RunOutcome& original_;
  const ShrinkOptions& options_;
  RunOutcome best_;
  const Clock::time_point start_;
  std::uint32_t runs_ = 0;
};

bool shares_a_name(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& name) {
    return std::find(b.begin(), b.end(), name) != b.end();
  });
}

}  // namespace

model::WorldConfig explicit_config(const RunOutcome& outcome) {
  WorldConfig config = outcome.result.drawn_config.value_or(outcome.config);
  config.faults = outcome.result.fault_schedule;
  config.swarm.enabled = false;
  return config;
}

bool fails_like(const RunOutcome& original, const RunOutcome& candidate) {
  if (!original.error.empty()) return !candidate.error.empty();
  if (!candidate.error.empty() || candidate.as_expected) return false;
  if (original.config.checks.expect_valid) {
    return shares_a_name(original.anomalies_found, candidate.anomalies_found);
  }
  return shares_a_name(original.expected_missing, candidate.expected_missing);
}

std::optional<std::size_t> device_count(const model::WorldConfig& config) {
  if (config.users.empty()) return std::nullopt;
  std::size_t count = 0;
  for (const model::UserSpec& u : config.users) count += u.devices.size();
  return count;
}

ShrinkResult shrink(const RunOutcome& failing, const ShrinkOptions& options) {
  IMSIM_ASSERT(!failing.config.swarm.enabled);
  IMSIM_ASSERT(!failing.as_expected || !failing.error.empty());
  return Shrinker(failing, options).run();
}

}  // namespace imsim::scenarios
