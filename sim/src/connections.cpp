// Network connections: FIFO, loss-free while alive, reset observed by both ends.
// Every frame (SYN, SYN-ACK, data, FIN) goes through its direction's FIFO `inflight[dir]`; each
// frame schedules one arrival event, and an arrival always takes the *head* frame, so frames
// come out in order even when arrivals are held by a clog or a partition and released later.
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
  auto it = conns_.find(conn.value());
  return it == conns_.end() ? nullptr : &it->second;
}

int Network::side_of(const Conn& conn, EndpointId end) const {
  if (conn.ends[0] == end) return 0;
  if (conn.ends[1] == end) return 1;
  return -1;
}

ConnId Network::connect(EndpointId from, EndpointId to) {
  IMSIM_ASSERT_MSG(from != to, "an endpoint cannot connect to itself");
  const NodeId src = node_of(from);
  const NodeId dst = node_of(to);
  IMSIM_ASSERT_MSG(sim_.is_up(src), "connect from a node that is down");
  const ConnId id(conn_next_++);
  Conn& conn = conns_[id.value()];
  conn.ends[0] = from;
  conn.ends[1] = to;
  conn.nodes[0] = src;
  conn.nodes[1] = dst;
  conn.arrival_last[0] = sim_.now();
  conn.arrival_last[1] = sim_.now();
  counters_.conns_connected++;
  frame_push(id, conn, 0, Frame{FrameKind::syn, {}});
  sim_.schedule_internal(sim_.now() + config_.connect_timeout,
                         [this, id] { conn_connect_timeout(id); });
  if (is_blocked(src, dst) || is_blocked(dst, src)) conns_after_blocks_changed();
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
  // Frames toward the closer are dropped; their arrival events find an empty FIFO.
  for (const Frame& frame : conn->inflight[1 - side]) {
    if (frame.kind == FrameKind::data) counters_.conn_messages_dropped++;
  }
  conn->inflight[1 - side].clear();
  frame_push(id, *conn, side, Frame{FrameKind::fin, {}});
  conn_notify(id, by, ConnEventKind::closed);
}

void Network::reset(ConnId id) {
  if (conn_find(id) == nullptr) return;  // already dead: resetting twice is harmless
  conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, NodeId::none());
}

bool Network::is_open_at(ConnId id, EndpointId end) const {
  auto it = conns_.find(id.value());
  if (it == conns_.end() || it->second.closing) return false;
  const int side = side_of(it->second, end);
  return side >= 0 && it->second.open_at[side];
}

EndpointId Network::peer_of(ConnId id, EndpointId end) const {
  auto it = conns_.find(id.value());
  IMSIM_ASSERT_MSG(it != conns_.end(), "peer_of a dead connection");
  const int side = side_of(it->second, end);
  IMSIM_ASSERT(side >= 0);
  return it->second.ends[1 - side];
}

std::vector<ConnId> Network::conns_of(EndpointId endpoint) const {
  std::vector<ConnId> result;
  for (const auto& [key, conn] : conns_) {
    if (conn.ends[0] == endpoint || conn.ends[1] == endpoint) result.push_back(ConnId(key));
  }
  return result;
}

void Network::frame_push(ConnId id, Conn& conn, int dir, Frame frame) {
  IMSIM_ASSERT(dir == 0 || dir == 1);
  IMSIM_ASSERT_MSG(conn.inflight[dir].size() < conn_queue_max, "connection queue overflow");
  const NodeId src = conn.nodes[dir];
  const NodeId dst = conn.nodes[1 - dir];
  const Duration delay = link(src, dst).latency.sample(link_rng(src, dst));
  SimTime arrival = sim_.now() + delay;
  // FIFO: never before the previous frame of this direction.
  if (arrival < conn.arrival_last[dir]) arrival = conn.arrival_last[dir];
  conn.arrival_last[dir] = arrival;
  conn.inflight[dir].push_back(std::move(frame));
  sim_.schedule_internal(arrival, [this, id, dir] { frame_arrive(id, dir); });
}

void Network::frame_arrive(ConnId id, int dir) {
  Conn* conn = conn_find(id);
  if (conn == nullptr) return;              // died; its frames were counted then
  if (conn->inflight[dir].empty()) return;  // dropped by a close
  const NodeId src = conn->nodes[dir];
  const NodeId dst = conn->nodes[1 - dir];
  if (!sim_.is_up(dst)) {
    // Only a SYN can find its peer down (a crash kills the node's live connections at once):
    // nobody answers, and connect_timeout fails the attempt.
    IMSIM_ASSERT(conn->inflight[dir].front().kind == FrameKind::syn);
    conn->inflight[dir].pop_front();
    return;
  }
  if (is_blocked(src, dst) || is_clogged(src, dst)) {
    sim_.trace(TraceKind::packet_held, dst, id.value());
    return hold(src, dst, Held{true, id.value(), static_cast<std::uint8_t>(dir)});
  }
  frame_deliver(id, *conn, dir);
}

// Book-keeping first, handler last: the handler may reset or close this very connection.
void Network::frame_deliver(ConnId id, Conn& conn, int dir) {
  Frame frame = std::move(conn.inflight[dir].front());
  conn.inflight[dir].pop_front();
  const EndpointId to = conn.ends[1 - dir];
  const NodeId dst = conn.nodes[1 - dir];
  ConnEvent event;
  std::uint64_t digest = id.value();
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
      break;
    case FrameKind::data:
      counters_.conn_messages_delivered++;
      event.kind = ConnEventKind::data;
      digest ^= hash_bytes(frame.bytes);
      event.bytes = std::move(frame.bytes);
      break;
    case FrameKind::fin:
      event.kind = ConnEventKind::closed;
      conns_.erase(id.value());  // `conn` dangles from here on
      break;
  }
  sim_.trace(trace_kind_of(event.kind), dst, digest);
  ConnHandler handler = endpoints_[to.value()].on_conn;
  if (handler) handler(id, std::move(event));
}

// Tells `end` about `kind` as an event at the current instant, unless its node has crashed or
// restarted by then.
void Network::conn_notify(ConnId id, EndpointId end, ConnEventKind kind) {
  const NodeId node = node_of(end);
  const std::uint32_t incarnation = sim_.incarnation(node);
  sim_.schedule_internal(sim_.now(), [this, id, end, node, incarnation, kind] {
    if (!sim_.is_up(node) || sim_.incarnation(node) != incarnation) return;
    sim_.trace(trace_kind_of(kind), node, id.value());
    ConnHandler handler = endpoints_[end.value()].on_conn;
    if (handler) handler(id, ConnEvent{kind, {}});
  });
}

// Ends a connection abruptly: in-flight frames are dropped; each end not on `silent_node` that
// had seen it open observes `kind_for_open`, an initiator still connecting observes
// `kind_for_connecting`, an acceptor that never saw the SYN observes nothing.
void Network::conn_kill(ConnId id, ConnEventKind kind_for_open, ConnEventKind kind_for_connecting,
                        NodeId silent_node) {
  auto it = conns_.find(id.value());
  IMSIM_ASSERT(it != conns_.end());
  Conn conn = std::move(it->second);
  conns_.erase(it);
  for (const auto& fifo : conn.inflight) {
    for (const Frame& frame : fifo) {
      if (frame.kind == FrameKind::data) counters_.conn_messages_dropped++;
    }
  }
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
  for (auto& [key, conn] : conns_) {
    const bool blocked =
        is_blocked(conn.nodes[0], conn.nodes[1]) || is_blocked(conn.nodes[1], conn.nodes[0]);
    if (blocked && !conn.stalled) {
      conn.stalled = true;
      conn.stalled_since = sim_.now();
      const ConnId id(key);
      sim_.schedule_internal(sim_.now() + config_.stall_timeout,
                             [this, id] { conn_stall_check(id); });
    } else if (!blocked) {
      conn.stalled = false;
    }
  }
}

void Network::on_node_crash(NodeId node) {
  // Datagrams in flight to the node are dropped when they arrive (incarnation check).
  std::vector<ConnId> doomed;
  for (const auto& [key, conn] : conns_) {
    if (conn.nodes[0] == node || conn.nodes[1] == node) doomed.push_back(ConnId(key));
  }
  for (ConnId id : doomed) {
    conn_kill(id, ConnEventKind::reset, ConnEventKind::failed, node);
  }
}

}  // namespace imsim::sim
