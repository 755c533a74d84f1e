#pragma once
// Randomness comes from the host (the simulator forks a stream per node). The engine uses it only
// for BUGGIFY sites; with Config::buggify off, no random number is ever drawn.
#include <cstdint>
#include <map>

namespace imsim::engine {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t next_u64() = 0;
};

// The BUGGIFY sites of the engine (docs/engine.md says what each one widens).
enum class BuggifySite : std::uint8_t {
  device_drop_push = 1,         // a device ignores a push: the gap must be pulled
  store_short_page = 2,         // a store answers a pull with fewer entries than allowed
  processor_repeat_append = 3,  // a processor sends its append twice
  queue_early_redelivery = 4,   // a queue redelivers an entry at once (concurrent jobs)
};

// FoundationDB-style: each site is enabled once per role instance with probability 1/4 and then
// fires with probability 1/4 each time it is reached. Never fires without a Random or when off.
class Buggify {
 public:
  Buggify(Random* random, bool enabled) : random_(random), enabled_(enabled && random != nullptr) {}

  bool operator()(BuggifySite site) {
    if (!enabled_) return false;
    auto [it, inserted] = sites_enabled_.try_emplace(site, false);
    if (inserted) it->second = (random_->next_u64() % 4) == 0;
    if (!it->second) return false;
    return (random_->next_u64() % 4) == 0;
  }

 private:
  Random* random_;
  bool enabled_;
  std::map<BuggifySite, bool> sites_enabled_;
};

}  // namespace imsim::engine
