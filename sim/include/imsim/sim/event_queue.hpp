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
#include <imsim/base/assert.hpp>
#include <imsim/sim/callback.hpp>
#include <imsim/sim/ids.hpp>
#include <imsim/sim/time.hpp>
#include <memory>
#include <vector>

namespace imsim::sim {

// Allocates on 64-byte boundaries (cache lines), for the event heap.
template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};
  CacheAlignedAllocator() = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, alignment); }
  friend bool operator==(const CacheAlignedAllocator&, const CacheAlignedAllocator&) {
    return true;
  }
};

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

  // One cache line per event. A slot is *pending* while its callback is set and its
  // generation matches the TimerId handed out; the generation moves on as soon as the event
  // can no longer be cancelled (it was cancelled, or it started running), so a stale TimerId
  // never matches again. A slot in the heap with no callback is a tombstone.
  struct alignas(64) Slot {
    Callback callback;
    std::uint32_t generation = 0;
    std::uint32_t owner_tag = kWorldTag;  // NodeId value, kWorldTag, or kInternalTag

    NodeId owner() const { return owner_tag == kInternalTag ? kWorld : NodeId(owner_tag); }
    EventKind kind() const {
      return owner_tag == kInternalTag ? EventKind::internal : EventKind::timer;
    }
  };
  static_assert(sizeof(Slot) == 64);
  static constexpr std::uint32_t kWorldTag = kWorld.value;
  static constexpr std::uint32_t kInternalTag = kWorldTag - 1;  // internal events: world-owned

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // `owner` must be kWorld for internal events.
  template <class F>
  TimerId push(SimTime when, NodeId owner, EventKind kind, F&& f) {
    IMSIM_ASSERT(when >= SimTime::zero());
    IMSIM_ASSERT_MSG(seq_next_ < seq_max, "event sequence exhausted");
    IMSIM_ASSERT(owner.value < kInternalTag || owner == kWorld);
    IMSIM_ASSERT(kind == EventKind::timer || owner == kWorld);
    const std::uint32_t index = slot_allocate();
    Slot& slot = slot_at(index);
    if constexpr (std::is_same_v<std::decay_t<F>, Callback>) {
      slot.callback = std::move(f);  // already type-erased: move, do not box again
    } else {
      slot.callback.emplace(std::forward<F>(f));
    }
    IMSIM_ASSERT_MSG(slot.callback, "scheduling an empty callback");
    slot.owner_tag = kind == EventKind::internal ? kInternalTag : owner.value;
    heap_push(Entry{static_cast<std::uint64_t>(when.ns()), (seq_next_ << slot_bits) | index});
    seq_next_++;
    return TimerId((std::uint64_t{index} << 32) | slot.generation);
  }

  // Cancels a pending event. False if it already ran, was cancelled, or is running now.
  bool cancel(TimerId id) {
    Slot* slot = pending_slot(id);
    if (slot == nullptr) return false;
    tombstone_make(*slot);
    if (tombstones_ >= tombstones_compact_min) compact_if_worthwhile();
    return true;
  }

  bool is_pending(TimerId id) const {
    return const_cast<EventQueue*>(this)->pending_slot(id) != nullptr;
  }

  // Releases tombstones at the top; then reports the next live event's time, if any.
  bool peek_time(SimTime* time) {
    while (!heap_empty()) {
      const std::uint32_t index = slot_index(heap_top());
      if (slot_at(index).callback) {
        *time = SimTime::from_ns(static_cast<std::int64_t>(heap_top().time));
        return true;
      }
      heap_pop();
      tombstone_release(index);
    }
    return false;
  }

  // Removes the next live event and marks it running (no longer cancellable); the caller
  // invokes its callback in place and then calls finish(). Returns the slot index, or -1 when
  // nothing is pending.
  std::int64_t pop(SimTime* time) {
    IMSIM_ASSERT(running_ == kNoSlot);
    while (!heap_empty()) {
      const Entry top = heap_pop();
      const std::uint32_t index = slot_index(top);
      Slot& slot = slot_at(index);
      if (!slot.callback) {
        tombstone_release(index);
        continue;
      }
      slot.generation++;
      running_ = index;
      *time = SimTime::from_ns(static_cast<std::int64_t>(top.time));
      // The next event's slot is needed soon: start fetching it while this one runs.
      if (!heap_empty()) __builtin_prefetch(&slot_at(slot_index(heap_top())));
      return index;
    }
    return -1;
  }

  Slot& slot_at(std::uint32_t index) { return chunks_[index / chunk_slots][index % chunk_slots]; }

  void finish(std::uint32_t index) {
    IMSIM_ASSERT(running_ == index);
    running_ = kNoSlot;
    Slot& slot = slot_at(index);
    slot.callback.reset();
    free_.push_back(index);
  }

  // Cancels every pending event owned by `owner` (a crashed node). Returns how many.
  std::size_t cancel_owned_by(NodeId owner);

  std::size_t pending_count() const { return heap_size() - tombstones_; }
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

  static constexpr std::uint32_t kNoSlot = UINT32_MAX;

  Slot* pending_slot(TimerId id) {
    if (id.is_none()) return nullptr;
    const std::uint64_t index = id.value >> 32;
    if (index >= slots_allocated_) return nullptr;
    Slot& slot = slot_at(static_cast<std::uint32_t>(index));
    if (slot.generation != static_cast<std::uint32_t>(id.value)) return nullptr;
    IMSIM_ASSERT(slot.callback);  // a matching generation means pending
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

  void tombstone_make(Slot& slot) {
    slot.generation++;
    slot.callback.reset();
    tombstones_++;
  }

  void tombstone_release(std::uint32_t index) {
    IMSIM_ASSERT(tombstones_ > 0);
    IMSIM_ASSERT(!slot_at(index).callback);
    tombstones_--;
    free_.push_back(index);
  }

  // The heap lives at heap_[heap_pad..]: with a 64-byte aligned buffer and three padding
  // entries, the four children 4i+1..4i+4 of every node share one cache line.
  static constexpr std::size_t heap_pad = 3;
  Entry* heap_base() { return heap_.data() + heap_pad; }
  std::size_t heap_size() const { return heap_.size() - heap_pad; }
  bool heap_empty() const { return heap_.size() == heap_pad; }
  Entry& heap_top() { return heap_[heap_pad]; }

  void heap_push(Entry e) {
    heap_.push_back(e);
    std::size_t i = heap_size() - 1;
    Entry* h = heap_base();
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!less(e, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  // Index of the smallest of the four children starting at `first`, without branches.
  static std::size_t min_child4(const Entry* h, std::size_t first) {
    const std::size_t a = first + static_cast<std::size_t>(less(h[first + 1], h[first]));
    const std::size_t b = first + 2 + static_cast<std::size_t>(less(h[first + 3], h[first + 2]));
    return less(h[b], h[a]) ? b : a;
  }

  // Floyd's bottom-up pop: walk the hole from the root to a leaf along the smallest children
  // (no comparisons against the moved element), then sift the last element up from there. In a
  // hold-like workload the last element belongs near the bottom, so the climb is short.
  Entry heap_pop() {
    IMSIM_ASSERT(!heap_empty());
    const Entry top = heap_top();
    const Entry last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_size();
    if (n == 0) return top;
    Entry* h = heap_base();
    std::size_t hole = 0;
    while (4 * hole + 4 < n) {
      const std::size_t first = 4 * hole + 1;
      // The next level is the children of one of these four: fetch all four candidate lines
      // now so their latency overlaps this level's comparisons (harmless past the end).
      for (std::size_t k = 0; k < 4; ++k) __builtin_prefetch(h + 4 * (first + k) + 1);
      const std::size_t child = min_child4(h, first);
      h[hole] = h[child];
      hole = child;
    }
    if (4 * hole + 1 < n) {
      std::size_t child = 4 * hole + 1;
      for (std::size_t c = child + 1; c < n; ++c) {
        if (less(h[c], h[child])) child = c;
      }
      h[hole] = h[child];
      hole = child;
    }
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 4;
      if (!less(last, h[parent])) break;
      h[hole] = h[parent];
      hole = parent;
    }
    h[hole] = last;
    return top;
  }

  void compact_if_worthwhile();
  friend class Simulator;

  std::vector<Entry, CacheAlignedAllocator<Entry>> heap_ =
      std::vector<Entry, CacheAlignedAllocator<Entry>>(heap_pad, Entry{0, 0});
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint64_t slots_allocated_ = 0;
  std::uint64_t seq_next_ = 0;
  std::size_t tombstones_ = 0;
  std::uint32_t running_ = kNoSlot;  // the slot whose callback is running, if any
};

}  // namespace imsim::sim
