#include <imsim/base/assert.hpp>
#include <imsim/sim/disk.hpp>
#include <imsim/sim/distributions.hpp>

namespace imsim::sim {

void Disk::write(std::string key, std::string bytes) {
  IMSIM_ASSERT_MSG(unsynced_.size() < unsynced_max, "disk: too many unsynced operations");
  counters_.writes++;
  counters_.bytes_written += bytes.size();
  current_.insert_or_assign(key, bytes);
  unsynced_.push_back(Op{std::move(key), std::move(bytes)});
}

void Disk::erase(std::string key) {
  IMSIM_ASSERT_MSG(unsynced_.size() < unsynced_max, "disk: too many unsynced operations");
  counters_.erases++;
  current_.erase(key);
  unsynced_.push_back(Op{std::move(key), std::nullopt});
}

void Disk::make_durable(Op& op) {
  if (op.bytes.has_value()) {
    durable_.insert_or_assign(std::move(op.key), std::move(*op.bytes));
  } else {
    durable_.erase(op.key);
  }
}

void Disk::sync() {
  counters_.syncs++;
  for (Op& op : unsynced_) make_durable(op);
  unsynced_.clear();
  IMSIM_ASSERT(durable_.size() == current_.size());
}

void Disk::sync_key(std::string_view key) {
  counters_.syncs++;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < unsynced_.size(); i++) {
    Op& op = unsynced_[i];
    if (op.key == key) {
      make_durable(op);
    } else {
      if (kept != i) unsynced_[kept] = std::move(op);
      kept++;
    }
  }
  unsynced_.resize(kept);
}

std::optional<std::string> Disk::read(std::string_view key) const {
  auto it = current_.find(key);
  if (it == current_.end()) return std::nullopt;
  return it->second;
}

std::size_t Disk::crash(bool tear_last) {
  const std::size_t lost = unsynced_.size();
  if (tear_last && !unsynced_.empty()) {
    Op& last = unsynced_.back();
    // Only a write of at least one byte can be torn; the prefix is strictly shorter.
    if (last.bytes.has_value() && !last.bytes->empty()) {
      const std::uint64_t kept = uniform_below(rng_, last.bytes->size());
      last.bytes->resize(kept);
      make_durable(last);
      counters_.writes_torn++;
    }
  }
  counters_.writes_lost += lost;
  unsynced_.clear();
  current_ = durable_;
  return lost;
}

}  // namespace imsim::sim
