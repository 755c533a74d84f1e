#pragma once
// Reader and validator of history format v1. Malformed input (anything breaking a validity
// rule of docs/history-format.md) yields an error Status naming the 1-based line and the broken
// rule; it never crashes and never throws.
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "imsim/base/status.hpp"
#include "imsim/history/history.hpp"

namespace imsim::history {

// How event lines are read. `fast` reads the usual flat lines (ASCII strings without escapes,
// non-negative integers, booleans, one level of objects or arrays) with a hand-written reader and
// every other line, and the header, with the strict DOM parser (strict_json.hpp); `strict_only`
// uses the DOM parser for every line. Both give the same History or the same error: the
// rules are one piece of code, and tests/history/fast_path_test.cpp and the history_reader fuzz
// target compare them. `strict_only` exists for those comparisons (and is 10x+ slower).
enum class LineReading : std::uint8_t { fast, strict_only };

// Each parse gives the History, or an error Status whose message is "line N: <rule broken>" (N
// 1-based, the header is line 1; line 0: the file could not be opened). Codes: invalid_input (a
// rule broken), io_error (cannot open, read error), limit_exceeded (too many lines).
// The stream is read in chunks into one buffer (as large as the longest line); the text overload
// reads in place. Neither copies the whole input.
base::Result<History> parse_history(std::istream& in, LineReading reading = LineReading::fast);
base::Result<History> parse_history(std::string_view text, LineReading reading = LineReading::fast);
// Opens `path`; an unreadable file is an io_error at line 0 ("line 0: cannot open PATH").
base::Result<History> parse_history_file(const std::string& path,
                                         LineReading reading = LineReading::fast);

}  // namespace imsim::history
