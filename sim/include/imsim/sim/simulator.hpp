#pragma once
// Simulator: the world of one deterministic run. One thread, virtual time, one event queue
// ordered by (time, insertion sequence), nodes that crash and restart with their disks and
// clocks, the network, and the trace hash.
//
//   sim::Simulator sim(seed);
//   NodeId a = sim.add_node("gateway0");
//   sim.schedule_after(a, Duration::from_ms(5), [&] { ... });  // a's timer: a crash cancels it
//   sim.schedule_at(SimTime::from_ns(10), [&] { ... });        // a world event (nemesis)
//   sim.run_until(SimTime::zero() + Duration::from_s(10));
//   std::printf("%016llx\n", (unsigned long long)sim.trace_hash());
//
// Callbacks are `Callback`s: captures up to 48 bytes are stored inline (no allocation).
// Scheduling in the past is a bug (asserted); scheduling at now() runs after everything already
// queued for now().
#include <cstdint>
#include <deque>
#include <functional>
#include <imsim/base/assert.hpp>
#include <imsim/sim/callback.hpp>
#include <imsim/sim/clock.hpp>
#include <imsim/sim/disk.hpp>
#include <imsim/sim/event_queue.hpp>
#include <imsim/sim/ids.hpp>
#include <imsim/sim/network.hpp>
#include <imsim/sim/rng.hpp>
#include <imsim/sim/time.hpp>
#include <imsim/sim/trace.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace imsim::sim {

struct CrashOptions {
  bool tear_last_write = false;  // the node's last unsynced disk write is torn (see disk.hpp)
};

using NodeHook = std::function<void(NodeId)>;

class Simulator {
 public:
  static constexpr std::size_t nodes_max = 1u << 20;

  explicit Simulator(std::uint64_t seed);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  std::uint64_t seed() const { return rng_root_.seed(); }
  SimTime now() const { return now_; }
  // The generator of the component called `name` (stable: see Rng::fork). Kernel components
  // use "network" and "node/<index>/disk"; choose other names for model components.
  Rng fork_rng(std::string_view name) const { return rng_root_.fork(name); }

  // ---- Events ---------------------------------------------------------------------------
  // World events: owned by no node, survive every crash.
  template <class F>
  TimerId schedule_at(SimTime when, F&& f) {
    return schedule_at(kWorld, when, std::forward<F>(f));
  }
  template <class F>
  TimerId schedule_after(Duration delay, F&& f) {
    return schedule_at(kWorld, now_ + delay, std::forward<F>(f));
  }
  // Node timers: cancelled when `owner` crashes. `owner` must be up.
  template <class F>
  TimerId schedule_at(NodeId owner, SimTime when, F&& f) {
    IMSIM_ASSERT_MSG(when >= now_, "scheduling in the past");
    IMSIM_ASSERT(owner == kWorld || is_up(owner));
    return queue_.push(when, owner, EventKind::timer, std::forward<F>(f));
  }
  template <class F>
  TimerId schedule_after(NodeId owner, Duration delay, F&& f) {
    IMSIM_ASSERT(delay >= Duration::zero());
    return schedule_at(owner, now_ + delay, std::forward<F>(f));
  }
  // A node timer for when `owner`'s local clock first reads >= `deadline` (now if it already
  // does). Later clock steps do not move an already scheduled timer.
  template <class F>
  TimerId schedule_at_local(NodeId owner, LocalTime deadline, F&& f) {
    SimTime when = clock(owner).true_at(deadline);
    return schedule_at(owner, when < now_ ? now_ : when, std::forward<F>(f));
  }
  // For kernel components (network): no automatic trace record, owned by no node.
  template <class F>
  TimerId schedule_internal(SimTime when, F&& f) {
    IMSIM_ASSERT_MSG(when >= now_, "scheduling in the past");
    return queue_.push(when, kWorld, EventKind::internal, std::forward<F>(f));
  }
  bool cancel(TimerId id) { return queue_.cancel(id); }
  bool is_pending(TimerId id) const { return queue_.is_pending(id); }

  // Runs the next event. False if none is pending.
  bool step();
  // Runs every event with time <= limit, then sets now() to limit.
  void run_until(SimTime limit);
  void run_for(Duration span) { run_until(now_ + span); }
  // Runs events while pred() holds and events remain, at most events_max. Returns how many ran.
  template <class Pred>
  std::uint64_t run_while(Pred&& pred, std::uint64_t events_max = UINT64_MAX) {
    std::uint64_t ran = 0;
    while (ran < events_max && pred() && step()) ran++;
    return ran;
  }
  // Runs until no event is pending; false if events_max events ran first.
  bool run_until_idle(std::uint64_t events_max);

  std::uint64_t events_executed() const { return events_executed_; }
  std::size_t events_pending() const { return queue_.pending_count(); }

  // ---- Trace ----------------------------------------------------------------------------
  void trace(TraceKind kind, NodeId node, std::uint64_t digest) {
    trace_.fold(now_, kind, node, digest);
  }
  std::uint64_t trace_hash() const { return trace_.hash(); }
  std::uint64_t trace_count() const { return trace_.count(); }
  void set_trace_observer(std::function<void(const TraceRecord&)> observer) {
    trace_.set_observer(std::move(observer));
  }

  // ---- Nodes ----------------------------------------------------------------------------
  NodeId add_node(std::string name);
  std::size_t node_count() const { return nodes_.size(); }
  const std::string& node_name(NodeId node) const { return node_at(node).name; }
  bool is_up(NodeId node) const { return node_at(node).up; }
  // Counts restarts: traffic addressed to an earlier incarnation is dropped.
  std::uint32_t incarnation(NodeId node) const { return node_at(node).incarnation; }
  // Cancels the node's timers, drops traffic in flight to it, resets its connections, crashes
  // its disk (durable contents stay), then tells the crash hooks. The node must be up.
  void crash(NodeId node, CrashOptions options = {});
  // Brings a crashed node back (a new incarnation), then tells the restart hooks, which
  // rebuild its volatile state from disk(node).durable_contents().
  void restart(NodeId node);
  void on_crash(NodeHook hook) { crash_hooks_.push_back(std::move(hook)); }
  void on_restart(NodeHook hook) { restart_hooks_.push_back(std::move(hook)); }

  Disk& disk(NodeId node) { return node_at(node).disk; }
  NodeClock& clock(NodeId node) { return node_at(node).clock; }
  const NodeClock& clock(NodeId node) const { return node_at(node).clock; }
  LocalTime local_now(NodeId node) const { return clock(node).local_at(now_); }

  Network& network() { return *network_; }
  const Network& network() const { return *network_; }

  // Describes the run for assertion reports: "seed=… t=…ns events=…".
  void describe(char* buf, unsigned long size) const;

 private:
  struct Node {
    std::string name;
    bool up = true;
    std::uint32_t incarnation = 0;
    Disk disk;
    NodeClock clock;
  };
  Node& node_at(NodeId node) {
    IMSIM_ASSERT(node.value < nodes_.size());
    return nodes_[node.value];
  }
  const Node& node_at(NodeId node) const {
    IMSIM_ASSERT(node.value < nodes_.size());
    return nodes_[node.value];
  }

  Rng rng_root_;
  SimTime now_ = SimTime::zero();
  std::uint64_t events_executed_ = 0;
  EventQueue queue_;
  Trace trace_;
  std::deque<Node> nodes_;  // a deque: references to disks and clocks stay valid
  std::vector<NodeHook> crash_hooks_;
  std::vector<NodeHook> restart_hooks_;
  std::unique_ptr<Network> network_;
  Simulator* assert_context_previous_ = nullptr;
};

}  // namespace imsim::sim
