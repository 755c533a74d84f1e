#pragma once
// The reader's state while it streams a file: intern tables, counters for the validity rules
// that span lines, and the rules deferred until every `send` is known (a `send` may stand
// after other events about its message).
#include <cstdint>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imsim/history/reader.hpp"

namespace imsim::history::detail {

// Thrown inside the reader only, caught per line and turned into a ParseError.
struct LineFailure {
  std::string message;
};

class Reader {
 public:
  ParseResult run(std::istream& in);

 private:
  using json = nlohmann::json;

  // Per message: what its `send` said (line 0 while not seen yet).
  struct MsgInfo {
    std::uint32_t send_line = 0;
    DeviceId sender;
    ConvId conv;
  };

  void read_header(const json& object);
  void read_event(const json& object, std::string_view text);
  void check_time(const json& object);
  Event decode(const json& object, std::string_view type, std::string_view text);
  Send decode_send(const json& object);
  Ack decode_ack(const json& object);
  Fail decode_fail(const json& object);
  Display decode_display(const json& object);
  Timeline decode_timeline(const json& object);
  VectorClock decode_clock(const json& object, std::string_view key);
  void check_clock_own_entry(const Send& send, std::string_view key, const VectorClock& clock,
                             std::uint64_t expected);
  // Rules that need the message's send: checked now if it is known, else after the file.
  void check_against_send(const Event& event);
  void finish();

  DeviceId device_field(const json& object);
  ConvId conv_field(const json& object);
  MsgId msg_field(const json& object, std::string_view key = "msg");
  MsgId intern_msg(const std::string& name);
  void require_member(DeviceId device, ConvId conv);

  History history_;
  std::uint32_t line_ = 0;
  TimeNs last_t_ns_ = 0;
  bool closing_ = false;  // a timeline or end was read
  std::uint32_t closing_line_ = 0;
  bool final_pass_ = false;  // in finish(): a message without a send is an error, not deferred
  std::uint32_t end_line_ = 0;
  std::unordered_map<std::string, std::uint32_t> device_ids_;
  std::unordered_map<std::string, std::uint32_t> user_ids_;
  std::unordered_map<std::string, std::uint32_t> conv_ids_;
  std::unordered_map<std::string, std::uint32_t> msg_ids_;
  std::vector<MsgInfo> msgs_;
  std::vector<std::uint32_t> timeline_line_by_conv_;
  std::unordered_map<std::uint64_t, std::uint64_t> sends_by_device_conv_;
  std::vector<std::uint64_t> sends_by_device_;
  std::vector<std::size_t> deferred_;  // indexes of events waiting for their message's send
};

// Typed field access; each throws LineFailure naming the field.
const nlohmann::json& require_field(const nlohmann::json& object, std::string_view key);
const std::string& string_field(const nlohmann::json& object, std::string_view key);
std::uint64_t uint_field(const nlohmann::json& value, std::string_view what);
bool bool_field(const nlohmann::json& object, std::string_view key);

}  // namespace imsim::history::detail
