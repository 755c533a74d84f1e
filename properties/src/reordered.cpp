// reordered. With T(C): two messages of a view of C stand in the opposite order in T(C) —
// one scan per view keeping the message with the highest T position seen so far; a message
// below it is an inversion. Without T(C): the union over all views of C of their consecutive
// pairs (first occurrences) is a Boost.Graph digraph; every strongly connected component of
// two or more messages is one anomaly, witnessed by a shortest cycle through one of its
// messages (BFS inside the component). Cost: O(displays log displays) (edge dedup sort).
#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <deque>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

void against_timeline(const HistoryIndex& index, const View& view, AnomalySink& sink) {
  std::int64_t max_pos = no_position;
  std::uint32_t max_entry = no_index;
  for (std::uint32_t entry : view.firsts) {
    const std::int64_t pos = index.msg(index.display_msg(entry)).timeline_pos;
    if (pos == no_position) continue;  // not stored: lost/ghost's business, not order's
    if (pos > max_pos) {
      max_pos = pos;
      max_entry = entry;
      continue;
    }
    const MsgId early = index.display_msg(max_entry);
    const MsgId late = index.display_msg(entry);
    sink.add([&] {
      return Witness{
          .clause = "against_timeline",
          .summary = fmt::format("{} shows {} before {}, but T({}) has them at positions {} and {}",
                                 view_name(index, view), index.name(early), index.name(late),
                                 index.name(view.conv), max_pos, pos),
          .msgs = {index.name(early), index.name(late)},
          .devices = {index.name(view.device)},
          .convs = {index.name(view.conv)},
          .events = {index.ref(max_entry, "display of the first"),
                     index.ref(entry, "display of the second"),
                     index.ref(index.timeline_event(view.conv), "timeline")}};
    });
    return;  // one anomaly per view
  }
}

// A consecutive pair of one view: `from` stands right before `to`.
struct PairEdge {
  std::uint32_t from = 0;  // local vertex ids
  std::uint32_t to = 0;
  std::uint32_t view = 0;
  std::uint32_t from_entry = 0;
  std::uint32_t to_entry = 0;
};

// Shortest cycle through `root` inside its component (BFS); returns the vertices in order.
std::vector<std::uint32_t> shortest_cycle(const Graph& g, const std::vector<int>& comp,
                                          std::uint32_t root, std::vector<std::uint32_t>& parent,
                                          EpochMarks& visited) {
  visited.next_epoch();
  visited.mark(root);
  std::deque<std::uint32_t> queue{root};
  while (!queue.empty()) {
    const std::uint32_t x = queue.front();
    queue.pop_front();
    for (auto [it, it_end] = boost::adjacent_vertices(x, g); it != it_end; ++it) {
      const auto y = static_cast<std::uint32_t>(*it);
      if (comp[y] != comp[root]) continue;
      if (y == root) {
        std::vector<std::uint32_t> cycle;
        for (std::uint32_t v = x; v != root; v = parent[v]) cycle.push_back(v);
        cycle.push_back(root);
        std::reverse(cycle.begin(), cycle.end());
        return cycle;
      }
      if (visited.marked(y)) continue;
      visited.mark(y);
      parent[y] = x;
      queue.push_back(y);
    }
  }
  IMSIM_ASSERT_MSG(false, "a strongly connected component of size > 1 has a cycle");
  return {};
}

Witness cycle_witness(const HistoryIndex& index, ConvId conv,
                      const std::vector<std::uint32_t>& cycle, const std::vector<PairEdge>& edges,
                      const std::vector<MsgId>& msg_of) {
  Witness w{.clause = "views_disagree",
            .summary = {},
            .msgs = {},
            .devices = {},
            .convs = {index.name(conv)},
            .events = {}};
  std::string chain;
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    const std::uint32_t from = cycle[i];
    const std::uint32_t to = cycle[(i + 1) % cycle.size()];
    auto it = std::lower_bound(edges.begin(), edges.end(), std::pair{from, to},
                               [](const PairEdge& e, std::pair<std::uint32_t, std::uint32_t> key) {
                                 return std::pair{e.from, e.to} < key;
                               });
    IMSIM_ASSERT(it != edges.end() && it->from == from && it->to == to);
    const View& view = index.views()[it->view];
    const std::string& a = index.name(msg_of[from]);
    const std::string& b = index.name(msg_of[to]);
    w.msgs.push_back(a);
    w.devices.push_back(index.name(view.device));
    w.events.push_back(index.ref(it->from_entry, fmt::format("{} right before {}", a, b)));
    w.events.push_back(index.ref(it->to_entry, fmt::format("{} right after {}", b, a)));
    chain += fmt::format("{}{} < {} on {} (incarnation {})", i == 0 ? "" : ", ", a, b,
                         index.name(view.device), view.incarnation);
  }
  w.summary = fmt::format("views of {} disagree on order: {}", index.name(conv), chain);
  return w;
}

struct GraphScratch {
  explicit GraphScratch(std::size_t msgs) : local_of(msgs, 0), has_local(msgs), visited(0) {}
  std::vector<std::uint32_t> local_of;
  EpochMarks has_local;
  EpochMarks visited;
};

void views_disagree(const HistoryIndex& index, ConvId conv, GraphScratch& s, AnomalySink& sink) {
  std::vector<MsgId> msg_of;
  std::vector<PairEdge> edges;
  s.has_local.next_epoch();
  auto local = [&](MsgId msg) {
    if (!s.has_local.marked(msg.value)) {
      s.has_local.mark(msg.value);
      s.local_of[msg.value] = static_cast<std::uint32_t>(msg_of.size());
      msg_of.push_back(msg);
    }
    return s.local_of[msg.value];
  };
  for (std::uint32_t v : index.views_of(conv)) {
    const std::vector<std::uint32_t>& firsts = index.views()[v].firsts;
    for (std::size_t i = 0; i + 1 < firsts.size(); ++i) {
      edges.push_back({local(index.display_msg(firsts[i])), local(index.display_msg(firsts[i + 1])),
                       v, firsts[i], firsts[i + 1]});
    }
  }
  if (edges.empty()) return;
  auto key = [](const PairEdge& e) { return std::pair{e.from, e.to}; };
  std::stable_sort(edges.begin(), edges.end(),
                   [&](const auto& a, const auto& b) { return key(a) < key(b); });
  edges.erase(std::unique(edges.begin(), edges.end(),
                          [&](const auto& a, const auto& b) { return key(a) == key(b); }),
              edges.end());
  Graph g(msg_of.size());
  for (const PairEdge& e : edges) boost::add_edge(e.from, e.to, g);
  std::vector<int> comp(msg_of.size());
  const int comps = boost::strong_components(
      g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
  std::vector<std::uint32_t> size(static_cast<std::size_t>(comps), 0);
  for (int c : comp) ++size[static_cast<std::size_t>(c)];
  std::vector<std::uint32_t> parent(msg_of.size(), 0);
  s.visited = EpochMarks(msg_of.size());
  std::vector<bool> done(static_cast<std::size_t>(comps), false);
  for (std::uint32_t v = 0; v < msg_of.size(); ++v) {
    const auto c = static_cast<std::size_t>(comp[v]);
    if (size[c] < 2 || done[c]) continue;
    done[c] = true;  // one anomaly per component, rooted at its first-seen message
    sink.add([&] {
      return cycle_witness(index, conv, shortest_cycle(g, comp, v, parent, s.visited), edges,
                           msg_of);
    });
  }
}

}  // namespace

void check_reordered(const HistoryIndex& index, AnomalySink& sink) {
  GraphScratch scratch(index.history().msg_count());
  for (std::uint32_t c = 0; c < index.history().conv_count(); ++c) {
    const ConvId conv{c};
    if (index.timeline(conv) != nullptr) {
      for (std::uint32_t v : index.views_of(conv)) against_timeline(index, index.views()[v], sink);
    } else {
      views_disagree(index, conv, scratch, sink);
    }
  }
}

}  // namespace imsim::properties
