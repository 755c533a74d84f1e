// Decoding and validating one event line (the per-line rules of history format v1).
#include <algorithm>
#include <limits>

#include "imsim/base/assert.hpp"
#include "reader_state.hpp"

namespace imsim::history::detail {

namespace {
std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string at_line(std::uint32_t line) { return " (line " + std::to_string(line) + ")"; }
}  // namespace

template <class V>
void Reader::check_time(const V& object) {
  const V t = require_field(object, "t");
  if (!t.is_integer()) throw LineFailure{"`t` must be an integer (nanoseconds)"};
  if (!t.is_unsigned()) throw LineFailure{"`t` must be >= 0"};
  const std::uint64_t t_ns = t.unsigned_value();
  if (t_ns > static_cast<std::uint64_t>(std::numeric_limits<TimeNs>::max())) {
    throw LineFailure{"`t` is out of range"};
  }
  if (static_cast<TimeNs>(t_ns) < last_t_ns_) {
    throw LineFailure{"`t` decreases: " + std::to_string(t_ns) + " after " +
                      std::to_string(last_t_ns_)};
  }
  last_t_ns_ = static_cast<TimeNs>(t_ns);
}

template <class V>
void Reader::read_event(const V& object, std::string_view text) {
  const std::string_view type = string_field(object, "type");
  if (type == "header") throw LineFailure{"only line 1 may be the header"};
  check_time(object);
  const bool closing_type = type == "timeline" || type == "end";
  const bool extension = type.starts_with("x-");
  if (closing_ && !closing_type && !extension) {
    throw LineFailure{"`" + std::string(type) + "` after the first timeline or end" +
                      at_line(closing_line_) + ": only timeline, end and x- events may follow"};
  }
  history_.events.push_back(decode(object, type, text));
  if (closing_type && !closing_) {
    closing_ = true;
    closing_line_ = line_;
  }
  check_against_send(history_.events.back());
}

template <class V>
Event Reader::decode(const V& object, std::string_view type, std::string_view text) {
  Event event{.t_ns = last_t_ns_, .line = line_, .body = End{}};
  if (type == "send") {
    event.body = decode_send(object);
  } else if (type == "ack") {
    event.body = decode_ack(object);
  } else if (type == "fail") {
    event.body = decode_fail(object);
  } else if (type == "display") {
    event.body = decode_display(object);
  } else if (type == "online") {
    event.body = Online{device_field(object)};
  } else if (type == "offline") {
    event.body = Offline{device_field(object)};
  } else if (type == "kill") {
    event.body = Kill{device_field(object)};
  } else if (type == "reinstall") {
    event.body = Reinstall{device_field(object)};
  } else if (type == "phase") {
    const std::string_view phase = string_field(object, "phase");
    if (phase != "safety" && phase != "liveness") {
      throw LineFailure{"phase must be \"safety\" or \"liveness\", not " + q(phase)};
    }
    event.body = Phase{phase == "liveness" ? PhaseKind::liveness : PhaseKind::safety};
  } else if (type == "timeline") {
    event.body = decode_timeline(object);
  } else if (type == "end") {
    if (end_line_ != 0)
      throw LineFailure{"second `end` (the first is on line " + std::to_string(end_line_) + ")"};
    event.body = End{bool_field(object, "quiesced")};
    end_line_ = line_;
  } else if (type == "top_reached" && history_.header.version >= 2) {
    event.body = TopReached{.device = device_field(object), .conv = conv_field(object)};
    const auto& top = std::get<TopReached>(event.body);
    require_member(top.device, top.conv);
  } else if (type.starts_with("x-")) {
    event.body = Extension{std::string(type), std::string(text)};
  } else {
    const std::string hint = type == "top_reached"
                                 ? " in a version-1 file (top_reached is version 2)"
                                 : " (extensions must start with x-)";
    throw LineFailure{"unknown event type " + q(type) + hint};
  }
  return event;
}

std::uint32_t Reader::find_device(std::string_view name) const {
  const std::vector<std::string>& names = history_.header.device_names;
  return device_ids_.find(name, [&](std::uint32_t id) -> std::string_view { return names[id]; });
}

std::uint32_t Reader::find_conv(std::string_view name) const {
  const std::vector<Conversation>& convs = history_.header.conversations;
  return conv_ids_.find(name, [&](std::uint32_t id) -> std::string_view { return convs[id].name; });
}

template <class V>
DeviceId Reader::device_field(const V& object) {
  const std::string_view name = string_field(object, "device");
  const std::uint32_t id = find_device(name);
  if (id == NameIndex::absent)
    throw LineFailure{"unknown device " + q(name) + " (not in the header)"};
  return DeviceId{id};
}

template <class V>
ConvId Reader::conv_field(const V& object) {
  const std::string_view name = string_field(object, "conv");
  const std::uint32_t id = find_conv(name);
  if (id == NameIndex::absent)
    throw LineFailure{"unknown conversation " + q(name) + " (not in the header)"};
  return ConvId{id};
}

MsgId Reader::intern_msg(std::string_view name) {
  const std::vector<std::string>& names = history_.msg_names;
  const std::uint32_t found =
      msg_ids_.find(name, [&](std::uint32_t id) -> std::string_view { return names[id]; });
  if (found != NameIndex::absent) return MsgId{found};
  const auto id = static_cast<std::uint32_t>(msgs_.size());
  msg_ids_.insert(name, id);
  msgs_.emplace_back();
  history_.msg_names.emplace_back(name);
  return MsgId{id};
}

template <class V>
MsgId Reader::msg_field(const V& object, std::string_view key) {
  return intern_msg(string_field(object, key));
}

void Reader::require_member(DeviceId device, ConvId conv) {
  const UserId user = history_.header.device_user[device.value];
  if (!history_.is_member(user, conv)) {
    throw LineFailure{"device " + q(history_.name(device)) + " (user " + q(history_.name(user)) +
                      ") is not a member of conversation " + q(history_.name(conv))};
  }
}

template <class V>
VectorClock Reader::decode_clock(const V& object, std::string_view key) {
  const V clock = require_field(object, key);
  const std::string what = "`" + std::string(key) + "`";
  if (!clock.is_object()) throw LineFailure{what + " must be an object {device: count}"};
  VectorClock result;
  result.reserve(clock.size());
  clock.for_each_member([&](std::string_view name, const V& count) {
    const std::uint32_t id = find_device(name);
    if (id == NameIndex::absent) throw LineFailure{what + " names unknown device " + q(name)};
    result.push_back({DeviceId{id}, uint_field(count, what + "[" + std::string(name) + "]")});
  });
  std::sort(result.begin(), result.end(),
            [](const ClockEntry& a, const ClockEntry& b) { return a.device < b.device; });
  return result;
}

void Reader::check_clock_own_entry(const Send& send, std::string_view key, const VectorClock& clock,
                                   std::uint64_t expected) {
  const std::uint64_t own = clock_at(clock, send.device);
  if (own != expected) {
    const std::string scope =
        key == "vc" ? "into " + q(history_.name(send.conv)) : "into any conversation";
    throw LineFailure{"`" + std::string(key) + "[" + history_.name(send.device) + "]` is " +
                      std::to_string(own) + ", expected " + std::to_string(expected) +
                      " (sends by this device " + scope + " so far, this one included)"};
  }
}

template <class V>
Send Reader::decode_send(const V& object) {
  Send send{.device = device_field(object),
            .conv = conv_field(object),
            .msg = msg_field(object),
            .vc = {},
            .gvc = std::nullopt};
  require_member(send.device, send.conv);
  MsgInfo& info = msgs_[send.msg.value];
  if (info.send_line != 0) {
    throw LineFailure{"message " + q(history_.name(send.msg)) +
                      " has a second send (the first is on line " + std::to_string(info.send_line) +
                      ")"};
  }
  send.vc = decode_clock(object, "vc");
  if (object.find("gvc")) send.gvc = decode_clock(object, "gvc");
  const std::uint64_t key = (std::uint64_t{send.device.value} << 32) | send.conv.value;
  const std::uint64_t in_conv = ++sends_by_device_conv_[key];
  const std::uint64_t in_all = ++sends_by_device_[send.device.value];
  check_clock_own_entry(send, "vc", send.vc, in_conv);
  if (send.gvc) check_clock_own_entry(send, "gvc", *send.gvc, in_all);
  info = MsgInfo{.send_line = line_, .sender = send.device, .conv = send.conv};
  return send;
}

template <class V>
Ack Reader::decode_ack(const V& object) {
  Ack ack{.device = device_field(object), .msg = msg_field(object), .conv_seq = 0};
  ack.conv_seq = uint_field(require_field(object, "conv_seq"), "`conv_seq`");
  return ack;
}

template <class V>
Fail Reader::decode_fail(const V& object) {
  return Fail{.device = device_field(object), .msg = msg_field(object)};
}

template <class V>
Display Reader::decode_display(const V& object) {
  Display display{.device = device_field(object),
                  .conv = conv_field(object),
                  .msg = msg_field(object),
                  .at = DisplayAt::bottom,
                  .conv_seq = std::nullopt};
  require_member(display.device, display.conv);
  const std::string_view at = string_field(object, "at");
  if (at != "bottom" && at != "top")
    throw LineFailure{"`at` must be \"bottom\" or \"top\", not " + q(at)};
  display.at = at == "top" ? DisplayAt::top : DisplayAt::bottom;
  if (auto seq = object.find("conv_seq")) display.conv_seq = uint_field(*seq, "`conv_seq`");
  return display;
}

template <class V>
Timeline Reader::decode_timeline(const V& object) {
  Timeline timeline{.conv = conv_field(object), .msgs = {}, .first_conv_seq = 1};
  std::uint32_t& first_line = timeline_line_by_conv_[timeline.conv.value];
  if (first_line != 0) {
    throw LineFailure{"second timeline for conversation " + q(history_.name(timeline.conv)) +
                      " (the first is on line " + std::to_string(first_line) + ")"};
  }
  const V msgs = require_field(object, "msgs");
  if (!msgs.is_array()) throw LineFailure{"`msgs` must be an array of message ids"};
  timeline.msgs.reserve(msgs.size());
  msgs.for_each_element([&](const V& msg) {
    if (!msg.is_string()) throw LineFailure{"`msgs` must be an array of message ids"};
    timeline.msgs.push_back(intern_msg(msg.string()));
  });
  // Version 2 only: in a version-1 file the field is an unknown extra, ignored.
  const auto first_conv_seq = object.find("first_conv_seq");
  if (history_.header.version >= 2 && first_conv_seq) {
    timeline.first_conv_seq = uint_field(*first_conv_seq, "`first_conv_seq`");
    if (timeline.first_conv_seq == 0) throw LineFailure{"`first_conv_seq` must be >= 1"};
    if (timeline.first_conv_seq > std::numeric_limits<std::uint64_t>::max() - timeline.msgs.size())
      throw LineFailure{"`first_conv_seq` is out of range"};
  }
  first_line = line_;
  return timeline;
}

void Reader::check_against_send(const Event& event) {
  auto sent = [&](MsgId msg) -> const MsgInfo* {
    const MsgInfo& info = msgs_[msg.value];
    if (info.send_line != 0) return &info;
    if (final_pass_) throw LineFailure{"message " + q(history_.name(msg)) + " has no send"};
    return nullptr;
  };
  auto defer = [&] { deferred_.push_back(history_.events.size() - 1); };
  auto check_sender = [&](DeviceId device, MsgId msg, std::string_view what) {
    const MsgInfo* info = sent(msg);
    if (info == nullptr) return defer();
    if (info->sender != device) {
      throw LineFailure{std::string(what) + " of " + q(history_.name(msg)) + " from " +
                        q(history_.name(device)) + ", but it was sent by " +
                        q(history_.name(info->sender)) + at_line(info->send_line)};
    }
  };
  if (const auto* ack = std::get_if<Ack>(&event.body))
    return check_sender(ack->device, ack->msg, "ack");
  if (const auto* fail = std::get_if<Fail>(&event.body))
    return check_sender(fail->device, fail->msg, "fail");
  if (const auto* display = std::get_if<Display>(&event.body)) {
    const MsgInfo* info = sent(display->msg);
    if (info == nullptr) return defer();
    if (info->conv != display->conv) {
      throw LineFailure{"display of " + q(history_.name(display->msg)) + " in " +
                        q(history_.name(display->conv)) + ", but it was sent into " +
                        q(history_.name(info->conv)) + at_line(info->send_line)};
    }
    return;
  }
  if (const auto* timeline = std::get_if<Timeline>(&event.body)) {
    for (MsgId msg : timeline->msgs) {
      const MsgInfo* info = sent(msg);
      if (info == nullptr) return defer();
      if (info->conv != timeline->conv) {
        throw LineFailure{"timeline of " + q(history_.name(timeline->conv)) + " lists " +
                          q(history_.name(msg)) + ", which was sent into " +
                          q(history_.name(info->conv)) + at_line(info->send_line)};
      }
    }
  }
}

}  // namespace imsim::history::detail

namespace imsim::history::detail {
template void Reader::read_event(const JsonView&, std::string_view);
template void Reader::read_event(const FlatView&, std::string_view);
}  // namespace imsim::history::detail
