#pragma once
// IndexSet: a set of indices in [0, n) that answers "the k-th member in ascending order" in
// O(log n) (a Fenwick tree of 0/1 counts). The workload draws a reply sender uniformly among
// the devices that can reply: scanning every device per send made a world's cost quadratic in
// its population (issue 14); this keeps the same draw (k-th in index order) at O(log n).
#include <cstdint>
#include <imsim/base/assert.hpp>
#include <vector>

namespace imsim::model::detail {

class IndexSet {
 public:
  void resize(std::size_t n) {
    IMSIM_ASSERT_MSG(size_ == 0, "resize an empty set only");
    member_.assign(n, false);
    tree_.assign(n + 1, 0);
  }
  std::size_t capacity() const { return member_.size(); }
  std::size_t size() const { return size_; }
  bool contains(std::size_t i) const { return i < member_.size() && member_[i]; }

  void set(std::size_t i, bool in) {
    IMSIM_ASSERT(i < member_.size());
    if (member_[i] == in) return;
    member_[i] = in;
    const std::int64_t delta = in ? 1 : -1;
    size_ = in ? size_ + 1 : size_ - 1;
    for (std::size_t j = i + 1; j < tree_.size(); j += j & (~j + 1)) tree_[j] += delta;
  }

  // The k-th member (0-based) in ascending order; requires k < size().
  std::size_t nth(std::size_t k) const {
    IMSIM_ASSERT(k < size_);
    std::size_t pos = 0;
    std::int64_t remaining = static_cast<std::int64_t>(k) + 1;
    std::size_t step = 1;
    while (step * 2 < tree_.size()) step *= 2;
    for (; step > 0; step /= 2) {
      if (pos + step < tree_.size() && tree_[pos + step] < remaining) {
        pos += step;
        remaining -= tree_[pos];
      }
    }
    IMSIM_ASSERT(pos < member_.size() && member_[pos]);
    return pos;  // tree position pos + 1 is index pos
  }

 private:
  std::vector<bool> member_;
  std::vector<std::int64_t> tree_;  // Fenwick tree over member_, 1-based
  std::size_t size_ = 0;
};

}  // namespace imsim::model::detail
