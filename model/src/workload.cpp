// Workload and device behaviour of the safety phase. Sends form a Poisson process; a reply goes
// into the conversation of the sender's latest display of another user's message, which is
// what creates happened-before edges between messages.
#include "workload.hpp"

#include <algorithm>
#include <array>
#include <imsim/sim/distributions.hpp>

namespace imsim::model::detail {

namespace {
constexpr std::int32_t kProbeRoundsMax = 100;         // a probe refused this often is given up
constexpr std::int64_t kProbeRetry_ns = 100'000'000;  // between rounds (device not ready yet)
constexpr std::string_view kProbeBody = "availability probe";
}  // namespace

Workload::Workload(sim::Simulator& sim, const WorldConfig& config, const Population& population,
                   Hosts& hosts, const Recorder& recorder, RunCounters& counters, const RunLog& log)
    : sim_(sim),
      config_(config),
      population_(population),
      hosts_(hosts),
      recorder_(recorder),
      counters_(counters),
      log_(log),
      workload_rng_(sim.fork_rng("workload")),
      behaviour_rng_(sim.fork_rng("behaviour")),
      page_back_rng_(sim.fork_rng("page_back")),
      safety_end_(sim::SimTime::from_ns(config.durations.safety_ns)),
      workload_stop_(sim::SimTime::from_ns(
          config.durations.workload_stop_ns.value_or(config.durations.safety_ns))) {
  const auto& convs = population.convs();
  for (std::size_t i = 0; i < convs.size(); i++) {  // conversations never change
    const std::size_t kind = convs[i].direct ? 0 : (convs[i].large ? 2 : 1);
    convs_by_kind_[kind].push_back(static_cast<std::int32_t>(i));
  }
}

void Workload::start() {
  if (config_.workload.messages_per_s > 0) schedule_next_send();
  const DeviceBehaviour& behaviour = config_.device_behaviour;
  for (const auto& device : hosts_.devices()) {
    const std::int32_t index = device->index();
    if (behaviour.churn) {
      const auto& plan = population_.device_plan(index);
      const bool starts_online = plan.login_at_ns.has_value() || plan.online_at_start;
      schedule_churn(index, starts_online);
    }
    schedule_repeating(index, behaviour.app_kill_interval_mean_ns, /*reinstall=*/false);
    schedule_repeating(index, behaviour.reinstall_interval_mean_ns, /*reinstall=*/true);
  }
}

void Workload::note_reply_candidate(std::int32_t device) {
  const std::size_t devices = hosts_.devices().size();
  if (reply_candidates_.capacity() == 0) reply_candidates_.resize(devices);
  IMSIM_ASSERT(reply_candidates_.capacity() == devices);
  reply_candidates_.set(
      static_cast<std::size_t>(device),
      hosts_.device(device).online() && recorder_.reply_target(device).has_value());
}

void Workload::schedule_next_send() {
  const double mean_ns = 1e9 / config_.workload.messages_per_s;
  const auto delay =
      sim::Duration::from_ns(static_cast<std::int64_t>(sim::exponential(workload_rng_, mean_ns)));
  const sim::SimTime when = sim_.now() + delay;
  IMSIM_ASSERT(when >= sim_.now());
  if (when >= workload_stop_) return;
  sim_.schedule_at(when, [this] {
    send_one();
    schedule_next_send();
  });
}

void Workload::send_one() {
  if (workload_sent_ >= static_cast<std::uint64_t>(config_.workload.messages_max)) return;
  std::optional<std::int32_t> sender;
  std::int32_t conv = 0;
  if (sim::bernoulli(workload_rng_, config_.workload.reply_p)) {
    // The k-th candidate in device order, as a scan of every device would pick it.
    if (reply_candidates_.size() > 0) {
      const std::size_t k = uniform_index(workload_rng_, reply_candidates_.size());
      sender = static_cast<std::int32_t>(reply_candidates_.nth(k));
      IMSIM_ASSERT(hosts_.device(*sender).online());
      conv = *recorder_.reply_target(*sender);
      counters_.count("workload.replies");
    }
  }
  if (!sender.has_value()) sender = pick_fresh_sender(conv);
  if (!sender.has_value()) {
    counters_.count("workload.skipped_no_online_device");
    return;
  }
  workload_sent_++;
  const auto msg = hosts_.device(*sender).send(population_.conv(conv).id, make_body());
  counters_.count(msg.has_value() ? "workload.sends" : "workload.sends_refused_by_device");
}

// A fresh send: a conversation kind by weight, a conversation of that kind, a member, then one
// of the member's online devices.
std::optional<std::int32_t> Workload::pick_fresh_sender(std::int32_t& conv) {
  const auto& by_kind = convs_by_kind_;
  const auto& weights_in = config_.workload.kind_weights;
  std::array<double, 3> weights{weights_in.direct, weights_in.group, weights_in.large};
  for (std::size_t k = 0; k < weights.size(); k++) {
    if (by_kind[k].empty()) weights[k] = 0;
  }
  if (weights[0] + weights[1] + weights[2] <= 0) return std::nullopt;
  const auto& pool = by_kind[sim::pick_weighted(workload_rng_, weights)];
  conv = pool[uniform_index(workload_rng_, pool.size())];
  const auto& members = population_.conv(conv).members;
  const std::int32_t user = members[uniform_index(workload_rng_, members.size())];
  std::vector<std::int32_t> online;
  for (std::int32_t device : population_.user(user).devices) {
    if (hosts_.device(device).online()) online.push_back(device);
  }
  if (online.empty()) return std::nullopt;
  return online[uniform_index(workload_rng_, online.size())];
}

std::string Workload::make_body() {
  const std::int64_t size = std::clamp<std::int64_t>(
      sample(config_.workload.size_bytes, workload_rng_), 1, kMessageSizeMax_bytes);
  std::string body(static_cast<std::size_t>(size), 'x');
  // A little content so bodies differ (and digests with them).
  const std::string tag = std::to_string(workload_sent_);
  for (std::size_t i = 0; i < tag.size() && i < body.size(); i++) body[i] = tag[i];
  return body;
}

// ---- Device behaviour ------------------------------------------------------------------------

// Alternates online and offline sessions until the safety phase ends.
void Workload::schedule_churn(std::int32_t device, bool online) {
  const Distribution& session = online ? config_.device_behaviour.online_session_ns
                                       : config_.device_behaviour.offline_session_ns;
  const auto delay =
      sim::Duration::from_ns(std::max<std::int64_t>(1, sample(session, behaviour_rng_)));
  const sim::SimTime when = sim_.now() + delay;
  IMSIM_ASSERT(when > sim_.now());
  if (when >= safety_end_) return;
  sim_.schedule_at(when, [this, device, online] {
    if (!safety_phase_) return;
    DeviceHost& host = hosts_.device(device);
    if (host.exists()) {
      host.set_online(!online);
      counters_.count(online ? "behaviour.offline" : "behaviour.online");
    }
    schedule_churn(device, !online);
  });
}

void Workload::schedule_repeating(std::int32_t device, std::int64_t mean_ns, bool reinstall) {
  if (mean_ns <= 0) return;
  const auto delay = sim::Duration::from_ns(std::max<std::int64_t>(
      1,
      static_cast<std::int64_t>(sim::exponential(behaviour_rng_, static_cast<double>(mean_ns)))));
  const sim::SimTime when = sim_.now() + delay;
  IMSIM_ASSERT(when > sim_.now());
  if (when >= safety_end_) return;
  sim_.schedule_at(when, [this, device, mean_ns, reinstall] {
    DeviceHost& host = hosts_.device(device);
    if (host.exists()) {
      reinstall ? host.reinstall() : host.kill();
      counters_.count(reinstall ? "behaviour.reinstalls" : "behaviour.app_kills");
    }
    schedule_repeating(device, mean_ns, reinstall);
  });
}

void Workload::fresh_install(DeviceHost& device) {
  const double p = config_.device_behaviour.page_back_p;
  if (p <= 0 || !sim::bernoulli(page_back_rng_, p)) return;
  counters_.count("model.page_backs");
  device.page_back_all();
}

// Availability probes (docs/model.md): every chosen device sends once into each conversation of
// its user right after the heal. A send the device refuses (just relaunched: ids not reserved)
// is retried every kProbeRetry_ns.
void Workload::start_probes() {
  IMSIM_ASSERT(!safety_phase_);
  const auto max = static_cast<std::size_t>(config_.quiescence.probe_devices_max);
  const std::size_t devices = hosts_.devices().size();
  if (max == 0 || devices == 0) return;
  std::vector<std::int32_t> chosen(devices);
  for (std::size_t i = 0; i < chosen.size(); i++) chosen[i] = static_cast<std::int32_t>(i);
  if (chosen.size() > max) {
    sim::Rng rng = sim_.fork_rng("probes");
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
    DeviceHost& host = hosts_.device(d);
    // Some users also scroll back once the faults are healed (devices that resynced after an
    // inbox TTL expiry hold a roamed view too).
    if (host.exists()) fresh_install(host);
    const engine::UserId user = population_.user(host.user()).id;
    for (const engine::ConvId conv : population_.topology().conversations_of(user)) {
      pending_probes_.push_back({d, conv});
    }
  }
  log_.line("availability probes: " + std::to_string(chosen.size()) + " devices, " +
            std::to_string(pending_probes_.size()) + " sends");
  probe_round(0);
}

void Workload::probe_round(std::int32_t round) {
  IMSIM_ASSERT(round >= 0 && round < kProbeRoundsMax);
  std::vector<Probe> refused;
  for (const Probe& probe : pending_probes_) {
    DeviceHost& host = hosts_.device(probe.device);
    const bool sent = host.exists() && host.send(probe.conv, std::string(kProbeBody)).has_value();
    if (sent) {
      counters_.count("model.probes_sent");
    } else {
      refused.push_back(probe);
    }
  }
  pending_probes_ = std::move(refused);
  if (pending_probes_.empty()) return;
  if (round + 1 >= kProbeRoundsMax) {
    counters_.count("model.probes_given_up", pending_probes_.size());
    pending_probes_.clear();
    return;
  }
  sim_.schedule_at(sim_.now() + sim::Duration::from_ns(kProbeRetry_ns),
                   [this, round] { probe_round(round + 1); });
}

}  // namespace imsim::model::detail
