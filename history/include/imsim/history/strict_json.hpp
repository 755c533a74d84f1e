#pragma once
// Strict parsing of JSON text into an nlohmann::json DOM, shared by the history reader (one
// object per line) and the scenario loader (one document per file). Stricter than
// nlohmann::json::parse, which would silently keep the last of two equal keys, stop at a NUL
// byte and ignore what follows it, build a DOM of any depth (whose printing then recurses that
// deep), and throw out_of_range for a number beyond a double:
// - no key repeated inside one object (HISTORY.md: writers must not repeat a key);
// - nesting at most depth_max deep (bounds the stack of anything that walks the DOM);
// - no NUL byte anywhere (never valid in JSON text; nlohmann takes it as the end of input);
// - exactly one value, nothing after it but whitespace;
// - every number fits a double.
// Never throws on bad input: a failure is a value naming where (a JSON path) and what.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace imsim::history {

// Deep nesting is needed by neither format; bounding it bounds every recursive walk of the DOM.
inline constexpr std::size_t kJsonDepthMax = 64;

struct StrictJsonError {
  // Where: the JSON path of the value being read, like `users[0].devices` ("" at the top).
  std::string path;
  // What: e.g. `duplicate key "id"`, `not valid JSON: parse error at line 1, column 9: ...`.
  std::string message;
};

// Parses `text` into `out` (which is left null on failure). Returns false and fills `error` on
// failure.
bool parse_strict_json(std::string_view text, nlohmann::json& out, StrictJsonError& error,
                       std::size_t depth_max = kJsonDepthMax);

}  // namespace imsim::history
