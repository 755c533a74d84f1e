// Network connections: stream (TCP-like) or datagram (QUIC-datagram-like), reset observed by
// both ends.
// Every stream frame (SYN, SYN-ACK, data, FIN; and the handshake and FIN of a datagram
// connection) goes through its direction's FIFO `inflight[dir]`, numbered by sequence. Each is
// transmitted (and retransmitted after an RTO while the link loses it, each try drawn with the
// link as it is then), arrives on its own, and waits there, like a receive buffer, until every
// frame before it has arrived: delivery is in order (head-of-line blocking) even when arrivals
// are held by a clog or a partition, or delayed by retransmissions. A datagram connection's
// data frames live in `loose[dir]` by key, each with its own arrival event.
#include <algorithm>
#include <imsim/sim/network.hpp>
#include <imsim/sim/simulator.hpp>

namespace imsim::sim {

namespace {

TraceKind trace_kind_of(ConnEventKind kind) {
  switch (kind) {
    case ConnEventKind::opened:
      return TraceKind::conn_opened;
    case ConnEventKind::data:
      return TraceKind::conn_data;
    case ConnEventKind::closed:
      return TraceKind::conn_closed;
    case ConnEventKind::reset:
      return TraceKind::conn_reset;
    case ConnEventKind::failed:
      return TraceKind::conn_failed;
  }
  IMSIM_ASSERT(false);
  return TraceKind::conn_reset;
}

}  // namespace

Network::Conn* Network::conn_find(ConnId conn) {
  auto it = conn_index_.find(conn.value);
  return it == conn_index_.end() ? nullptr : it->second;
}

const Network::Conn* Network::conn_find(ConnId conn) const {
  auto it = conn_index_.find(conn.value);
  return it == conn_index_.end() ? nullptr : it->second;
}

Network::Conn& Network::conn_insert(ConnId id) {
  auto [it, inserted] = conns_.try_emplace(id.value);
  IMSIM_ASSERT(inserted);
  conn_index_.emplace(id.value, &it->second);
  return it->second;
}

void Network::conn_index_node(ConnId id, NodeId node) {
  if (node.value >= conns_by_node_.size()) conns_by_node_.resize(node.value + 1);
  auto& ids = conns_by_node_[node.value];
  IMSIM_ASSERT(ids.empty() || ids.back() < id.value);  // ids only grow: the list stays sorted
  ids.push_back(id.value);
}

void Network::conn_erase(ConnId id) {
  auto it = conns_.find(id.value);
  IMSIM_ASSERT(it != conns_.end());
  for (const NodeId node : it->second.nodes) {
    auto& ids = conns_by_node_[node.value];
    auto pos = std::lower_bound(ids.begin(), ids.end(), id.value);
    if (pos != ids.end() && *pos == id.value) ids.erase(pos);
  }
  conn_index_.erase(id.value);
  conns_.erase(it);
}

int Network::side_of(const Conn& conn, EndpointId end) const {
  if (conn.ends[0] == end) return 0;
  if (conn.ends[1] == end) return 1;
  return -1;
}

ConnId Network::connect(EndpointId from, EndpointId to, Transport transport) {
  IMSIM_ASSERT_MSG(from != to, "an endpoint cannot connect to itself");
  const NodeId src = node_of(from);
  const NodeId dst = node_of(to);
  IMSIM_ASSERT_MSG(sim_.is_up(src), "connect from a node that is down");
  const ConnId id(conn_next_++);
  Conn& conn = conn_insert(id);
  conn.ends[0] = from;
  conn.ends[1] = to;
  conn.nodes[0] = src;
  conn.nodes[1] = dst;
  conn_index_node(id, src);
  if (dst != src) conn_index_node(id, dst);
  conn.transport = transport;
  for (RttState& rtt : conn.rtt) rtt.rto = config_.rto_initial;
  counters_.conns_connected++;
  frame_push(id, conn, 0, Frame{FrameKind::syn, {}});
  sim_.schedule_internal(sim_.now() + config_.connect_timeout,
                         [this, id] { conn_connect_timeout(id); });
  // Every other connection's stall state is current (blocks only change through
  // after_blocks_changed): only this one can need it.
  if (is_blocked(src, dst) || is_blocked(dst, src)) conn_update_stall(id, conn);
  return id;
}

bool Network::send_on(ConnId id, EndpointId from, std::string bytes) {
  Conn* conn = conn_find(id);
  if (conn == nullptr) return false;
  const int side = side_of(*conn, from);
  IMSIM_ASSERT_MSG(side >= 0, "send_on from an endpoint that is not an end of the connection");
  if (conn->closing || !conn->open_at[side]) return false;
  IMSIM_ASSERT(sim_.is_up(conn->nodes[side]));
  counters_.conn_messages_sent++;
  counters_.conn_bytes_sent += bytes.size();
  frame_push(id, *conn, side, Frame{FrameKind::data, std::move(bytes)});
  return true;
}

void Network::close(ConnId id, EndpointId by) {
  Conn* conn = conn_find(id);
  if (conn == nullptr || conn->closing) return;
  const int side = side_of(*conn, by);
  IMSIM_ASSERT_MSG(side >= 0, "close by an endpoint that is not an end of the connection");
  if (!conn->open_at[side]) return reset(id);  // nothing to close gracefully yet
  conn->closing = true;
  counters_.conns_closed++;
  // Frames toward the closer are dropped; their arrival events find an empty FIFO or no key.
  count_dropped(*conn, 1 - side);
  conn->head_seq[1 - side] += conn->inflight[1 - side].size();
  conn->inflight[1 - side].clear();
  conn->loose[1 - side].clear();
  frame_push(id, *conn, side, Frame{FrameKind::fin, {}});
  conn_notify(id, by, ConnEventKind::closed);
}

void Network::reset(ConnId id) {
  if (conn_find(id) == nullptr) return;  // already dead: resetting twice is harmless
  conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, NodeId::none());
}

bool Network::is_open_at(ConnId id, EndpointId end) const {
  const Conn* conn = conn_find(id);
  if (conn == nullptr || conn->closing) return false;
  const int side = side_of(*conn, end);
  return side >= 0 && conn->open_at[side];
}

EndpointId Network::peer_of(ConnId id, EndpointId end) const {
  const Conn* conn = conn_find(id);
  IMSIM_ASSERT_MSG(conn != nullptr, "peer_of a dead connection");
  const int side = side_of(*conn, end);
  IMSIM_ASSERT(side >= 0);
  return conn->ends[1 - side];
}

std::vector<ConnId> Network::conns_of(EndpointId endpoint) const {
  std::vector<ConnId> result;
  const NodeId node = node_of(endpoint);
  if (node.value >= conns_by_node_.size()) return result;
  for (const std::uint64_t key : conns_by_node_[node.value]) {  // ascending, as by id
    const Conn& conn = *conn_index_.at(key);
    if (conn.ends[0] == endpoint || conn.ends[1] == endpoint) result.push_back(ConnId(key));
  }
  return result;
}

void Network::frame_push(ConnId id, Conn& conn, int dir, Frame frame) {
  IMSIM_ASSERT(dir == 0 || dir == 1);
  IMSIM_ASSERT_MSG(conn.inflight[dir].size() + conn.loose[dir].size() < conn_queue_max,
                   "connection queue overflow");
  if (conn.transport == Transport::datagram && frame.kind == FrameKind::data) {
    const NodeId src = conn.nodes[dir];
    const NodeId dst = conn.nodes[1 - dir];
    return loose_push(id, conn, dir, std::move(frame), link(src, dst), link_rng(src, dst));
  }
  const std::uint64_t seq = conn.head_seq[dir] + conn.inflight[dir].size();
  frame.segments_left =
      frame.bytes.empty()
          ? 1
          : static_cast<std::uint32_t>((frame.bytes.size() + config_.segment_bytes - 1) /
                                       config_.segment_bytes);
  conn.inflight[dir].push_back(std::move(frame));
  frame_transmit(id, dir, seq, 0);
}

// One try (attempt 0) or retransmission of stream frame `seq`, drawn with the link as it is
// now. Every segment still missing is lost with the link's loss probability; if any is, the
// frame is sent again one RTO later. The RTO doubles (up to rto_max) when the oldest frame of
// the direction times out, as TCP's one retransmission timer does, and stays backed off until a
// frame gets through on its first try (Karn: only those give an RTT sample, twice their one-way
// delay). The oldest frame's (retransmit_max + 1)-th loss in a row gives up: the connection
// resets when that RTO expires. A loss-free link draws only the latency, as a lossless stream
// always did.
void Network::frame_transmit(ConnId id, int dir, std::uint64_t seq, std::uint32_t attempt) {
  Conn* conn = conn_find(id);
  if (conn == nullptr || seq < conn->head_seq[dir]) return;  // died, or dropped by a close
  Frame& frame = conn->inflight[dir][seq - conn->head_seq[dir]];
  const NodeId src = conn->nodes[dir];
  const NodeId dst = conn->nodes[1 - dir];
  const LinkParams& params = link(src, dst);
  Rng& rng = link_rng(src, dst);
  RttState& rtt = conn->rtt[dir];
  if (params.loss_probability > 0.0) {
    std::uint32_t lost = 0;
    for (std::uint32_t segment = 0; segment < frame.segments_left; ++segment) {
      if (bernoulli(rng, params.loss_probability)) lost++;
    }
    frame.segments_left = lost;
    if (lost > 0) {
      counters_.conn_segments_retransmitted += lost;
      const Duration rto = rtt.rto;
      const bool oldest = seq == conn->head_seq[dir];
      if (oldest) rtt.rto = std::min(rtt.rto * 2, config_.rto_max);
      if (oldest && attempt >= config_.retransmit_max) {
        sim_.schedule_internal(sim_.now() + rto, [this, id] { conn_give_up(id); });
        return;
      }
      sim_.schedule_internal(sim_.now() + rto, [this, id, dir, seq, attempt] {
        frame_transmit(id, dir, seq, attempt + 1);
      });
      return;
    }
  }
  const Duration delay = params.latency.sample(rng);
  if (attempt == 0) rtt_sample(rtt, delay * 2);
  sim_.schedule_internal(sim_.now() + delay, [this, id, dir, seq] { frame_arrive(id, dir, seq); });
}

// RFC 6298 section 2, in integer nanoseconds; the clock granularity term is 1 ms.
void Network::rtt_sample(RttState& rtt, Duration sample) const {
  if (!rtt.sampled) {
    rtt.sampled = true;
    rtt.srtt = sample;
    rtt.rttvar = sample / 2;
  } else {
    const Duration error = rtt.srtt > sample ? rtt.srtt - sample : sample - rtt.srtt;
    rtt.rttvar = (rtt.rttvar * 3 + error) / 4;
    rtt.srtt = (rtt.srtt * 7 + sample) / 8;
  }
  const Duration rto = rtt.srtt + std::max(Duration::from_ms(1), rtt.rttvar * 4);
  rtt.rto = std::clamp(rto, config_.rto_min, config_.rto_max);
}

void Network::conn_give_up(ConnId id) {
  if (conn_find(id) == nullptr) return;
  counters_.conns_reset_retransmit++;
  conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, NodeId::none());
}

// A datagram-transport data frame: decided like a datagram (loss, a duplicate with its own
// latency, an extra reorder delay), with no FIFO promise and no retransmission.
void Network::loose_push(ConnId id, Conn& conn, int dir, Frame frame, const LinkParams& params,
                         Rng& rng) {
  const NodeId dst = conn.nodes[1 - dir];
  if (bernoulli(rng, params.loss_probability)) {
    counters_.conn_frames_lost++;
    sim_.trace(TraceKind::packet_dropped, dst, id.value ^ hash_bytes(frame.bytes));
    return;
  }
  if (bernoulli(rng, params.duplicate_probability)) {
    counters_.conn_frames_duplicated++;
    loose_schedule(id, conn, dir, frame, params.latency.sample(rng));
  }
  Duration delay = params.latency.sample(rng);
  if (bernoulli(rng, params.reorder_probability)) delay += params.reorder_delay.sample(rng);
  loose_schedule(id, conn, dir, std::move(frame), delay);
}

void Network::loose_schedule(ConnId id, Conn& conn, int dir, Frame frame, Duration delay) {
  const std::uint64_t key = conn.loose_next++;
  conn.loose[dir].emplace(key, std::move(frame));
  sim_.schedule_internal(sim_.now() + delay, [this, id, dir, key] { loose_arrive(id, dir, key); });
}

void Network::loose_arrive(ConnId id, int dir, std::uint64_t key) {
  Conn* conn = conn_find(id);
  if (conn == nullptr) return;  // died; its frames were counted then
  auto it = conn->loose[dir].find(key);
  if (it == conn->loose[dir].end()) return;  // dropped by a close
  const NodeId src = conn->nodes[dir];
  const NodeId dst = conn->nodes[1 - dir];
  IMSIM_ASSERT_MSG(sim_.is_up(dst), "a live connection to a node that is down");
  const std::uint64_t digest = id.value ^ hash_bytes(it->second.bytes);
  // Partitioned: lost, as a datagram would be.
  if (is_blocked(src, dst)) {
    counters_.conn_frames_lost++;
    sim_.trace(TraceKind::packet_dropped, dst, digest);
    conn->loose[dir].erase(it);
    return;
  }
  if (!conn->open_at[1 - dir]) {
    // Overtook the SYN-ACK (only the acceptor sends before both ends are open).
    IMSIM_ASSERT(dir == 1);
    conn->early.push_back(key);
    return;
  }
  if (is_clogged(src, dst)) {
    sim_.trace(TraceKind::packet_held, dst, digest);
    return hold(src, dst,
                Held{HeldKind::loose_frame, id.value, static_cast<std::uint8_t>(dir), key});
  }
  Frame frame = std::move(it->second);
  conn->loose[dir].erase(it);
  frame_deliver(id, *conn, dir, std::move(frame));
}

void Network::count_dropped(const Conn& conn, int dir) {
  for (const Frame& frame : conn.inflight[dir]) {
    if (frame.kind == FrameKind::data) counters_.conn_messages_dropped++;
  }
  counters_.conn_messages_dropped += conn.loose[dir].size();
}

void Network::frame_arrive(ConnId id, int dir, std::uint64_t seq) {
  Conn* conn = conn_find(id);
  if (conn == nullptr) return;            // died; its frames were counted then
  if (seq < conn->head_seq[dir]) return;  // dropped by a close
  Frame& frame = conn->inflight[dir][seq - conn->head_seq[dir]];
  const NodeId src = conn->nodes[dir];
  const NodeId dst = conn->nodes[1 - dir];
  if (!sim_.is_up(dst)) {
    // Only a SYN can find its peer down (a crash kills the node's live connections at once):
    // nobody answers, and connect_timeout fails the attempt.
    IMSIM_ASSERT(frame.kind == FrameKind::syn);
    return;
  }
  if (is_blocked(src, dst) || is_clogged(src, dst)) {
    sim_.trace(TraceKind::packet_held, dst, id.value);
    return hold(src, dst,
                Held{HeldKind::stream_frame, id.value, static_cast<std::uint8_t>(dir), seq});
  }
  frame.arrived = true;
  stream_drain(id, dir);
}

// Delivers, in order, every frame at the head of the direction that has arrived. Each delivery
// may end the connection (its handler resets or closes it, or it is the FIN).
void Network::stream_drain(ConnId id, int dir) {
  for (;;) {
    Conn* conn = conn_find(id);
    if (conn == nullptr || conn->inflight[dir].empty() || !conn->inflight[dir].front().arrived) {
      return;
    }
    Frame frame = std::move(conn->inflight[dir].front());
    conn->inflight[dir].pop_front();
    conn->head_seq[dir]++;
    frame_deliver(id, *conn, dir, std::move(frame));
  }
}

// Book-keeping first, handler last: the handler may reset or close this very connection.
void Network::frame_deliver(ConnId id, Conn& conn, int dir, Frame frame) {
  const EndpointId to = conn.ends[1 - dir];
  const NodeId dst = conn.nodes[1 - dir];
  ConnEvent event;
  std::uint64_t digest = id.value;
  switch (frame.kind) {
    case FrameKind::syn:
      conn.open_at[1] = true;
      event.kind = ConnEventKind::opened;
      frame_push(id, conn, 1, Frame{FrameKind::syn_ack, {}});
      break;
    case FrameKind::syn_ack:
      conn.open_at[0] = true;
      counters_.conns_opened++;
      event.kind = ConnEventKind::opened;
      // Datagram frames that overtook the SYN-ACK arrive now, after `opened`.
      for (const std::uint64_t key : conn.early) {
        sim_.schedule_internal(sim_.now(), [this, id, key] { loose_arrive(id, 1, key); });
      }
      conn.early.clear();
      break;
    case FrameKind::data:
      counters_.conn_messages_delivered++;
      event.kind = ConnEventKind::data;
      digest ^= hash_bytes(frame.bytes);
      event.bytes = std::move(frame.bytes);
      break;
    case FrameKind::fin:
      event.kind = ConnEventKind::closed;
      count_dropped(conn, 0);  // datagram frames the FIN overtook
      count_dropped(conn, 1);
      conn_erase(id);  // `conn` dangles from here on
      break;
  }
  sim_.trace(trace_kind_of(event.kind), dst, digest);
  ConnHandler handler = endpoints_[to.value].on_conn;
  if (handler) handler(id, std::move(event));
}

// Tells `end` about `kind` as an event at the current instant, unless its node has crashed or
// restarted by then.
void Network::conn_notify(ConnId id, EndpointId end, ConnEventKind kind) {
  const NodeId node = node_of(end);
  const std::uint32_t incarnation = sim_.incarnation(node);
  sim_.schedule_internal(sim_.now(), [this, id, end, node, incarnation, kind] {
    if (!sim_.is_up(node) || sim_.incarnation(node) != incarnation) return;
    sim_.trace(trace_kind_of(kind), node, id.value);
    ConnHandler handler = endpoints_[end.value].on_conn;
    if (handler) handler(id, ConnEvent{kind, {}});
  });
}

// Ends a connection abruptly: in-flight frames are dropped; each end not on `silent_node` that
// had seen it open observes `kind_for_open`, an initiator still connecting observes
// `kind_for_connecting`, an acceptor that never saw the SYN observes nothing.
void Network::conn_kill(ConnId id, ConnEventKind kind_for_open, ConnEventKind kind_for_connecting,
                        NodeId silent_node) {
  Conn* live = conn_find(id);
  IMSIM_ASSERT(live != nullptr);
  Conn conn = std::move(*live);
  conn_erase(id);
  count_dropped(conn, 0);
  count_dropped(conn, 1);
  if (conn.open_at[0] || conn.open_at[1]) {
    counters_.conns_reset++;
  } else {
    counters_.conns_failed++;
  }
  for (int side = 0; side < 2; ++side) {
    if (conn.nodes[side] == silent_node) continue;
    if (conn.open_at[side]) {
      conn_notify(id, conn.ends[side], kind_for_open);
    } else if (side == 0) {
      conn_notify(id, conn.ends[side], kind_for_connecting);
    }
  }
}

void Network::conn_connect_timeout(ConnId id) {
  Conn* conn = conn_find(id);
  if (conn == nullptr || conn->open_at[0]) return;
  conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, NodeId::none());
}

void Network::conn_stall_check(ConnId id) {
  Conn* conn = conn_find(id);
  if (conn == nullptr || !conn->stalled) return;
  if (sim_.now() - conn->stalled_since < config_.stall_timeout) return;  // re-stalled later
  conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, NodeId::none());
}

// A connection whose path is blocked in either direction (TCP needs both: data one way, ACKs
// the other) stalls; one still stalled stall_timeout later is reset by conn_stall_check.
void Network::conns_after_blocks_changed() {
  for (auto& [key, conn] : conns_) conn_update_stall(ConnId(key), conn);
}

void Network::conn_update_stall(ConnId id, Conn& conn) {
  const bool blocked =
      is_blocked(conn.nodes[0], conn.nodes[1]) || is_blocked(conn.nodes[1], conn.nodes[0]);
  if (blocked && !conn.stalled) {
    conn.stalled = true;
    conn.stalled_since = sim_.now();
    sim_.schedule_internal(sim_.now() + config_.stall_timeout,
                           [this, id] { conn_stall_check(id); });
  } else if (!blocked) {
    conn.stalled = false;
  }
}

void Network::on_node_crash(NodeId node) {
  // Datagrams in flight to the node are dropped when they arrive (incarnation check).
  std::vector<ConnId> doomed;
  if (node.value < conns_by_node_.size()) {
    for (const std::uint64_t key : conns_by_node_[node.value]) doomed.push_back(ConnId(key));
  }
  for (ConnId id : doomed) {
    conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, node);
  }
}

}  // namespace imsim::sim
