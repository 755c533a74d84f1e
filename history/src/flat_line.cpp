// FlatLine: a hand-written reader of the flat JSON subset that event lines use. It follows
// RFC 8259 for what it accepts and gives up (returns false) on everything else; it never has to
// explain a failure, because the strict parser then reads the line again.
#include "flat_line.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "imsim/base/assert.hpp"

namespace imsim::history::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The bytes that stand for themselves inside a string of the fast subset.
constexpr std::array<bool, 256> plain_byte = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c) table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return table;
}();

class FlatParser {
 public:
  FlatParser(std::string_view text, std::vector<FlatMember>& root, std::vector<FlatMember>& nested)
      : p_(text.data()), end_(text.data() + text.size()), root_(root), nested_(nested) {}

  bool parse_root() {
    skip_space();
    if (!eat('{')) return false;
    skip_space();
    if (!eat('}')) {
      do {
        skip_space();
        if (root_.size() == FlatLine::root_members_max) return false;
        FlatMember& member = root_.emplace_back();
        if (!key(member.key) || !root_value(member.value)) return false;
        for (std::size_t i = 0; i + 1 < root_.size(); ++i) {
          if (root_[i].key == member.key) return false;  // a repeated key: the strict path says so
        }
      } while (eat(','));
      if (!eat('}')) return false;
    }
    skip_space();
    return p_ == end_;
  }

 private:
  // The hot loops work on a local copy of p_: a char load may alias the parser's own members,
  // so a loop advancing p_ in place would store and reload it for every byte.
  void skip_space() {
    const char* const end = end_;
    const char* p = p_;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    p_ = p;
  }

  bool eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // `"key"` then `:`, with the space around them.
  bool key(std::string_view& out) {
    if (!string(out)) return false;
    skip_space();
    if (!eat(':')) return false;
    skip_space();
    return true;
  }

  // ASCII without escapes or control bytes: the bytes are the value (nothing to decode, no UTF-8
  // to validate).
  bool string(std::string_view& out) {
    if (!eat('"')) return false;
    const char* const start = p_;
    const char* const end = end_;
    const char* p = start;
    while (p < end && plain_byte[static_cast<unsigned char>(*p)]) ++p;
    if (p == end || *p != '"') return false;  // an escape, a control or non-ASCII byte, or EOL
    out = std::string_view(start, static_cast<std::size_t>(p - start));
    p_ = p + 1;
    return true;
  }

  // A non-negative integer that fits 64 bits (nlohmann reads it as number_unsigned); a larger
  // one, a fraction or an exponent would be a double there.
  bool number(std::uint64_t& out) {
    if (p_ == end_ || !is_digit(*p_)) return false;
    std::uint64_t value = 0;
    const char* const end = end_;
    const char* p = p_;
    if (*p == '0') {
      ++p;
      if (p < end && is_digit(*p)) return false;  // a leading zero is not JSON
    } else {
      while (p < end && is_digit(*p)) {
        const auto digit = static_cast<std::uint64_t>(*p - '0');
        if (__builtin_mul_overflow(value, 10, &value)) return false;
        if (__builtin_add_overflow(value, digit, &value)) return false;
        ++p;
      }
    }
    p_ = p;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return false;
    out = value;
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size()) return false;
    if (std::memcmp(p_, word.data(), word.size()) != 0) return false;
    p_ += word.size();
    return true;
  }

  // A string, number or boolean, then the space after it.
  bool scalar(FlatValue& out) {
    if (p_ == end_) return false;
    bool ok = false;
    if (*p_ == '"') {
      out.kind = FlatValue::Kind::string;
      ok = string(out.string);
    } else if (*p_ == 't' || *p_ == 'f') {
      out.kind = FlatValue::Kind::boolean;
      out.boolean = *p_ == 't';
      ok = literal(out.boolean ? "true" : "false");
    } else {
      out.kind = FlatValue::Kind::number;
      ok = number(out.number);
    }
    skip_space();
    return ok;
  }

  // A member of the root: a scalar, or an object or array of scalars.
  bool root_value(FlatValue& out) {
    if (p_ == end_) return false;
    if (*p_ != '{' && *p_ != '[') return scalar(out);
    const bool object = *p_ == '{';
    const char close = object ? '}' : ']';
    out.kind = object ? FlatValue::Kind::object : FlatValue::Kind::array;
    ++p_;
    skip_space();
    const std::size_t first = nested_.size();
    if (!eat(close)) {
      do {
        skip_space();
        FlatMember& child = nested_.emplace_back();
        if (object && !key(child.key)) return false;
        if (!scalar(child.value)) return false;
      } while (eat(','));
      if (!eat(close)) return false;
    }
    skip_space();
    out.first = static_cast<std::uint32_t>(first);
    out.count = static_cast<std::uint32_t>(nested_.size() - first);
    return !object || sort_keys(first);
  }

  // Orders an object's members as std::map does; false if a key repeats.
  bool sort_keys(std::size_t first) {
    auto begin = nested_.begin() + static_cast<std::ptrdiff_t>(first);
    auto by_key = [](const FlatMember& a, const FlatMember& b) { return a.key < b.key; };
    if (!std::is_sorted(begin, nested_.end(), by_key)) std::sort(begin, nested_.end(), by_key);
    auto same_key = [](const FlatMember& a, const FlatMember& b) { return a.key == b.key; };
    return std::adjacent_find(begin, nested_.end(), same_key) == nested_.end();
  }

  const char* p_;
  const char* end_;
  std::vector<FlatMember>& root_;
  std::vector<FlatMember>& nested_;
};

}  // namespace

bool FlatLine::parse(std::string_view text) {
  root_.clear();
  nested_.clear();
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) return false;
  FlatParser parser(text, root_, nested_);
  const bool ok = parser.parse_root();
  IMSIM_ASSERT(!ok || root_.size() <= root_members_max);
  return ok;
}

}  // namespace imsim::history::detail
