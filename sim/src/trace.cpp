#include <cstring>
#include <imsim/sim/rng.hpp>
#include <imsim/sim/trace.hpp>

namespace imsim::sim {

std::uint64_t hash_bytes(std::string_view bytes) {
  // Eight bytes at a time through a multiply-xorshift step, then the splitmix finaliser.
  // Little-endian loads: the platform is fixed (x86-64 / aarch64 Linux).
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (bytes.size() * 0xFF51AFD7ED558CCDULL);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ mix64(w)) * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  h = (h ^ mix64(tail + (bytes.size() - i))) * 0xC2B2AE3D27D4EB4FULL;
  return mix64(h);
}

std::uint64_t Trace::hash() const { return mix64(state_ ^ mix64(count_)); }

}  // namespace imsim::sim
