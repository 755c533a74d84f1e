#pragma once
// Device internals, split by concern over device.cpp (lifecycle, connection, dispatch, recovery),
// device_outbox.cpp (sends), device_sync.cpp (pushes, pulls, checkpoint) and device_store.cpp
// (local store and display).
//
// Durable keys: see storage_keys.hpp. One write per key is in flight at a time.
#include <deque>
#include <imsim/engine/device.hpp>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "records.hpp"
#include "role_io.hpp"
#include "storage_keys.hpp"

namespace imsim::engine {

struct OutboxEntry {
  MessageData msg;
  records::OutboxState state = records::OutboxState::sending;
  ConvSeq conv_seq;
  std::uint32_t timeouts = 0;    // retransmission timeouts so far (the retry budget counts them)
  LocalTime deadline;            // next timeout while sending and durable
  bool durable = false;          // the first record write completed: may be transmitted
  bool gap_held = false;         // nacked fifo_gap: retransmit once the predecessor is acked
  bool hurried = false;          // fast-retransmitted (a successor was nacked) since its timeout
  bool busy = false;             // nacked overloaded since its last timeout: nothing was lost
  std::optional<OpId> write_op;  // record write in flight
  bool dirty = false;            // state changed while a write was in flight
};

struct LocalMsg {
  MessageData msg;
  std::optional<OpId> write_op;  // set until the record is durable
};

// A device's copy of one conversation. The view is the displayed range [lo, hi] of conv_seqs,
// grown from the anchor (the head when the device first synced the conversation): `hi` at the
// bottom with new messages, `lo` at the top with roamed history. Nothing is displayed before the
// anchor is durable, so a restart rebuilds exactly the same view.
struct ConvState {
  bool anchored = false;
  bool anchor_durable = false;
  ConvSeq anchor;
  ConvSeq lo{1};
  ConvSeq hi;
  std::map<ConvSeq, LocalMsg> msgs;
  std::set<ClientMsgId> ids;
  bool top_known = false;      // a backward page came back empty: nothing older exists
  bool top_reported = false;   // TopReached was emitted (or is implied after a restart)
  bool scroll_to_top = false;  // the user asked for the whole history (page_back)
};

enum class TaskKind : std::uint8_t {
  resync_start,   // read the inbox head, then catch up every conversation from its timeline
  resync_finish,  // move the checkpoint to the head read by resync_start
  inbox_pull,     // page the inbox after the cursor
  conv_anchor,    // anchor a conversation at its head (backward page from the head)
  conv_forward,   // page a conversation forward after `hi` (read fan-out, resync)
  conv_backward,  // roam history backwards below `lo`
};

struct SyncTask {
  TaskKind kind = TaskKind::inbox_pull;
  ConvId conv;
  friend auto operator<=>(const SyncTask&, const SyncTask&) = default;
};

// Inbox entries applied together: the checkpoint may move to `last` once every storage op in
// `needs` is durable.
struct ApplyBatch {
  InboxSeq last;
  std::set<OpId> needs;
  bool bootstraps = false;
  std::optional<OpId> checkpoint_op;
};

// The one owner of a device's state. Device (the public facade) only forwards to the public
// entry points and queries below; every field is private, so only Impl's own methods (in
// device.cpp, device_outbox.cpp, device_sync.cpp, device_store.cpp) change it.
class Device::Impl {
 public:
  Impl(const Config& c, const Topology& t, DeviceId d, DeviceOptions o, Random* r)
      : config(c), topology(t), id(d), options(o), io(c.frame_bytes_max), buggify(r, c.buggify) {}

  // --- Entry points (device.cpp unless noted) ---
  void recover(const DurableMap& durable, LocalTime now, Effects& fx);
  SendOutcome send(ConvId conv, std::string body, LocalTime now, Effects& fx);  // device_outbox
  bool resend(const ClientMsgId& msg, LocalTime now, Effects& fx);              // device_outbox
  void go_online(Effects& fx);
  void go_offline(Effects& fx);
  void page_back(ConvId conv, LocalTime now, Effects& fx);  // device_store
  void on_connected(ConnId opened, LocalTime now, Effects& fx);
  void on_connect_failed(LocalTime now, Effects& fx);
  void on_conn_closed(ConnId closed, LocalTime now, Effects& fx);
  void receive(ConnId from, std::span<const std::uint8_t> bytes, LocalTime now, Effects& fx);
  void on_timer(TimerId timer, LocalTime now, Effects& fx);
  void on_storage_done(OpId op, LocalTime now, Effects& fx);

  // --- Queries ---
  DeviceId device_id() const { return id; }
  Incarnation current_incarnation() const { return incarnation; }
  bool online() const { return authed; }
  InboxSeq durable_checkpoint() const { return checkpoint; }
  const DeviceCounters& counters_of_device() const { return device_counters; }
  const RoleCounters& role_counters() const { return io.counters; }
  std::vector<ClientMsgId> view(ConvId conv) const;
  bool top_reached(ConvId conv) const;
  OutboxStatus status(const ClientMsgId& msg) const;
  std::size_t sending_count() const;
  bool quiescent() const;
  std::string state_digest() const;

 private:
  // device.cpp
  void connect(Effects& fx);
  void schedule_reconnect(LocalTime now, Effects& fx);
  void on_session(LocalTime now, Effects& fx);
  void on_frame(const Frame& frame, LocalTime now, Effects& fx);
  void drop_session();
  bool is_mine(const ClientMsgId& msg) const;

  // device_outbox.cpp
  void revive_lane(ConvId conv, LaneSeq below, LocalTime now, Effects& fx);
  void write_outbox(OutboxEntry& e, Effects& fx);
  void admit_next(Effects& fx);
  void hurry_lane_head(ConvId conv, LaneSeq below, LocalTime now, Effects& fx);
  bool finish_outbox_write(OpId op, LocalTime now, Effects& fx);
  void transmit(OutboxEntry& e, LocalTime now, Effects& fx);
  void on_ack(const ClientMsgId& msg, ConvSeq seq, LocalTime now, Effects& fx);
  void on_nack(const SendNack& nack, LocalTime now, Effects& fx);
  void fail_lane(const OutboxEntry& first, Effects& fx);
  // A later send of head's lane is still within its retry budget.
  bool younger_in_budget(const OutboxEntry& head) const;
  template <class Entry>
  bool within_page_limits(const std::vector<Entry>& entries) const;
  void on_send_timer(LocalTime now, Effects& fx);
  void arm_send_timer(LocalTime now, Effects& fx);
  void prune_sent(ConvId conv, LaneSeq below, Effects& fx);
  Duration send_timeout(std::uint32_t timeouts) const;
  std::size_t pending_count() const;
  void reserve_ids(Effects& fx);
  bool finish_reservation(OpId op, Effects& fx);

  // device_sync.cpp
  void enqueue(SyncTask task, bool front = false);
  void pump_sync(LocalTime now, Effects& fx);
  void issue(const SyncTask& task, LocalTime now, Effects& fx);
  void send_pull(LocalTime now, Effects& fx);
  void on_inbox_page(const InboxPage& page, LocalTime now, Effects& fx);
  void on_conv_page(const ConvPage& page, LocalTime now, Effects& fx);
  void on_push(const Push& push, LocalTime now, Effects& fx);
  void on_notice(const Notice& notice, LocalTime now, Effects& fx);
  void apply_inbox(const std::vector<InboxEntry>& entries, LocalTime now, Effects& fx);
  void drain_push_buffer(LocalTime now, Effects& fx);
  void start_resync(InboxSeq head, LocalTime now, Effects& fx);
  void finish_resync(LocalTime now, Effects& fx);
  void check_batches(LocalTime now, Effects& fx);
  bool finish_checkpoint(OpId op, LocalTime now, Effects& fx);
  void on_pull_timer(LocalTime now, Effects& fx);
  void on_poll_timer(LocalTime now, Effects& fx);
  void enqueue_catch_up();

  // device_store.cpp
  void put_message(const TimelineEntry& entry, std::set<OpId>& needs, LocalTime now, Effects& fx);
  void reconcile(const TimelineEntry& entry, LocalTime now, Effects& fx);
  ConvSeq lowest_held(const ConvState& cs) const;
  bool finish_msg_write(OpId op, Effects& fx);
  bool finish_anchor_write(OpId op, Effects& fx);
  void set_anchor(ConvId conv, ConvSeq head, Effects& fx);
  void extend_view(ConvId conv, ConvState& cs, Effects& fx);
  bool roaming_wanted(const ConvState& cs) const;
  void report_top(ConvId conv, ConvState& cs, Effects& fx);
  std::set<OpId> pending_store_ops() const;

  const Config& config;
  const Topology& topology;
  DeviceId id;
  DeviceOptions options;
  RoleIo io;
  Buggify buggify;
  DeviceCounters device_counters;
  Incarnation incarnation;
  bool recovered = false;

  // Connection.
  bool want_online = false;
  bool connecting = false;
  std::optional<ConnId> conn;
  bool hello_sent = false;  // answered this connection's Challenge
  bool authed = false;
  std::uint32_t connect_attempts = 0;
  TimerSlot reconnect_timer;
  // An open connection that has not become a session (Challenge, Hello or HelloOk lost, or a
  // gateway that never answers) within hello_timeout is dropped and the device reconnects.
  TimerSlot hello_timer;

  // Outbox.
  std::map<ClientMsgId, OutboxEntry> outbox;
  std::map<ConvId, LaneSeq> lane_last;  // last lane position assigned per conversation
  std::uint64_t last_counter = 0;
  std::map<OpId, ClientMsgId> outbox_ops;
  // New sends are admitted (made durable, echoed) one at a time, in send order, so durability
  // order is send order: a crash forgets only a suffix of the sends, never one between two kept
  // ones, and every lane stays without holes.
  std::optional<ClientMsgId> admitting;  // the send whose first record write is in flight
  std::deque<ClientMsgId> admit_queue;   // sends waiting for their first record write
  TimerSlot send_timer;
  std::set<ClientMsgId> earlier_install_acked;  // earlier installs' messages reported stored
  std::uint64_t ids_reserved = 0;               // durable: counters <= this may be in use
  std::optional<std::pair<OpId, std::uint64_t>> reservation_op;  // reservation being written

  // Local store.
  std::map<ConvId, ConvState> convs;
  std::map<OpId, std::pair<ConvId, ConvSeq>> msg_ops;
  std::map<OpId, ConvId> anchor_ops;

  // Sync.
  InboxSeq checkpoint;  // durable: every entry <= checkpoint is applied durably
  InboxSeq cursor;      // volatile: every entry <= cursor is applied or being applied
  bool bootstrapped = false;
  std::map<InboxSeq, InboxEntry> push_buffer;
  std::deque<ApplyBatch> batches;
  std::deque<SyncTask> tasks;
  struct Outstanding {
    ReqId req;
    SyncTask task;
    Frame frame;
    LocalTime deadline;
  };
  std::optional<Outstanding> outstanding;
  std::optional<InboxSeq> resync_head;
  std::uint64_t next_req = 1;
  TimerSlot pull_timer;
  TimerSlot poll_timer;
};

}  // namespace imsim::engine
