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

// How event lines are read. `fast` reads the usual flat lines (ASCII strings without escapes,
// non-negative integers, booleans, one level of objects or arrays) with a hand-written reader and
// every other line, and the header, with the strict DOM parser (strict_json.hpp); `strict_only`
// uses the DOM parser for every line. Both give the same History or the same ParseError: the
// rules are one piece of code, and tests/history/fast_path_test.cpp and the history_reader fuzz
// target compare them. `strict_only` exists for those comparisons (and is 10x+ slower).
enum class LineReading : std::uint8_t { fast, strict_only };

// The stream is read in chunks into one buffer (as large as the longest line); the text overload
// reads in place. Neither copies the whole input.
ParseResult parse_history(std::istream& in, LineReading reading = LineReading::fast);
ParseResult parse_history(std::string_view text, LineReading reading = LineReading::fast);
// Opens `path`; an unreadable file is a ParseError at line 0.
ParseResult parse_history_file(const std::string& path, LineReading reading = LineReading::fast);

}  // namespace imsim::history
