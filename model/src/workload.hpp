#pragma once
// Workload: the sends of the safety phase (a Poisson process; replies go into the conversation
// of the sender's latest display of another user's message), device behaviour (churn, app
// kills, reinstalls, page-backs) and the availability probes after the heal.
#include <array>
#include <cstdint>
#include <imsim/sim/simulator.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hosts.hpp"
#include "index_set.hpp"
#include "population.hpp"
#include "recorder.hpp"
#include "run_support.hpp"

namespace imsim::model::detail {

class Workload final : public DeviceEvents {
 public:
  Workload(sim::Simulator& sim, const WorldConfig& config, const Population& population,
           Hosts& hosts, const Recorder& recorder, RunCounters& counters, const RunLog& log);

  // Schedules the sends and the device behaviour of the safety phase.
  void start();
  // The safety phase is over: churn stops.
  void stop() { safety_phase_ = false; }
  // Availability probes (docs/model.md), right after the heal.
  void start_probes();

  // DeviceEvents
  void note_reply_candidate(std::int32_t device) override;
  // With probability page_back_p the user scrolls every conversation back to its first message.
  void fresh_install(DeviceHost& device) override;

  std::uint64_t sent() const { return workload_sent_; }

 private:
  void schedule_next_send();
  void send_one();
  std::optional<std::int32_t> pick_fresh_sender(std::int32_t& conv);
  std::string make_body();
  void schedule_churn(std::int32_t device, bool online);
  void schedule_repeating(std::int32_t device, std::int64_t mean_ns, bool reinstall);
  void probe_round(std::int32_t round);

  sim::Simulator& sim_;
  const WorldConfig& config_;
  const Population& population_;
  Hosts& hosts_;
  const Recorder& recorder_;
  RunCounters& counters_;
  const RunLog& log_;
  sim::Rng workload_rng_;
  sim::Rng behaviour_rng_;
  sim::Rng page_back_rng_;
  struct Probe {
    std::int32_t device = 0;
    engine::ConvId conv;
  };
  std::vector<Probe> pending_probes_;
  sim::SimTime safety_end_;
  sim::SimTime workload_stop_;
  std::uint64_t workload_sent_ = 0;
  bool safety_phase_ = true;
  IndexSet reply_candidates_;                               // devices that can reply now
  std::array<std::vector<std::int32_t>, 3> convs_by_kind_;  // direct, group, large: conv indices
};

}  // namespace imsim::model::detail
