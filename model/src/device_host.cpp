// DeviceHost: one device's app on a sim node. App kill = node crash + immediate relaunch from
// the durable local store; reinstall = wipe the disk and relaunch as a new incarnation.
#include <span>
#include <variant>

#include "hosts.hpp"

namespace imsim::model::detail {
DeviceHost::DeviceHost(HostEnv& env, std::int32_t index, std::int32_t user, engine::DeviceId id,
                       std::string name, sim::NodeId node, sim::EndpointId endpoint,
                       std::int32_t lane)
    : NodeHost(env, std::move(name), node, endpoint, lane),
      index_(index),
      user_(user),
      id_(id),
      random_(env.sim.fork_rng("engine/" + this->name())) {}

void DeviceHost::launch(bool fresh) {
  IMSIM_ASSERT(device_ == nullptr);
  engine::DeviceOptions options{
      .incarnation = engine::Incarnation(incarnation_),
      .token = env_.population.topology().device_token(id_, engine::Incarnation(incarnation_))};
  device_ = std::make_unique<engine::Device>(env_.engine_config, env_.population.topology(), id_,
                                             options, &random_);
  engine::Effects fx;
  device_->recover(fresh ? engine::DurableMap{} : durable_contents(), local_now(), fx);
  apply(fx);
  if (wants_online_) {
    engine::Effects online_fx;
    device_->go_online(local_now(), online_fx);
    apply(online_fx);
  }
  note_online_transition();
}

void DeviceHost::login() {
  IMSIM_ASSERT(device_ == nullptr);
  const auto& plan = env_.population.device_plan(index_);
  // A device that appears mid-run is a new install: its history starts with `reinstall`.
  if (plan.login_at_ns.has_value()) env_.recorder.lifecycle(ref(), "reinstall");
  wants_online_ = !plan.login_at_ns.has_value() ? plan.online_at_start : true;
  launch(/*fresh=*/true);
  if (plan.login_at_ns.has_value()) env_.events.fresh_install(*this);
}

void DeviceHost::kill() {
  if (device_ == nullptr) return;
  env_.counters.retire(*this);
  env_.recorder.lifecycle(ref(), "kill");
  recorded_online_ = false;
  device_.reset();
  env_.sim.crash(node());
  forget_timers();
  env_.sim.restart(node());
  launch(/*fresh=*/false);
  env_.recorder.reconcile_views(ref(), *device_);
}

void DeviceHost::reinstall() {
  if (device_ == nullptr) return;
  env_.counters.retire(*this);
  env_.recorder.lifecycle(ref(), "reinstall");
  recorded_online_ = false;
  device_.reset();
  env_.sim.crash(node());
  forget_timers();
  auto& disk = env_.sim.disk(node());
  std::vector<std::string> keys;
  for (const auto& [key, value] : disk.durable_contents()) keys.push_back(key);
  for (auto& key : keys) disk.erase(std::move(key));
  disk.sync();
  incarnation_++;
  env_.sim.restart(node());
  launch(/*fresh=*/true);
  env_.events.fresh_install(*this);
}

void DeviceHost::page_back_all() {
  IMSIM_ASSERT(device_ != nullptr);
  engine::Effects fx;
  for (const engine::ConvId conv :
       env_.population.topology().conversations_of(env_.population.user(user_).id)) {
    device_->page_back(conv, local_now(), fx);
  }
  apply(fx);
}

void DeviceHost::set_online(bool online) {
  wants_online_ = online;
  if (device_ == nullptr) return;
  engine::Effects fx;
  if (online) {
    device_->go_online(local_now(), fx);
  } else {
    device_->go_offline(local_now(), fx);
  }
  apply(fx);
  note_online_transition();
}

void DeviceHost::reset_connection() {
  auto& network = env_.sim.network();
  for (sim::ConnId conn : network.conns_of(endpoint())) network.reset(conn);
}

std::optional<engine::ClientMsgId> DeviceHost::send(engine::ConvId conv, std::string body) {
  IMSIM_ASSERT(device_ != nullptr);
  engine::Effects fx;
  const engine::SendOutcome outcome = device_->send(conv, std::move(body), local_now(), fx);
  if (!outcome.ok()) {
    IMSIM_ASSERT(fx.empty());
    return std::nullopt;
  }
  // The `send` event is recorded at the engine's LocalEcho (the outbox entry is durable), before
  // the message first leaves the device.
  apply(fx);
  note_online_transition();
  return outcome.msg;
}

void DeviceHost::on_conn_event(sim::ConnId conn, sim::ConnEvent event) {
  if (device_ == nullptr) return;
  const engine::ConnId id = to_engine(conn);
  engine::Effects fx;
  switch (event.kind) {
    case sim::ConnEventKind::opened:
      device_->on_connected(id, local_now(), fx);
      break;
    case sim::ConnEventKind::failed:
      device_->on_connect_failed(local_now(), fx);
      break;
    case sim::ConnEventKind::data:
      if (env_.trace != nullptr) {
        env_.trace->frame_arrived(env_.sim.network().peer_of(conn, endpoint()), endpoint(),
                                  event.bytes);
      }
      device_->on_frame(id, as_span(event.bytes), local_now(), fx);
      break;
    case sim::ConnEventKind::closed:
    case sim::ConnEventKind::reset:
      device_->on_conn_closed(id, local_now(), fx);
      break;
  }
  apply(fx);
  note_online_transition();
}

void DeviceHost::fire_timer(engine::TimerId id, engine::Effects& fx) {
  IMSIM_ASSERT(device_ != nullptr);
  device_->on_timer(id, local_now(), fx);
}

void DeviceHost::storage_done(engine::OpId op, engine::Effects& fx) {
  IMSIM_ASSERT(device_ != nullptr);
  device_->on_storage_done(op, local_now(), fx);
}

void DeviceHost::apply_extra(engine::Effects& fx) {
  auto& network = env_.sim.network();
  for (const auto& connect : fx.connects) {
    const ServerHost* gateway =
        env_.hosts.server_at(engine::Address{engine::RoleKind::gateway, connect.gateway_index});
    IMSIM_ASSERT(gateway != nullptr);
    const sim::Transport transport =
        env_.config.network.device_transport == DeviceTransport::kDatagram
            ? sim::Transport::datagram
            : sim::Transport::stream;
    network.connect(endpoint(), gateway->endpoint(), transport);
  }
  for (const auto& disconnect : fx.disconnects) {
    const sim::ConnId conn = to_sim(disconnect.conn);
    if (network.is_live(conn)) network.close(conn, endpoint());
  }
  for (const auto& observation : fx.observations) env_.recorder.observe(ref(), observation);
  // Timer and storage callbacks end here too: note connectivity changes they caused.
  note_online_transition();
}

void DeviceHost::note_online_transition() {
  env_.events.note_reply_candidate(index_);
  const bool now_online = online();
  if (now_online == recorded_online_) return;
  recorded_online_ = now_online;
  env_.recorder.lifecycle(ref(), now_online ? "online" : "offline");
}

}  // namespace imsim::model::detail
