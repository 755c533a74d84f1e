#pragma once
// EventQueue: pending events ordered by (time, insertion sequence). Equal-time events pop in the
// order they were pushed, always.
//
// Layout (the hot path allocates nothing once warm):
// - a 4-ary min-heap of 16-byte entries {time, seq << slot_bits | slot};
// - a slab of event slots in fixed-size chunks (addresses are stable, so a callback runs in
//   place while it schedules more events), recycled through a free list;
// - cancellation marks the slot (O(1)) and destroys the capture at once; the heap entry stays
//   as a tombstone that is released without running, tracing or counting when it surfaces.
//   When tombstones outnumber live entries the heap is rebuilt without them.
#include <cstdint>
#include <memory>
#include <vector>

#include <imsim/base/assert.hpp>
#include <imsim/sim/callback.hpp>
#include <imsim/sim/ids.hpp>
#include <imsim/sim/time.hpp>

namespace imsim::sim {

// What the kernel folds into the trace when an event runs: `timer` folds "timer fired";
// `internal` folds nothing (kernel components such as the network fold their own record).
enum class EventKind : std::uint8_t { timer, internal };

class EventQueue {
 public:
  static constexpr unsigned slot_bits = 24;
  static constexpr std::uint64_t events_pending_max = std::uint64_t{1} << slot_bits;
  static constexpr std::uint64_t seq_max = std::uint64_t{1} << (64 - slot_bits);
  static constexpr std::uint32_t chunk_slots = 4096;
  // Rebuild the heap without tombstones once they are this many and more than the live ones.
  static constexpr std::size_t tombstones_compact_min = 1024;

  enum class SlotState : std::uint8_t { free, pending, cancelled, running };

  struct Slot {
    Callback callback;
    std::uint32_t generation = 0;
    NodeId owner = kWorld;
    EventKind kind = EventKind::timer;
    SlotState state = SlotState::free;
  };

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  template <class F>
  TimerId push(SimTime when, NodeId owner, EventKind kind, F&& f) {
    IMSIM_ASSERT(when >= SimTime::zero());
    IMSIM_ASSERT_MSG(seq_next_ < seq_max, "event sequence exhausted");
    const std::uint32_t index = slot_allocate();
    Slot& slot = slot_at(index);
    slot.callback.emplace(std::forward<F>(f));
    slot.owner = owner;
    slot.kind = kind;
    slot.state = SlotState::pending;
    heap_push(Entry{static_cast<std::uint64_t>(when.ns()), (seq_next_ << slot_bits) | index});
    seq_next_++;
    return TimerId((std::uint64_t{index} << 32) | slot.generation);
  }

  // Cancels a pending event. False if it already ran, was cancelled, or is running now.
  bool cancel(TimerId id) {
    Slot* slot = slot_of(id);
    if (slot == nullptr || slot->state != SlotState::pending) return false;
    slot->state = SlotState::cancelled;
    slot->callback.reset();
    tombstones_++;
    if (tombstones_ >= tombstones_compact_min) compact_if_worthwhile();
    return true;
  }

  bool is_pending(TimerId id) const {
    const Slot* slot = const_cast<EventQueue*>(this)->slot_of(id);
    return slot != nullptr && slot->state == SlotState::pending;
  }

  // Releases tombstones at the top; then reports the next live event's time, if any.
  bool peek_time(SimTime* time) {
    while (!heap_.empty()) {
      const std::uint32_t index = slot_index(heap_.front());
      if (slot_at(index).state == SlotState::pending) {
        *time = SimTime::from_ns(static_cast<std::int64_t>(heap_.front().time));
        return true;
      }
      heap_pop();
      tombstone_release(index);
    }
    return false;
  }

  // Removes the next live event and marks it running; the caller invokes its callback and then
  // calls finish(). Returns the slot index, or -1 when nothing is pending.
  std::int64_t pop(SimTime* time) {
    while (!heap_.empty()) {
      const Entry top = heap_pop();
      const std::uint32_t index = slot_index(top);
      Slot& slot = slot_at(index);
      if (slot.state == SlotState::cancelled) {
        tombstone_release(index);
        continue;
      }
      IMSIM_ASSERT(slot.state == SlotState::pending);
      slot.state = SlotState::running;
      *time = SimTime::from_ns(static_cast<std::int64_t>(top.time));
      return index;
    }
    return -1;
  }

  Slot& slot_at(std::uint32_t index) {
    return chunks_[index / chunk_slots][index % chunk_slots];
  }

  void finish(std::uint32_t index) {
    Slot& slot = slot_at(index);
    IMSIM_ASSERT(slot.state == SlotState::running);
    slot.callback.reset();
    slot_free(index, slot);
  }

  // Cancels every pending event owned by `owner` (a crashed node). Returns how many.
  std::size_t cancel_owned_by(NodeId owner);

  std::size_t pending_count() const { return heap_.size() - tombstones_; }
  std::size_t tombstone_count() const { return tombstones_; }
  std::uint64_t pushed_count() const { return seq_next_; }

 private:
  struct Entry {
    std::uint64_t time;  // ns, non-negative
    std::uint64_t key;   // seq << slot_bits | slot: unique, so (time, key) is a total order
  };
  static bool less(const Entry& a, const Entry& b) {
    // One 128-bit compare: branch-free ordering by (time, seq).
    using u128 = unsigned __int128;
    return ((u128{a.time} << 64) | a.key) < ((u128{b.time} << 64) | b.key);
  }
  static std::uint32_t slot_index(const Entry& e) {
    return static_cast<std::uint32_t>(e.key & (events_pending_max - 1));
  }

  Slot* slot_of(TimerId id) {
    if (id.is_none()) return nullptr;
    const std::uint64_t index = id.value() >> 32;
    if (index >= slots_allocated_) return nullptr;
    Slot& slot = slot_at(static_cast<std::uint32_t>(index));
    if (slot.generation != static_cast<std::uint32_t>(id.value())) return nullptr;
    return &slot;
  }

  std::uint32_t slot_allocate() {
    if (!free_.empty()) {
      const std::uint32_t index = free_.back();
      free_.pop_back();
      return index;
    }
    return slot_allocate_new();
  }
  std::uint32_t slot_allocate_new();

  void slot_free(std::uint32_t index, Slot& slot) {
    slot.state = SlotState::free;
    slot.generation++;  // stale TimerIds of this slot no longer match
    free_.push_back(index);
  }

  void tombstone_release(std::uint32_t index) {
    IMSIM_ASSERT(tombstones_ > 0);
    tombstones_--;
    slot_free(index, slot_at(index));
  }

  void heap_push(Entry e) {
    heap_.push_back(e);
    std::size_t i = heap_.size() - 1;
    Entry* h = heap_.data();
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!less(e, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  Entry heap_pop() {
    IMSIM_ASSERT(!heap_.empty());
    const Entry top = heap_.front();
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
    return top;
  }

  // Places `e` from the root down, moving the hole to the smallest of up to four children.
  void sift_down(Entry e) {
    Entry* h = heap_.data();
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (less(h[c], h[best])) best = c;
      }
      if (!less(h[best], e)) break;
      h[i] = h[best];
      i = best;
    }
    h[i] = e;
  }

  void compact_if_worthwhile();
  friend class Simulator;

  std::vector<Entry> heap_;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint64_t slots_allocated_ = 0;
  std::uint64_t seq_next_ = 0;
  std::size_t tombstones_ = 0;
};

}  // namespace imsim::sim
