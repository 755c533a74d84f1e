// Hosts: carry engine outputs (Effects) onto the simulated network, timers and disk, and feed
// network, timer and disk events back into the engine. Frames travel as encoded bytes.
#include "hosts.hpp"

#include <span>
#include <variant>

namespace imsim::model::detail {
// ---- NodeHost ------------------------------------------------------------------------------

NodeHost::NodeHost(HostEnv& env, std::string name, sim::NodeId node, sim::EndpointId endpoint,
                   std::int32_t lane)
    : env_(env),
      name_(std::move(name)),
      node_(node),
      endpoint_(endpoint),
      lane_(lane),
      storage_rng_(env.sim.fork_rng("storage").fork(name_)) {}

sim::Duration NodeHost::storage_latency(sim::Rng& rng, bool device) {
  const std::int64_t lo = device ? kDeviceStorageLatencyMin_ns : kServerStorageLatencyMin_ns;
  const std::int64_t hi = device ? kDeviceStorageLatencyMax_ns : kServerStorageLatencyMax_ns;
  return sim::Duration::from_ns(sim::uniform_int(rng, lo, hi));
}

engine::LocalTime NodeHost::local_now() const {
  return engine::LocalTime::from_ns(env_.sim.local_now(node_).ns());
}

engine::DurableMap NodeHost::durable_contents() const {
  const auto& durable = env_.sim.disk(node_).durable_contents();
  return engine::DurableMap(durable.begin(), durable.end());
}

void NodeHost::apply(engine::Effects& fx) {
  // Sets before cancels: a timer set and cancelled by one call must end up cancelled.
  for (const auto& timer : fx.timers_set) set_timer(timer);
  for (const auto& cancel : fx.timers_cancelled) {
    auto it = timers_.find(cancel.id.value);
    if (it == timers_.end()) continue;
    env_.sim.cancel(it->second.handle);
    timers_.erase(it);
  }
  for (const auto& op : fx.storage) start_storage(op);
  for (const auto& frame : fx.frames) send_frame(frame);
  apply_extra(fx);
}

void NodeHost::send_frame(const engine::SendFrame& frame) {
  std::string bytes(frame.bytes.begin(), frame.bytes.end());
  auto& network = env_.sim.network();
  if (const auto* address = std::get_if<engine::Address>(&frame.to)) {
    const ServerHost* to = env_.hosts.server_at(*address);
    IMSIM_ASSERT(to != nullptr);
    if (env_.trace != nullptr) env_.trace->frame_sent(endpoint_, to->endpoint(), bytes);
    network.send(endpoint_, to->endpoint(), std::move(bytes));
    return;
  }
  const sim::ConnId conn = to_sim(std::get<engine::ConnId>(frame.to));
  if (!network.is_open_at(conn, endpoint_)) {
    env_.counters.count("model.frames_on_dead_connection");
    return;
  }
  if (env_.trace != nullptr) {
    env_.trace->frame_sent(endpoint_, network.peer_of(conn, endpoint_), bytes);
  }
  network.send_on(conn, endpoint_, std::move(bytes));
}

void NodeHost::set_timer(const engine::SetTimer& timer) {
  const std::uint64_t id = timer.id.value;
  IMSIM_ASSERT(!timers_.contains(id));
  timers_[id] = PendingTimer{arm_timer(id, timer.deadline), timer.deadline};
}

sim::TimerId NodeHost::arm_timer(std::uint64_t id, engine::LocalTime deadline) {
  return env_.sim.schedule_at_local(node_, sim::LocalTime::from_ns(deadline.ns()), [this, id] {
    timers_.erase(id);
    engine::Effects fx;
    fire_timer(engine::TimerId(id), fx);
    apply(fx);
  });
}

void NodeHost::clock_stepped() {
  // In engine timer id order: deterministic, whatever the sim's handles are.
  for (auto& [id, timer] : timers_) {
    const bool cancelled = env_.sim.cancel(timer.handle);
    IMSIM_ASSERT(cancelled);  // a fired timer is no longer in timers_
    timer.handle = arm_timer(id, timer.deadline);
  }
}

void NodeHost::start_storage(const engine::StorageOp& op) {
  auto& disk = env_.sim.disk(node_);
  std::uint64_t op_id = 0;
  std::string key;
  if (const auto* write = std::get_if<engine::StorageWrite>(&op)) {
    disk.write(write->key, write->value);
    op_id = write->op.value;
    key = write->key;
  } else {
    const auto& erase = std::get<engine::StorageErase>(op);
    disk.erase(erase.key);
    op_id = erase.op.value;
    key = erase.key;
  }
  const bool is_device = env_.hosts.device_on_node(node_) != nullptr;
  // The op completes after a storage latency, durably for its own key only: ops on different
  // keys become durable in any order, as engine/effects.hpp allows. A crash before then cancels
  // this timer and drops the unsynced write.
  env_.sim.schedule_after(node_, storage_latency(storage_rng_, is_device),
                          [this, op_id, key = std::move(key)] {
                            env_.sim.disk(node_).sync_key(key);
                            engine::Effects fx;
                            storage_done(engine::OpId(op_id), fx);
                            apply(fx);
                          });
}

// ---- ServerHost ----------------------------------------------------------------------------

ServerHost::ServerHost(HostEnv& env, engine::Address address, std::string name, sim::NodeId node,
                       sim::EndpointId endpoint, std::int32_t lane)
    : NodeHost(env, std::move(name), node, endpoint, lane),
      address_(address),
      random_(env.sim.fork_rng("engine/" + this->name())) {}

void ServerHost::start() {
  IMSIM_ASSERT(role_ == nullptr);
  IMSIM_ASSERT(env_.sim.is_up(node()));
  const auto& config = env_.engine_config;
  const auto& topology = env_.population.topology();
  gateway_ = nullptr;
  queue_ = nullptr;
  store_ = nullptr;
  switch (address_.kind) {
    case engine::RoleKind::gateway: {
      auto role = std::make_unique<engine::Gateway>(config, topology, address_.index, &random_);
      gateway_ = role.get();
      role_ = std::move(role);
      break;
    }
    case engine::RoleKind::queue: {
      auto role = std::make_unique<engine::Queue>(config, topology, address_.index, &random_);
      queue_ = role.get();
      role_ = std::move(role);
      break;
    }
    case engine::RoleKind::processor:
      role_ = std::make_unique<engine::Processor>(config, topology, address_.index, &random_);
      break;
    case engine::RoleKind::store: {
      auto role =
          std::make_unique<engine::TimelineStore>(config, topology, address_.index, &random_);
      store_ = role.get();
      role_ = std::move(role);
      break;
    }
  }
  engine::Effects fx;
  role_->recover(durable_contents(), local_now(), fx);
  apply(fx);
}

void ServerHost::crash(bool tear_last_write) {
  IMSIM_ASSERT(role_ != nullptr);
  env_.counters.retire(*this);
  env_.sim.crash(node(), sim::CrashOptions{.tear_last_write = tear_last_write});
  forget_timers();
  role_.reset();
  gateway_ = nullptr;
  queue_ = nullptr;
  store_ = nullptr;
}

void ServerHost::on_datagram(sim::EndpointId from, std::string bytes) {
  if (role_ == nullptr) return;
  const auto* sender = dynamic_cast<const ServerHost*>(env_.hosts.host_at(from));
  IMSIM_ASSERT_MSG(sender != nullptr, "datagram from a non-server endpoint");
  if (env_.trace != nullptr) env_.trace->frame_arrived(from, endpoint(), bytes);
  engine::Effects fx;
  role_->on_datagram(sender->address(), as_span(bytes), local_now(), fx);
  apply(fx);
}

void ServerHost::on_conn_event(sim::ConnId conn, sim::ConnEvent event) {
  if (gateway_ == nullptr) return;
  const engine::ConnId id = to_engine(conn);
  engine::Effects fx;
  switch (event.kind) {
    case sim::ConnEventKind::opened:
      gateway_->on_conn_opened(id, local_now(), fx);
      break;
    case sim::ConnEventKind::data:
      if (env_.trace != nullptr) {
        env_.trace->frame_arrived(env_.sim.network().peer_of(conn, endpoint()), endpoint(),
                                  event.bytes);
      }
      gateway_->on_conn_frame(id, as_span(event.bytes), local_now(), fx);
      break;
    case sim::ConnEventKind::closed:
    case sim::ConnEventKind::reset:
      gateway_->on_conn_closed(id, local_now(), fx);
      break;
    case sim::ConnEventKind::failed:
      break;  // only initiators (devices) observe failures
  }
  apply(fx);
}

void ServerHost::fire_timer(engine::TimerId id, engine::Effects& fx) {
  IMSIM_ASSERT(role_ != nullptr);
  role_->on_timer(id, local_now(), fx);
}

void ServerHost::storage_done(engine::OpId op, engine::Effects& fx) {
  IMSIM_ASSERT(role_ != nullptr);
  role_->on_storage_done(op, local_now(), fx);
}

void ServerHost::apply_extra(engine::Effects& fx) {
  IMSIM_ASSERT(fx.connects.empty());
  IMSIM_ASSERT(fx.observations.empty());
  for (const auto& disconnect : fx.disconnects) {
    const sim::ConnId conn = to_sim(disconnect.conn);
    if (env_.sim.network().is_live(conn)) env_.sim.network().close(conn, endpoint());
  }
}

}  // namespace imsim::model::detail

namespace imsim::model::detail {

// ---- Hosts ---------------------------------------------------------------------------------

namespace {

std::int32_t lane_of(sim::NodeId node) {
  IMSIM_ASSERT(node.value <= static_cast<std::uint32_t>(INT32_MAX));
  return static_cast<std::int32_t>(node.value);
}

}  // namespace

Hosts::Hosts(sim::Simulator& sim, const WorldConfig& config, const engine::Config& engine_config,
             const Population& population, Recorder& recorder, TraceRecorder* trace,
             RunCounters& counters, DeviceEvents& events)
    : env_{sim, config, engine_config, population, *this, recorder, trace, counters, events} {
  add_servers(engine::RoleKind::gateway, config.topology.gateways, "gateway");
  add_servers(engine::RoleKind::queue, config.topology.queue_partitions, "queue");
  add_servers(engine::RoleKind::processor, config.topology.processors, "processor");
  add_servers(engine::RoleKind::store, config.topology.stores, "store");
  add_devices();
  add_adversaries();
  attach_handlers();
}

void Hosts::add_servers(engine::RoleKind kind, std::int32_t count, const char* prefix) {
  sim::Simulator& sim = env_.sim;
  for (std::int32_t i = 0; i < count; i++) {
    const std::string name = prefix + std::to_string(i);
    const sim::NodeId node = sim.add_node(name);
    const sim::EndpointId endpoint = sim.network().add_endpoint(node);
    const engine::Address address{kind, static_cast<std::uint32_t>(i)};
    server_index_[address] = static_cast<std::int32_t>(servers_.size());
    servers_.push_back(
        std::make_unique<ServerHost>(env_, address, name, node, endpoint, lane_of(node)));
    node_by_name_[name] = node;
    if (env_.trace != nullptr) env_.trace->add_lane(name, "servers");
    const auto& clocks = env_.config.topology.server_clocks;
    if (auto it = clocks.find(name); it != clocks.end()) {
      sim.clock(node).set_offset(sim.now(), sim::Duration::from_ns(it->second.offset_ns));
      sim.clock(node).set_drift_ppm(sim.now(), it->second.drift_ppm);
    }
  }
}

void Hosts::add_devices() {
  sim::Simulator& sim = env_.sim;
  const auto& plans = env_.population.device_plans();
  for (std::size_t i = 0; i < plans.size(); i++) {
    const DevicePlan& plan = plans[i];
    const sim::NodeId node = sim.add_node(plan.name);
    const sim::EndpointId endpoint = sim.network().add_endpoint(node);
    devices_.push_back(std::make_unique<DeviceHost>(env_, static_cast<std::int32_t>(i), plan.user,
                                                    plan.id, plan.name, node, endpoint,
                                                    lane_of(node)));
    node_by_name_[plan.name] = node;
    if (env_.trace != nullptr) env_.trace->add_lane(plan.name, "devices");
    sim.clock(node).set_offset(sim.now(), sim::Duration::from_ns(plan.clock.offset_ns));
    sim.clock(node).set_drift_ppm(sim.now(), plan.clock.drift_ppm);
  }
}

void Hosts::add_adversaries() {
  sim::Simulator& sim = env_.sim;
  for (const AdversaryPlan& plan : env_.population.adversary_plans()) {
    // Not in node_by_name_: faults and swarm draws never name an adversary.
    const sim::NodeId node = sim.add_node(plan.name);
    const sim::EndpointId endpoint = sim.network().add_endpoint(node);
    adversaries_.push_back(std::make_unique<AdversaryHost>(env_, plan.id, plan.name, node, endpoint,
                                                           lane_of(node), plan.mix));
    if (env_.trace != nullptr) env_.trace->add_lane(plan.name, "adversaries");
  }
}

void Hosts::attach_handlers() {
  auto& network = env_.sim.network();
  host_by_endpoint_.resize(network.endpoint_count(), nullptr);
  for (auto& server : servers_) {
    ServerHost* host = server.get();
    host_by_endpoint_[host->endpoint().value] = host;
    network.set_datagram_handler(host->endpoint(), [host](sim::EndpointId from, std::string bytes) {
      host->on_datagram(from, std::move(bytes));
    });
    network.set_conn_handler(host->endpoint(), [host](sim::ConnId conn, sim::ConnEvent event) {
      host->on_conn_event(conn, std::move(event));
    });
  }
  // Devices and adversaries talk over connections only.
  const auto attach = [this, &network](auto* host) {
    host_by_endpoint_[host->endpoint().value] = host;
    network.set_conn_handler(host->endpoint(), [host](sim::ConnId conn, sim::ConnEvent event) {
      host->on_conn_event(conn, std::move(event));
    });
  };
  for (auto& device : devices_) attach(device.get());
  for (auto& adversary : adversaries_) attach(adversary.get());
  for (const NodeHost* host : host_by_endpoint_) IMSIM_ASSERT(host != nullptr);
}

DeviceHost& Hosts::device(std::int32_t index) const {
  IMSIM_ASSERT(index >= 0 && static_cast<std::size_t>(index) < devices_.size());
  return *devices_[static_cast<std::size_t>(index)];
}

NodeHost* Hosts::host_at(sim::EndpointId endpoint) const {
  if (endpoint.value >= host_by_endpoint_.size()) return nullptr;
  return host_by_endpoint_[endpoint.value];
}

ServerHost* Hosts::server_at(engine::Address address) const {
  auto it = server_index_.find(address);
  return it == server_index_.end() ? nullptr : servers_[static_cast<std::size_t>(it->second)].get();
}

DeviceHost* Hosts::device_on_node(sim::NodeId node) const {
  // Servers come first in node order, then devices in index order.
  const std::size_t first_device = servers_.size();
  if (node.value < first_device) return nullptr;
  const std::size_t index = node.value - first_device;
  return index < devices_.size() ? devices_[index].get() : nullptr;
}

sim::NodeId Hosts::node_named(const std::string& name) const {
  auto it = node_by_name_.find(name);
  IMSIM_ASSERT_MSG(it != node_by_name_.end(), "fault names an unknown node");
  return it->second;
}

DeviceHost& Hosts::device_named(const std::string& name) const {
  DeviceHost* found = device_on_node(node_named(name));
  IMSIM_ASSERT_MSG(found != nullptr, "device fault names a server");
  return *found;
}

NodeHost& Hosts::host_named(const std::string& name) const {
  const sim::NodeId node = node_named(name);
  if (node.value < servers_.size()) return *servers_[node.value];
  return device_named(name);
}

ServerHost& Hosts::server_named(const std::string& name) const {
  const sim::NodeId node = node_named(name);
  IMSIM_ASSERT_MSG(node.value < servers_.size(), "server fault names a device");
  return *servers_[node.value];
}

bool Hosts::quiescent() const {
  for (const auto& server : servers_) {
    if (!server->up()) return false;
    if (server->queue() != nullptr && server->queue()->pending_count() != 0) return false;
  }
  for (const auto& host : devices_) {
    if (!host->exists() || !host->online()) return false;
    if (!host->device()->quiescent()) return false;
  }
  // Every attack frame answered (or its connection gone): the tallies are final.
  for (const auto& adversary : adversaries_) {
    if (!adversary->settled()) return false;
  }
  // The stores' heads, read once per check (copying a timeline per device was quadratic).
  const engine::Topology& topology = env_.population.topology();
  std::map<std::uint32_t, engine::ClientMsgId> newest;  // conversation -> newest stored message
  for (const ConvEntry& conv : env_.population.convs()) {
    const auto timeline = server_at(topology.store_for_conv(conv.id))->store()->timeline(conv.id);
    if (!timeline.empty()) newest[conv.id.value] = timeline.back().msg.id;
  }
  std::map<std::uint32_t, engine::InboxSeq> inbox_head;  // user -> last retained inbox_seq
  for (const UserEntry& user : env_.population.users()) {
    const auto inbox = server_at(topology.store_for_user(user.id))->store()->inbox(user.id);
    if (!inbox.empty()) inbox_head[user.id.value] = inbox.back().inbox_seq;
  }
  for (const auto& host : devices_) {
    if (!device_caught_up(*host, newest, inbox_head)) return false;
  }
  return true;
}

// The device has applied its inbox up to the head and shows the newest stored message of every
// conversation of its user.
bool Hosts::device_caught_up(const DeviceHost& host,
                             const std::map<std::uint32_t, engine::ClientMsgId>& newest,
                             const std::map<std::uint32_t, engine::InboxSeq>& inbox_head) const {
  const engine::UserId user = env_.population.user(host.user()).id;
  if (auto it = inbox_head.find(user.value);
      it != inbox_head.end() && host.device()->checkpoint() < it->second) {
    return false;
  }
  for (const engine::ConvId conv : env_.population.topology().conversations_of(user)) {
    auto it = newest.find(conv.value);
    if (it == newest.end()) continue;
    const auto view = host.device()->view(conv);
    if (view.empty() || view.back() != it->second) return false;
  }
  return true;
}

void Hosts::add_live_counters(std::map<std::string, std::uint64_t>& c,
                              engine::CoverageCounts& coverage) const {
  for (const auto& server : servers_) {
    if (!server->up()) continue;
    add_server_counters(*server, c, coverage);
    // Live bytes, not a sum over lives: what the stores hold at the end.
    if (server->store() != nullptr)
      c["bytes_stored"] += server->store()->store_counters().bytes_stored;
  }
  for (const auto& host : devices_) {
    if (host->exists()) add_device_counters(*host, c, coverage);
  }
}

}  // namespace imsim::model::detail
