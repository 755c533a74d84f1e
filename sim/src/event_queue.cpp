#include <algorithm>
#include <imsim/sim/event_queue.hpp>

namespace imsim::sim {

std::uint32_t EventQueue::slot_allocate_new() {
  IMSIM_ASSERT_MSG(slots_allocated_ < events_pending_max, "too many pending events");
  const std::uint64_t index = slots_allocated_;
  if (index / chunk_slots >= chunks_.size()) {
    chunks_.push_back(std::make_unique<Slot[]>(chunk_slots));
  }
  slots_allocated_++;
  return static_cast<std::uint32_t>(index);
}

std::size_t EventQueue::cancel_owned_by(NodeId owner) {
  IMSIM_ASSERT(owner != kWorld);
  std::size_t cancelled = 0;
  // Scans the slab: crashes are rare and the scan order cannot reach output (cancellation
  // only marks slots).
  for (std::uint64_t i = 0; i < slots_allocated_; ++i) {
    if (i == running_) continue;  // the running event finishes (it may be the crash itself)
    Slot& slot = slot_at(static_cast<std::uint32_t>(i));
    if (!slot.callback || slot.owner_tag != owner.value) continue;
    tombstone_make(slot);
    cancelled++;
  }
  compact_if_worthwhile();
  return cancelled;
}

void EventQueue::compact_if_worthwhile() {
  if (tombstones_ < tombstones_compact_min) return;
  if (tombstones_ * 2 <= heap_size()) return;
  std::vector<Entry> live;
  live.reserve(heap_size() - tombstones_);
  for (std::size_t i = heap_pad; i < heap_.size(); ++i) {
    const Entry e = heap_[i];
    const std::uint32_t index = slot_index(e);
    if (!slot_at(index).callback) {
      tombstone_release(index);
    } else {
      live.push_back(e);
    }
  }
  IMSIM_ASSERT(tombstones_ == 0);
  // Keys are unique, so the rebuilt heap pops in exactly the same order as before.
  heap_.resize(heap_pad);
  for (const Entry& e : live) heap_push(e);
}

}  // namespace imsim::sim
