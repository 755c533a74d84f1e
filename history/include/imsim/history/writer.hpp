#pragma once
// HistoryWriter: streams a history as JSON Lines (format v2 by default, v1 on request;
// docs/history-format.md) to an
// std::ostream: the header first, then one event per call, in non-decreasing time. The
// recorder (model/) drives it with the string ids of its world; nothing is buffered beyond
// the stream itself, so a crashed run still leaves every event written so far.
//
// The writer asserts the ordering rules it can see (header first, non-decreasing `t`, one
// `end`, only timeline/end/x- after the first timeline or end, `x-` prefix for extensions);
// the full validity rules are the reader's (reader.hpp).
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "imsim/history/event.hpp"
#include "imsim/history/history.hpp"

namespace imsim::history {

struct ConversationSpec {
  std::string name;
  std::vector<std::string> members;       // user ids
  ConvKind kind = ConvKind::unspecified;  // unspecified: the `kind` field is omitted
};

struct HeaderSpec {
  std::vector<std::pair<std::string, std::string>> devices;  // device id -> user id
  std::vector<ConversationSpec> conversations;
  std::optional<std::string> scenario;
  std::optional<std::uint64_t> seed;
  int version = format_version;  // 1 or 2; a version-1 file may not carry top_reached
};

// A sparse vector clock by device name. Entries must name distinct devices.
using ClockSpec = std::vector<std::pair<std::string, std::uint64_t>>;

// The `x-metrics` extension: cumulative engine counters at time `t` (see history-format.md).
inline constexpr std::string_view metrics_event_type = "x-metrics";

class HistoryWriter {
 public:
  explicit HistoryWriter(std::ostream& out);

  void write_header(const HeaderSpec& header);

  void send(TimeNs t_ns, std::string_view device, std::string_view conv, std::string_view msg,
            const ClockSpec& vc, const ClockSpec* gvc = nullptr);
  void ack(TimeNs t_ns, std::string_view device, std::string_view msg, std::uint64_t conv_seq);
  void fail(TimeNs t_ns, std::string_view device, std::string_view msg);
  void display(TimeNs t_ns, std::string_view device, std::string_view conv, std::string_view msg,
               DisplayAt at, std::optional<std::uint64_t> conv_seq = std::nullopt);
  void online(TimeNs t_ns, std::string_view device);
  void offline(TimeNs t_ns, std::string_view device);
  void kill(TimeNs t_ns, std::string_view device);
  void reinstall(TimeNs t_ns, std::string_view device);
  void phase(TimeNs t_ns, PhaseKind phase);
  // `first_conv_seq` (version 2) is written when the file is version 2.
  void timeline(TimeNs t_ns, std::string_view conv, std::span<const std::string> msgs,
                std::uint64_t first_conv_seq = 1);
  void top_reached(TimeNs t_ns, std::string_view device, std::string_view conv);  // version 2
  void end(TimeNs t_ns, bool quiesced);

  // An `x-` event: `type` must start with "x-"; `fields` is a JSON object whose keys are
  // written after `t` and `type` (it must not contain those two keys).
  void extension(TimeNs t_ns, std::string_view type, const nlohmann::json& fields);
  // `x-metrics` with {"counters": {name: value, ...}}.
  void metrics(TimeNs t_ns, const std::map<std::string, std::uint64_t>& counters);

  // Re-emits a parsed history (header and every event), e.g. after filtering it.
  void write(const History& history);
  void write_event(const History& history, const Event& event);

  std::uint64_t events_written() const { return events_written_; }

 private:
  void begin_event(TimeNs t_ns, std::string_view type);
  void field(std::string_view key, std::string_view value);
  void field(std::string_view key, std::uint64_t value);
  void clock_field(std::string_view key, const ClockSpec& clock);
  void finish_line();

  std::ostream& out_;
  std::string line_;
  bool header_written_ = false;
  int version_ = format_version;
  bool closing_ = false;  // a timeline or end was written: only timeline/end/x- may follow
  bool end_written_ = false;
  TimeNs last_t_ns_ = 0;
  std::uint64_t events_written_ = 0;
};

}  // namespace imsim::history
