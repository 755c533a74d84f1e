#pragma once
// Reader and validator of history format v1. Malformed input (anything breaking a validity
// rule of docs/history-format.md) yields a ParseError naming the 1-based line and the broken
// rule; it never crashes and never throws.
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <variant>

#include "imsim/history/history.hpp"

namespace imsim::history {

struct ParseError {
  std::uint64_t line = 0;  // 1-based; the header is line 1
  std::string message;

  std::string to_string() const;  // "line N: message"
};

class ParseResult {
 public:
  ParseResult(History history) : value_(std::move(history)) {}
  ParseResult(ParseError error) : value_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<History>(value_); }
  const History& history() const& { return std::get<History>(value_); }
  History&& history() && { return std::get<History>(std::move(value_)); }
  const ParseError& error() const { return std::get<ParseError>(value_); }

 private:
  std::variant<History, ParseError> value_;
};

ParseResult parse_history(std::istream& in);
ParseResult parse_history(std::string_view text);
// Opens `path`; an unreadable file is a ParseError at line 0.
ParseResult parse_history_file(const std::string& path);

}  // namespace imsim::history
