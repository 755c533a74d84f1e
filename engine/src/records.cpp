#include "records.hpp"

#include <cstdio>

namespace imsim::engine::records {

std::uint64_t checksum(std::string_view payload) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : payload) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string key(std::string_view prefix, std::uint64_t a) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(a));
  return std::string(prefix) + buf;
}

std::string key(std::string_view prefix, std::uint64_t a, std::uint64_t b) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%020llu/%020llu", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return std::string(prefix) + buf;
}

bool has_prefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

}  // namespace imsim::engine::records
