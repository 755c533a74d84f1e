#pragma once
// Device: the client SDK of one device install, as a sans-IO state machine.
// - Outbox: send() assigns a client message id and a lane position (per conversation, FIFO),
//   writes the message durably, shows a local echo, and transmits once durable. Each message is
//   sending -> sent (ACK, or found in the inbox) or sending -> failed (retry budget exhausted).
//   resend() keeps the id. Lane FIFO: a later message never overtakes an earlier one, so a
//   failure fails the rest of its lane too, and (re)sending a later one revives earlier ones.
// - Sync: a durable inbox checkpoint advanced only contiguously, after the entries are durable.
//   Pushes apply when contiguous, otherwise they are buffered and the gap is pulled. Pulls page
//   until an empty page. An expired range (TTL) triggers a resync from the store timelines.
// - Local store: per conversation by conv_seq, deduplicated by message id. Each conversation is
//   displayed as one contiguous range of its store timeline, growing at the bottom (new) and the
//   top (roamed history). A new install anchors at the heads and roams history backwards.
//
// Lifecycle: construct, recover(durable) once (empty = fresh install), then drive it. App kill =
// drop the object; restart = new object + recover(what survived). Reinstall = new object with a
// higher incarnation + recover({}).
#include <imsim/engine/config.hpp>
#include <imsim/engine/counters.hpp>
#include <imsim/engine/effects.hpp>
#include <imsim/engine/random.hpp>
#include <imsim/engine/topology.hpp>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace imsim::engine {

struct DeviceOptions {
  // Distinguishes installs of the same device: the host increments it on every reinstall so
  // client message ids never repeat. A recovered device keeps its durable incarnation.
  Incarnation incarnation;
  // The credential of this install, Topology::device_token(device, incarnation): the Hello
  // proves it holds it by answering the gateway's per-connection Challenge.
  std::uint64_t token = 0;
};

enum class SendError : std::uint8_t {
  none = 0,
  unknown_conv = 1,
  not_member = 2,
  oversized = 3,    // body longer than message_body_bytes_max
  outbox_full = 4,  // outbox_length_max pending messages
  not_ready = 5,    // just (re)started: the client id range is not durably reserved yet
};

struct SendOutcome {
  SendError error = SendError::none;
  ClientMsgId msg;  // valid when error == none
  bool ok() const { return error == SendError::none; }
};

enum class OutboxStatus : std::uint8_t { unknown = 0, sending = 1, sent = 2, failed = 3 };

class Device {
 public:
  Device(const Config& config, const Topology& topology, DeviceId id, DeviceOptions options,
         Random* random);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  void recover(const DurableMap& durable, LocalTime now, Effects& fx);

  // --- App API ---
  SendOutcome send(ConvId conv, std::string body, LocalTime now, Effects& fx);
  // User retry of a failed message (same client message id). False if `msg` is not failed.
  bool resend(const ClientMsgId& msg, LocalTime now, Effects& fx);
  void go_online(LocalTime now, Effects& fx);   // connect, and reconnect after resets
  void go_offline(LocalTime now, Effects& fx);  // disconnect and stay offline
  // The user scrolls `conv` back to its first message: history is paged backwards past the
  // automatic limit (Config::roam_messages_max) until the server has nothing older; then the
  // device observes TopReached (if its view was anchored at a non-empty head).
  void page_back(ConvId conv, LocalTime now, Effects& fx);

  // --- Host I/O ---
  void on_connected(ConnId conn, LocalTime now, Effects& fx);
  void on_connect_failed(LocalTime now, Effects& fx);
  void on_conn_closed(ConnId conn, LocalTime now, Effects& fx);
  void on_frame(ConnId conn, std::span<const std::uint8_t> bytes, LocalTime now, Effects& fx);
  void on_timer(TimerId timer, LocalTime now, Effects& fx);
  void on_storage_done(OpId op, LocalTime now, Effects& fx);

  // --- Inspection ---
  DeviceId id() const;
  Incarnation incarnation() const;
  bool online() const;                               // authenticated on a connection
  std::vector<ClientMsgId> view(ConvId conv) const;  // displayed messages, top to bottom
  bool top_reached(ConvId conv) const;  // TopReached was observed for `conv` by this install
  OutboxStatus status(const ClientMsgId& msg) const;
  std::size_t sending_count() const;
  InboxSeq checkpoint() const;  // durable inbox checkpoint
  // Nothing left to do: connected, no message sending, no sync or storage op in flight, no
  // buffered push, roaming finished.
  bool quiescent() const;
  const DeviceCounters& device_counters() const;
  const RoleCounters& counters() const;
  std::string state_digest() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsim::engine
