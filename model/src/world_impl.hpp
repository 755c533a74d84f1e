#pragma once
// The modelled world of one run (private to model/). World owns the simulator, the engine roles
// hosted on sim nodes, the devices, the recorder, the workload and the nemesis. Files:
//   population.cpp  expands the WorldConfig into concrete users, devices and conversations
//   hosts.cpp       ServerHost / DeviceHost: engine Effects -> sim network, timers, disk
//   recorder.cpp    history events, vector clocks, trace log
//   workload.cpp    sends and device behaviour (churn, kills, reinstalls, logins)
//   nemesis.cpp     scheduled and swarm faults, the final heal
//   world.cpp       construction, phases, quiescence, results
#include <array>
#include <cstdint>
#include <deque>
#include <imsim/engine/codec.hpp>
#include <imsim/engine/device.hpp>
#include <imsim/engine/gateway.hpp>
#include <imsim/engine/processor.hpp>
#include <imsim/engine/queue.hpp>
#include <imsim/engine/timeline_store.hpp>
#include <imsim/history/writer.hpp>
#include <imsim/model/world.hpp>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "index_set.hpp"

namespace imsim::model::detail {

class World;

// The kernel carries frames as std::string bytes; the engine reads them as a byte span.
inline std::span<const std::uint8_t> as_span(const std::string& bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

// Engine connection ids start at 1 (0 means "none"); the kernel's start at 0.
inline engine::ConnId to_engine(sim::ConnId conn) { return engine::ConnId(conn.value + 1); }
inline sim::ConnId to_sim(engine::ConnId conn) {
  IMSIM_ASSERT(conn.value != 0);
  return sim::ConnId(conn.value - 1);
}

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
  NodeHost(World& world, std::string name, sim::NodeId node, sim::EndpointId endpoint,
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

  World& world_;

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
  ServerHost(World& world, engine::Address address, std::string name, sim::NodeId node,
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
  DeviceHost(World& world, std::int32_t index, std::int32_t user, engine::DeviceId id,
             std::string name, sim::NodeId node, sim::EndpointId endpoint, std::int32_t lane);

  std::int32_t index() const { return index_; }
  std::int32_t user() const { return user_; }
  engine::DeviceId id() const { return id_; }
  engine::Device* device() const { return device_.get(); }
  bool exists() const { return device_ != nullptr; }
  bool wants_online() const { return wants_online_; }
  bool online() const { return device_ != nullptr && device_->online(); }

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
  AdversaryHost(World& world, engine::DeviceId id, std::string name, sim::NodeId node,
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
  std::size_t outstanding_count() const {
    return sends_.size() + (single_.has_value() ? 1 : 0);
  }

  engine::DeviceId id_;
  std::vector<AttackKind> mix_;
  sim::Rng rng_;
  std::array<AttackTally, kAttackKinds> tallies_{};
  std::optional<sim::ConnId> conn_;
  bool authenticated_ = false;
  bool stopped_ = false;
  bool replay_hello_next_ = false;  // replay: the captured Hello goes out on the next connection
  bool hello_after_reject_ = false;  // the replayed Hello is answered: then the own one goes out
  std::uint64_t nonce_ = 0;
  std::uint64_t next_counter_ = 0;
  std::uint64_t next_req_ = 0;
  std::uint64_t attacks_begun_ = 0;  // identifies the attack a no_ack timeout belongs to
  std::optional<std::string> captured_hello_;  // its own Hello of an earlier connection
  std::optional<std::string> captured_server_frame_;  // the latest frame the gateway sent it
  std::optional<AttackKind> single_;  // the one attack (not a tracked Send) awaiting its answer
  std::map<engine::ClientMsgId, AttackKind> sends_;  // Sends awaiting their answer, by id
};

struct UserEntry {
  std::string name;
  engine::UserId id;
  std::vector<std::int32_t> devices;  // DeviceHost indices
};

// A device of the population: present from the start, or logging in at login_at_ns.
struct DevicePlan {
  std::int32_t user = 0;  // users[i]
  std::string name;       // "u1/d1"
  engine::DeviceId id;
  std::optional<std::int64_t> login_at_ns;
  bool online_at_start = true;
  ClockSpec clock;
};

struct ConvEntry {
  std::string name;
  engine::ConvId id;
  std::vector<std::int32_t> members;  // user indices, ascending
  bool large = false;
  bool direct = false;
};

// The history recorder: vector clocks, history events, trace log, the run's counts.
class Recorder {
 public:
  Recorder(World& world, const RunOptions& options);

  void header();
  void send(const DeviceHost& device, const ConvEntry& conv, const engine::ClientMsgId& msg);
  void observe(const DeviceHost& device, const engine::Observation& observation);
  void lifecycle(const DeviceHost& device, const char* what);  // online/offline/kill/reinstall
  // After a relaunch: display what the device's durable view holds beyond what was announced
  // (a write can become durable and the app die before it learns so; docs/deviations.md 13).
  void reconcile_views(const DeviceHost& device);
  void phase_liveness();
  void finish(bool quiesced, const std::map<std::string, std::uint64_t>& counters);
  void frame_sent(const NodeHost& from, sim::EndpointId to, const std::string& bytes);
  void frame_arrived(sim::EndpointId from, const NodeHost& to, const std::string& bytes);
  void fault(std::int32_t lane, const std::string& label);
  void node_event(std::int32_t lane, const std::string& label);

  std::string msg_name(const engine::ClientMsgId& msg) const;
  // The conversation of the device's latest display of another user's message since its own
  // last send (the reply target), if any.
  std::optional<std::int32_t> reply_target(std::int32_t device) const;

  std::uint64_t sent = 0;
  std::uint64_t displays = 0;
  std::map<std::string, bool> final_status_acked;  // msg -> acked (true) / failed (false)

 private:
  // A sparse vector clock: (device index, count), sorted by device index.
  using Clock = std::vector<std::pair<std::int32_t, std::uint64_t>>;
  struct MessageInfo {
    std::int32_t conv = 0;
    std::int32_t sender = 0;  // device index
    Clock vc;
    Clock gvc;
  };
  struct DeviceClocks {
    std::map<std::int32_t, Clock> conv;  // conversation index -> clock
    Clock global;
    std::map<std::int32_t, std::uint64_t> sends_by_conv;  // whole life (reinstalls included)
    std::uint64_t sends_total = 0;
    std::optional<std::int32_t> reply_conv;
    std::map<std::int32_t, std::deque<std::string>> views;  // this incarnation, as recorded
    std::set<std::int32_t> tops;  // conversations with a top_reached in this incarnation
  };
  void write_display(const DeviceHost& device, std::int32_t conv, const std::string& msg, bool top,
                     std::optional<std::uint64_t> conv_seq);
  void write_top_reached(const DeviceHost& device, std::int32_t conv);
  static void merge(Clock& into, const Clock& from);
  static void assign(Clock& clock, std::int32_t device, std::uint64_t count);
  static Clock own_entry_only(const Clock& clock, std::int32_t device);
  history::ClockSpec spec(const Clock& clock) const;
  std::int64_t now_ns() const;

  World& world_;
  RunOptions options_;
  std::unique_ptr<history::HistoryWriter> writer_;
  std::map<std::string, MessageInfo> messages_;
  std::vector<DeviceClocks> clocks_;                                   // by device index
  std::map<std::string, std::vector<std::int64_t>> frames_in_flight_;  // trace log pairing
  bool record_gvc_ = false;                                            // see kGlobalClockDevicesMax
};

}  // namespace imsim::model::detail

namespace imsim::model::detail {

// Per-run limits of the model itself (named, so a runaway run fails loudly, not slowly).
// The all-conversation clock (`gvc`) only feeds a metric, and it grows dense: every device
// soon knows of every other. Above this many devices it is not recorded (the metric is then
// absent from the report) so that histories stay linear in the messages they describe.
inline constexpr std::size_t kGlobalClockDevicesMax = 64;
// sim::Network link classes: gateway <-> device links are mobile, everything else the servers'.
inline constexpr std::uint8_t kLinkClassGateway = 1;
inline constexpr std::uint8_t kLinkClassDevice = 2;
inline constexpr std::uint8_t kLinkClassAdversary = 3;
inline constexpr std::uint64_t kEventsPerRunMax = 2'000'000'000;
inline constexpr std::int64_t kServerStorageLatencyMin_ns = 50'000;
inline constexpr std::int64_t kServerStorageLatencyMax_ns = 500'000;
inline constexpr std::int64_t kDeviceStorageLatencyMin_ns = 500'000;
inline constexpr std::int64_t kDeviceStorageLatencyMax_ns = 3'000'000;

class World {
 public:
  World(const WorldConfig& config, const RunOptions& options);
  RunResult run();

  // ---- Shared with the hosts, the recorder, the workload and the nemesis ----
  const WorldConfig& config;
  sim::Simulator sim;
  engine::Config engine_config;
  engine::Topology topology;
  std::vector<UserEntry> users;
  std::vector<ConvEntry> convs;
  std::vector<std::unique_ptr<ServerHost>> servers;
  std::vector<std::unique_ptr<DeviceHost>> devices;
  std::vector<std::unique_ptr<AdversaryHost>> adversaries;  // after every device, in node order
  std::map<engine::Address, std::int32_t> server_index;  // address -> servers[i]
  std::vector<NodeHost*> host_by_endpoint;               // endpoint value -> host
  std::map<std::string, sim::NodeId> node_by_name;
  std::map<std::uint32_t, std::int32_t> conv_index;       // engine ConvId value -> convs[i]
  std::map<engine::DeviceId, std::int32_t> device_index;  // engine DeviceId -> devices[i]
  std::vector<DevicePlan> device_plans;                   // by device index
  struct AdversaryPlan {
    std::string name;  // "x1/d1"
    engine::DeviceId id;
    std::vector<AttackKind> mix;
  };
  std::vector<AdversaryPlan> adversary_plans;
  Recorder recorder;
  TraceLog trace_log;
  bool record_trace = false;
  std::map<std::string, std::uint64_t> model_counters;
  std::map<std::string, std::string> swarm_parameters;
  std::vector<Fault> fault_schedule;  // scheduled + swarm-drawn, by time: what the run applies
  std::map<std::string, std::uint64_t> retired_counters;  // of role lives ended by crashes
  engine::CoverageCounts retired_coverage{};              // likewise, coverage points

  sim::Duration storage_latency(sim::Rng& rng, bool device);
  std::int32_t lane_of(sim::NodeId node) const { return static_cast<std::int32_t>(node.value); }
  NodeHost* host_at(sim::EndpointId endpoint) const;
  ServerHost* server_at(engine::Address address) const;
  DeviceHost* device_on_node(sim::NodeId node) const;
  void count(const std::string& name, std::uint64_t n = 1) { model_counters[name] += n; }
  // After a reinstall or new login: with probability page_back_p the user scrolls every
  // conversation back to its first message.
  void maybe_page_back(DeviceHost& device);
  // A human-readable line in RunOptions::log_out (if set), stamped with the sim time.
  void log(const std::string& line);
  // Whether a device can send a reply (online, and it displayed another user's message since
  // its last send) may have changed: the hosts and the recorder call this where it can.
  void note_reply_candidate(std::int32_t device);

 private:
  // population.cpp
  void build_population();
  void build_users(sim::Rng& rng);
  void build_conversations(sim::Rng& rng);
  void build_topology();
  void build_adversaries(sim::Rng& rng);  // adversary.cpp: users, memberships, mixes
  // world.cpp
  void build_nodes();
  std::string absent_node_error() const;
  void start();
  void run_liveness();
  // sim.run_until(limit), in steps of the progress interval with a progress call after each.
  void run_reporting(sim::SimTime limit);
  void report_progress();
  bool quiescent() const;
  bool device_caught_up(const DeviceHost& device,
                        const std::map<std::uint32_t, engine::ClientMsgId>& newest,
                        const std::map<std::uint32_t, engine::InboxSeq>& inbox_head) const;
  void finish(RunResult& result, bool quiesced);
  void collect_counters(RunResult& result) const;
  // workload.cpp
  void schedule_workload();
  void schedule_next_send(sim::Rng& rng);
  void send_one();
  std::optional<std::int32_t> pick_fresh_sender(std::int32_t& conv);
  void schedule_behaviour();
  void schedule_churn(std::int32_t device, bool online);
  void schedule_repeating(std::int32_t device, std::int64_t mean_ns, bool reinstall);
  std::string make_body();
  void start_probes();
  void probe_round(std::int32_t round);
  // nemesis.cpp
  void schedule_faults();
  void draw_swarm();
  void apply_fault(const Fault& fault);
  void apply_cut(const Fault& fault);
  void apply_link_fault(const Fault& fault);
  void apply_base_links();
  void heal_all();
  std::vector<std::vector<sim::NodeId>> nodes_in_groups(
      const std::vector<std::vector<std::string>>& groups) const;
  std::vector<std::pair<sim::NodeId, sim::NodeId>> links_of(const Fault& fault) const;
  // The node names a swarm draws from, built once per run: servers, devices, both.
  struct SwarmNodes {
    std::vector<std::string> servers;
    std::vector<std::string> devices;
    std::vector<std::string> all;
  };
  Fault draw_swarm_fault(FaultKind kind, std::int64_t at_ns, sim::Rng& rng,
                         const SwarmNodes& nodes, const std::vector<std::string>& candidates);
  std::vector<std::string> swarm_candidates(FaultKind kind, const SwarmNodes& nodes) const;
  sim::NodeId node_named(const std::string& name) const;
  DeviceHost& device_named(const std::string& name);
  ServerHost& server_named(const std::string& name);
  NodeHost& host_named(const std::string& name);

  RunOptions options_;
  sim::Rng workload_rng_;
  sim::Rng behaviour_rng_;
  sim::Rng nemesis_rng_;
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
  IndexSet reply_candidates_;                          // devices note_reply_candidate admits
  std::array<std::vector<std::int32_t>, 3> convs_by_kind_;  // direct, group, large: convs[i]

};

sim::LatencyModel latency_model(const Distribution& distribution);
sim::NetworkConfig network_config(const NetworkModel& model);
void add_server_counters(const ServerHost& server, std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage);
void add_device_counters(const DeviceHost& device, std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage);
const char* fault_kind_name(FaultKind kind);
std::string describe_fault(const Fault& fault);
std::int64_t sample(const Distribution& distribution, sim::Rng& rng);

}  // namespace imsim::model::detail
