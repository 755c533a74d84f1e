// Workload and device behaviour of the safety phase. Sends form a Poisson process; a reply goes
// into the conversation of the sender's latest display of another user's message, which is
// what creates happened-before edges between messages.
#include <algorithm>
#include <array>
#include <imsim/sim/distributions.hpp>

#include "world_impl.hpp"

namespace imsim::model::detail {

void World::schedule_workload() {
  for (std::size_t i = 0; i < convs.size(); i++) {  // conversations never change
    const int kind = convs[i].direct ? 0 : (convs[i].large ? 2 : 1);
    convs_by_kind_[kind].push_back(static_cast<std::int32_t>(i));
  }
  if (config.workload.messages_per_s <= 0) return;
  schedule_next_send(workload_rng_);
}

void World::note_reply_candidate(std::int32_t device) {
  if (reply_candidates_.capacity() == 0) reply_candidates_.resize(devices.size());
  const auto d = static_cast<std::size_t>(device);
  IMSIM_ASSERT(d < devices.size());
  reply_candidates_.set(d, devices[d]->online() && recorder.reply_target(device).has_value());
}

void World::schedule_next_send(sim::Rng& rng) {
  const double mean_ns = 1e9 / config.workload.messages_per_s;
  const auto delay =
      sim::Duration::from_ns(static_cast<std::int64_t>(sim::exponential(rng, mean_ns)));
  const sim::SimTime when = sim.now() + delay;
  if (when >= workload_stop_) return;
  sim.schedule_at(when, [this] {
    send_one();
    schedule_next_send(workload_rng_);
  });
}

void World::send_one() {
  if (workload_sent_ >= static_cast<std::uint64_t>(config.workload.messages_max)) return;
  std::optional<std::int32_t> sender;
  std::int32_t conv = 0;
  if (sim::bernoulli(workload_rng_, config.workload.reply_p)) {
    // The k-th candidate in device order, as a scan of every device would pick it.
    if (reply_candidates_.size() > 0) {
      const auto k = sim::uniform_int(workload_rng_, 0,
                                      static_cast<std::int64_t>(reply_candidates_.size()) - 1);
      sender = static_cast<std::int32_t>(reply_candidates_.nth(static_cast<std::size_t>(k)));
      IMSIM_ASSERT(devices[static_cast<std::size_t>(*sender)]->online());
      conv = *recorder.reply_target(*sender);
      count("workload.replies");
    }
  }
  if (!sender.has_value()) sender = pick_fresh_sender(conv);
  if (!sender.has_value()) {
    count("workload.skipped_no_online_device");
    return;
  }
  workload_sent_++;
  const auto msg = devices[*sender]->send(convs[conv].id, make_body());
  count(msg.has_value() ? "workload.sends" : "workload.sends_refused_by_device");
}

// A fresh send: a conversation kind by weight, a conversation of that kind, a member, then one
// of the member's online devices.
std::optional<std::int32_t> World::pick_fresh_sender(std::int32_t& conv) {
  const auto& by_kind = convs_by_kind_;
  const auto& weights_in = config.workload.kind_weights;
  std::array<double, 3> weights{weights_in.direct, weights_in.group, weights_in.large};
  for (int k = 0; k < 3; k++) {
    if (by_kind[k].empty()) weights[k] = 0;
  }
  if (weights[0] + weights[1] + weights[2] <= 0) return std::nullopt;
  const auto& pool = by_kind[sim::pick_weighted(workload_rng_, weights)];
  conv = pool[sim::uniform_int(workload_rng_, 0, static_cast<std::int64_t>(pool.size()) - 1)];
  const auto& members = convs[conv].members;
  const std::int32_t user =
      members[sim::uniform_int(workload_rng_, 0, static_cast<std::int64_t>(members.size()) - 1)];
  std::vector<std::int32_t> online;
  for (std::int32_t device : users[user].devices) {
    if (devices[device]->online()) online.push_back(device);
  }
  if (online.empty()) return std::nullopt;
  return online[sim::uniform_int(workload_rng_, 0, static_cast<std::int64_t>(online.size()) - 1)];
}

std::string World::make_body() {
  const std::int64_t size = std::clamp<std::int64_t>(
      sample(config.workload.size_bytes, workload_rng_), 1, kMessageSizeMax_bytes);
  std::string body(static_cast<std::size_t>(size), 'x');
  // A little content so bodies differ (and digests with them).
  const std::string tag = std::to_string(workload_sent_);
  for (std::size_t i = 0; i < tag.size() && i < body.size(); i++) body[i] = tag[i];
  return body;
}

// ---- Device behaviour ------------------------------------------------------------------------

void World::schedule_behaviour() {
  const DeviceBehaviour& behaviour = config.device_behaviour;
  for (const auto& device : devices) {
    const std::int32_t index = device->index();
    if (behaviour.churn) {
      const auto& plan = device_plans[index];
      const bool starts_online = plan.login_at_ns.has_value() || plan.online_at_start;
      schedule_churn(index, starts_online);
    }
    schedule_repeating(index, behaviour.app_kill_interval_mean_ns, /*reinstall=*/false);
    schedule_repeating(index, behaviour.reinstall_interval_mean_ns, /*reinstall=*/true);
  }
}

// Alternates online and offline sessions until the safety phase ends.
void World::schedule_churn(std::int32_t device, bool online) {
  const Distribution& session = online ? config.device_behaviour.online_session_ns
                                       : config.device_behaviour.offline_session_ns;
  const auto delay =
      sim::Duration::from_ns(std::max<std::int64_t>(1, sample(session, behaviour_rng_)));
  const sim::SimTime when = sim.now() + delay;
  if (when >= safety_end_) return;
  sim.schedule_at(when, [this, device, online] {
    if (!safety_phase_) return;
    DeviceHost& host = *devices[device];
    if (host.exists()) {
      host.set_online(!online);
      count(online ? "behaviour.offline" : "behaviour.online");
    }
    schedule_churn(device, !online);
  });
}

void World::schedule_repeating(std::int32_t device, std::int64_t mean_ns, bool reinstall) {
  if (mean_ns <= 0) return;
  const auto delay = sim::Duration::from_ns(std::max<std::int64_t>(
      1,
      static_cast<std::int64_t>(sim::exponential(behaviour_rng_, static_cast<double>(mean_ns)))));
  const sim::SimTime when = sim.now() + delay;
  if (when >= safety_end_) return;
  sim.schedule_at(when, [this, device, mean_ns, reinstall] {
    DeviceHost& host = *devices[device];
    if (host.exists()) {
      reinstall ? host.reinstall() : host.kill();
      count(reinstall ? "behaviour.reinstalls" : "behaviour.app_kills");
    }
    schedule_repeating(device, mean_ns, reinstall);
  });
}

}  // namespace imsim::model::detail

namespace imsim::model::detail {

namespace {
constexpr std::int32_t kProbeRoundsMax = 100;             // a probe refused this often is given up
constexpr std::int64_t kProbeRetry_ns = 100'000'000;      // between rounds (device not ready yet)
constexpr std::string_view kProbeBody = "availability probe";
}  // namespace

void World::maybe_page_back(DeviceHost& device) {
  const double p = config.device_behaviour.page_back_p;
  if (p <= 0 || !sim::bernoulli(page_back_rng_, p)) return;
  count("model.page_backs");
  device.page_back_all();
}

// Availability probes (docs/model.md): every chosen device sends once into each conversation of
// its user right after the heal. A send the device refuses (just relaunched: ids not reserved)
// is retried every kProbeRetry_ns.
void World::start_probes() {
  const auto max = static_cast<std::size_t>(config.quiescence.probe_devices_max);
  if (max == 0 || devices.empty()) return;
  std::vector<std::int32_t> chosen(devices.size());
  for (std::size_t i = 0; i < chosen.size(); i++) chosen[i] = static_cast<std::int32_t>(i);
  if (chosen.size() > max) {
    sim::Rng rng = sim.fork_rng("probes");
    for (std::size_t i = 0; i < max; i++) {  // a partial Fisher-Yates shuffle
      const auto j = static_cast<std::size_t>(sim::uniform_int(
          rng, static_cast<std::int64_t>(i), static_cast<std::int64_t>(chosen.size()) - 1));
      std::swap(chosen[i], chosen[j]);
    }
    chosen.resize(max);
    std::sort(chosen.begin(), chosen.end());
  }
  IMSIM_ASSERT(pending_probes_.empty());
  for (const std::int32_t d : chosen) {
    DeviceHost& host = *devices[static_cast<std::size_t>(d)];
    // Some users also scroll back once the faults are healed (devices that resynced after an
    // inbox TTL expiry hold a roamed view too).
    if (host.exists()) maybe_page_back(host);
    const engine::UserId user = users[static_cast<std::size_t>(host.user())].id;
    for (const engine::ConvId conv : topology.conversations_of(user)) {
      pending_probes_.push_back({d, conv});
    }
  }
  log("availability probes: " + std::to_string(chosen.size()) + " devices, " +
      std::to_string(pending_probes_.size()) + " sends");
  probe_round(0);
}

void World::probe_round(std::int32_t round) {
  std::vector<Probe> refused;
  for (const Probe& probe : pending_probes_) {
    DeviceHost& host = *devices[static_cast<std::size_t>(probe.device)];
    const bool sent = host.exists() &&
                      host.send(probe.conv, std::string(kProbeBody)).has_value();
    if (sent) {
      count("model.probes_sent");
    } else {
      refused.push_back(probe);
    }
  }
  pending_probes_ = std::move(refused);
  if (pending_probes_.empty()) return;
  if (round + 1 >= kProbeRoundsMax) {
    count("model.probes_given_up", pending_probes_.size());
    pending_probes_.clear();
    return;
  }
  sim.schedule_at(sim.now() + sim::Duration::from_ns(kProbeRetry_ns),
                  [this, round] { probe_round(round + 1); });
}

}  // namespace imsim::model::detail
