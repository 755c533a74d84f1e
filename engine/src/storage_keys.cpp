#include "storage_keys.hpp"

#include <array>
#include <cstdio>
#include <imsim/base/assert.hpp>

namespace imsim::engine::storage_keys {
namespace {

// One row per key kind: its literal (a fixed key when `numbers` is 0, else the prefix before the
// numbers) and how many '/'-separated 20-digit numbers follow.
struct KeySpec {
  KeyKind kind;
  std::string_view literal;
  int numbers;
};

constexpr std::array<KeySpec, 10> kSpecs{{
    {KeyKind::checkpoint, "k", 0},
    {KeyKind::id_reservation, "r", 0},
    {KeyKind::outbox, "o/", 1},
    {KeyKind::conv_anchor, "a/", 1},
    {KeyKind::local_msg, "m/", 2},
    {KeyKind::processor_epoch, "p/epoch", 0},
    {KeyKind::queue_entry, "q/", 2},
    {KeyKind::timeline, "t/", 2},
    {KeyKind::inbox, "i/", 2},
    {KeyKind::inbox_floor, "f/", 1},
}};

constexpr std::size_t kDigits = 20;  // enough for any std::uint64_t

const KeySpec& spec(KeyKind kind) {
  for (const KeySpec& s : kSpecs) {
    if (s.kind == kind) return s;
  }
  IMSIM_ASSERT_MSG(false, "every key kind has a row in kSpecs");
  return kSpecs[0];
}

std::string build(KeyKind kind, std::uint64_t a) {
  IMSIM_ASSERT(spec(kind).numbers == 1);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(a));
  return std::string(spec(kind).literal) + buf;
}

std::string build(KeyKind kind, std::uint64_t a, std::uint64_t b) {
  IMSIM_ASSERT(spec(kind).numbers == 2);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%020llu/%020llu", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return std::string(spec(kind).literal) + buf;
}

bool has_prefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

// Exactly kDigits decimal digits, fitting a std::uint64_t.
std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.size() != kDigits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

std::string checkpoint() { return std::string(spec(KeyKind::checkpoint).literal); }
std::string id_reservation() { return std::string(spec(KeyKind::id_reservation).literal); }
std::string outbox(std::uint64_t counter) { return build(KeyKind::outbox, counter); }
std::string conv_anchor(std::uint64_t conv) { return build(KeyKind::conv_anchor, conv); }
std::string local_msg(std::uint64_t conv, std::uint64_t conv_seq) {
  return build(KeyKind::local_msg, conv, conv_seq);
}
std::string processor_epoch() { return std::string(spec(KeyKind::processor_epoch).literal); }
std::string queue_entry(std::uint64_t partition, std::uint64_t offset) {
  return build(KeyKind::queue_entry, partition, offset);
}
std::string timeline(std::uint64_t conv, std::uint64_t conv_seq) {
  return build(KeyKind::timeline, conv, conv_seq);
}
std::string inbox(std::uint64_t user, std::uint64_t inbox_seq) {
  return build(KeyKind::inbox, user, inbox_seq);
}
std::string inbox_floor(std::uint64_t user) { return build(KeyKind::inbox_floor, user); }

std::optional<KeyKind> kind_of(std::string_view key) {
  for (const KeySpec& s : kSpecs) {
    const bool match = s.numbers == 0 ? key == s.literal : has_prefix(key, s.literal);
    if (match) return s.kind;
  }
  return std::nullopt;
}

std::optional<ParsedKey> parse(std::string_view key) {
  const std::optional<KeyKind> kind = kind_of(key);
  if (!kind) return std::nullopt;
  const KeySpec& s = spec(*kind);
  ParsedKey out{*kind};
  std::string_view rest = key.substr(s.literal.size());
  if (s.numbers == 0) return rest.empty() ? std::optional(out) : std::nullopt;
  const std::optional<std::uint64_t> a = parse_number(rest.substr(0, kDigits));
  if (!a) return std::nullopt;
  out.a = *a;
  rest = rest.substr(kDigits);
  if (s.numbers == 1) return rest.empty() ? std::optional(out) : std::nullopt;
  if (rest.empty() || rest[0] != '/') return std::nullopt;
  const std::optional<std::uint64_t> b = parse_number(rest.substr(1));
  if (!b) return std::nullopt;
  out.b = *b;
  return out;
}

}  // namespace imsim::engine::storage_keys
