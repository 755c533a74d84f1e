#include "records.hpp"

namespace imsim::engine::records {

std::uint64_t checksum(std::string_view payload) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : payload) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace imsim::engine::records
