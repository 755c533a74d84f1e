#pragma once
// Network: endpoints on nodes, two delivery services, and the faults between them.
// Full semantics in docs/sim.md; in short:
//
// Datagrams (`send`): delivered to the destination's datagram handler after the link's latency,
// subject to loss, duplication (the copy draws its own latency), reordering (an extra delay on
// some packets), partitions and clogs. No ordering promise at all.
//  - blocked at send time or at arrival time -> dropped; lost -> dropped;
//  - clogged at arrival -> held on the link, released in arrival order when the clog ends;
//  - destination node down at arrival, or restarted since the send -> dropped.
//
// Connections (`connect`, `send_on`, `close`, `reset`), with one of two transports:
//  - Transport::stream (like TCP): FIFO and never loses, duplicates or reorders a frame while
//    alive. Link loss shows the way it shows through TCP: a frame is ceil(bytes /
//    segment_bytes) segments, each lost transmission costs a retransmission timeout (RFC 6298
//    RTO from smoothed RTT samples, Karn's rule, doubling per retransmission up to rto_max),
//    and every later frame of the direction waits behind it (head-of-line blocking). A segment
//    lost retransmit_max + 1 times in a row resets the connection when its last RTO expires.
//  - Transport::datagram (like QUIC DATAGRAM frames, RFC 9221): the handshake and the FIN are
//    carried as in stream; data frames are unreliable: lost, duplicated and reordered per the
//    link like datagrams, dropped at a partition, never retransmitted. Only the engine's own
//    ACKs and retries recover them. One that overtakes the SYN-ACK waits for it.
// Every stream frame (handshake, data, FIN) travels the direction's FIFO; a frame that reaches a
// blocked or clogged link is held (TCP retransmits) and released in order when the link opens.
//  - connect: the acceptor observes `opened` when the SYN arrives, the initiator when the
//    SYN-ACK arrives; not open within connect_timeout -> the initiator observes `failed` (and an
//    acceptor that had opened observes `reset`).
//  - a partition (either direction) between the two nodes of a live connection stalls it; still
//    blocked stall_timeout later (keepalive/retransmit timeout) -> reset. Healed before ->
//    held frames flow again, nothing lost. stall_timeout == 0 resets at once.
//  - reset(conn) (either end or the nemesis): in-flight frames are dropped; both ends observe
//    `reset` (as events at the current instant, never re-entrantly).
//  - close(conn, by): frames already sent by `by` are still delivered, then the peer observes
//    `closed`; `by` observes `closed` at once; frames toward `by` are dropped; neither end may
//    send any more.
//  - a crash of a node resets all its connections; the surviving ends observe `reset` (or
//    `failed` for an initiator still connecting). The crashed side observes nothing.
//
// Link parameters have a default and per directed (src node, dst node) overrides; everything
// may change during a run and applies to packets sent (latency, loss, dup, reorder) or arriving
// (partition, clog) afterwards.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <imsim/sim/distributions.hpp>
#include <imsim/sim/ids.hpp>
#include <imsim/sim/rng.hpp>
#include <imsim/sim/time.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace imsim::sim {

class Simulator;

struct LinkParams {
  LatencyModel latency = LatencyModel::constant(Duration::from_ms(1));
  // Datagrams and datagram-transport data frames: dropped. Stream connections: a segment's
  // transmission is lost and retransmitted after an RTO (see the header comment).
  double loss_probability = 0.0;
  // Datagrams and datagram-transport data frames only (a stream never duplicates or reorders).
  double duplicate_probability = 0.0;
  double reorder_probability = 0.0;  // gets reorder_delay on top
  LatencyModel reorder_delay = LatencyModel::uniform(Duration::zero(), Duration::from_ms(10));

  void validate() const;
};

struct NetworkConfig {
  Duration connect_timeout = Duration::from_s(3);
  Duration stall_timeout = Duration::from_s(5);
  // Stream retransmission (RFC 6298): the RTO before any RTT sample, its floor (Linux's
  // TCP_RTO_MIN) and its ceiling; consecutive retransmissions of one segment before the
  // connection is reset; the segment size frames are cut into.
  Duration rto_initial = Duration::from_s(1);
  Duration rto_min = Duration::from_ms(200);
  Duration rto_max = Duration::from_s(60);
  std::uint32_t retransmit_max = 5;
  std::uint32_t segment_bytes = 1400;

  void validate() const;
};

enum class Transport : std::uint8_t { stream, datagram };

struct NetworkCounters {
  // Datagrams. sent counts send() calls; delivered + dropped + held-now + in-flight ==
  // sent + duplicated.
  std::uint64_t packets_sent = 0;
  std::uint64_t packets_delivered = 0;
  std::uint64_t packets_dropped = 0;
  std::uint64_t packets_duplicated = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_delivered = 0;
  // Why datagrams were dropped (these add up to packets_dropped).
  std::uint64_t dropped_loss = 0;
  std::uint64_t dropped_partition = 0;
  std::uint64_t dropped_node_down = 0;
  std::uint64_t dropped_no_handler = 0;
  // Connections.
  std::uint64_t conns_connected = 0;  // connect() calls
  std::uint64_t conns_opened = 0;     // both ends open
  std::uint64_t conns_failed = 0;
  std::uint64_t conns_reset = 0;
  std::uint64_t conns_closed = 0;
  std::uint64_t conn_messages_sent = 0;
  std::uint64_t conn_messages_delivered = 0;
  std::uint64_t conn_messages_dropped = 0;  // in flight when the connection died
  std::uint64_t conn_bytes_sent = 0;
  // Stream transport: lost segment transmissions (each retransmitted after an RTO), and
  // connections reset because one segment was lost retransmit_max + 1 times in a row.
  std::uint64_t conn_segments_retransmitted = 0;
  std::uint64_t conns_reset_retransmit = 0;
  // Datagram transport: data frames lost (link loss, a partition at arrival, or arriving at an
  // end that has not seen the connection open) and duplicated. Per direction,
  // delivered + dropped + lost + in flight == sent + duplicated.
  std::uint64_t conn_frames_lost = 0;
  std::uint64_t conn_frames_duplicated = 0;
};

enum class ConnEventKind : std::uint8_t { opened, data, closed, reset, failed };

struct ConnEvent {
  ConnEventKind kind = ConnEventKind::opened;
  std::string bytes;  // data only
};

using DatagramHandler = std::function<void(EndpointId from, std::string bytes)>;
// Registered per endpoint: receives (the connection, the event) observed at that end.
using ConnHandler = std::function<void(ConnId conn, ConnEvent event)>;

class Network {
 public:
  static constexpr std::size_t endpoints_max = 1u << 24;
  static constexpr std::size_t conn_queue_max = 1u << 20;  // frames in flight per direction

  explicit Network(Simulator& sim);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // ---- Endpoints -----------------------------------------------------------------------
  EndpointId add_endpoint(NodeId node);
  NodeId node_of(EndpointId endpoint) const;
  std::size_t endpoint_count() const { return endpoints_.size(); }
  // Handlers outlive crashes (an endpoint is an address); a restarted node re-registers them.
  void set_datagram_handler(EndpointId endpoint, DatagramHandler handler);
  void set_conn_handler(EndpointId endpoint, ConnHandler handler);

  // ---- Datagrams ------------------------------------------------------------------------
  void send(EndpointId from, EndpointId to, std::string bytes);

  // ---- Connections ----------------------------------------------------------------------
  ConnId connect(EndpointId from, EndpointId to, Transport transport = Transport::stream);
  // False (nothing sent) unless `from` is an end of a live connection that it has seen open.
  bool send_on(ConnId conn, EndpointId from, std::string bytes);
  void close(ConnId conn, EndpointId by);
  void reset(ConnId conn);
  bool is_live(ConnId conn) const { return conns_.contains(conn.value); }
  bool is_open_at(ConnId conn, EndpointId end) const;
  EndpointId peer_of(ConnId conn, EndpointId end) const;
  // Live connections with an end at `endpoint`, by id.
  std::vector<ConnId> conns_of(EndpointId endpoint) const;

  // ---- Links ----------------------------------------------------------------------------
  void set_default_link(const LinkParams& params);
  const LinkParams& default_link() const { return default_link_; }
  void set_link(NodeId src, NodeId dst, const LinkParams& params);
  void clear_link(NodeId src, NodeId dst);
  void clear_link_overrides();
  const LinkParams& link(NodeId src, NodeId dst) const;
  // Link classes: every node is of a class (0 unless set); a directed class pair may have a
  // link of its own, used where a link has no override. One class link stands for a link per
  // node pair (every gateway <-> device link of a world), which would cost memory and a lookup
  // in a map that grows with the world.
  static constexpr std::uint8_t kLinkClassesMax = 4;
  void set_node_class(NodeId node, std::uint8_t link_class);
  void set_class_link(std::uint8_t src_class, std::uint8_t dst_class, const LinkParams& params);
  void clear_class_links();
  std::uint8_t class_of(NodeId node) const {
    return node.value < node_class_.size() ? node_class_[node.value] : std::uint8_t{0};
  }
  const LinkParams& class_link(std::uint8_t src_class, std::uint8_t dst_class) const;
  // The directed links that have an override, ascending by (src, dst).
  std::vector<std::pair<NodeId, NodeId>> overridden_links() const;
  void set_config(const NetworkConfig& config);
  const NetworkConfig& config() const { return config_; }

  // ---- Partitions and clogs ---------------------------------------------------------------
  // Blocks both directions between nodes of different groups (nodes in no group unaffected).
  // Cumulative with existing blocks; set_partition first heals every block.
  void add_partition(const std::vector<std::vector<NodeId>>& groups);
  void set_partition(const std::vector<std::vector<NodeId>>& groups);
  void block(NodeId src, NodeId dst);  // directed: src -> dst stops, dst -> src still flows
  void unblock(NodeId src, NodeId dst);
  void heal();  // removes every block (not clogs, not link overrides)
  bool is_blocked(NodeId src, NodeId dst) const {
    return !blocked_.empty() && blocked_.contains(link_key(src, dst));
  }
  void clog(NodeId src, NodeId dst, SimTime until);
  void unclog(NodeId src, NodeId dst);
  void unclog_all();
  bool is_clogged(NodeId src, NodeId dst) const;

  const NetworkCounters& counters() const { return counters_; }

  // Called by Simulator::crash: drops in-flight traffic to the node and resets its
  // connections.
  void on_node_crash(NodeId node);

 private:
  struct Endpoint {
    NodeId node;
    DatagramHandler on_datagram;
    ConnHandler on_conn;
  };
  struct Packet {
    EndpointId from;
    EndpointId to;
    std::uint32_t to_incarnation = 0;
    std::uint64_t digest = 0;
    std::string bytes;
  };
  enum class FrameKind : std::uint8_t { syn, syn_ack, data, fin };
  struct Frame {
    FrameKind kind;
    std::string bytes;
    std::uint32_t segments_left = 0;  // stream: segments not yet through (set on the first try)
    bool arrived = false;             // stream: at the receiver, waiting for the ones before it
  };
  // A connection; direction d carries frames from ends[d] to ends[1 - d]. ends[0] initiated.
  // A sender's retransmission timer state (RFC 6298), per direction of a stream.
  struct RttState {
    Duration srtt;
    Duration rttvar;
    Duration rto;
    bool sampled = false;
  };
  // A connection; direction d carries frames from ends[d] to ends[1 - d]. ends[0] initiated.
  struct Conn {
    EndpointId ends[2];
    NodeId nodes[2];
    Transport transport = Transport::stream;
    bool open_at[2] = {false, false};
    bool closing = false;
    // Stream frames in flight, oldest first; the front one has sequence number head_seq[d].
    std::deque<Frame> inflight[2];
    std::uint64_t head_seq[2] = {0, 0};
    RttState rtt[2];
    // Datagram transport: data frames in flight, by key (any arrival order).
    std::map<std::uint64_t, Frame> loose[2];
    std::uint64_t loose_next = 1;
    // Data frames that reached the initiator before its SYN-ACK did: delivered right after it
    // (QUIC buffers packets it cannot decrypt yet).
    std::vector<std::uint64_t> early;
    bool stalled = false;
    SimTime stalled_since;
  };
  // Something held on a link: a datagram (id: packet index), a stream frame (id: conn, key: its
  // sequence number) or a datagram-transport data frame (id: conn, key: its loose key).
  enum class HeldKind : std::uint8_t { packet, stream_frame, loose_frame };
  struct Held {
    HeldKind kind;
    std::uint64_t id;
    std::uint8_t dir = 0;
    std::uint64_t key = 0;
  };
  struct LinkHold {
    SimTime clog_until = SimTime::zero();
    std::vector<Held> held;
  };

  static std::uint64_t link_key(NodeId src, NodeId dst) {
    return (std::uint64_t{src.value} << 32) | dst.value;
  }
  static NodeId key_src(std::uint64_t key) { return NodeId(static_cast<std::uint32_t>(key >> 32)); }
  static NodeId key_dst(std::uint64_t key) { return NodeId(static_cast<std::uint32_t>(key)); }

  // network.cpp: datagrams, links, partitions, clogs.
  std::uint32_t packet_allocate(Packet packet);
  void packet_schedule(std::uint32_t index, Duration delay);
  void packet_arrive(std::uint32_t index);
  void packet_drop(std::uint32_t index, std::uint64_t& reason_counter);
  void hold(NodeId src, NodeId dst, Held held);
  void release_link(std::uint64_t key);
  void release_open_links();
  void after_blocks_changed();
  void clog_expire(std::uint64_t key);

  // connections.cpp
  Conn* conn_find(ConnId conn);
  const Conn* conn_find(ConnId conn) const;
  Conn& conn_insert(ConnId id);
  void conn_index_node(ConnId id, NodeId node);
  void conn_erase(ConnId id);
  void conn_update_stall(ConnId id, Conn& conn);
  int side_of(const Conn& conn, EndpointId end) const;
  void frame_push(ConnId id, Conn& conn, int dir, Frame frame);
  void frame_transmit(ConnId id, int dir, std::uint64_t seq, std::uint32_t attempt);
  void rtt_sample(RttState& rtt, Duration sample) const;
  void conn_give_up(ConnId id);
  void loose_push(ConnId id, Conn& conn, int dir, Frame frame, const LinkParams& params, Rng& rng);
  void loose_schedule(ConnId id, Conn& conn, int dir, Frame frame, Duration delay);
  void loose_arrive(ConnId id, int dir, std::uint64_t key);
  void frame_arrive(ConnId id, int dir, std::uint64_t seq);
  void stream_drain(ConnId id, int dir);
  void frame_deliver(ConnId id, Conn& conn, int dir, Frame frame);
  void count_dropped(const Conn& conn, int dir);
  void conn_notify(ConnId id, EndpointId end, ConnEventKind kind);
  void conn_kill(ConnId id, ConnEventKind kind_for_open, ConnEventKind kind_for_connecting,
                 NodeId silent_node);
  void conn_connect_timeout(ConnId id);
  void conn_stall_check(ConnId id);
  void conns_after_blocks_changed();

  // The random stream of one directed link (loss, duplication, latency, reordering of its
  // datagrams and frames), forked from rng_ on first use: traffic on one link never shifts the
  // draws of another, so removing a fault (shrinking) perturbs as little as it can.
  Rng& link_rng(NodeId src, NodeId dst);

  Simulator& sim_;
  Rng rng_;
  std::unordered_map<std::uint64_t, Rng> link_rngs_;  // lookups only, never iterated
  NetworkConfig config_;
  LinkParams default_link_;
  std::map<std::uint64_t, LinkParams> link_overrides_;
  std::vector<std::uint8_t> node_class_;  // by node id; absent: class 0
  std::array<std::optional<LinkParams>, kLinkClassesMax * kLinkClassesMax> class_links_;
  bool has_class_links_ = false;
  std::set<std::uint64_t> blocked_;
  std::map<std::uint64_t, LinkHold> holds_;  // clogs and held frames, by link
  std::vector<Endpoint> endpoints_;
  std::vector<Packet> packets_;  // in flight or held; recycled through packets_free_
  std::vector<std::uint32_t> packets_free_;
  std::map<std::uint64_t, Conn> conns_;  // live connections by ConnId (ordered: deterministic)
  // Lookups only (never iterated): a map lookup per frame grew with the world.
  std::unordered_map<std::uint64_t, Conn*> conn_index_;
  std::vector<std::vector<std::uint64_t>> conns_by_node_;  // node -> its live conns, ascending
  std::uint64_t conn_next_ = 0;
  NetworkCounters counters_;
};

}  // namespace imsim::sim
