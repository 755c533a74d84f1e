// Network: endpoints, datagrams, link parameters, partitions and clogs. Connections are in
// connections.cpp. Semantics: include/imsim/sim/network.hpp and docs/sim.md.
#include <imsim/sim/network.hpp>
#include <imsim/sim/simulator.hpp>

namespace imsim::sim {

void LinkParams::validate() const {
  latency.validate();
  reorder_delay.validate();
  IMSIM_ASSERT(loss_probability >= 0.0);
  IMSIM_ASSERT(loss_probability <= 1.0);
  IMSIM_ASSERT(duplicate_probability >= 0.0);
  IMSIM_ASSERT(duplicate_probability <= 1.0);
  IMSIM_ASSERT(reorder_probability >= 0.0);
  IMSIM_ASSERT(reorder_probability <= 1.0);
}

Network::Network(Simulator& sim) : sim_(sim), rng_(sim.fork_rng("network")) {}

// ---- Endpoints ---------------------------------------------------------------------------

EndpointId Network::add_endpoint(NodeId node) {
  IMSIM_ASSERT(node.value < sim_.node_count());
  IMSIM_ASSERT(endpoints_.size() < endpoints_max);
  endpoints_.push_back(Endpoint{node, nullptr, nullptr});
  return EndpointId(static_cast<std::uint32_t>(endpoints_.size() - 1));
}

NodeId Network::node_of(EndpointId endpoint) const {
  IMSIM_ASSERT(endpoint.value < endpoints_.size());
  return endpoints_[endpoint.value].node;
}

void Network::set_datagram_handler(EndpointId endpoint, DatagramHandler handler) {
  IMSIM_ASSERT(endpoint.value < endpoints_.size());
  endpoints_[endpoint.value].on_datagram = std::move(handler);
}

void Network::set_conn_handler(EndpointId endpoint, ConnHandler handler) {
  IMSIM_ASSERT(endpoint.value < endpoints_.size());
  endpoints_[endpoint.value].on_conn = std::move(handler);
}

// ---- Datagrams ---------------------------------------------------------------------------

void Network::send(EndpointId from, EndpointId to, std::string bytes) {
  const NodeId src = node_of(from);
  const NodeId dst = node_of(to);
  IMSIM_ASSERT_MSG(sim_.is_up(src), "send from a node that is down");
  counters_.packets_sent++;
  counters_.bytes_sent += bytes.size();
  const std::uint64_t digest =
      hash_bytes(bytes) ^ mix64((std::uint64_t{from.value} << 32) | to.value);
  const std::uint32_t index =
      packet_allocate(Packet{from, to, sim_.incarnation(dst), digest, std::move(bytes)});
  if (is_blocked(src, dst)) return packet_drop(index, counters_.dropped_partition);
  const LinkParams& params = link(src, dst);
  Rng& rng = link_rng(src, dst);
  if (bernoulli(rng, params.loss_probability)) return packet_drop(index, counters_.dropped_loss);
  if (bernoulli(rng, params.duplicate_probability)) {
    counters_.packets_duplicated++;
    Packet copy = packets_[index];
    const std::uint32_t copy_index = packet_allocate(std::move(copy));
    packet_schedule(copy_index, params.latency.sample(rng));
  }
  Duration delay = params.latency.sample(rng);
  if (bernoulli(rng, params.reorder_probability)) delay += params.reorder_delay.sample(rng);
  packet_schedule(index, delay);
}

Rng& Network::link_rng(NodeId src, NodeId dst) {
  const std::uint64_t key = link_key(src, dst);
  auto it = link_rngs_.find(key);
  if (it == link_rngs_.end()) {
    const std::string name = "link/" + std::to_string(src.value) + "/" + std::to_string(dst.value);
    it = link_rngs_.emplace(key, rng_.fork(name)).first;
  }
  return it->second;
}

std::uint32_t Network::packet_allocate(Packet packet) {
  if (!packets_free_.empty()) {
    const std::uint32_t index = packets_free_.back();
    packets_free_.pop_back();
    packets_[index] = std::move(packet);
    return index;
  }
  IMSIM_ASSERT(packets_.size() < UINT32_MAX);
  packets_.push_back(std::move(packet));
  return static_cast<std::uint32_t>(packets_.size() - 1);
}

void Network::packet_schedule(std::uint32_t index, Duration delay) {
  sim_.schedule_internal(sim_.now() + delay, [this, index] { packet_arrive(index); });
}

void Network::packet_drop(std::uint32_t index, std::uint64_t& reason_counter) {
  Packet& p = packets_[index];
  counters_.packets_dropped++;
  reason_counter++;
  sim_.trace(TraceKind::packet_dropped, node_of(p.to), p.digest);
  p.bytes = std::string();
  packets_free_.push_back(index);
}

void Network::packet_arrive(std::uint32_t index) {
  Packet& p = packets_[index];
  const NodeId src = node_of(p.from);
  const NodeId dst = node_of(p.to);
  if (!sim_.is_up(dst) || sim_.incarnation(dst) != p.to_incarnation) {
    return packet_drop(index, counters_.dropped_node_down);
  }
  if (is_blocked(src, dst)) return packet_drop(index, counters_.dropped_partition);
  if (is_clogged(src, dst)) {
    sim_.trace(TraceKind::packet_held, dst, p.digest);
    return hold(src, dst, Held{HeldKind::packet, index});
  }
  // Copied: the handler may replace itself or add endpoints while it runs.
  DatagramHandler handler = endpoints_[p.to.value].on_datagram;
  if (!handler) return packet_drop(index, counters_.dropped_no_handler);
  counters_.packets_delivered++;
  counters_.bytes_delivered += p.bytes.size();
  sim_.trace(TraceKind::packet_delivered, dst, p.digest);
  const EndpointId from = p.from;
  std::string bytes = std::move(p.bytes);
  p.bytes = std::string();
  packets_free_.push_back(index);
  handler(from, std::move(bytes));
}

// ---- Links -------------------------------------------------------------------------------

void Network::set_default_link(const LinkParams& params) {
  params.validate();
  default_link_ = params;
}

void Network::set_link(NodeId src, NodeId dst, const LinkParams& params) {
  params.validate();
  link_overrides_.insert_or_assign(link_key(src, dst), params);
}

void Network::clear_link(NodeId src, NodeId dst) { link_overrides_.erase(link_key(src, dst)); }

void Network::clear_link_overrides() { link_overrides_.clear(); }

const LinkParams& Network::link(NodeId src, NodeId dst) const {
  if (!link_overrides_.empty()) {
    auto it = link_overrides_.find(link_key(src, dst));
    if (it != link_overrides_.end()) return it->second;
  }
  if (!has_class_links_) return default_link_;
  return class_link(class_of(src), class_of(dst));
}

const LinkParams& Network::class_link(std::uint8_t src_class, std::uint8_t dst_class) const {
  IMSIM_ASSERT(src_class < kLinkClassesMax && dst_class < kLinkClassesMax);
  const auto& by_class = class_links_[src_class * kLinkClassesMax + dst_class];
  return by_class.has_value() ? *by_class : default_link_;
}

std::vector<std::pair<NodeId, NodeId>> Network::overridden_links() const {
  std::vector<std::pair<NodeId, NodeId>> links;
  links.reserve(link_overrides_.size());
  for (const auto& [key, params] : link_overrides_) links.emplace_back(key_src(key), key_dst(key));
  return links;
}

void Network::set_node_class(NodeId node, std::uint8_t link_class) {
  IMSIM_ASSERT(link_class < kLinkClassesMax);
  if (node.value >= node_class_.size()) node_class_.resize(node.value + 1, 0);
  node_class_[node.value] = link_class;
}

void Network::set_class_link(std::uint8_t src_class, std::uint8_t dst_class,
                             const LinkParams& params) {
  IMSIM_ASSERT(src_class < kLinkClassesMax && dst_class < kLinkClassesMax);
  params.validate();
  class_links_[src_class * kLinkClassesMax + dst_class] = params;
  has_class_links_ = true;
}

void Network::clear_class_links() {
  for (auto& entry : class_links_) entry.reset();
  has_class_links_ = false;
}

void NetworkConfig::validate() const {
  IMSIM_ASSERT(connect_timeout > Duration::zero());
  IMSIM_ASSERT(stall_timeout >= Duration::zero());
  IMSIM_ASSERT(rto_min > Duration::zero());
  IMSIM_ASSERT(rto_min <= rto_initial);
  IMSIM_ASSERT(rto_initial <= rto_max);
  IMSIM_ASSERT(rto_max <= Duration::from_s(3600));
  IMSIM_ASSERT(retransmit_max <= 64);
  IMSIM_ASSERT(segment_bytes >= 1);
}

void Network::set_config(const NetworkConfig& config) {
  config.validate();
  config_ = config;
}

// ---- Partitions --------------------------------------------------------------------------

void Network::add_partition(const std::vector<std::vector<NodeId>>& groups) {
  std::map<NodeId, std::size_t> group_of;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (NodeId node : groups[g]) {
      IMSIM_ASSERT(node.value < sim_.node_count());
      IMSIM_ASSERT_MSG(group_of.emplace(node, g).second, "a node is in two partition groups");
    }
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t h = 0; h < groups.size(); ++h) {
      if (g == h) continue;
      for (NodeId a : groups[g]) {
        for (NodeId b : groups[h]) blocked_.insert(link_key(a, b));
      }
    }
  }
  after_blocks_changed();
}

void Network::set_partition(const std::vector<std::vector<NodeId>>& groups) {
  blocked_.clear();
  add_partition(groups);
}

void Network::block(NodeId src, NodeId dst) {
  IMSIM_ASSERT(src.value < sim_.node_count());
  IMSIM_ASSERT(dst.value < sim_.node_count());
  IMSIM_ASSERT_MSG(src != dst, "a node cannot be cut from itself");
  blocked_.insert(link_key(src, dst));
  after_blocks_changed();
}

void Network::unblock(NodeId src, NodeId dst) {
  blocked_.erase(link_key(src, dst));
  after_blocks_changed();
}

void Network::heal() {
  blocked_.clear();
  after_blocks_changed();
}

void Network::after_blocks_changed() {
  conns_after_blocks_changed();
  release_open_links();
}

// ---- Clogs and held traffic --------------------------------------------------------------

void Network::clog(NodeId src, NodeId dst, SimTime until) {
  IMSIM_ASSERT(src.value < sim_.node_count());
  IMSIM_ASSERT(dst.value < sim_.node_count());
  IMSIM_ASSERT(until >= sim_.now());
  const std::uint64_t key = link_key(src, dst);
  LinkHold& hold_state = holds_[key];
  if (until <= hold_state.clog_until) return;  // already clogged at least that long
  hold_state.clog_until = until;
  sim_.schedule_internal(until, [this, key] { clog_expire(key); });
}

void Network::unclog(NodeId src, NodeId dst) {
  const std::uint64_t key = link_key(src, dst);
  auto it = holds_.find(key);
  if (it == holds_.end()) return;
  it->second.clog_until = SimTime::zero();
  release_link(key);
}

void Network::unclog_all() {
  for (auto& [key, hold_state] : holds_) hold_state.clog_until = SimTime::zero();
  release_open_links();
}

bool Network::is_clogged(NodeId src, NodeId dst) const {
  if (holds_.empty()) return false;
  auto it = holds_.find(link_key(src, dst));
  return it != holds_.end() && it->second.clog_until > sim_.now();
}

void Network::clog_expire(std::uint64_t key) {
  auto it = holds_.find(key);
  if (it == holds_.end()) return;
  if (it->second.clog_until > sim_.now()) return;  // extended: a later expiry handles it
  release_link(key);
}

void Network::hold(NodeId src, NodeId dst, Held held) {
  LinkHold& hold_state = holds_[link_key(src, dst)];
  IMSIM_ASSERT(hold_state.held.size() < conn_queue_max * 16);
  hold_state.held.push_back(held);
}

// Re-sends everything held on the link, in the order it arrived, as arrivals at the current
// instant (never re-entrantly: the caller may be a fault action). Each arrival re-checks the
// link, so traffic still blocked is dropped (datagrams) or held again (connection frames).
void Network::release_link(std::uint64_t key) {
  auto it = holds_.find(key);
  if (it == holds_.end()) return;
  if (it->second.clog_until > sim_.now()) return;
  std::vector<Held> held = std::move(it->second.held);
  holds_.erase(it);
  const SimTime now = sim_.now();
  for (const Held& h : held) {
    const ConnId id(h.id);
    const int dir = h.dir;
    const std::uint64_t key = h.key;
    if (h.kind == HeldKind::loose_frame) {
      sim_.schedule_internal(now, [this, id, dir, key] { loose_arrive(id, dir, key); });
    } else if (h.kind == HeldKind::stream_frame) {
      sim_.schedule_internal(now, [this, id, dir, key] { frame_arrive(id, dir, key); });
    } else {
      const auto index = static_cast<std::uint32_t>(h.id);
      sim_.schedule_internal(now, [this, index] { packet_arrive(index); });
    }
  }
}

void Network::release_open_links() {
  std::vector<std::uint64_t> keys;
  for (const auto& [key, hold_state] : holds_) {
    if (!is_blocked(key_src(key), key_dst(key))) keys.push_back(key);
  }
  for (std::uint64_t key : keys) release_link(key);
}

}  // namespace imsim::sim
