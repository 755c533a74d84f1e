#pragma once
// The events of history format v1 and v2 (docs/history-format.md), with names interned to dense
// ids. Every event carries its time and the 1-based line it came from, so a checker's witness can
// point back into the file.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "imsim/base/display_at.hpp"
#include "imsim/history/ids.hpp"

namespace imsim::history {

// One entry of a sparse vector clock. Clocks are kept sorted by device, without duplicates;
// a missing entry counts as 0.
struct ClockEntry {
  DeviceId device;
  std::uint64_t count = 0;

  bool operator==(const ClockEntry&) const = default;
};
using VectorClock = std::vector<ClockEntry>;

// The entry of `device` in a sorted sparse clock (0 when absent).
std::uint64_t clock_at(const VectorClock& clock, DeviceId device);

using DisplayAt = base::DisplayAt;
enum class PhaseKind : std::uint8_t { safety, liveness };

struct Send {
  DeviceId device;
  ConvId conv;
  MsgId msg;
  VectorClock vc;                  // this conversation's clock right after the send
  std::optional<VectorClock> gvc;  // the clock over all conversations, if recorded

  bool operator==(const Send&) const = default;
};

struct Ack {
  DeviceId device;
  MsgId msg;
  std::uint64_t conv_seq = 0;

  bool operator==(const Ack&) const = default;
};

struct Fail {
  DeviceId device;
  MsgId msg;

  bool operator==(const Fail&) const = default;
};

struct Display {
  DeviceId device;
  ConvId conv;
  MsgId msg;
  DisplayAt at = DisplayAt::bottom;
  std::optional<std::uint64_t> conv_seq;

  bool operator==(const Display&) const = default;
};

struct Online {
  DeviceId device;

  bool operator==(const Online&) const = default;
};
struct Offline {
  DeviceId device;

  bool operator==(const Offline&) const = default;
};
struct Kill {
  DeviceId device;

  bool operator==(const Kill&) const = default;
};
struct Reinstall {
  DeviceId device;

  bool operator==(const Reinstall&) const = default;
};

struct Phase {
  PhaseKind phase = PhaseKind::safety;

  bool operator==(const Phase&) const = default;
};

struct Timeline {
  ConvId conv;
  std::vector<MsgId> msgs;  // the server's final store timeline, in order
  // Version 2: the conv_seq of msgs[0] (conv_seqs are contiguous). Always 1 in version 1.
  std::uint64_t first_conv_seq = 1;

  bool operator==(const Timeline&) const = default;
};

// Version 2: the device paged its view of `conv` back to the conversation's first message.
struct TopReached {
  DeviceId device;
  ConvId conv;

  bool operator==(const TopReached&) const = default;
};

struct End {
  bool quiesced = true;

  bool operator==(const End&) const = default;
};

// An `x-` event: kept opaque. `json` is the whole object as one line of JSON text.
struct Extension {
  std::string type;
  std::string json;

  bool operator==(const Extension&) const = default;
};

using EventBody = std::variant<Send, Ack, Fail, Display, Online, Offline, Kill, Reinstall, Phase,
                               Timeline, End, TopReached, Extension>;

struct Event {
  TimeNs t_ns = 0;
  std::uint32_t line = 0;  // 1-based line in the file (the header is line 1)
  EventBody body;

  bool operator==(const Event&) const = default;
};

// The `type` string of an event as written in the file ("send", "x-metrics", ...).
std::string_view event_type_name(const Event& event);

}  // namespace imsim::history
