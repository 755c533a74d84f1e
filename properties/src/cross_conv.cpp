// The cross-conversation inversion metric: pairs (x before y in a view) where y
// happened-before x through any conversation, gvc[x][sender(y)] >= gvc[y][sender(y)].
// Counting pairs exactly without enumerating them: per view, every gvc entry (s, v) of a
// message at position p is a point and every message y is a query (sender(y), gvc own count,
// position); per sender, sweep values downwards and count, with a Fenwick tree over
// positions, the points at a smaller position. O(E log E) per view, E = its gvc entries.
#include <algorithm>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

struct SweepItem {
  std::uint32_t sender = 0;
  std::uint64_t value = 0;
  std::uint32_t pos = 0;
  bool query = false;  // points sort before queries of the same value: v >= k counts
};

class Fenwick {
 public:
  void reset(std::size_t size) { tree_.assign(size + 1, 0); }
  void add(std::size_t pos, std::int64_t delta) {
    for (std::size_t i = pos + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  }
  std::int64_t prefix(std::size_t pos_end) const {  // sum over [0, pos_end)
    std::int64_t sum = 0;
    for (std::size_t i = pos_end; i > 0; i -= i & (~i + 1)) sum += tree_[i];
    return sum;
  }

 private:
  std::vector<std::int64_t> tree_;
};

std::uint64_t count_view(const HistoryIndex& index, const View& view, std::vector<SweepItem>& items,
                         Fenwick& fenwick) {
  items.clear();
  for (std::uint32_t p = 0; p < view.firsts.size(); ++p) {
    const MsgId msg = index.display_msg(view.firsts[p]);
    const MsgFacts& facts = index.msg(msg);
    const auto& send = std::get<history::Send>(index.event(facts.send_event).body);
    if (!send.gvc) continue;  // without gvc the message takes no part in the metric
    for (const history::ClockEntry& e : *send.gvc)
      items.push_back({e.device.value, e.count, p, false});
    items.push_back({facts.sender.value, facts.own_count_all, p, true});
  }
  std::sort(items.begin(), items.end(), [](const SweepItem& a, const SweepItem& b) {
    if (a.sender != b.sender) return a.sender < b.sender;
    if (a.value != b.value) return a.value > b.value;
    return !a.query && b.query;
  });
  fenwick.reset(view.firsts.size());
  std::uint64_t pairs = 0;
  std::size_t group_begin = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].sender != items[group_begin].sender) {
      for (std::size_t j = group_begin; j < i; ++j) {
        if (!items[j].query) fenwick.add(items[j].pos, -1);  // undo the previous sender's points
      }
      group_begin = i;
    }
    if (items[i].query) {
      pairs += static_cast<std::uint64_t>(fenwick.prefix(items[i].pos));
    } else {
      fenwick.add(items[i].pos, 1);
    }
  }
  return pairs;
}

}  // namespace

std::optional<std::uint64_t> count_cross_conv_inversions(const HistoryIndex& index) {
  if (!index.has_gvc()) return std::nullopt;
  std::vector<SweepItem> items;
  Fenwick fenwick;
  std::uint64_t pairs = 0;
  for (const View& view : index.views()) pairs += count_view(index, view, items, fenwick);
  return pairs;
}

}  // namespace imsim::properties
