#pragma once
// The output side of the sans-IO boundary. Every engine call receives an `Effects&` and appends
// what the host must do: frames to send, timers to set or cancel, storage ops to start, connect
// or disconnect requests, and (devices only) observations for the history recorder.
//
// Host obligations:
// - SendFrame to an Address is a datagram (may be lost, duplicated, reordered); to a ConnId it
//   goes over that connection (FIFO, loss-free while open).
// - SetTimer: call on_timer(id) once the local clock reaches `deadline` (about `delay_ns` from
//   now). Timer ids are never reused by a role instance; a stale or cancelled fire is ignored.
// - StorageWrite / StorageErase: apply to the node's durable key-value store, then call
//   on_storage_done(op). Until then a crash may keep or drop the op (a write may also be torn:
//   records carry a checksum and a torn one reads as absent). Ops of one role on the same key
//   are issued one at a time, so the host may complete different ops in any order.
// - Observations are emitted when the fact became durable on the device (after the storage op
//   completed), so a history built from them matches what the device shows after a restart.
//   One corner: if the host's disk can make a write durable and then crash the node before
//   reporting completion, the restarted device shows a message it never announced. A recorder
//   for such a host compares Device::view(conv) after recover() with what it recorded and adds
//   the missing messages (they can only extend the recorded view at its ends). A disk whose
//   "durable" and "done" are one event never needs this.
#include <cstdint>
#include <imsim/base/display_at.hpp>
#include <imsim/engine/ids.hpp>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace imsim::engine {

using Bytes = std::vector<std::uint8_t>;
using DurableMap = std::map<std::string, std::string>;  // a node's durable key-value contents

using Destination = std::variant<Address, ConnId>;

struct SendFrame {
  Destination to;
  Bytes bytes;  // one encoded frame (codec.hpp)
};

struct SetTimer {
  TimerId id;
  LocalTime deadline;         // local clock value at which to fire
  std::int64_t delay_ns = 0;  // deadline - now, for hosts that schedule by delay
};

struct CancelTimer {
  TimerId id;
};

struct StorageWrite {
  OpId op;
  std::string key;
  std::string value;
};

struct StorageErase {
  OpId op;
  std::string key;
};

using StorageOp = std::variant<StorageWrite, StorageErase>;

// Device -> host: open a connection to gateway `gateway_index`. The host answers with
// Device::on_connected(conn) (and Gateway::on_conn_opened(conn) on the gateway) or
// Device::on_connect_failed().
struct Connect {
  std::uint32_t gateway_index = 0;
};

// Either end closes a connection; the host tells the other end with on_conn_closed.
struct Disconnect {
  ConnId conn;
};

// --- Device observations (history events) ---
using DisplayAt = base::DisplayAt;

struct Displayed {
  ConvId conv;
  ClientMsgId msg;
  DisplayAt at = DisplayAt::bottom;
  ConvSeq conv_seq;
};

struct Acked {
  ClientMsgId msg;
  ConvId conv;
  ConvSeq conv_seq;
};

struct Failed {
  ClientMsgId msg;
  ConvId conv;
};

struct LocalEcho {
  ClientMsgId msg;
  ConvId conv;
};

// The device's view of `conv` now reaches the conversation's first message through history
// paging (roaming): it showed conv_seq 1 at the top, or the server said nothing older exists.
// Emitted once per install and conversation, only for views anchored at a non-empty head (a
// view anchored at an empty conversation holds everything from the start by construction).
struct TopReached {
  ConvId conv;
};

using Observation = std::variant<Displayed, Acked, Failed, LocalEcho, TopReached>;

struct Effects {
  std::vector<SendFrame> frames;
  std::vector<SetTimer> timers_set;
  std::vector<CancelTimer> timers_cancelled;
  std::vector<StorageOp> storage;
  std::vector<Connect> connects;
  std::vector<Disconnect> disconnects;
  std::vector<Observation> observations;

  bool empty() const {
    return frames.empty() && timers_set.empty() && timers_cancelled.empty() && storage.empty() &&
           connects.empty() && disconnects.empty() && observations.empty();
  }
  void clear() { *this = Effects{}; }
};

}  // namespace imsim::engine
