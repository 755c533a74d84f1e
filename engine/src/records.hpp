#pragma once
// Durable records: the values roles write to their key-value store. Each is sealed as
//   u8 kind | u64 checksum (FNV-1a 64 of the payload) | payload (archive fields)
// so a torn or foreign value is detected on recovery and treated as absent. Keys carry
// zero-padded numbers so that std::map order is numeric order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archive.hpp"

namespace imsim::engine::records {

enum class Kind : std::uint8_t {
  timeline = 1,
  inbox = 2,
  inbox_floor = 3,
  queue_entry = 4,
  outbox = 5,
  local_msg = 6,
  conv_anchor = 7,
  checkpoint = 8,
  id_reservation = 9,
};

// --- Server records ---
struct TimelineRecord {
  TimelineEntry entry;
  std::int64_t stored_at_ns = 0;  // store local time: the idempotency retention starts here
};
struct InboxRecord {
  UserId user;
  InboxEntry entry;
  std::int64_t stored_at_ns = 0;  // TTL starts here
};
struct ConvWatermark {
  ConvId conv;
  ConvSeq conv_seq;
};
// Written before expired inbox records are erased: the lowest retained seq and how far each
// conversation was fanned in, which the erased records can no longer tell.
struct InboxFloorRecord {
  UserId user;
  InboxSeq low;
  std::vector<ConvWatermark> watermarks;
};
struct QueueRecord {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
  Origin origin;
  MessageData msg;
};

// --- Device records ---
enum class OutboxState : std::uint8_t { sending = 1, sent = 2, failed = 3 };
constexpr std::uint8_t enum_min(OutboxState) { return 1; }
constexpr std::uint8_t enum_max(OutboxState) { return 3; }
struct OutboxRecord {
  MessageData msg;
  OutboxState state = OutboxState::sending;
  ConvSeq conv_seq;  // when sent
};
struct LocalMsgRecord {
  TimelineEntry entry;
};
// Every client id counter handed out by this install is <= `reserved` (written before use), so
// a restart never hands out an id twice even if the outbox entry of the last send was lost.
struct IdReservationRecord {
  std::uint64_t reserved = 0;
};
// Where the device's view of a conversation was anchored (the head when it first synced it).
struct ConvAnchorRecord {
  ConvId conv;
  ConvSeq anchor;
};
struct CheckpointRecord {
  InboxSeq checkpoint;
  bool bootstrapped = false;
  Incarnation incarnation;
};

template <typename A>
void visit(A& a, TimelineRecord& v) {
  a(v.entry, v.stored_at_ns);
}
template <typename A>
void visit(A& a, InboxRecord& v) {
  a(v.user, v.entry, v.stored_at_ns);
}
template <typename A>
void visit(A& a, ConvWatermark& v) {
  a(v.conv, v.conv_seq);
}
template <typename A>
void visit(A& a, InboxFloorRecord& v) {
  a(v.user, v.low, v.watermarks);
}
template <typename A>
void visit(A& a, QueueRecord& v) {
  a(v.partition, v.offset, v.origin, v.msg);
}
template <typename A>
void visit(A& a, OutboxRecord& v) {
  a(v.msg, v.state, v.conv_seq);
}
template <typename A>
void visit(A& a, LocalMsgRecord& v) {
  a(v.entry);
}
template <typename A>
void visit(A& a, IdReservationRecord& v) {
  a(v.reserved);
}
template <typename A>
void visit(A& a, ConvAnchorRecord& v) {
  a(v.conv, v.anchor);
}
template <typename A>
void visit(A& a, CheckpointRecord& v) {
  a(v.checkpoint, v.bootstrapped, v.incarnation);
}

std::uint64_t checksum(std::string_view payload);

template <typename T>
std::string seal(Kind kind, const T& value) {
  Bytes payload;
  wire::ByteWriter w(payload);
  w.field(value);
  const std::string_view body(reinterpret_cast<const char*>(payload.data()), payload.size());
  Bytes head;
  wire::ByteWriter hw(head);
  hw.put_uint(static_cast<std::uint8_t>(kind));
  hw.put_uint(checksum(body));
  std::string out(head.begin(), head.end());
  out.append(body);
  return out;
}

// False (and `out` unspecified) when the value is torn, of another kind, or does not decode.
template <typename T>
bool unseal(Kind kind, std::string_view value, T& out) {
  constexpr std::size_t kHeaderBytes = 9;
  if (value.size() < kHeaderBytes) return false;
  if (static_cast<std::uint8_t>(value[0]) != static_cast<std::uint8_t>(kind)) return false;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < 8; i++) {
    sum |= std::uint64_t{static_cast<std::uint8_t>(value[1 + i])} << (8 * i);
  }
  const std::string_view payload = value.substr(kHeaderBytes);
  if (checksum(payload) != sum) return false;
  wire::ByteReader r(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
  r.field(out);
  return r.error() == DecodeError::none && r.remaining() == 0;
}

}  // namespace imsim::engine::records
