#include <imsim/base/assert.hpp>
#include <imsim/sim/disk.hpp>
#include <imsim/sim/distributions.hpp>

namespace imsim::sim {

void Disk::write(std::string key, std::string bytes) {
  IMSIM_ASSERT_MSG(unsynced_.size() < unsynced_max, "disk: too many unsynced operations");
  counters_.writes++;
  counters_.bytes_written += bytes.size();
  unsynced_.push_back(Op{std::move(key), std::move(bytes)});
}

void Disk::erase(std::string key) {
  IMSIM_ASSERT_MSG(unsynced_.size() < unsynced_max, "disk: too many unsynced operations");
  counters_.erases++;
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
  for (auto op = unsynced_.rbegin(); op != unsynced_.rend(); ++op) {
    if (op->key == key) return op->bytes;
  }
  auto it = durable_.find(key);
  if (it == durable_.end()) return std::nullopt;
  return it->second;
}

Disk::Contents Disk::contents() const {
  Contents now = durable_;
  for (const Op& op : unsynced_) {
    if (op.bytes.has_value()) {
      now.insert_or_assign(op.key, *op.bytes);
    } else {
      now.erase(op.key);
    }
  }
  return now;
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
  return lost;
}

}  // namespace imsim::sim
