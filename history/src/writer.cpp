// HistoryWriter: JSONL emission of history format v1 and v2.
#include "imsim/history/writer.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "imsim/base/assert.hpp"
#include "json_text.hpp"

namespace imsim::history {

using detail::append_json_string;
using detail::append_uint;

HistoryWriter::HistoryWriter(std::ostream& out) : out_(out) {}

void HistoryWriter::write_header(const HeaderSpec& header) {
  IMSIM_ASSERT(!header_written_);
  IMSIM_ASSERT(header.version >= format_version_min && header.version <= format_version);
  version_ = header.version;
  line_.clear();
  line_.append(R"({"type":"header","format":"imsim-history","version":)");
  append_uint(line_, static_cast<std::uint64_t>(header.version));
  line_.append(R"(,"devices":{)");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < header.devices.size(); ++i) {
    IMSIM_ASSERT_MSG(seen.insert(header.devices[i].first).second, "device listed twice");
    if (i > 0) line_.push_back(',');
    append_json_string(line_, header.devices[i].first);
    line_.push_back(':');
    append_json_string(line_, header.devices[i].second);
  }
  line_.append(R"(},"conversations":{)");
  seen.clear();
  for (std::size_t i = 0; i < header.conversations.size(); ++i) {
    const ConversationSpec& conv = header.conversations[i];
    IMSIM_ASSERT_MSG(seen.insert(conv.name).second, "conversation listed twice");
    if (i > 0) line_.push_back(',');
    append_json_string(line_, conv.name);
    line_.append(R"(:{"members":[)");
    for (std::size_t m = 0; m < conv.members.size(); ++m) {
      if (m > 0) line_.push_back(',');
      append_json_string(line_, conv.members[m]);
    }
    line_.push_back(']');
    if (conv.kind != ConvKind::unspecified) field("kind", conv_kind_name(conv.kind));
    line_.push_back('}');
  }
  line_.push_back('}');
  if (header.scenario) field("scenario", *header.scenario);
  if (header.seed) field("seed", *header.seed);
  finish_line();
  header_written_ = true;
}

void HistoryWriter::begin_event(TimeNs t_ns, std::string_view type) {
  IMSIM_ASSERT_MSG(header_written_, "write_header must come first");
  IMSIM_ASSERT(t_ns >= 0);
  IMSIM_ASSERT_MSG(t_ns >= last_t_ns_, "events must be written in non-decreasing t");
  const bool closing_type = type == "timeline" || type == "end";
  const bool extension = type.starts_with("x-");
  IMSIM_ASSERT_MSG(!closing_ || closing_type || extension,
                   "only timeline, end and x- events may follow a timeline or end");
  if (type == "end") {
    IMSIM_ASSERT_MSG(!end_written_, "exactly one end");
    end_written_ = true;
  }
  if (closing_type) closing_ = true;
  last_t_ns_ = t_ns;
  line_.clear();
  line_.append(R"({"t":)");
  append_uint(line_, static_cast<std::uint64_t>(t_ns));
  field("type", type);
}

void HistoryWriter::field(std::string_view key, std::string_view value) {
  line_.push_back(',');
  append_json_string(line_, key);
  line_.push_back(':');
  append_json_string(line_, value);
}

void HistoryWriter::field(std::string_view key, std::uint64_t value) {
  line_.push_back(',');
  append_json_string(line_, key);
  line_.push_back(':');
  append_uint(line_, value);
}

void HistoryWriter::clock_field(std::string_view key, const ClockSpec& clock) {
  line_.push_back(',');
  append_json_string(line_, key);
  line_.append(":{");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < clock.size(); ++i) {
    IMSIM_ASSERT_MSG(seen.insert(clock[i].first).second, "clock names a device twice");
    if (i > 0) line_.push_back(',');
    append_json_string(line_, clock[i].first);
    line_.push_back(':');
    append_uint(line_, clock[i].second);
  }
  line_.push_back('}');
}

void HistoryWriter::finish_line() {
  line_.append("}\n");
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  if (header_written_) ++events_written_;
}

void HistoryWriter::send(TimeNs t_ns, std::string_view device, std::string_view conv,
                         std::string_view msg, const ClockSpec& vc, const ClockSpec* gvc) {
  begin_event(t_ns, "send");
  field("device", device);
  field("conv", conv);
  field("msg", msg);
  clock_field("vc", vc);
  if (gvc != nullptr) clock_field("gvc", *gvc);
  finish_line();
}

void HistoryWriter::ack(TimeNs t_ns, std::string_view device, std::string_view msg,
                        std::uint64_t conv_seq) {
  begin_event(t_ns, "ack");
  field("device", device);
  field("msg", msg);
  field("conv_seq", conv_seq);
  finish_line();
}

void HistoryWriter::fail(TimeNs t_ns, std::string_view device, std::string_view msg) {
  begin_event(t_ns, "fail");
  field("device", device);
  field("msg", msg);
  finish_line();
}

void HistoryWriter::display(TimeNs t_ns, std::string_view device, std::string_view conv,
                            std::string_view msg, DisplayAt at,
                            std::optional<std::uint64_t> conv_seq) {
  begin_event(t_ns, "display");
  field("device", device);
  field("conv", conv);
  field("msg", msg);
  field("at", at == DisplayAt::bottom ? "bottom" : "top");
  if (conv_seq) field("conv_seq", *conv_seq);
  finish_line();
}

void HistoryWriter::online(TimeNs t_ns, std::string_view device) {
  begin_event(t_ns, "online");
  field("device", device);
  finish_line();
}

void HistoryWriter::offline(TimeNs t_ns, std::string_view device) {
  begin_event(t_ns, "offline");
  field("device", device);
  finish_line();
}

void HistoryWriter::kill(TimeNs t_ns, std::string_view device) {
  begin_event(t_ns, "kill");
  field("device", device);
  finish_line();
}

void HistoryWriter::reinstall(TimeNs t_ns, std::string_view device) {
  begin_event(t_ns, "reinstall");
  field("device", device);
  finish_line();
}

void HistoryWriter::phase(TimeNs t_ns, PhaseKind phase) {
  begin_event(t_ns, "phase");
  field("phase", phase == PhaseKind::liveness ? "liveness" : "safety");
  finish_line();
}

void HistoryWriter::timeline(TimeNs t_ns, std::string_view conv, std::span<const std::string> msgs,
                             std::uint64_t first_conv_seq) {
  IMSIM_ASSERT(first_conv_seq >= 1);
  IMSIM_ASSERT_MSG(version_ >= 2 || first_conv_seq == 1, "first_conv_seq is version 2");
  begin_event(t_ns, "timeline");
  field("conv", conv);
  if (version_ >= 2) field("first_conv_seq", first_conv_seq);
  line_.append(R"(,"msgs":[)");
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    if (i > 0) line_.push_back(',');
    append_json_string(line_, msgs[i]);
  }
  line_.push_back(']');
  finish_line();
}

void HistoryWriter::top_reached(TimeNs t_ns, std::string_view device, std::string_view conv) {
  IMSIM_ASSERT_MSG(version_ >= 2, "top_reached is a version-2 event");
  begin_event(t_ns, "top_reached");
  field("device", device);
  field("conv", conv);
  finish_line();
}

void HistoryWriter::end(TimeNs t_ns, bool quiesced) {
  begin_event(t_ns, "end");
  line_.append(quiesced ? R"(,"quiesced":true)" : R"(,"quiesced":false)");
  finish_line();
}

void HistoryWriter::extension(TimeNs t_ns, std::string_view type, const nlohmann::json& fields) {
  IMSIM_ASSERT_MSG(type.starts_with("x-"), "extension event types start with x-");
  IMSIM_ASSERT(fields.is_object());
  IMSIM_ASSERT(!fields.contains("t"));
  IMSIM_ASSERT(!fields.contains("type"));
  begin_event(t_ns, type);
  for (const auto& [key, value] : fields.items()) {
    line_.push_back(',');
    append_json_string(line_, key);
    line_.push_back(':');
    line_.append(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  finish_line();
}

void HistoryWriter::metrics(TimeNs t_ns, const std::map<std::string, std::uint64_t>& counters) {
  nlohmann::json fields = {{"counters", counters}};
  extension(t_ns, metrics_event_type, fields);
}

}  // namespace imsim::history
