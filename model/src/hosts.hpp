#pragma once
// Hosts: the engine roles and devices on sim nodes. A NodeHost carries engine outputs (Effects)
// onto the simulated network, timers and disk, and feeds network, timer and disk events back
// into the engine (hosts.cpp, device_host.cpp, adversary.cpp). Hosts owns every host and
// answers "which host is at this endpoint / node / name".
#include <array>
#include <cstdint>
#include <imsim/engine/codec.hpp>
#include <imsim/engine/device.hpp>
#include <imsim/engine/gateway.hpp>
#include <imsim/engine/processor.hpp>
#include <imsim/engine/queue.hpp>
#include <imsim/engine/timeline_store.hpp>
#include <imsim/model/world.hpp>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "population.hpp"
#include "recorder.hpp"
#include "run_support.hpp"

namespace imsim::model::detail {

class Hosts;

// What a device's life tells the workload: whether it can reply may have changed; it is a
// fresh install (a reinstall or a new login), whose user may scroll back (page_back_p).
class DeviceEvents : public ReplyListener {
 public:
  virtual void fresh_install(DeviceHost& device) = 0;

 protected:
  ~DeviceEvents() = default;
};

// Everything a host reaches beyond its own node: the parts it reports to or reads.
struct HostEnv {
  sim::Simulator& sim;
  const WorldConfig& config;
  const engine::Config& engine_config;
  const Population& population;
  Hosts& hosts;
  Recorder& recorder;
  TraceRecorder* trace;  // null unless the trace log is recorded
  RunCounters& counters;
  DeviceEvents& events;
};

// Hands the engine its BUGGIFY randomness from a forked sim stream.
class EngineRandom final : public engine::Random {
 public:
  explicit EngineRandom(sim::Rng rng) : rng_(rng) {}
  std::uint64_t next_u64() override { return rng_.next_u64(); }

 private:
  sim::Rng rng_;
};

// What every hosted state machine shares: a sim node with one endpoint, timers, a disk.
class NodeHost {
 public:
  NodeHost(HostEnv& env, std::string name, sim::NodeId node, sim::EndpointId endpoint,
           std::int32_t lane);
  virtual ~NodeHost() = default;

  const std::string& name() const { return name_; }
  sim::NodeId node() const { return node_; }
  sim::EndpointId endpoint() const { return endpoint_; }
  std::int32_t lane() const { return lane_; }
  engine::LocalTime local_now() const;

  // Carries out what the engine asked for. Frames, timers and storage are common; connects,
  // disconnects and observations are the subclass's.
  void apply(engine::Effects& fx);
  // The node crashed: its sim timers are gone already; forget their ids.
  void forget_timers() { timers_.clear(); }
  // The node's clock was stepped: an engine timer is a deadline on the local clock, so each
  // pending one fires when the stepped clock reaches it (earlier after a step forward, later
  // after a step back), as a timer armed against a wall clock does.
  void clock_stepped();

 protected:
  virtual void fire_timer(engine::TimerId id, engine::Effects& fx) = 0;
  virtual void storage_done(engine::OpId op, engine::Effects& fx) = 0;
  virtual void apply_extra(engine::Effects& fx) = 0;
  engine::DurableMap durable_contents() const;

  // A crash or relaunch drops the engine state; its storage latency depends on the node kind.
  static sim::Duration storage_latency(sim::Rng& rng, bool device);

  HostEnv& env_;

 private:
  void send_frame(const engine::SendFrame& frame);
  void set_timer(const engine::SetTimer& timer);
  sim::TimerId arm_timer(std::uint64_t id, engine::LocalTime deadline);
  void start_storage(const engine::StorageOp& op);

  std::string name_;
  sim::NodeId node_;
  sim::EndpointId endpoint_;
  std::int32_t lane_;
  // The node's own storage-latency stream ("storage" forked by node name): one node's storage
  // ops never shift another's latencies, so removing a fault (shrinking) perturbs little.
  sim::Rng storage_rng_;
  struct PendingTimer {
    sim::TimerId handle;
    engine::LocalTime deadline;
  };
  std::map<std::uint64_t, PendingTimer> timers_;  // engine timer id -> sim timer
};

class ServerHost final : public NodeHost {
 public:
  ServerHost(HostEnv& env, engine::Address address, std::string name, sim::NodeId node,
             sim::EndpointId endpoint, std::int32_t lane);

  engine::Address address() const { return address_; }
  engine::ServerRole* role() const { return role_.get(); }
  engine::Gateway* gateway() const { return gateway_; }
  engine::Queue* queue() const { return queue_; }
  engine::TimelineStore* store() const { return store_; }
  bool up() const { return role_ != nullptr; }

  void start();  // (re)constructs the role and recovers it from the durable disk
  void crash(bool tear_last_write);
  void on_datagram(sim::EndpointId from, std::string bytes);
  void on_conn_event(sim::ConnId conn, sim::ConnEvent event);

 private:
  void fire_timer(engine::TimerId id, engine::Effects& fx) override;
  void storage_done(engine::OpId op, engine::Effects& fx) override;
  void apply_extra(engine::Effects& fx) override;

  engine::Address address_;
  std::unique_ptr<engine::ServerRole> role_;
  engine::Gateway* gateway_ = nullptr;
  engine::Queue* queue_ = nullptr;
  engine::TimelineStore* store_ = nullptr;
  EngineRandom random_;
};

class DeviceHost final : public NodeHost {
 public:
  DeviceHost(HostEnv& env, std::int32_t index, std::int32_t user, engine::DeviceId id,
             std::string name, sim::NodeId node, sim::EndpointId endpoint, std::int32_t lane);

  std::int32_t index() const { return index_; }
  std::int32_t user() const { return user_; }
  engine::DeviceId id() const { return id_; }
  engine::Device* device() const { return device_.get(); }
  bool exists() const { return device_ != nullptr; }
  bool wants_online() const { return wants_online_; }
  bool online() const { return device_ != nullptr && device_->online(); }
  DeviceRef ref() const { return DeviceRef{index_, node()}; }

  void login();      // a new device (or a device present from the start) comes to life
  void kill();       // app killed and relaunched at once; durable local state survives
  void reinstall();  // local state wiped; a new incarnation
  void set_online(bool online);
  void reset_connection();
  void page_back_all();  // the user scrolls every conversation back to its first message
  std::optional<engine::ClientMsgId> send(engine::ConvId conv, std::string body);

  void on_conn_event(sim::ConnId conn, sim::ConnEvent event);

 private:
  void fire_timer(engine::TimerId id, engine::Effects& fx) override;
  void storage_done(engine::OpId op, engine::Effects& fx) override;
  void apply_extra(engine::Effects& fx) override;
  void launch(bool fresh);  // constructs the Device and recovers it
  void note_online_transition();

  std::int32_t index_;
  std::int32_t user_;
  engine::DeviceId id_;
  std::unique_ptr<engine::Device> device_;
  EngineRandom random_;
  std::uint32_t incarnation_ = 0;
  bool wants_online_ = false;
  bool recorded_online_ = false;
};

// An adversarial device (WorldConfig::adversaries): raw frames to a gateway over a simulated
// connection, one attack at a time, each answer tallied (adversary.cpp).
class AdversaryHost final : public NodeHost {
 public:
  AdversaryHost(HostEnv& env, engine::DeviceId id, std::string name, sim::NodeId node,
                sim::EndpointId endpoint, std::int32_t lane, std::vector<AttackKind> mix);

  engine::DeviceId id() const { return id_; }
  const std::vector<AttackKind>& mix() const { return mix_; }
  void start();  // connects and schedules the first attack
  void stop();   // the safety phase is over: no further attack
  // Nothing is waiting for an answer on a live connection.
  bool settled() const { return outstanding_count() == 0; }
  void on_conn_event(sim::ConnId conn, sim::ConnEvent event);
  // Adds this adversary's tallies; what still waits for an answer counts as unanswered.
  void report(AdversaryReport& out) const;

 private:
  void fire_timer(engine::TimerId, engine::Effects&) override {}
  void storage_done(engine::OpId, engine::Effects&) override {}
  void apply_extra(engine::Effects&) override {}
  void connect();
  void schedule_attack();
  void schedule_reconnect();
  void attack();
  void send_bytes(engine::Bytes bytes);
  void send_frame(const engine::Frame& frame) { send_bytes(engine::encode(frame)); }
  void send_own_hello();
  void on_frame(const std::string& bytes);
  void on_rejected(engine::RejectReason reason, std::optional<engine::ClientMsgId> msg);
  void settle(AttackKind kind, std::uint64_t AttackTally::*outcome);
  void begin(AttackKind kind);
  engine::ClientMsgId own_msg_id();
  std::optional<engine::ConvId> member_conv();
  engine::ConvId foreign_conv();
  engine::MessageData own_send(engine::ConvId conv, std::size_t body_bytes);
  std::size_t outstanding_count() const { return sends_.size() + (single_.has_value() ? 1 : 0); }

  engine::DeviceId id_;
  std::vector<AttackKind> mix_;
  sim::Rng rng_;
  std::array<AttackTally, kAttackKinds> tallies_{};
  std::optional<sim::ConnId> conn_;
  bool authenticated_ = false;
  bool stopped_ = false;
  bool replay_hello_next_ = false;   // replay: the captured Hello goes out on the next connection
  bool hello_after_reject_ = false;  // the replayed Hello is answered: then the own one goes out
  std::uint64_t nonce_ = 0;
  std::uint64_t next_counter_ = 0;
  std::uint64_t next_req_ = 0;
  std::uint64_t attacks_begun_ = 0;            // identifies the attack a no_ack timeout belongs to
  std::optional<std::string> captured_hello_;  // its own Hello of an earlier connection
  std::optional<std::string> captured_server_frame_;  // the latest frame the gateway sent it
  std::optional<AttackKind> single_;  // the one attack (not a tracked Send) awaiting its answer
  std::map<engine::ClientMsgId, AttackKind> sends_;  // Sends awaiting their answer, by id
};

class Hosts {
 public:
  // Adds a sim node, endpoint and host for every server (gateways, queues, processors, stores
  // in that order), every device of the population (in index order), then every adversary;
  // lanes of the trace log (if any) in the same order.
  Hosts(sim::Simulator& sim, const WorldConfig& config, const engine::Config& engine_config,
        const Population& population, Recorder& recorder, TraceRecorder* trace,
        RunCounters& counters, DeviceEvents& events);
  Hosts(const Hosts&) = delete;
  Hosts& operator=(const Hosts&) = delete;

  const std::vector<std::unique_ptr<ServerHost>>& servers() const { return servers_; }
  const std::vector<std::unique_ptr<DeviceHost>>& devices() const { return devices_; }
  const std::vector<std::unique_ptr<AdversaryHost>>& adversaries() const { return adversaries_; }
  DeviceHost& device(std::int32_t index) const;

  NodeHost* host_at(sim::EndpointId endpoint) const;
  ServerHost* server_at(engine::Address address) const;
  DeviceHost* device_on_node(sim::NodeId node) const;
  // Servers and devices by node name (adversaries have none a fault could name).
  bool has_node(const std::string& name) const { return node_by_name_.contains(name); }
  sim::NodeId node_named(const std::string& name) const;
  DeviceHost& device_named(const std::string& name) const;
  ServerHost& server_named(const std::string& name) const;
  NodeHost& host_named(const std::string& name) const;

  // Every server up with nothing queued, every device online and caught up with the stores,
  // every adversary's attacks answered.
  bool quiescent() const;
  // Adds the counters and coverage of every live role and device.
  void add_live_counters(std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage) const;

 private:
  void add_servers(engine::RoleKind kind, std::int32_t count, const char* prefix);
  void add_devices();
  void add_adversaries();
  void attach_handlers();
  bool device_caught_up(const DeviceHost& device,
                        const std::map<std::uint32_t, engine::ClientMsgId>& newest,
                        const std::map<std::uint32_t, engine::InboxSeq>& inbox_head) const;

  HostEnv env_;
  std::vector<std::unique_ptr<ServerHost>> servers_;
  std::vector<std::unique_ptr<DeviceHost>> devices_;
  std::vector<std::unique_ptr<AdversaryHost>> adversaries_;  // after every device, in node order
  std::map<engine::Address, std::int32_t> server_index_;     // address -> servers_[i]
  std::vector<NodeHost*> host_by_endpoint_;                  // endpoint value -> host
  std::map<std::string, sim::NodeId> node_by_name_;
};

}  // namespace imsim::model::detail
