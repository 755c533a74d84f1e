// World: builds the modelled world, runs the safety phase (workload, behaviour, faults), heals,
// runs the liveness phase until quiescence or the window runs out, and reports.
#include <algorithm>
#include <cstdio>
#include <imsim/sim/distributions.hpp>

#include "world_impl.hpp"

namespace imsim::model::detail {

World::World(const WorldConfig& world_config, const RunOptions& options)
    : config(world_config),
      sim(world_config.seed),
      engine_config(world_config.engine),
      recorder(*this, options),
      record_trace(options.record_trace_log),
      options_(options),
      workload_rng_(sim.fork_rng("workload")),
      behaviour_rng_(sim.fork_rng("behaviour")),
      nemesis_rng_(sim.fork_rng("nemesis")),
      page_back_rng_(sim.fork_rng("page_back")),
      safety_end_(sim::SimTime::from_ns(world_config.durations.safety_ns)),
      workload_stop_(sim::SimTime::from_ns(
          world_config.durations.workload_stop_ns.value_or(world_config.durations.safety_ns))) {
  engine::validate(engine_config);
  build_population();
  build_nodes();
}

void World::build_nodes() {
  const auto add_lane = [this](const std::string& name, const char* group) {
    if (record_trace) trace_log.lanes.push_back(TraceLane{name, group});
  };
  const auto add_server = [&](engine::RoleKind kind, std::int32_t count, const char* prefix) {
    for (std::int32_t i = 0; i < count; i++) {
      const std::string name = prefix + std::to_string(i);
      const sim::NodeId node = sim.add_node(name);
      const sim::EndpointId endpoint = sim.network().add_endpoint(node);
      const engine::Address address{kind, static_cast<std::uint32_t>(i)};
      server_index[address] = static_cast<std::int32_t>(servers.size());
      servers.push_back(
          std::make_unique<ServerHost>(*this, address, name, node, endpoint, lane_of(node)));
      node_by_name[name] = node;
      add_lane(name, "servers");
      if (auto it = config.topology.server_clocks.find(name);
          it != config.topology.server_clocks.end()) {
        sim.clock(node).set_offset(sim.now(), sim::Duration::from_ns(it->second.offset_ns));
        sim.clock(node).set_drift_ppm(sim.now(), it->second.drift_ppm);
      }
    }
  };
  add_server(engine::RoleKind::gateway, config.topology.gateways, "gateway");
  add_server(engine::RoleKind::queue, config.topology.queue_partitions, "queue");
  add_server(engine::RoleKind::processor, config.topology.processors, "processor");
  add_server(engine::RoleKind::store, config.topology.stores, "store");
  for (std::size_t i = 0; i < device_plans.size(); i++) {
    const DevicePlan& plan = device_plans[i];
    const sim::NodeId node = sim.add_node(plan.name);
    const sim::EndpointId endpoint = sim.network().add_endpoint(node);
    devices.push_back(std::make_unique<DeviceHost>(*this, static_cast<std::int32_t>(i), plan.user,
                                                   plan.id, plan.name, node, endpoint,
                                                   lane_of(node)));
    node_by_name[plan.name] = node;
    add_lane(plan.name, "devices");
    sim.clock(node).set_offset(sim.now(), sim::Duration::from_ns(plan.clock.offset_ns));
    sim.clock(node).set_drift_ppm(sim.now(), plan.clock.drift_ppm);
  }
  for (const AdversaryPlan& plan : adversary_plans) {
    // Not in node_by_name: faults and swarm draws never name an adversary.
    const sim::NodeId node = sim.add_node(plan.name);
    const sim::EndpointId endpoint = sim.network().add_endpoint(node);
    adversaries.push_back(std::make_unique<AdversaryHost>(*this, plan.id, plan.name, node,
                                                          endpoint, lane_of(node), plan.mix));
    add_lane(plan.name, "adversaries");
  }
  add_lane("nemesis", "nemesis");
  host_by_endpoint.resize(sim.network().endpoint_count(), nullptr);
  for (auto& server : servers) {
    ServerHost* host = server.get();
    host_by_endpoint[host->endpoint().value] = host;
    sim.network().set_datagram_handler(host->endpoint(),
                                       [host](sim::EndpointId from, std::string bytes) {
                                         host->on_datagram(from, std::move(bytes));
                                       });
    sim.network().set_conn_handler(host->endpoint(),
                                   [host](sim::ConnId conn, sim::ConnEvent event) {
                                     host->on_conn_event(conn, std::move(event));
                                   });
  }
  // Devices and adversaries talk over connections only.
  const auto attach = [this](auto* host) {
    host_by_endpoint[host->endpoint().value] = host;
    sim.network().set_conn_handler(host->endpoint(),
                                   [host](sim::ConnId conn, sim::ConnEvent event) {
                                     host->on_conn_event(conn, std::move(event));
                                   });
  };
  for (auto& device : devices) attach(device.get());
  for (auto& adversary : adversaries) attach(adversary.get());
  sim.network().set_config(network_config(config.network));
  apply_base_links();
}

void World::log(const std::string& line) {
  if (options_.log_out == nullptr) return;
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "t=%.6fs ", sim.now().seconds());
  *options_.log_out << stamp << line << '\n';
}

void World::start() {
  log("scenario " + config.name + " seed " + std::to_string(config.seed) + ": " +
      std::to_string(users.size()) + " users, " + std::to_string(devices.size()) + " devices, " +
      std::to_string(convs.size()) + " conversations, " + std::to_string(servers.size()) +
      " servers");
  recorder.header();
  for (auto& server : servers) server->start();
  for (auto& device : devices) {
    DeviceHost* host = device.get();
    const auto& login_at = device_plans[host->index()].login_at_ns;
    if (!login_at.has_value()) {
      host->login();
      continue;
    }
    sim.schedule_at(sim::SimTime::from_ns(*login_at), [host] { host->login(); });
  }
  for (auto& adversary : adversaries) adversary->start();
  schedule_workload();
  schedule_behaviour();
  schedule_faults();
  for (const auto& [name, value] : swarm_parameters) log("swarm " + name + " = " + value);
}

// Every node a scheduled fault or swarm.nodes names exists in the world this seed drew. The
// loader can only bound generated device names by devices_max; the draw decides the rest.
std::string World::absent_node_error() const {
  std::vector<std::pair<std::string, const Fault*>> named;
  for (const Fault& f : config.faults) {
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
  for (const std::string& name : config.swarm.nodes) named.emplace_back(name, nullptr);
  for (const auto& [name, fault] : named) {
    if (node_by_name.contains(name)) continue;
    const std::string where =
        fault == nullptr ? std::string("swarm.nodes")
                         : std::string("a ") + fault_kind_name(fault->kind) + " fault at t=" +
                               std::to_string(static_cast<double>(fault->at_ns) / 1e9) + "s";
    return where + " names \"" + name + "\", which the population drawn for seed " +
           std::to_string(config.seed) +
           " does not have (generated users draw devices_min..devices_max devices each)";
  }
  return {};
}

RunResult World::run() {
  if (std::string error = absent_node_error(); !error.empty()) {
    RunResult result;
    result.seed = config.seed;
    result.config_error = std::move(error);
    return result;
  }
  start();
  run_reporting(safety_end_);
  IMSIM_ASSERT(sim.events_executed() < kEventsPerRunMax);
  safety_phase_ = false;
  for (auto& adversary : adversaries) adversary->stop();
  log("safety phase over: heal, restart every server, every device online");
  heal_all();
  recorder.phase_liveness();
  start_probes();
  run_liveness();
  const bool quiesced = quiescent();
  log(quiesced ? "quiescent: liveness phase over"
               : "quiescence window ran out before the world was quiet");
  RunResult result;
  finish(result, quiesced);
  return result;
}

void World::run_liveness() {
  const sim::SimTime deadline =
      safety_end_ + sim::Duration::from_ns(config.durations.quiescence_ns);
  // At most kQuiescenceChecksMax checks: the loader refuses a smaller interval, and a long
  // window with the default interval checks less often rather than for hours.
  IMSIM_ASSERT(config.quiescence.check_interval_ns > 0);
  const std::int64_t interval_min_ns =
      (config.durations.quiescence_ns + kQuiescenceChecksMax - 1) / kQuiescenceChecksMax;
  const sim::Duration interval =
      sim::Duration::from_ns(std::max(config.quiescence.check_interval_ns, interval_min_ns));
  while (sim.now() < deadline) {
    const sim::SimTime next = std::min(deadline, sim.now() + interval);
    sim.run_until(next);
    IMSIM_ASSERT(sim.events_executed() < kEventsPerRunMax);
    report_progress();
    if (quiescent()) return;
  }
}

void World::run_reporting(sim::SimTime limit) {
  if (!options_.on_progress || options_.progress_interval_ns <= 0) {
    sim.run_until(limit);
    return;
  }
  // Stopping the kernel between events and resuming it runs the same events at the same
  // instants: run_until only sets now() to the limit once every earlier event has run.
  const sim::Duration step = sim::Duration::from_ns(options_.progress_interval_ns);
  while (sim.now() < limit) {
    const sim::SimTime next = std::min(limit, sim.now() + step);
    sim.run_until(next);
    report_progress();
  }
}

void World::report_progress() {
  if (!options_.on_progress) return;
  options_.on_progress(RunProgress{
      .sim_ns = sim.now().ns(),
      .safety_ns = config.durations.safety_ns,
      .deadline_ns = config.durations.safety_ns + config.durations.quiescence_ns,
      .liveness = !safety_phase_,
      .events = sim.events_executed()});
}

bool World::quiescent() const {
  for (const auto& server : servers) {
    if (!server->up()) return false;
    if (server->queue() != nullptr && server->queue()->pending_count() != 0) return false;
  }
  for (const auto& device : devices) {
    if (!device->exists() || !device->online()) return false;
    if (!device->device()->quiescent()) return false;
  }
  // Every attack frame answered (or its connection gone): the tallies are final.
  for (const auto& adversary : adversaries) {
    if (!adversary->settled()) return false;
  }
  // The stores' heads, read once per check (copying a timeline per device was quadratic).
  std::map<std::uint32_t, engine::ClientMsgId> newest;  // conversation -> newest stored message
  for (const ConvEntry& conv : convs) {
    const auto timeline = server_at(topology.store_for_conv(conv.id))->store()->timeline(conv.id);
    if (!timeline.empty()) newest[conv.id.value] = timeline.back().msg.id;
  }
  std::map<std::uint32_t, engine::InboxSeq> inbox_head;  // user -> last retained inbox_seq
  for (const UserEntry& user : users) {
    const auto inbox = server_at(topology.store_for_user(user.id))->store()->inbox(user.id);
    if (!inbox.empty()) inbox_head[user.id.value] = inbox.back().inbox_seq;
  }
  for (const auto& device : devices) {
    if (!device_caught_up(*device, newest, inbox_head)) return false;
  }
  return true;
}

// The device has applied its inbox up to the head and shows the newest stored message of every
// conversation of its user.
bool World::device_caught_up(const DeviceHost& device,
                             const std::map<std::uint32_t, engine::ClientMsgId>& newest,
                             const std::map<std::uint32_t, engine::InboxSeq>& inbox_head) const {
  const engine::UserId user = users[device.user()].id;
  if (auto it = inbox_head.find(user.value);
      it != inbox_head.end() && device.device()->checkpoint() < it->second) {
    return false;
  }
  for (const engine::ConvId conv : topology.conversations_of(user)) {
    auto it = newest.find(conv.value);
    if (it == newest.end()) continue;
    const auto view = device.device()->view(conv);
    if (view.empty() || view.back() != it->second) return false;
  }
  return true;
}

void World::finish(RunResult& result, bool quiesced) {
  collect_counters(result);
  recorder.finish(quiesced, result.counters);
  result.trace_hash = sim.trace_hash();
  result.seed = config.seed;
  result.sim_time_ns = sim.now().ns();
  result.events_executed = sim.events_executed();
  result.quiesced = quiesced;
  result.messages_sent = recorder.sent;
  result.displays = recorder.displays;
  for (const auto& [msg, acked] : recorder.final_status_acked) {
    (acked ? result.messages_acked : result.messages_failed)++;
  }
  for (const ConvEntry& conv : convs) {
    const ServerHost* store = server_at(topology.store_for_conv(conv.id));
    result.messages_stored += store->store()->timeline(conv.id).size();
  }
  if (config.adversaries.count > 0) {
    AdversaryReport report;
    for (const auto& kind : kAttackKindNames) report.attacks[kind];  // every kind, even unused
    for (const auto& adversary : adversaries) adversary->report(report);
    result.adversary = std::move(report);
  }
  result.swarm_parameters = swarm_parameters;
  result.fault_schedule = fault_schedule;
  if (record_trace) result.trace_log = std::move(trace_log);
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
  c = retired_counters;
  result.coverage = retired_coverage;
  const auto& net = sim.network().counters();
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
  for (const auto& server : servers) {
    if (!server->up()) continue;
    add_server_counters(*server, c, result.coverage);
    // Live bytes, not a sum over lives: what the stores hold at the end.
    if (server->store() != nullptr)
      c["bytes_stored"] += server->store()->store_counters().bytes_stored;
  }
  for (const auto& device : devices) {
    if (device->exists()) add_device_counters(*device, c, result.coverage);
  }
  for (const auto& [name, value] : model_counters) c[name] += value;
}

// ---- Small shared helpers ------------------------------------------------------------------

sim::Duration World::storage_latency(sim::Rng& rng, bool device) {
  const std::int64_t lo = device ? kDeviceStorageLatencyMin_ns : kServerStorageLatencyMin_ns;
  const std::int64_t hi = device ? kDeviceStorageLatencyMax_ns : kServerStorageLatencyMax_ns;
  return sim::Duration::from_ns(sim::uniform_int(rng, lo, hi));
}

NodeHost* World::host_at(sim::EndpointId endpoint) const {
  if (endpoint.value >= host_by_endpoint.size()) return nullptr;
  return host_by_endpoint[endpoint.value];
}

ServerHost* World::server_at(engine::Address address) const {
  auto it = server_index.find(address);
  return it == server_index.end() ? nullptr : servers[it->second].get();
}

DeviceHost* World::device_on_node(sim::NodeId node) const {
  // Servers come first in node order, then devices in index order.
  const std::size_t first_device = servers.size();
  if (node.value < first_device) return nullptr;
  const std::size_t index = node.value - first_device;
  return index < devices.size() ? devices[index].get() : nullptr;
}

sim::LatencyModel latency_model(const Distribution& d) {
  using sim::Duration;
  sim::LatencyModel model;
  switch (d.kind) {
    case DistributionKind::kConstant:
      model = sim::LatencyModel::constant(Duration::from_ns(d.value));
      break;
    case DistributionKind::kUniform:
      model = sim::LatencyModel::uniform(Duration::from_ns(d.min), Duration::from_ns(d.max));
      break;
    case DistributionKind::kExponential:
      model = sim::LatencyModel::exponential(Duration::from_ns(d.mean));
      break;
    case DistributionKind::kLognormal:
      model = sim::LatencyModel::lognormal(Duration::from_ns(d.median), d.sigma);
      break;
  }
  if (d.tail_p > 0) model = model.with_tail(d.tail_p, Duration::from_ns(d.tail), 0.0);
  return model;
}

std::int64_t sample(const Distribution& d, sim::Rng& rng) {
  double x = 0;
  switch (d.kind) {
    case DistributionKind::kConstant:
      x = static_cast<double>(d.value);
      break;
    case DistributionKind::kUniform:
      x = static_cast<double>(sim::uniform_int(rng, d.min, d.max));
      break;
    case DistributionKind::kExponential:
      x = sim::exponential(rng, static_cast<double>(d.mean));
      break;
    case DistributionKind::kLognormal:
      x = sim::lognormal(rng, static_cast<double>(d.median), d.sigma);
      break;
  }
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
      detail::World world(drawn, options);
      world.swarm_parameters = std::move(params);
      result = world.run();
    }
    result.drawn_config = std::move(drawn);
    return result;
  }
  detail::World world(config, options);
  return world.run();
}

}  // namespace imsim::model
