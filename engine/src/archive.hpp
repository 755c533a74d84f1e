#pragma once
// One field list per record, two directions: `visit(archive, value)` names the fields of a type
// once, and ByteWriter / ByteReader walk them to encode or decode. Used by the frame codec and by
// the durable records. The reader never trusts a count: a string or vector may not claim more
// elements than bytes remain, so garbage input cannot cause a large allocation.
#include <cstdint>
#include <imsim/engine/codec.hpp>
#include <imsim/engine/frames.hpp>
#include <imsim/engine/ids.hpp>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace imsim::engine::wire {

// Largest valid value of each enum that travels on the wire or on disk.
constexpr std::uint8_t enum_max(RejectReason) {
  return static_cast<std::uint8_t>(RejectReason::count_) - 1;
}
constexpr std::uint8_t enum_max(AppendStatus) {
  return static_cast<std::uint8_t>(AppendStatus::gap);
}
constexpr std::uint8_t enum_max(PullDirection) {
  return static_cast<std::uint8_t>(PullDirection::backward);
}
constexpr std::uint8_t enum_min(RejectReason) { return 0; }
constexpr std::uint8_t enum_min(AppendStatus) { return 1; }
constexpr std::uint8_t enum_min(PullDirection) { return 1; }

template <typename T>
struct is_strong_id : std::false_type {};
template <typename Tag, typename Rep, Rep kInitial>
struct is_strong_id<base::StrongId<Tag, Rep, kInitial>> : std::true_type {};

template <typename T>
struct is_vector : std::false_type {};
template <typename T>
struct is_vector<std::vector<T>> : std::true_type {};

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  template <typename... Ts>
  void operator()(const Ts&... fields) {
    (field(fields), ...);
  }

  template <typename T>
  void field(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      put_uint(static_cast<std::uint8_t>(v ? 1 : 0));
    } else if constexpr (std::is_enum_v<T>) {
      put_uint(static_cast<std::uint8_t>(v));
    } else if constexpr (std::is_integral_v<T>) {
      put_uint(static_cast<std::make_unsigned_t<T>>(v));
    } else if constexpr (is_strong_id<T>::value) {
      put_uint(v.value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      put_uint(static_cast<std::uint32_t>(v.size()));
      out_.insert(out_.end(), v.begin(), v.end());
    } else if constexpr (is_vector<T>::value) {
      put_uint(static_cast<std::uint32_t>(v.size()));
      for (const auto& element : v) field(element);
    } else {
      visit(*this, const_cast<T&>(v));  // the writer only reads the fields
    }
  }

  template <typename U>
  void put_uint(U v) {
    static_assert(std::is_unsigned_v<U>);
    for (std::size_t i = 0; i < sizeof(U); i++)
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }

 private:
  Bytes& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> in) : in_(in) {}

  template <typename... Ts>
  void operator()(Ts&... fields) {
    (field(fields), ...);
  }

  template <typename T>
  void field(T& v) {
    if (error_ != DecodeError::none) return;  // sticky: stop at the first defect
    if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t b = 0;
      get_uint(b);
      if (b > 1) fail(DecodeError::bad_value);
      v = b == 1;
    } else if constexpr (std::is_enum_v<T>) {
      std::uint8_t b = 0;
      get_uint(b);
      if (b < enum_min(T{}) || b > enum_max(T{})) fail(DecodeError::bad_value);
      v = static_cast<T>(b);
    } else if constexpr (std::is_integral_v<T>) {
      std::make_unsigned_t<T> u = 0;
      get_uint(u);
      v = static_cast<T>(u);
    } else if constexpr (is_strong_id<T>::value) {
      get_uint(v.value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::uint32_t n = count();
      if (error_ != DecodeError::none) return;
      v.assign(reinterpret_cast<const char*>(in_.data() + pos_), n);
      pos_ += n;
    } else if constexpr (is_vector<T>::value) {
      std::uint32_t n = count();
      v.clear();
      for (std::uint32_t i = 0; i < n && error_ == DecodeError::none; i++) {
        v.emplace_back();
        field(v.back());
      }
    } else {
      visit(*this, v);
    }
  }

  template <typename U>
  void get_uint(U& v) {
    static_assert(std::is_unsigned_v<U>);
    if (remaining() < sizeof(U)) return fail(DecodeError::truncated);
    v = 0;
    for (std::size_t i = 0; i < sizeof(U); i++) v |= static_cast<U>(U{in_[pos_ + i]} << (8 * i));
    pos_ += sizeof(U);
  }

  std::size_t remaining() const { return in_.size() - pos_; }
  DecodeError error() const { return error_; }
  void fail(DecodeError e) {
    if (error_ == DecodeError::none) error_ = e;
  }

 private:
  // A count is only plausible if at least that many bytes remain (every element is >= 1 byte).
  std::uint32_t count() {
    std::uint32_t n = 0;
    get_uint(n);
    if (error_ == DecodeError::none && n > remaining()) fail(DecodeError::truncated);
    return error_ == DecodeError::none ? n : 0;
  }

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  DecodeError error_ = DecodeError::none;
};

// --- Field lists. Order is the wire order; append only, bump kWireVersion on change. ---
template <typename A>
void visit(A& a, DeviceId& v) {
  a(v.user, v.index);
}
template <typename A>
void visit(A& a, ClientMsgId& v) {
  a(v.device, v.incarnation, v.counter);
}
template <typename A>
void visit(A& a, MessageData& v) {
  a(v.id, v.conv, v.lane_seq, v.sent_at_local_ns, v.body);
}
template <typename A>
void visit(A& a, TimelineEntry& v) {
  a(v.conv_seq, v.msg);
}
template <typename A>
void visit(A& a, InboxEntry& v) {
  a(v.inbox_seq, v.conv_seq, v.msg);
}
template <typename A>
void visit(A& a, Origin& v) {
  a(v.gateway, v.conn);
}
template <typename A>
void visit(A& a, Recipient& v) {
  a(v.user, v.inbox_seq);
}
template <typename A>
void visit(A& a, Challenge& v) {
  a(v.nonce);
}
template <typename A>
void visit(A& a, Hello& v) {
  a(v.device, v.incarnation, v.proof);
}
template <typename A>
void visit(A& a, HelloOk& v) {
  a(v.device);
}
template <typename A>
void visit(A& a, Reject& v) {
  a(v.reason, v.frame_type, v.req);
}
template <typename A>
void visit(A& a, Send& v) {
  a(v.msg);
}
template <typename A>
void visit(A& a, SendAck& v) {
  a(v.msg, v.conv_seq);
}
template <typename A>
void visit(A& a, SendNack& v) {
  a(v.msg, v.reason);
}
template <typename A>
void visit(A& a, PullInbox& v) {
  a(v.req, v.conn, v.user, v.after, v.limit);
}
template <typename A>
void visit(A& a, InboxPage& v) {
  a(v.req, v.conn, v.user, v.head, v.low, v.entries);
}
template <typename A>
void visit(A& a, PullConv& v) {
  a(v.req, v.conn, v.conv, v.direction, v.anchor, v.limit);
}
template <typename A>
void visit(A& a, ConvPage& v) {
  a(v.req, v.conn, v.conv, v.direction, v.head, v.entries);
}
template <typename A>
void visit(A& a, Push& v) {
  a(v.user, v.entry);
}
template <typename A>
void visit(A& a, Notice& v) {
  a(v.conv, v.conv_seq);
}
template <typename A>
void visit(A& a, Enqueue& v) {
  a(v.origin, v.msg);
}
template <typename A>
void visit(A& a, Deliver& v) {
  a(v.partition, v.offset, v.origin, v.msg);
}
template <typename A>
void visit(A& a, Done& v) {
  a(v.partition, v.offset, v.msg);
}
template <typename A>
void visit(A& a, Append& v) {
  a(v.req, v.msg);
}
template <typename A>
void visit(A& a, AppendReply& v) {
  a(v.req, v.msg, v.status, v.conv_seq, v.lane_expected);
}
template <typename A>
void visit(A& a, InboxAppend& v) {
  a(v.req, v.user, v.conv_seq, v.msg);
}
template <typename A>
void visit(A& a, InboxAppendReply& v) {
  a(v.req, v.user, v.status, v.inbox_seq);
}
template <typename A>
void visit(A& a, SendResult& v) {
  a(v.origin, v.msg, v.reason, v.conv_seq);
}
template <typename A>
void visit(A& a, Deliveries& v) {
  a(v.req, v.conv_seq, v.msg, v.recipients, v.notice_only);
}
template <typename A>
void visit(A& a, DeliveriesAck& v) {
  a(v.req);
}

}  // namespace imsim::engine::wire
