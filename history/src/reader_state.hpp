#pragma once
// The reader's state while it streams a file: intern tables, counters for the validity rules
// that span lines, and the rules deferred until every `send` is known (a `send` may stand
// after other events about its message).
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "field_view.hpp"
#include "flat_line.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/history/strict_json.hpp"
#include "line_source.hpp"
#include "name_index.hpp"

namespace imsim::history::detail {

// Thrown inside the reader only, caught per line and turned into an error Status.
struct LineFailure {
  std::string message;
};

// Lets the intern tables be searched with a string_view of the line (no std::string per lookup).
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const noexcept {
    return std::hash<std::string_view>{}(name);
  }
};
using NameTable = std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>>;

class Reader {
 public:
  // `size_hint`: the input's size in bytes if known (0 if not), to reserve the events at once.
  base::Result<History> run(LineSource& lines, LineReading reading, std::uint64_t size_hint);

 private:
  using json = nlohmann::json;

  // Per message: what its `send` said (line 0 while not seen yet).
  struct MsgInfo {
    std::uint32_t send_line = 0;
    DeviceId sender;
    ConvId conv;
  };

  void read_line(std::string_view text, LineReading reading);
  void read_header(const json& object);
  // The event rules, written once for both views (field_view.hpp); reader_events.cpp.
  template <class V>
  void read_event(const V& object, std::string_view text);
  template <class V>
  void check_time(const V& object);
  template <class V>
  Event decode(const V& object, std::string_view type, std::string_view text);
  template <class V>
  Send decode_send(const V& object);
  template <class V>
  Ack decode_ack(const V& object);
  template <class V>
  Fail decode_fail(const V& object);
  template <class V>
  Display decode_display(const V& object);
  template <class V>
  Timeline decode_timeline(const V& object);
  template <class V>
  VectorClock decode_clock(const V& object, std::string_view key);
  template <class V>
  DeviceId device_field(const V& object);
  template <class V>
  ConvId conv_field(const V& object);
  template <class V>
  MsgId msg_field(const V& object, std::string_view key = "msg");

  void check_clock_own_entry(const Send& send, std::string_view key, const VectorClock& clock,
                             std::uint64_t expected);
  // Rules that need the message's send: checked now if it is known, else after the file.
  void check_against_send(const Event& event);
  void finish();

  MsgId intern_msg(std::string_view name);
  std::uint32_t find_device(std::string_view name) const;
  std::uint32_t find_conv(std::string_view name) const;
  void require_member(DeviceId device, ConvId conv);

  History history_;
  std::uint32_t line_ = 0;
  TimeNs last_t_ns_ = 0;
  bool closing_ = false;  // a timeline or end was read
  std::uint32_t closing_line_ = 0;
  bool final_pass_ = false;  // in finish(): a message without a send is an error, not deferred
  std::uint32_t end_line_ = 0;
  NameIndex device_ids_;  // names in history_.header.device_names
  NameTable user_ids_;    // the header's only
  NameIndex conv_ids_;    // names in history_.header.conversations
  NameIndex msg_ids_;     // names in history_.msg_names
  std::vector<MsgInfo> msgs_;
  std::vector<std::uint32_t> timeline_line_by_conv_;
  std::unordered_map<std::uint64_t, std::uint64_t> sends_by_device_conv_;
  std::vector<std::uint64_t> sends_by_device_;
  std::vector<std::size_t> deferred_;  // indexes of events waiting for their message's send
  // Reused for every line: their buffers grow to the largest line and stay.
  FlatLine flat_;
  json dom_;
  StrictJsonError dom_error_;
};

// Typed field access; each throws LineFailure naming the field.
template <class V>
V require_field(const V& object, std::string_view key) {
  std::optional<V> value = object.find(key);
  if (!value) throw LineFailure{"missing field `" + std::string(key) + "`"};
  return *value;
}

template <class V>
std::string_view string_field(const V& object, std::string_view key) {
  const V value = require_field(object, key);
  if (!value.is_string()) throw LineFailure{"field `" + std::string(key) + "` must be a string"};
  return value.string();
}

template <class V>
std::uint64_t uint_field(const V& value, std::string_view what) {
  if (value.is_unsigned()) return value.unsigned_value();
  if (value.is_integer()) throw LineFailure{std::string(what) + " must be >= 0"};
  throw LineFailure{std::string(what) + " must be an integer"};
}

template <class V>
bool bool_field(const V& object, std::string_view key) {
  const V value = require_field(object, key);
  if (!value.is_boolean())
    throw LineFailure{"field `" + std::string(key) + "` must be true or false"};
  return value.boolean();
}

}  // namespace imsim::history::detail
