// The reader's line loop, the header, and the rules checked once the whole file is read.
#include "imsim/history/reader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

#include "imsim/base/assert.hpp"
#include "imsim/history/strict_json.hpp"
#include "reader_state.hpp"

namespace imsim::history {

namespace detail {
namespace {

// Every reader error names its line: "line N: message".
std::string at_line(std::uint64_t line, const std::string& message) {
  return "line " + std::to_string(line) + ": " + message;
}

// Line numbers and message ids are 32-bit inside the reader.
constexpr std::uint64_t lines_max = std::numeric_limits<std::uint32_t>::max() - 1;

// The header walks the DOM itself (members in bulk); the same wording for a missing field.
const nlohmann::json& require_json(const nlohmann::json& object, std::string_view key) {
  require_field(JsonView(object), key);
  return *object.find(key);
}

ConvKind conv_kind(const JsonView& conv) {
  if (!conv.find("kind")) return ConvKind::unspecified;
  const std::string_view kind = string_field(conv, "kind");
  if (kind == "direct") return ConvKind::direct;
  if (kind == "group") return ConvKind::group;
  if (kind == "large") return ConvKind::large;
  throw LineFailure{"header: conversation kind \"" + std::string(kind) +
                    "\" is not direct, group or large"};
}

}  // namespace

base::Result<History> Reader::run(LineSource& lines, LineReading reading, std::uint64_t size_hint) {
  // Event lines are rarely shorter than this: reserving for that many events spares the copies
  // (and the doubled peak memory) of growing the vector. Untouched capacity costs no memory.
  constexpr std::uint64_t line_bytes_min_expected = 64;
  history_.events.reserve(static_cast<std::size_t>(
      std::min<std::uint64_t>(size_hint / line_bytes_min_expected, lines_max)));
  std::string_view text;
  try {
    while (lines.next(text)) {
      if (line_ >= lines_max) return base::Status::limit_exceeded(at_line(line_, "too many lines"));
      ++line_;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.empty()) throw LineFailure{"empty line: every line must be one JSON object"};
      read_line(text, reading);
    }
    if (lines.read_failed()) return base::Status::io_error(at_line(line_, "read error"));
    if (line_ == 0) {
      return base::Status::invalid_input(at_line(1, "empty file: line 1 must be the header"));
    }
    finish();
  } catch (const LineFailure& failure) {
    return base::Status::invalid_input(at_line(line_, failure.message));
  } catch (const std::exception& ex) {
    return base::Status::invalid_input(
        at_line(line_, std::string("unexpected error: ") + ex.what()));
  }
  return std::move(history_);
}

// An event line in the flat subset is read by FlatLine; the header and every other line by the
// strict DOM parser, which also words every syntax error. The rules are the same code for both.
void Reader::read_line(std::string_view text, LineReading reading) {
  if (line_ > 1 && reading == LineReading::fast && flat_.parse(text)) {
    read_event(FlatView(flat_), text);
    return;
  }
  if (!parse_strict_json(text, dom_, dom_error_)) throw LineFailure{dom_error_.message};
  if (!dom_.is_object()) throw LineFailure{"a line must be one JSON object"};
  if (line_ == 1) {
    read_header(dom_);
  } else {
    read_event(JsonView(dom_), text);
  }
}

void Reader::read_header(const json& object) {
  const JsonView view(object);
  const json* type = object.contains("type") ? &object["type"] : nullptr;
  if (type == nullptr || !type->is_string() || type->get_ref<const std::string&>() != "header") {
    throw LineFailure{"line 1 must be the header ({\"type\":\"header\",...})"};
  }
  if (string_field(view, "format") != format_name) {
    throw LineFailure{"header: format must be \"imsim-history\""};
  }
  const json& version = require_json(object, "version");
  if (!version.is_number_integer() || version.get<std::int64_t>() < format_version_min ||
      version.get<std::int64_t>() > format_version) {
    throw LineFailure{"header: unsupported version " + version.dump() +
                      " (this reader reads versions 1 and 2)"};
  }
  Header& header = history_.header;
  header.version = static_cast<int>(version.get<std::int64_t>());
  auto intern_user = [&](const std::string& user) {
    auto [it, inserted] = user_ids_.try_emplace(user, header.user_names.size());
    if (inserted) header.user_names.push_back(user);
    return UserId{it->second};
  };
  const json& devices = require_json(object, "devices");
  if (!devices.is_object()) throw LineFailure{"header: `devices` must be an object"};
  for (const auto& [device, user] : devices.items()) {
    if (!user.is_string())
      throw LineFailure{"header: user of device \"" + device + "\" must be a string"};
    IMSIM_ASSERT(find_device(device) == NameIndex::absent);  // JSON keys are unique
    device_ids_.insert(device, static_cast<std::uint32_t>(header.device_names.size()));
    header.device_names.push_back(device);
    header.device_user.push_back(intern_user(user.get_ref<const std::string&>()));
  }
  const json& convs = require_json(object, "conversations");
  if (!convs.is_object()) throw LineFailure{"header: `conversations` must be an object"};
  // listed_in[user] == conversation index + 1 once the user is seen in that conversation's
  // members: one pass per member list (a 1M-member group is checked in linear time).
  std::vector<std::size_t> listed_in;
  for (const auto& [name, conv] : convs.items()) {
    if (!conv.is_object())
      throw LineFailure{"header: conversation \"" + name + "\" must be an object"};
    const json& members = require_json(conv, "members");
    if (!members.is_array())
      throw LineFailure{"header: members of \"" + name + "\" must be an array"};
    Conversation c{.name = name, .members = {}, .kind = conv_kind(JsonView(conv))};
    for (const json& member : members) {
      if (!member.is_string())
        throw LineFailure{"header: members of \"" + name + "\" must be strings"};
      UserId user = intern_user(member.get_ref<const std::string&>());
      if (listed_in.size() <= user.value) listed_in.resize(header.user_names.size(), 0);
      if (listed_in[user.value] == header.conversations.size() + 1) {
        throw LineFailure{"header: user \"" + member.get<std::string>() + "\" listed twice in \"" +
                          name + "\""};
      }
      listed_in[user.value] = header.conversations.size() + 1;
      c.members.push_back(user);
    }
    IMSIM_ASSERT(find_conv(name) == NameIndex::absent);
    conv_ids_.insert(name, static_cast<std::uint32_t>(header.conversations.size()));
    header.conversations.push_back(std::move(c));
  }
  if (object.contains("scenario")) header.scenario = std::string(string_field(view, "scenario"));
  if (object.contains("seed")) header.seed = uint_field(JsonView(object["seed"]), "header: `seed`");
  sends_by_device_.assign(header.device_names.size(), 0);
  timeline_line_by_conv_.assign(header.conversations.size(), 0);
}

void Reader::finish() {
  IMSIM_ASSERT(line_ >= 1);
  const std::uint32_t last_line = line_;
  final_pass_ = true;
  for (std::size_t index : deferred_) {
    const Event& event = history_.events[index];
    line_ = event.line;
    check_against_send(event);
  }
  deferred_.clear();
  if (end_line_ == 0) {
    line_ = last_line;
    throw LineFailure{"no `end` event: a history has exactly one (the file ends here)"};
  }
  // Every message was interned by some event; the deferred pass proved each one was sent.
  for (const MsgInfo& info : msgs_) IMSIM_ASSERT(info.send_line != 0);
  IMSIM_ASSERT(history_.msg_names.size() == msgs_.size());
}

}  // namespace detail

base::Result<History> parse_history(std::istream& in, LineReading reading) {
  detail::LineSource lines(in);
  detail::Reader reader;
  return reader.run(lines, reading, 0);
}

base::Result<History> parse_history(std::string_view text, LineReading reading) {
  detail::LineSource lines(text);
  detail::Reader reader;
  return reader.run(lines, reading, text.size());
}

base::Result<History> parse_history_file(const std::string& path, LineReading reading) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Status::io_error(detail::at_line(0, "cannot open " + path));
  std::error_code error;
  std::uint64_t size = std::filesystem::file_size(path, error);
  if (error) size = 0;  // not a regular file (a pipe): no hint
  detail::LineSource lines(in);
  detail::Reader reader;
  return reader.run(lines, reading, size);
}

}  // namespace imsim::history
