#pragma once
// Path-aware reading of a JSON document for the scenario and failure-file loaders. Every
// error names the JSON path of the offending value and what was expected, e.g.
//   faults[2].at_s: expected a number >= 0, got "ten"
// Errors are thrown as LoadFailure inside the loaders and turned into values at the public API
// boundary (see scenario.hpp), so no bad input escapes as an exception or a crash.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace imsim::scenarios::detail {

using nlohmann::json;

struct LoadFailure {
  std::string message;
};

// JSON text of a scenario or failure file, parsed strictly (imsim/history/strict_json.hpp: no
// duplicate key, no NUL, nothing after the document, depth and numbers bounded). On failure
// returns false and sets `error` to `<json path>: <what>` (just `<what>` at the top level).
bool parse_json_text(std::string_view text, json& out, std::string& error);

[[noreturn]] void fail(const std::string& path, const std::string& what);
// `path: expected <expectation>, got <value>`.
[[noreturn]] void fail_expected(const std::string& path, std::string_view expectation,
                                const json& got);

// A short rendering of a JSON value for error messages (truncated past a named limit).
std::string describe(const json& value);
std::string child_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t index);
// The closest of `candidates` to `word`, or "" if none is close enough to suggest.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// An inclusive range, except that the minimum is exclusive when min_open.
struct NumberRange {
  double min = -kUnbounded;
  double max = kUnbounded;
  bool min_open = false;

  bool contains(double x) const;
  std::string describe() const;  // ">= 0", "> 0", "in [0, 1]", "in (0, 2592000]"
};

inline constexpr NumberRange kNonNegative{0.0, kUnbounded, false};
inline constexpr NumberRange kPositive{0.0, kUnbounded, true};
inline constexpr NumberRange kProbability{0.0, 1.0, false};

// Reads one JSON object. Construct, call allow() with every field the object may have (an
// unknown field is an error, with a did-you-mean), then read fields.
class ObjectReader {
 public:
  ObjectReader(const json& value, std::string path);

  void allow(std::initializer_list<std::string_view> keys);
  void allow(const std::vector<std::string>& keys);

  const std::string& path() const { return path_; }
  std::string field_path(std::string_view key) const { return child_path(path_, key); }
  const json& raw() const { return value_; }

  // Present and not null.
  bool has(std::string_view key) const;
  const json& get(std::string_view key) const;  // fails if missing (or null)

  double number(std::string_view key, double fallback, NumberRange range) const;
  double require_number(std::string_view key, NumberRange range) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;
  std::uint64_t unsigned_integer(std::string_view key, std::uint64_t fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key, std::string fallback) const;
  std::string require_string(std::string_view key) const;
  // A time: the key's suffix (_s or _ms) gives the unit; returns nanoseconds.
  std::int64_t duration_ns(std::string_view key, std::int64_t fallback_ns, NumberRange range) const;
  std::int64_t require_duration_ns(std::string_view key, NumberRange range) const;

 private:
  const json& value_;
  std::string path_;
};

double read_number(const json& value, const std::string& path, NumberRange range);
std::string read_string(const json& value, const std::string& path);
// Nanoseconds per unit of a field named `..._s` or `..._ms` (asserts one of them).
double ns_per_unit(std::string_view key);
std::int64_t to_ns(double amount, std::string_view key);
// A non-empty id of at most kIdLengthMax characters from [A-Za-z0-9_.-].
std::string read_id(const json& value, const std::string& path);
// One of `names` (exact match), returning its index.
std::size_t read_enum(const json& value, const std::string& path,
                      const std::vector<std::string>& names);
std::string quoted_list(const std::vector<std::string>& names);  // "a", "b", "c"

}  // namespace imsim::scenarios::detail
