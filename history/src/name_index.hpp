#pragma once
// The reader's intern tables: name -> dense id, searched with a view of the line. Open
// addressing over a power-of-two table of (hash, id) slots; the names themselves stay where the
// History keeps them (device_names, msg_names, ...), so each name is stored once, and a lookup
// costs one hash of the name, one or two probes and one comparison of bytes.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "imsim/base/assert.hpp"

namespace imsim::history::detail {

class NameIndex {
 public:
  static constexpr std::uint32_t absent = UINT32_MAX;

  // The id of `name`, or `absent`. `name_of(id)` gives the name stored for an id.
  template <class NameOf>
  std::uint32_t find(std::string_view name, const NameOf& name_of) const {
    if (slots_.empty()) return absent;
    const std::uint64_t h = hash(name);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == absent) return absent;
      if (slot.hash == h && same_bytes(name_of(slot.id), name)) return slot.id;
    }
  }

  // Records `name` -> `id`; `name` must not be present (find first).
  void insert(std::string_view name, std::uint32_t id) {
    IMSIM_ASSERT(id != absent);
    // Load at most 1/2: probes stay short.
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(Slot{hash(name), id});
    ++size_;
  }

  static std::uint64_t hash(std::string_view name) {
    // 8 bytes at a time, multiply-xorshift mixing (names are short: devices, message ids).
    constexpr std::uint64_t k = 0x9e3779b97f4a7c15ULL;
    std::uint64_t h = name.size() * k;
    const char* p = name.data();
    std::size_t left = name.size();
    while (left >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      h = (h ^ chunk) * k;
      h ^= h >> 29;
      p += 8;
      left -= 8;
    }
    if (left > 0) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, p, left);
      h = (h ^ chunk) * k;
      h ^= h >> 29;
    }
    h *= k;
    return h ^ (h >> 32);
  }

  static bool same_bytes(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t id = absent;
  };

  void place(Slot slot) {
    for (std::size_t i = slot.hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].id == absent) {
        slots_[i] = slot;
        return;
      }
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id != absent) place(slot);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace imsim::history::detail
