#pragma once
// The typed frame set. Device <-> gateway frames travel over a connection; every other frame is a
// datagram between server roles. On the wire each frame is encoded by codec.hpp as
// [u32 length][u8 version][u8 type][fields], little-endian.
#include <cstdint>
#include <imsim/engine/ids.hpp>
#include <string>
#include <variant>
#include <vector>

namespace imsim::engine {

// Why a frame (or a send) was refused. Counted per reason by the refusing role.
enum class RejectReason : std::uint8_t {
  none = 0,
  malformed = 1,          // the bytes did not decode
  unexpected_frame = 2,   // a valid frame of a type this role does not take from this sender
  not_authenticated = 3,  // a frame before a successful Hello
  auth_failed = 4,        // unknown device or wrong token
  forged_sender = 5,      // message id / user does not match the authenticated device
  unknown_conv = 6,
  not_member = 7,        // the device's user is not a member of the conversation
  oversized = 8,         // body longer than message_body_bytes_max
  bad_limit = 9,         // page limit 0 or above page_size_max
  forbidden_inbox = 10,  // pulling another user's inbox
  bad_field = 11,        // a field outside its domain (zero lane seq, unknown direction, ...)
  fifo_gap = 12,         // nack: the send overtook an earlier one of its lane; resend later
  stale_lane = 13,       // nack: the lane position is taken by another message
  overloaded = 14,       // a bounded queue is full; resend later
  rate_limited = 15,     // the connection sent faster than Config::conn_frames_per_s; resend later
  superseded = 16,       // the device authenticated on a newer connection: this one is closed
  count_ = 17,
};

enum class FrameType : std::uint8_t {
  hello = 1,
  hello_ok = 2,
  reject = 3,
  send = 4,
  send_ack = 5,
  send_nack = 6,
  pull_inbox = 7,
  inbox_page = 8,
  pull_conv = 9,
  conv_page = 10,
  push = 11,
  notice = 12,
  enqueue = 13,
  deliver = 14,
  done = 15,
  append = 16,
  append_reply = 17,
  inbox_append = 18,
  inbox_append_reply = 19,
  send_result = 20,
  deliveries = 21,
  deliveries_ack = 22,
  challenge = 23,
};
inline constexpr std::uint8_t kFrameTypeMax = 23;

enum class AppendStatus : std::uint8_t {
  appended = 1,   // new entry, durable
  duplicate = 2,  // already stored: conv_seq / inbox_seq of the existing entry
  fifo_gap = 3,   // lane_expected < msg.lane_seq: an earlier send of the lane is missing
  stale = 4,      // the lane position holds another message
  gap = 5,        // inbox: an earlier conv_seq of this conversation is not fanned out yet
};

enum class PullDirection : std::uint8_t { forward = 1, backward = 2 };

// --- Shared records ---
struct MessageData {
  ClientMsgId id;
  ConvId conv;
  LaneSeq lane_seq;                   // position in the sender's (device install, conv) lane
  std::int64_t sent_at_local_ns = 0;  // sender's clock: informational (order_by_timestamp only)
  std::string body;
  friend bool operator==(const MessageData&, const MessageData&) = default;
};

struct TimelineEntry {
  ConvSeq conv_seq;
  MessageData msg;
  friend bool operator==(const TimelineEntry&, const TimelineEntry&) = default;
};

struct InboxEntry {
  InboxSeq inbox_seq;
  ConvSeq conv_seq;
  MessageData msg;
  friend bool operator==(const InboxEntry&, const InboxEntry&) = default;
};

// Where a send entered the system, so the processor can route the ACK back.
struct Origin {
  std::uint32_t gateway = 0;
  ConnId conn;
  friend bool operator==(const Origin&, const Origin&) = default;
};

struct Recipient {
  UserId user;
  InboxSeq inbox_seq;  // 0 when unknown (entry already expired): no push for that user
  friend bool operator==(const Recipient&, const Recipient&) = default;
};

// --- Device <-> gateway ---
// The gateway's first frame on every connection: a fresh nonce the device's Hello must answer,
// so a Hello captured on one connection is worthless on another (no replay).
struct Challenge {
  std::uint64_t nonce = 0;
  friend bool operator==(const Challenge&, const Challenge&) = default;
};
// `proof` = hello_proof(token of this install, the connection's nonce, device, incarnation)
// (topology.hpp): the token itself never travels.
struct Hello {
  DeviceId device;
  Incarnation incarnation;
  std::uint64_t proof = 0;
  friend bool operator==(const Hello&, const Hello&) = default;
};
struct HelloOk {
  DeviceId device;
  friend bool operator==(const HelloOk&, const HelloOk&) = default;
};
struct Reject {
  RejectReason reason = RejectReason::none;
  std::uint8_t frame_type = 0;
  ReqId req;
  friend bool operator==(const Reject&, const Reject&) = default;
};
struct Send {
  MessageData msg;
  friend bool operator==(const Send&, const Send&) = default;
};
struct SendAck {
  ClientMsgId msg;
  ConvSeq conv_seq;
  friend bool operator==(const SendAck&, const SendAck&) = default;
};
struct SendNack {
  ClientMsgId msg;
  RejectReason reason = RejectReason::none;
  friend bool operator==(const SendNack&, const SendNack&) = default;
};
// `conn` is 0 from a device; the gateway fills it in when it forwards the pull to a store and the
// store echoes it back so the gateway knows where the page goes.
struct PullInbox {
  ReqId req;
  ConnId conn;
  UserId user;
  InboxSeq after;
  std::uint32_t limit = 0;
  friend bool operator==(const PullInbox&, const PullInbox&) = default;
};
// head: highest inbox_seq; low: lowest retained (head + 1 when nothing is retained).
struct InboxPage {
  ReqId req;
  ConnId conn;
  UserId user;
  InboxSeq head;
  InboxSeq low;
  std::vector<InboxEntry> entries;  // ascending, contiguous from after + 1 (or from low)
  friend bool operator==(const InboxPage&, const InboxPage&) = default;
};
// forward: entries with conv_seq > anchor; backward: entries with conv_seq < anchor, newest
// first taken (anchor 0 = from the head). Entries are always returned ascending.
struct PullConv {
  ReqId req;
  ConnId conn;
  ConvId conv;
  PullDirection direction = PullDirection::forward;
  ConvSeq anchor;
  std::uint32_t limit = 0;
  friend bool operator==(const PullConv&, const PullConv&) = default;
};
struct ConvPage {
  ReqId req;
  ConnId conn;
  ConvId conv;
  PullDirection direction = PullDirection::forward;
  ConvSeq head;
  std::vector<TimelineEntry> entries;
  friend bool operator==(const ConvPage&, const ConvPage&) = default;
};
struct Push {
  UserId user;
  InboxEntry entry;
  friend bool operator==(const Push&, const Push&) = default;
};
struct Notice {
  ConvId conv;
  ConvSeq conv_seq;
  friend bool operator==(const Notice&, const Notice&) = default;
};  // read fan-out: "conv is at conv_seq"

// --- Gateway -> queue -> processor ---
struct Enqueue {
  Origin origin;
  MessageData msg;
  friend bool operator==(const Enqueue&, const Enqueue&) = default;
};
struct Deliver {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
  Origin origin;
  MessageData msg;
  friend bool operator==(const Deliver&, const Deliver&) = default;
};
struct Done {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
  ClientMsgId msg;
  friend bool operator==(const Done&, const Done&) = default;
};

// --- Processor <-> store ---
struct Append {
  ReqId req;
  MessageData msg;
  friend bool operator==(const Append&, const Append&) = default;
};
struct AppendReply {
  ReqId req;
  ClientMsgId msg;
  AppendStatus status = AppendStatus::appended;
  ConvSeq conv_seq;
  LaneSeq lane_expected;
  friend bool operator==(const AppendReply&, const AppendReply&) = default;
};
struct InboxAppend {
  ReqId req;
  UserId user;
  ConvSeq conv_seq;
  MessageData msg;
  friend bool operator==(const InboxAppend&, const InboxAppend&) = default;
};
struct InboxAppendReply {
  ReqId req;
  UserId user;
  AppendStatus status = AppendStatus::appended;
  InboxSeq inbox_seq;
  friend bool operator==(const InboxAppendReply&, const InboxAppendReply&) = default;
};

// --- Processor -> gateways ---
// reason none = ACK with conv_seq, otherwise a NACK for the device.
struct SendResult {
  Origin origin;
  ClientMsgId msg;
  RejectReason reason = RejectReason::none;
  ConvSeq conv_seq;
  friend bool operator==(const SendResult&, const SendResult&) = default;
};
// One per stored message to every gateway: push to connected devices of the recipients, or (read
// fan-out, notice_only) a Notice to connected devices of every member.
struct Deliveries {
  ReqId req;
  ConvSeq conv_seq;
  MessageData msg;
  std::vector<Recipient> recipients;
  bool notice_only = false;
  friend bool operator==(const Deliveries&, const Deliveries&) = default;
};
struct DeliveriesAck {
  ReqId req;
  friend bool operator==(const DeliveriesAck&, const DeliveriesAck&) = default;
};

using Frame =
    std::variant<Hello, HelloOk, Reject, Send, SendAck, SendNack, PullInbox, InboxPage, PullConv,
                 ConvPage, Push, Notice, Enqueue, Deliver, Done, Append, AppendReply, InboxAppend,
                 InboxAppendReply, SendResult, Deliveries, DeliveriesAck, Challenge>;

FrameType type_of(const Frame& frame);
const char* to_string(FrameType type);
const char* to_string(RejectReason reason);
const char* to_string(AppendStatus status);

}  // namespace imsim::engine
