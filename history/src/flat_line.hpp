#pragma once
// The fast reading of one event line. Nearly every line a recorder writes is a flat JSON object
// of ASCII strings without escapes, non-negative integers, booleans, and at most one more level
// of objects or arrays of those (vector clocks, timelines). FlatLine reads exactly that subset
// into views of the line, allocating nothing once its buffers have grown. Anything else (an
// escape, a non-ASCII byte, a negative or fractional number, null, deeper nesting, any syntax
// error or repeated key) makes parse() return false, and the reader parses that line with the
// strict DOM parser instead (strict_json.hpp), which decides whether it is valid and says why
// not. So a line FlatLine accepts is valid strict JSON, and it reads to the same values.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace imsim::history::detail {

struct FlatValue {
  enum class Kind : std::uint8_t { string, number, boolean, object, array };
  Kind kind = Kind::string;
  bool boolean = false;
  std::uint64_t number = 0;  // numbers are non-negative integers that fit 64 bits
  std::string_view string;   // a view into the line
  // object, array (members of the root only): the children are FlatLine's nested
  // [first, first + count); an object's are sorted by key, as nlohmann's std::map keeps them.
  std::uint32_t first = 0;
  std::uint32_t count = 0;
};

struct FlatMember {
  std::string_view key;  // "" for an array element
  FlatValue value;
};

class FlatLine {
 public:
  // The root object may have this many members at most (the event shapes have 3 to 8); a line
  // with more takes the strict path, which keeps the duplicate-key check of the root linear.
  static constexpr std::size_t root_members_max = 32;

  // True if `text` is one JSON object of the subset above; the views stay valid as long as
  // `text` does and until the next parse().
  bool parse(std::string_view text);

  std::span<const FlatMember> root() const { return root_; }
  std::span<const FlatMember> children(const FlatValue& value) const {
    return std::span<const FlatMember>(nested_).subspan(value.first, value.count);
  }

 private:
  std::vector<FlatMember> root_;    // file order
  std::vector<FlatMember> nested_;  // the children of every object or array member
};

}  // namespace imsim::history::detail
