// The reader's line loop, the header, and the rules checked once the whole file is read.
#include "imsim/history/reader.hpp"

#include <fstream>
#include <limits>
#include <sstream>

#include "imsim/base/assert.hpp"
#include "imsim/history/strict_json.hpp"
#include "reader_state.hpp"

namespace imsim::history {

std::string ParseError::to_string() const {
  return "line " + std::to_string(line) + ": " + message;
}

namespace detail {
namespace {

// Line numbers and message ids are 32-bit inside the reader.
constexpr std::uint64_t lines_max = std::numeric_limits<std::uint32_t>::max() - 1;

ConvKind conv_kind(const nlohmann::json& conv) {
  if (!conv.contains("kind")) return ConvKind::unspecified;
  const std::string& kind = string_field(conv, "kind");
  if (kind == "direct") return ConvKind::direct;
  if (kind == "group") return ConvKind::group;
  if (kind == "large") return ConvKind::large;
  throw LineFailure{"header: conversation kind \"" + kind + "\" is not direct, group or large"};
}

}  // namespace

ParseResult Reader::run(std::istream& in) {
  std::string text;
  json object;
  StrictJsonError error;
  try {
    while (std::getline(in, text)) {
      if (line_ >= lines_max) throw LineFailure{"too many lines"};
      ++line_;
      if (!text.empty() && text.back() == '\r') text.pop_back();
      if (text.empty()) throw LineFailure{"empty line: every line must be one JSON object"};
      if (!parse_strict_json(text, object, error)) throw LineFailure{error.message};
      if (!object.is_object()) throw LineFailure{"a line must be one JSON object"};
      if (line_ == 1) {
        read_header(object);
      } else {
        read_event(object, text);
      }
    }
    if (in.bad()) throw LineFailure{"read error"};
    if (line_ == 0) return ParseError{1, "empty file: line 1 must be the header"};
    finish();
  } catch (const LineFailure& failure) {
    return ParseError{line_, failure.message};
  } catch (const std::exception& ex) {
    return ParseError{line_, std::string("unexpected error: ") + ex.what()};
  }
  return std::move(history_);
}

void Reader::read_header(const json& object) {
  const json* type = object.contains("type") ? &object["type"] : nullptr;
  if (type == nullptr || !type->is_string() || type->get_ref<const std::string&>() != "header") {
    throw LineFailure{"line 1 must be the header ({\"type\":\"header\",...})"};
  }
  if (string_field(object, "format") != format_name) {
    throw LineFailure{"header: format must be \"imsim-history\""};
  }
  const json& version = require_field(object, "version");
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
  const json& devices = require_field(object, "devices");
  if (!devices.is_object()) throw LineFailure{"header: `devices` must be an object"};
  for (const auto& [device, user] : devices.items()) {
    if (!user.is_string())
      throw LineFailure{"header: user of device \"" + device + "\" must be a string"};
    device_ids_.emplace(device, header.device_names.size());
    header.device_names.push_back(device);
    header.device_user.push_back(intern_user(user.get_ref<const std::string&>()));
  }
  const json& convs = require_field(object, "conversations");
  if (!convs.is_object()) throw LineFailure{"header: `conversations` must be an object"};
  // listed_in[user] == conversation index + 1 once the user is seen in that conversation's
  // members: one pass per member list (a 1M-member group is checked in linear time).
  std::vector<std::size_t> listed_in;
  for (const auto& [name, conv] : convs.items()) {
    if (!conv.is_object())
      throw LineFailure{"header: conversation \"" + name + "\" must be an object"};
    const json& members = require_field(conv, "members");
    if (!members.is_array())
      throw LineFailure{"header: members of \"" + name + "\" must be an array"};
    Conversation c{.name = name, .members = {}, .kind = conv_kind(conv)};
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
    conv_ids_.emplace(name, header.conversations.size());
    header.conversations.push_back(std::move(c));
  }
  if (object.contains("scenario")) header.scenario = string_field(object, "scenario");
  if (object.contains("seed")) header.seed = uint_field(object["seed"], "header: `seed`");
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

ParseResult parse_history(std::istream& in) {
  detail::Reader reader;
  return reader.run(in);
}

ParseResult parse_history(std::string_view text) {
  std::istringstream in{std::string(text)};
  return parse_history(in);
}

ParseResult parse_history_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ParseError{0, "cannot open " + path};
  return parse_history(in);
}

}  // namespace imsim::history
