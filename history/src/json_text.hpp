#pragma once
// Appending JSON text by hand: the writer emits millions of small objects, and building an
// nlohmann::json per event would cost more than the simulation that produced them.
#include <cstdint>
#include <string>
#include <string_view>

namespace imsim::history::detail {

// Appends `value` as a quoted JSON string (escaping quotes, backslashes and control bytes).
inline void append_json_string(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

inline void append_uint(std::string& out, std::uint64_t value) {
  out.append(std::to_string(value));
}

}  // namespace imsim::history::detail
