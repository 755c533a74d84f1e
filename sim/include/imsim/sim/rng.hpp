#pragma once
// The one source of randomness in a run: xoshiro256** (Blackman & Vigna), seeded through
// splitmix64. `fork(name)` derives a child generator from (this generator's seed, name) by
// hashing, without drawing from this generator's stream: adding a component, or drawing more
// in one component, never changes the numbers any other component sees.
#include <array>
#include <cstdint>
#include <string_view>

namespace imsim::sim {

// The splitmix64 finaliser: a bijective 64-bit mix with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// One splitmix64 step: advances `state` and returns the next output.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  return mix64(state);
}

// FNV-1a over the name, then mixed: a stable (platform independent) hash of a component name.
constexpr std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return mix64(h);
}

class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed) : seed_(seed) {
    std::uint64_t sm = seed;
    for (auto& word : state_) word = splitmix64_next(sm);
    // splitmix64 outputs of four consecutive states are never all zero (it is a bijection),
    // and xoshiro's only forbidden state is all zero.
  }

  // A generator in exactly this state (known-answer tests). The state must not be all zero.
  static constexpr Rng from_state(const std::array<std::uint64_t, 4>& state) {
    Rng rng(0);
    rng.state_ = state;
    return rng;
  }

  // The seed this generator was created from (fork derives children from it, not the state).
  constexpr std::uint64_t seed() const { return seed_; }

  constexpr std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // A child generator for the component called `name` (e.g. "network", "node/3", "workload").
  // The same (seed, name) always gives the same child; distinct names give independent streams.
  constexpr Rng fork(std::string_view name) const {
    return Rng(mix64(mix64(seed_ ^ 0x6A09E667F3BCC909ULL) ^ hash_name(name)));
  }

  // UniformRandomBitGenerator, so std::shuffle-like *algorithms* may use it (never std::
  // distributions: their output differs between standard libraries).
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  constexpr result_type operator()() { return next_u64(); }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t seed_;
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace imsim::sim
