#include "json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "imsim/base/assert.hpp"
#include "imsim/history/strict_json.hpp"
#include "imsim/model/world_config.hpp"

namespace imsim::scenarios::detail {

namespace {

constexpr std::size_t kDescribeLengthMax = 40;  // characters of a value quoted in an error
constexpr std::size_t kSuggestDistanceMax = 2;  // edit distance for a did-you-mean

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); i++) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); j++) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

bool parse_json_text(std::string_view text, json& out, std::string& error) {
  history::StrictJsonError problem;
  if (history::parse_strict_json(text, out, problem)) return true;
  error = problem.path.empty() ? problem.message : problem.path + ": " + problem.message;
  return false;
}

void fail(const std::string& path, const std::string& what) {
  throw LoadFailure{fmt::format("{}: {}", path.empty() ? "scenario" : path, what)};
}

void fail_expected(const std::string& path, std::string_view expectation, const json& got) {
  fail(path, fmt::format("expected {}, got {}", expectation, describe(got)));
}

std::string describe(const json& value) {
  std::string text = value.dump();
  if (text.size() > kDescribeLengthMax) text = text.substr(0, kDescribeLengthMax) + "...";
  return text;
}

std::string child_path(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return fmt::format("{}.{}", path, key);
}

std::string index_path(const std::string& path, std::size_t index) {
  return fmt::format("{}[{}]", path, index);
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = kSuggestDistanceMax + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance && distance < candidate.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best.empty()) return best;
  // A unit mistake (`mean_ms` for `mean_bytes`, `at_ms` for `at_s`): same stem, other unit.
  const auto stem = [](std::string_view s) { return s.substr(0, s.rfind('_')); };
  if (word.rfind('_') == std::string_view::npos) return best;
  for (const std::string& candidate : candidates) {
    if (candidate.rfind('_') != std::string::npos && stem(candidate) == stem(word))
      return candidate;
  }
  return best;
}

bool NumberRange::contains(double x) const {
  if (!std::isfinite(x)) return false;
  if (min_open ? !(x > min) : !(x >= min)) return false;
  return x <= max;
}

std::string NumberRange::describe() const {
  if (max == kUnbounded) return fmt::format("{} {}", min_open ? ">" : ">=", min);
  IMSIM_ASSERT(min != -kUnbounded);
  return fmt::format("in {}{}, {}]", min_open ? "(" : "[", min, max);
}

ObjectReader::ObjectReader(const json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) fail_expected(path_, "an object", value_);
  // A null would otherwise read as "absent" and silently take the default.
  for (const auto& [key, item] : value_.items()) {
    if (item.is_null())
      fail(field_path(key), "null is not a value (leave the field out for its default)");
  }
}

void ObjectReader::allow(std::initializer_list<std::string_view> keys) {
  allow(std::vector<std::string>(keys.begin(), keys.end()));
}

void ObjectReader::allow(const std::vector<std::string>& keys) {
  for (const auto& [key, unused] : value_.items()) {
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    const std::string suggestion = closest(key, keys);
    if (suggestion.empty()) fail(field_path(key), "unknown field");
    fail(field_path(key), fmt::format("unknown field (did you mean \"{}\"?)", suggestion));
  }
}

bool ObjectReader::has(std::string_view key) const {
  const auto it = value_.find(key);
  return it != value_.end() && !it->is_null();
}

const json& ObjectReader::get(std::string_view key) const {
  if (!has(key)) fail(path_, fmt::format("missing required field \"{}\"", key));
  return *value_.find(key);
}

double ObjectReader::number(std::string_view key, double fallback, NumberRange range) const {
  if (!has(key)) return fallback;
  return read_number(get(key), field_path(key), range);
}

double ObjectReader::require_number(std::string_view key, NumberRange range) const {
  return read_number(get(key), field_path(key), range);
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) const {
  if (!has(key)) return fallback;
  const json& value = get(key);
  const std::string expectation = fmt::format("an integer in [{}, {}]", min, max);
  if (!value.is_number_integer()) fail_expected(field_path(key), expectation, value);
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(max)) {
    fail_expected(field_path(key), expectation, value);
  }
  const std::int64_t x = value.get<std::int64_t>();
  if (x < min || x > max) fail_expected(field_path(key), expectation, value);
  return x;
}

std::uint64_t ObjectReader::unsigned_integer(std::string_view key, std::uint64_t fallback) const {
  if (!has(key)) return fallback;
  const json& value = get(key);
  const bool ok =
      value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
  if (!ok) fail_expected(field_path(key), "an integer in [0, 18446744073709551615]", value);
  return value.get<std::uint64_t>();
}

bool ObjectReader::boolean(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  const json& value = get(key);
  if (!value.is_boolean()) fail_expected(field_path(key), "true or false", value);
  return value.get<bool>();
}

std::string ObjectReader::string(std::string_view key, std::string fallback) const {
  if (!has(key)) return fallback;
  return read_string(get(key), field_path(key));
}

std::string ObjectReader::require_string(std::string_view key) const {
  return read_string(get(key), field_path(key));
}

std::int64_t ObjectReader::duration_ns(std::string_view key, std::int64_t fallback_ns,
                                       NumberRange range) const {
  if (!has(key)) return fallback_ns;
  return require_duration_ns(key, range);
}

std::int64_t ObjectReader::require_duration_ns(std::string_view key, NumberRange range) const {
  const double amount = require_number(key, range);
  // Every time is bounded by the longest run, whatever its own range says (no overflow).
  if (std::fabs(amount * ns_per_unit(key)) > double(model::kRunDurationMax_ns)) {
    fail(field_path(key), fmt::format("{} is beyond the longest run ({} s)", describe(get(key)),
                                      model::kRunDurationMax_ns / 1'000'000'000));
  }
  const std::int64_t ns = to_ns(amount, key);
  if (ns == 0 && amount != 0.0) {
    // A tiny positive time must not turn into 0, which means "never" or "at once" (or hangs).
    fail(field_path(key),
         fmt::format("{} is below 1 ns, the smallest time (expected {}at least {})",
                     describe(get(key)), range.contains(0.0) ? "0 or " : "",
                     1.0 / ns_per_unit(key)));
  }
  return ns;
}

double read_number(const json& value, const std::string& path, NumberRange range) {
  const std::string expectation = "a number " + range.describe();
  if (!value.is_number()) fail_expected(path, expectation, value);
  const double x = value.get<double>();
  if (!range.contains(x)) fail_expected(path, expectation, value);
  return x;
}

std::string read_string(const json& value, const std::string& path) {
  if (!value.is_string()) fail_expected(path, "a string", value);
  return value.get<std::string>();
}

double ns_per_unit(std::string_view key) {
  if (key.ends_with("_ms")) return 1e6;
  IMSIM_ASSERT_MSG(key.ends_with("_s"), "a duration field is named ..._s or ..._ms");
  return 1e9;
}

std::int64_t to_ns(double amount, std::string_view key) {
  const double ns = amount * ns_per_unit(key);
  IMSIM_ASSERT(std::isfinite(ns));
  IMSIM_ASSERT(std::fabs(ns) < 9.2e18);  // callers bound amounts far below int64 overflow
  return std::llround(ns);
}

std::string read_id(const json& value, const std::string& path) {
  const std::string expectation =
      fmt::format("an id: 1 to {} characters from A-Z a-z 0-9 _ . -", model::kIdLengthMax);
  if (!value.is_string()) fail_expected(path, expectation, value);
  const std::string id = value.get<std::string>();
  const bool length_ok = !id.empty() && id.size() <= std::size_t(model::kIdLengthMax);
  const bool chars_ok = std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  if (!length_ok || !chars_ok) fail_expected(path, expectation, value);
  return id;
}

std::size_t read_enum(const json& value, const std::string& path,
                      const std::vector<std::string>& names) {
  const std::string expectation = "one of " + quoted_list(names);
  if (!value.is_string()) fail_expected(path, expectation, value);
  const auto it = std::find(names.begin(), names.end(), value.get<std::string>());
  if (it != names.end()) return std::size_t(it - names.begin());
  const std::string suggestion = closest(value.get<std::string>(), names);
  if (suggestion.empty()) fail_expected(path, expectation, value);
  fail(path, fmt::format("expected {}, got {} (did you mean \"{}\"?)", expectation, describe(value),
                         suggestion));
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); i++) {
    if (i > 0) out += ", ";
    out += '"' + names[i] + '"';
  }
  return out;
}

}  // namespace imsim::scenarios::detail
