#include <cinttypes>
#include <cstdio>
#include <imsim/sim/simulator.hpp>

namespace imsim::sim {

namespace {

// The simulator whose seed and time assertion reports show: the innermost live one.
Simulator* assert_context_current = nullptr;

void describe_current(char* buf, unsigned long size) {
  if (assert_context_current != nullptr) assert_context_current->describe(buf, size);
}

}  // namespace

Simulator::Simulator(std::uint64_t seed) : rng_root_(seed) {
  network_ = std::make_unique<Network>(*this);
  assert_context_previous_ = assert_context_current;
  assert_context_current = this;
  base::set_assert_context(&describe_current);
}

Simulator::~Simulator() {
  if (assert_context_current == this) assert_context_current = assert_context_previous_;
}

void Simulator::describe(char* buf, unsigned long size) const {
  std::snprintf(buf, size, "sim: seed=%" PRIu64 " t=%" PRId64 "ns events_executed=%" PRIu64, seed(),
                now_.ns(), events_executed_);
}

bool Simulator::step() {
  SimTime time;
  const std::int64_t index = queue_.pop(&time);
  if (index < 0) return false;
  IMSIM_ASSERT_MSG(time >= now_, "time went backwards");
  now_ = time;
  EventQueue::Slot& slot = queue_.slot_at(static_cast<std::uint32_t>(index));
  if (slot.kind() == EventKind::timer) trace_.fold(now_, TraceKind::timer_fired, slot.owner(), 0);
  // The slab chunk never moves, so the callback runs in place even if it schedules more.
  slot.callback();
  queue_.finish(static_cast<std::uint32_t>(index));
  events_executed_++;
  return true;
}

void Simulator::run_until(SimTime limit) {
  IMSIM_ASSERT(limit >= now_);
  SimTime next;
  while (queue_.peek_time(&next) && next <= limit) step();
  now_ = limit;
}

bool Simulator::run_until_idle(std::uint64_t events_max) {
  for (std::uint64_t i = 0; i < events_max; ++i) {
    if (!step()) return true;
  }
  SimTime next;
  return !queue_.peek_time(&next);
}

NodeId Simulator::add_node(std::string name) {
  IMSIM_ASSERT(nodes_.size() < nodes_max);
  const NodeId id(static_cast<std::uint32_t>(nodes_.size()));
  Rng disk_rng = rng_root_.fork("node/" + std::to_string(id.value) + "/disk");
  nodes_.push_back(Node{std::move(name), true, 0, Disk(disk_rng), NodeClock()});
  return id;
}

void Simulator::crash(NodeId node, CrashOptions options) {
  Node& n = node_at(node);
  IMSIM_ASSERT_MSG(n.up, "crash of a node that is down");
  n.up = false;
  trace_.fold(now_, TraceKind::node_crashed, node, n.incarnation);
  queue_.cancel_owned_by(node);
  network_->on_node_crash(node);
  n.disk.crash(options.tear_last_write);
  for (const NodeHook& hook : crash_hooks_) hook(node);
}

void Simulator::restart(NodeId node) {
  Node& n = node_at(node);
  IMSIM_ASSERT_MSG(!n.up, "restart of a node that is up");
  n.up = true;
  n.incarnation++;
  trace_.fold(now_, TraceKind::node_restarted, node, n.incarnation);
  for (const NodeHook& hook : restart_hooks_) hook(node);
}

}  // namespace imsim::sim
