#pragma once
// Strict parsing of one JSONL line into an nlohmann::json DOM: exactly one JSON object per
// line, no key repeated inside one object (HISTORY.md: writers must not repeat a key; the
// default nlohmann parser would silently keep the last one), nesting depth bounded.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace imsim::history::detail {

// Deep nesting is never needed by the format; bounding it bounds the parser's stack too.
inline constexpr std::size_t json_depth_max = 64;

// Parses `line` into `out`. On failure returns false and sets `error` to a short reason.
bool parse_json_line(std::string_view line, nlohmann::json& out, std::string& error);

}  // namespace imsim::history::detail
