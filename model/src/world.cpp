// World: builds the modelled world, runs the safety phase (workload, behaviour, faults), heals,
// runs the liveness phase until quiescence or the window runs out, and reports.
#include <algorithm>
#include <cstdio>
#include <imsim/sim/distributions.hpp>

#include "world_impl.hpp"

namespace imsim::model::detail {

namespace {

engine::Config validated(const engine::Config& config) {
  engine::validate(config);
  return config;
}

}  // namespace

World::World(const WorldConfig& config, const RunOptions& options,
             std::map<std::string, std::string> world_parameters)
    : config_(config),
      options_(options),
      sim_(config.seed),
      engine_config_(validated(config.engine)),
      log_(options.log_out, sim_),
      population_(config, sim_),
      trace_(options.record_trace_log ? std::make_unique<TraceRecorder>(sim_) : nullptr),
      workload_(sim_, config, population_, hosts_, recorder_, counters_, log_),
      recorder_(population_, sim_, counters_, workload_, options.history_out, trace_.get()),
      hosts_(sim_, config, engine_config_, population_, recorder_, trace_.get(), counters_,
             workload_),
      nemesis_(sim_, config.network, hosts_, recorder_, trace_.get(), counters_, log_),
      swarm_(config, population_, hosts_, sim_.fork_rng("nemesis"), std::move(world_parameters)),
      safety_end_(sim::SimTime::from_ns(config.durations.safety_ns)) {
  if (trace_ != nullptr) trace_->add_lane("nemesis", "nemesis");
  sim_.network().set_config(network_config(config.network));
  nemesis_.set_base_links();
}

void RunLog::line(const std::string& text) const {
  if (out_ == nullptr) return;
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "t=%.6fs ", sim_.now().seconds());
  *out_ << stamp << text << '\n';
}

void RunCounters::retire(const ServerHost& server) {
  add_server_counters(server, retired_, retired_coverage_);
}

void RunCounters::retire(const DeviceHost& device) {
  add_device_counters(device, retired_, retired_coverage_);
}

void World::start() {
  log_.line("scenario " + config_.name + " seed " + std::to_string(config_.seed) + ": " +
            std::to_string(population_.users().size()) + " users, " +
            std::to_string(hosts_.devices().size()) + " devices, " +
            std::to_string(population_.convs().size()) + " conversations, " +
            std::to_string(hosts_.servers().size()) + " servers");
  recorder_.header(config_.name, config_.seed);
  for (const auto& server : hosts_.servers()) server->start();
  for (const auto& device : hosts_.devices()) {
    DeviceHost* host = device.get();
    const auto& login_at = population_.device_plan(host->index()).login_at_ns;
    if (!login_at.has_value()) {
      host->login();
      continue;
    }
    sim_.schedule_at(sim::SimTime::from_ns(*login_at), [host] { host->login(); });
  }
  for (const auto& adversary : hosts_.adversaries()) adversary->start();
  workload_.start();
  std::vector<Fault> faults = config_.faults;
  if (config_.swarm.enabled) swarm_.draw(faults);
  nemesis_.schedule(std::move(faults));
  for (const auto& [name, value] : swarm_.parameters()) log_.line("swarm " + name + " = " + value);
}

// Every node a scheduled fault or swarm.nodes names exists in the world this seed drew. The
// loader can only bound generated device names by devices_max; the draw decides the rest.
std::string World::absent_node_error() const {
  std::vector<std::pair<std::string, const Fault*>> named;
  for (const Fault& f : config_.faults) {
    for (const std::string* name : {&f.node, &f.from, &f.to}) {
      if (!name->empty()) named.emplace_back(*name, &f);
    }
    for (const auto& group : f.groups) {
      for (const auto& name : group) named.emplace_back(name, &f);
    }
    for (const auto& [a, b] : f.links) {
      named.emplace_back(a, &f);
      named.emplace_back(b, &f);
    }
  }
  for (const std::string& name : config_.swarm.nodes) named.emplace_back(name, nullptr);
  for (const auto& [name, fault] : named) {
    if (hosts_.has_node(name)) continue;
    const std::string where =
        fault == nullptr
            ? std::string("swarm.nodes")
            : std::string("a ") + fault_kind_name(fault->kind) +
                  " fault at t=" + std::to_string(static_cast<double>(fault->at_ns) / 1e9) + "s";
    return where + " names \"" + name + "\", which the population drawn for seed " +
           std::to_string(config_.seed) +
           " does not have (generated users draw devices_min..devices_max devices each)";
  }
  return {};
}

RunResult World::run() {
  if (std::string error = absent_node_error(); !error.empty()) {
    RunResult result;
    result.seed = config_.seed;
    result.config_error = std::move(error);
    return result;
  }
  start();
  run_reporting(safety_end_);
  IMSIM_ASSERT(sim_.events_executed() < kEventsPerRunMax);
  IMSIM_ASSERT(sim_.now() == safety_end_);
  safety_phase_ = false;
  workload_.stop();
  for (const auto& adversary : hosts_.adversaries()) adversary->stop();
  log_.line("safety phase over: heal, restart every server, every device online");
  nemesis_.heal_all();
  if (trace_ != nullptr) trace_->fault(-1, "heal: liveness phase");
  recorder_.phase_liveness();
  workload_.start_probes();
  run_liveness();
  const bool quiesced = hosts_.quiescent();
  log_.line(quiesced ? "quiescent: liveness phase over"
                     : "quiescence window ran out before the world was quiet");
  RunResult result;
  finish(result, quiesced);
  return result;
}

void World::run_liveness() {
  const sim::SimTime deadline =
      safety_end_ + sim::Duration::from_ns(config_.durations.quiescence_ns);
  // At most kQuiescenceChecksMax checks: the loader refuses a smaller interval, and a long
  // window with the default interval checks less often rather than for hours.
  IMSIM_ASSERT(config_.quiescence.check_interval_ns > 0);
  const std::int64_t interval_min_ns =
      (config_.durations.quiescence_ns + kQuiescenceChecksMax - 1) / kQuiescenceChecksMax;
  const sim::Duration interval =
      sim::Duration::from_ns(std::max(config_.quiescence.check_interval_ns, interval_min_ns));
  while (sim_.now() < deadline) {
    const sim::SimTime next = std::min(deadline, sim_.now() + interval);
    sim_.run_until(next);
    IMSIM_ASSERT(sim_.events_executed() < kEventsPerRunMax);
    report_progress();
    if (hosts_.quiescent()) return;
  }
}

void World::run_reporting(sim::SimTime limit) {
  if (!options_.on_progress || options_.progress_interval_ns <= 0) {
    sim_.run_until(limit);
    return;
  }
  // Stopping the kernel between events and resuming it runs the same events at the same
  // instants: run_until only sets now() to the limit once every earlier event has run.
  const sim::Duration step = sim::Duration::from_ns(options_.progress_interval_ns);
  while (sim_.now() < limit) {
    const sim::SimTime next = std::min(limit, sim_.now() + step);
    sim_.run_until(next);
    report_progress();
  }
}

void World::report_progress() {
  if (!options_.on_progress) return;
  options_.on_progress(
      RunProgress{.sim_ns = sim_.now().ns(),
                  .safety_ns = config_.durations.safety_ns,
                  .deadline_ns = config_.durations.safety_ns + config_.durations.quiescence_ns,
                  .liveness = !safety_phase_,
                  .events = sim_.events_executed()});
}

void World::finish(RunResult& result, bool quiesced) {
  collect_counters(result);
  recorder_.finish(quiesced, result.counters, hosts_);
  if (trace_ != nullptr) trace_->finish();
  result.trace_hash = sim_.trace_hash();
  result.seed = config_.seed;
  result.sim_time_ns = sim_.now().ns();
  result.events_executed = sim_.events_executed();
  result.quiesced = quiesced;
  result.messages_sent = recorder_.sent();
  result.displays = recorder_.displays();
  for (const auto& [msg, acked] : recorder_.final_status_acked()) {
    (acked ? result.messages_acked : result.messages_failed)++;
  }
  const engine::Topology& topology = population_.topology();
  for (const ConvEntry& conv : population_.convs()) {
    const ServerHost* store = hosts_.server_at(topology.store_for_conv(conv.id));
    IMSIM_ASSERT(store != nullptr && store->store() != nullptr);
    result.messages_stored += store->store()->timeline(conv.id).size();
  }
  if (config_.adversaries.count > 0) {
    AdversaryReport report;
    for (const auto& kind : kAttackKindNames) report.attacks[kind];  // every kind, even unused
    for (const auto& adversary : hosts_.adversaries()) adversary->report(report);
    result.adversary = std::move(report);
  }
  result.swarm_parameters = swarm_.parameters();
  result.fault_schedule = nemesis_.fault_schedule();
  if (trace_ != nullptr) result.trace_log = trace_->take();
}

// Adds one server's counters (its current life) to `c`. Crashes retire a role's counters into
// retired_counters first, so totals cover every life of every node.
void add_coverage(const engine::RoleCounters& rc, engine::CoverageCounts& coverage) {
  for (std::size_t i = 0; i < coverage.size(); i++) coverage[i] += rc.coverage[i];
}

void add_server_counters(const ServerHost& server, std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage) {
  const std::string role = engine::to_string(server.address().kind);
  const auto& rc = server.role()->counters();
  add_coverage(rc, coverage);
  c[role + ".frames_in"] += rc.frames_in;
  c[role + ".frames_rejected"] += rc.frames_rejected;
  c[role + ".storage_writes"] += rc.storage_writes;
  c["store_writes"] += rc.storage_writes + rc.storage_erases;
  if (server.store() != nullptr) {
    const auto& sc = server.store()->store_counters();
    c["store.timeline_writes"] += sc.timeline_writes;
    c["store.inbox_writes"] += sc.inbox_writes;
    c["store.inbox_reads"] += sc.inbox_reads;
    c["store.timeline_reads_read_fanout"] += sc.timeline_reads_read_fanout;
    c["store.timeline_reads_other"] += sc.timeline_reads_other;
    c["store.dedup_hits"] += sc.dedup_hits;
    c["store.dedup_scans"] += sc.dedup_scans;
    c["store.fifo_gaps"] += sc.fifo_gaps;
    c["store.inbox_entries_expired"] += sc.inbox_entries_expired;
    if (sc.inbox_entries_evicted > 0) c["store.inbox_entries_evicted"] += sc.inbox_entries_evicted;
    c["store_reads"] += sc.inbox_reads + sc.timeline_reads_read_fanout + sc.timeline_reads_other;
  }
}

void add_device_counters(const DeviceHost& device, std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage) {
  const auto& dc = device.device()->device_counters();
  add_coverage(device.device()->counters(), coverage);
  c["device.transmissions"] += dc.transmissions;
  c["device.pulls"] += dc.pulls;
  c["device.pushes_applied"] += dc.pushes_applied;
  c["device.duplicates_ignored"] += dc.duplicates_ignored;
  c["device.ttl_resyncs"] += dc.ttl_resyncs;
  c["device.fast_retransmits"] += dc.fast_retransmits;
  c["device.tops_reached"] += dc.tops_reached;
  c["device.frames_rejected"] += device.device()->counters().frames_rejected;
}

void World::collect_counters(RunResult& result) const {
  auto& c = result.counters;
  c = counters_.retired();
  result.coverage = counters_.retired_coverage();
  const auto& net = sim_.network().counters();
  c["net.datagrams_sent"] = net.packets_sent;
  c["net.datagrams_delivered"] = net.packets_delivered;
  c["net.datagrams_dropped"] = net.packets_dropped;
  c["net.datagrams_duplicated"] = net.packets_duplicated;
  c["net.conn_messages_sent"] = net.conn_messages_sent;
  c["net.conn_messages_delivered"] = net.conn_messages_delivered;
  c["net.conns_reset"] = net.conns_reset;
  c["net.conn_segments_retransmitted"] = net.conn_segments_retransmitted;
  c["net.conns_reset_retransmit"] = net.conns_reset_retransmit;
  c["net.conn_frames_lost"] = net.conn_frames_lost;
  c["net.conn_frames_duplicated"] = net.conn_frames_duplicated;
  c["net.bytes_sent"] = net.bytes_sent + net.conn_bytes_sent;
  // The names the checkers derive per-message metrics from (docs/history-format.md).
  c["network_frames"] = net.packets_sent + net.conn_messages_sent;
  hosts_.add_live_counters(c, result.coverage);
  for (const auto& [name, value] : counters_.model()) c[name] += value;
}

// ---- Small shared helpers ------------------------------------------------------------------

// The base shape of a Distribution as a sim::LatencyModel, not validated: the model samples
// sizes and session lengths with it too, which are not latencies bounded by latency_max.
sim::LatencyModel shape_of(const Distribution& d) {
  using sim::Duration;
  sim::LatencyModel model;
  switch (d.kind) {
    case DistributionKind::kConstant:
      model.shape = sim::LatencyModel::Shape::constant;
      model.a = Duration::from_ns(d.value);
      break;
    case DistributionKind::kUniform:
      model.shape = sim::LatencyModel::Shape::uniform;
      model.a = Duration::from_ns(d.min);
      model.b = Duration::from_ns(d.max);
      break;
    case DistributionKind::kExponential:
      model.shape = sim::LatencyModel::Shape::exponential;
      model.a = Duration::from_ns(d.mean);
      break;
    case DistributionKind::kLognormal:
      model.shape = sim::LatencyModel::Shape::lognormal;
      model.a = Duration::from_ns(d.median);
      model.sigma = d.sigma;
      break;
  }
  return model;
}

sim::LatencyModel latency_model(const Distribution& d) {
  sim::LatencyModel model = shape_of(d);
  model.validate();
  if (d.tail_p > 0) model = model.with_tail(d.tail_p, sim::Duration::from_ns(d.tail), 0.0);
  return model;
}

// Draws as sim::LatencyModel does (one switch over shapes), but the tail is drawn only when it
// can happen and the result is clamped to the run length instead of latency_max.
std::int64_t sample(const Distribution& d, sim::Rng& rng) {
  double x = shape_of(d).sample_shape(rng);
  if (d.tail_p > 0 && sim::bernoulli(rng, d.tail_p)) x += static_cast<double>(d.tail);
  return static_cast<std::int64_t>(std::clamp(x, 0.0, static_cast<double>(kRunDurationMax_ns)));
}

}  // namespace imsim::model::detail

namespace imsim::model {

RunResult run_world(const WorldConfig& config, const RunOptions& options) {
  if (config.swarm.enabled && config.swarm.world.any()) {
    std::map<std::string, std::string> params;
    WorldConfig drawn = draw_world(config, params);
    RunResult result;
    {
      detail::World world(drawn, options, std::move(params));
      result = world.run();
    }
    result.drawn_config = std::move(drawn);
    return result;
  }
  detail::World world(config, options);
  return world.run();
}

}  // namespace imsim::model
