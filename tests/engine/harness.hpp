#pragma once
// A small deterministic test world for the engine: it owns every role and device, routes their
// Effects back into inputs through one time-ordered event queue (fixed latencies, no clock skew),
// keeps each node's durable key-value store, and can crash and restart any node. It is not the
// simulator (sim/ + model/): only enough to test the engine in isolation.
#include <cstdint>
#include <functional>
#include <imsim/engine/device.hpp>
#include <imsim/engine/gateway.hpp>
#include <imsim/engine/processor.hpp>
#include <imsim/engine/queue.hpp>
#include <imsim/engine/timeline_store.hpp>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace imsim::engine::testing {

inline constexpr std::int64_t kMs = 1'000'000;

// A node of the world: a server address or a device.
using NodeKey = std::variant<Address, DeviceId>;

inline std::string describe(const NodeKey& key) {
  return std::visit([](const auto& k) { return to_string(k); }, key);
}

struct NodeState {
  DurableMap durable;
  std::map<OpId, StorageOp> pending;  // issued, not yet reported done
  std::set<TimerId> cancelled;
  std::uint64_t generation = 0;  // bumped by a crash: older events die
  std::uint64_t inputs = 0;      // events handled since the start of the world
  bool down = false;
};

struct DeviceSlot {
  std::unique_ptr<Device> device;
  Incarnation incarnation;
  std::vector<Observation> observations;  // observations of the current incarnation
  bool wants_online = false;
};

// splitmix64: the host-side randomness for BUGGIFY in tests.
class TestRandom final : public Random {
 public:
  explicit TestRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next_u64() override {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

class World {
 public:
  // `random` (optional, outlives the world) drives BUGGIFY when config.buggify is on.
  World(Config config, Topology topology, Random* random = nullptr);

  // --- Server nodes ---
  ServerRole& server(Address a) { return *servers_.at(a); }
  Gateway& gateway(std::uint32_t i) {
    return static_cast<Gateway&>(server({RoleKind::gateway, i}));
  }
  Queue& queue(std::uint32_t i) { return static_cast<Queue&>(server({RoleKind::queue, i})); }
  Processor& processor(std::uint32_t i) {
    return static_cast<Processor&>(server({RoleKind::processor, i}));
  }
  TimelineStore& store(std::uint32_t i) {
    return static_cast<TimelineStore&>(server({RoleKind::store, i}));
  }
  TimelineStore& store_of(ConvId conv) { return store(topology_.store_for_conv(conv).index); }
  TimelineStore& store_of(UserId user) { return store(topology_.store_for_user(user).index); }

  // --- Devices ---
  Device& device(DeviceId d) { return *devices_.at(d).device; }
  DeviceSlot& slot(DeviceId d) { return devices_.at(d); }
  ClientMsgId send(DeviceId d, ConvId conv, std::string body);  // asserts it was accepted
  std::optional<ClientMsgId> try_send(DeviceId d, ConvId conv, std::string body);
  bool resend(DeviceId d, const ClientMsgId& msg);
  void online(DeviceId d);
  void offline(DeviceId d);
  void kill(DeviceId d);                    // app kill + restart from durable state
  void reinstall(DeviceId d);               // wipe, new incarnation, recover from nothing
  void page_back(DeviceId d, ConvId conv);  // the user scrolls `conv` back to its start
  std::size_t tops_reached(DeviceId d, ConvId conv) const;  // TopReached observations

  // --- Faults ---
  // Crash a node; `keep_pending` decides whether its unfinished storage ops became durable.
  // A server restarts at once (recover from durable); use down/up for longer outages.
  void crash(const NodeKey& node, bool keep_pending);
  void restart(const NodeKey& node);
  std::function<bool(Address from, Address to, const Bytes&)> drop_datagram;  // loss model

  // --- Running ---
  bool step();  // handle one event; false when none is left
  void run_for(std::int64_t ns);
  // Runs until `done()` holds (checked after each event) or `limit_ns` of time passed.
  bool run_until(const std::function<bool()>& done, std::int64_t limit_ns);
  bool quiet();                 // every device quiescent, queues empty, no processor job
  std::string why_not_quiet();  // for failure reports
  bool settle(std::int64_t limit_ns = 120'000 * kMs) {
    return run_until([&] { return quiet(); }, limit_ns);
  }
  // Called after each event with the node that handled it.
  std::function<void(const NodeKey&, const NodeState&)> after_event;

  LocalTime now() const { return LocalTime::from_ns(now_ns_); }
  NodeState& node(const NodeKey& key) { return nodes_[key]; }
  const Config& config() const { return config_; }
  const Topology& topology() const { return topology_; }

  // --- History-like views over the observations of a device ---
  std::vector<ClientMsgId> displayed(DeviceId d, ConvId conv) const;  // current incarnation view
  std::vector<ConvSeq> acks(DeviceId d, const ClientMsgId& msg) const;
  bool failed(DeviceId d, const ClientMsgId& msg) const;

 private:
  struct Datagram {
    Address from;
    Address to;
    Bytes bytes;
  };
  struct ConnFrame {
    ConnId conn;
    bool to_device;
    Bytes bytes;
  };
  struct TimerFire {
    NodeKey node;
    TimerId id;
  };
  struct StorageDone {
    NodeKey node;
    OpId op;
  };
  struct ConnectReq {
    DeviceId device;
    std::uint32_t gateway;
  };
  struct ConnClosed {
    NodeKey node;
    ConnId conn;
  };
  struct Event {
    std::uint64_t generation;  // of the target node when scheduled
    NodeKey target;
    std::variant<Datagram, ConnFrame, TimerFire, StorageDone, ConnectReq, ConnClosed> what;
  };
  struct Conn {
    DeviceId device;
    std::uint32_t gateway;
    bool open = true;
  };

  void make_server(Address a);
  void make_device(DeviceId d, Incarnation inc);
  void apply(const NodeKey& node, Effects& fx);
  void schedule(std::int64_t at_ns, const NodeKey& target, decltype(Event::what) what);
  void deliver(const Event& e, Effects& fx);
  void close_conn(ConnId conn, bool tell_device, bool tell_gateway);
  void record_restored_view(DeviceId d);

  Config config_;
  Topology topology_;
  Random* random_ = nullptr;
  std::int64_t now_ns_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_conn_ = 1;
  std::map<std::pair<std::int64_t, std::uint64_t>, Event> events_;
  std::map<Address, std::unique_ptr<ServerRole>> servers_;
  std::map<DeviceId, DeviceSlot> devices_;
  std::map<NodeKey, NodeState> nodes_;
  std::map<ConnId, Conn> conns_;
  std::int64_t latency_ns_ = 1 * kMs;
  std::int64_t storage_ns_ = 1 * kMs;
};

// A topology with `users` users of `devices_per_user` devices each and the given conversations.
Topology make_topology(std::uint32_t users, std::uint32_t devices_per_user,
                       const std::map<ConvId, std::vector<UserId>>& conversations);

inline DeviceId dev(std::uint32_t user, std::uint32_t index) {
  return DeviceId{UserId{user}, index};
}

// A config with short timeouts so tests settle fast.
Config fast_config();

}  // namespace imsim::engine::testing

namespace imsim::engine {
inline void PrintTo(const ClientMsgId& m, std::ostream* os) { *os << to_string(m); }
}  // namespace imsim::engine
