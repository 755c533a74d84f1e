// Hosts: carry engine outputs (Effects) onto the simulated network, timers and disk, and feed
// network, timer and disk events back into the engine. Frames travel as encoded bytes.
#include <span>
#include <variant>

#include "world_impl.hpp"

namespace imsim::model::detail {
// ---- NodeHost ------------------------------------------------------------------------------

NodeHost::NodeHost(World& world, std::string name, sim::NodeId node, sim::EndpointId endpoint,
                   std::int32_t lane)
    : world_(world),
      name_(std::move(name)),
      node_(node),
      endpoint_(endpoint),
      lane_(lane),
      storage_rng_(world.sim.fork_rng("storage").fork(name_)) {}

engine::LocalTime NodeHost::local_now() const {
  return engine::LocalTime::from_ns(world_.sim.local_now(node_).ns());
}

engine::DurableMap NodeHost::durable_contents() const {
  const auto& durable = world_.sim.disk(node_).durable_contents();
  return engine::DurableMap(durable.begin(), durable.end());
}

void NodeHost::apply(engine::Effects& fx) {
  // Sets before cancels: a timer set and cancelled by one call must end up cancelled.
  for (const auto& timer : fx.timers_set) set_timer(timer);
  for (const auto& cancel : fx.timers_cancelled) {
    auto it = timers_.find(cancel.id.value);
    if (it == timers_.end()) continue;
    world_.sim.cancel(it->second.handle);
    timers_.erase(it);
  }
  for (const auto& op : fx.storage) start_storage(op);
  for (const auto& frame : fx.frames) send_frame(frame);
  apply_extra(fx);
}

void NodeHost::send_frame(const engine::SendFrame& frame) {
  std::string bytes(frame.bytes.begin(), frame.bytes.end());
  auto& network = world_.sim.network();
  if (const auto* address = std::get_if<engine::Address>(&frame.to)) {
    const ServerHost* to = world_.server_at(*address);
    IMSIM_ASSERT(to != nullptr);
    if (world_.record_trace) world_.recorder.frame_sent(*this, to->endpoint(), bytes);
    network.send(endpoint_, to->endpoint(), std::move(bytes));
    return;
  }
  const sim::ConnId conn = to_sim(std::get<engine::ConnId>(frame.to));
  if (!network.is_open_at(conn, endpoint_)) {
    world_.count("model.frames_on_dead_connection");
    return;
  }
  if (world_.record_trace) {
    world_.recorder.frame_sent(*this, network.peer_of(conn, endpoint_), bytes);
  }
  network.send_on(conn, endpoint_, std::move(bytes));
}

void NodeHost::set_timer(const engine::SetTimer& timer) {
  const std::uint64_t id = timer.id.value;
  IMSIM_ASSERT(!timers_.contains(id));
  timers_[id] = PendingTimer{arm_timer(id, timer.deadline), timer.deadline};
}

sim::TimerId NodeHost::arm_timer(std::uint64_t id, engine::LocalTime deadline) {
  return world_.sim.schedule_at_local(node_, sim::LocalTime::from_ns(deadline.ns()), [this, id] {
    timers_.erase(id);
    engine::Effects fx;
    fire_timer(engine::TimerId(id), fx);
    apply(fx);
  });
}

void NodeHost::clock_stepped() {
  // In engine timer id order: deterministic, whatever the sim's handles are.
  for (auto& [id, timer] : timers_) {
    const bool cancelled = world_.sim.cancel(timer.handle);
    IMSIM_ASSERT(cancelled);  // a fired timer is no longer in timers_
    timer.handle = arm_timer(id, timer.deadline);
  }
}

void NodeHost::start_storage(const engine::StorageOp& op) {
  auto& disk = world_.sim.disk(node_);
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
  const bool is_device = world_.device_on_node(node_) != nullptr;
  // The op completes after a storage latency, durably for its own key only: ops on different
  // keys become durable in any order, as engine/effects.hpp allows. A crash before then cancels
  // this timer and drops the unsynced write.
  world_.sim.schedule_after(node_, world_.storage_latency(storage_rng_, is_device),
                            [this, op_id, key = std::move(key)] {
                              world_.sim.disk(node_).sync_key(key);
                              engine::Effects fx;
                              storage_done(engine::OpId(op_id), fx);
                              apply(fx);
                            });
}

// ---- ServerHost ----------------------------------------------------------------------------

ServerHost::ServerHost(World& world, engine::Address address, std::string name, sim::NodeId node,
                       sim::EndpointId endpoint, std::int32_t lane)
    : NodeHost(world, std::move(name), node, endpoint, lane),
      address_(address),
      random_(world.sim.fork_rng("engine/" + this->name())) {}

void ServerHost::start() {
  IMSIM_ASSERT(role_ == nullptr);
  IMSIM_ASSERT(world_.sim.is_up(node()));
  const auto& config = world_.engine_config;
  const auto& topology = world_.topology;
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
  add_server_counters(*this, world_.retired_counters, world_.retired_coverage);
  world_.sim.crash(node(), sim::CrashOptions{.tear_last_write = tear_last_write});
  forget_timers();
  role_.reset();
  gateway_ = nullptr;
  queue_ = nullptr;
  store_ = nullptr;
}

void ServerHost::on_datagram(sim::EndpointId from, std::string bytes) {
  if (role_ == nullptr) return;
  const auto* sender = dynamic_cast<const ServerHost*>(world_.host_at(from));
  IMSIM_ASSERT_MSG(sender != nullptr, "datagram from a non-server endpoint");
  if (world_.record_trace) world_.recorder.frame_arrived(from, *this, bytes);
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
      if (world_.record_trace) {
        world_.recorder.frame_arrived(world_.sim.network().peer_of(conn, endpoint()), *this,
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
    if (world_.sim.network().is_live(conn)) world_.sim.network().close(conn, endpoint());
  }
}

}  // namespace imsim::model::detail
