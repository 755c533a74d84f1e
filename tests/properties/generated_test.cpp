// RapidCheck: a generated "perfect" history (random conversations and devices, sends, every
// device displaying its conversations' timelines in order, reinstalls showing suffixes) has
// no anomaly; one mutation (drop / duplicate / swap a display) yields exactly the expected
// anomaly.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

struct Op {
  enum Kind { send, ack, display, online, reinstall, phase, timeline, end } kind;
  history::TimeNs t_ns = 0;
  std::string device;
  std::string conv;
  std::string msg;
  std::vector<std::string> msgs;
  bool final_phase = false;  // a display of the final catch-up
  bool reinstalled = false;  // display by a device that was reinstalled at some point
};

Op make_op(Op::Kind kind, history::TimeNs t_ns, std::string device = {}, std::string conv = {},
           std::string msg = {}) {
  Op op{};
  op.kind = kind;
  op.t_ns = t_ns;
  op.device = std::move(device);
  op.conv = std::move(conv);
  op.msg = std::move(msg);
  return op;
}

struct World {
  std::vector<std::pair<std::string, std::string>> devices;  // device, user
  std::vector<std::pair<std::string, std::vector<std::string>>> convs;
  std::vector<Op> ops;
};

struct Generator {
  World w;
  std::vector<std::vector<std::string>> timeline;  // by conv
  std::vector<std::vector<std::size_t>> cursor;    // [device][conv]
  std::vector<std::vector<std::size_t>> convs_of_device;
  std::vector<bool> reinstalled;
  history::TimeNs t = 0;
  int msgs = 0;

  void header() {
    const int users = *rc::gen::inRange(1, 5);
    for (int u = 0; u < users; ++u) {
      const int devices = *rc::gen::inRange(1, 3);
      for (int d = 0; d < devices; ++d)
        w.devices.emplace_back(fmt::format("u{}/d{}", u, d), fmt::format("u{}", u));
    }
    const int convs = *rc::gen::inRange(1, 4);
    for (int c = 0; c < convs; ++c) {
      std::vector<std::string> members;
      for (int u = 0; u < users; ++u) {
        if (u == c % users || *rc::gen::inRange(0, 2) == 0)
          members.push_back(fmt::format("u{}", u));
      }
      w.convs.emplace_back(fmt::format("c{}", c), members);
    }
    timeline.resize(w.convs.size());
    cursor.assign(w.devices.size(), std::vector<std::size_t>(w.convs.size(), 0));
    convs_of_device.resize(w.devices.size());
    reinstalled.assign(w.devices.size(), false);
    for (std::size_t d = 0; d < w.devices.size(); ++d) {
      for (std::size_t c = 0; c < w.convs.size(); ++c) {
        const auto& m = w.convs[c].second;
        if (std::find(m.begin(), m.end(), w.devices[d].second) != m.end())
          convs_of_device[d].push_back(c);
      }
    }
  }

  void show(std::size_t d, std::size_t c, bool final_phase) {
    Op op =
        make_op(Op::display, t, w.devices[d].first, w.convs[c].first, timeline[c][cursor[d][c]]);
    op.final_phase = final_phase;
    op.reinstalled = reinstalled[d];
    w.ops.push_back(op);
    ++cursor[d][c];
  }

  void step() {
    t += *rc::gen::inRange(0, 5);
    const std::size_t d = *rc::gen::inRange<std::size_t>(0, w.devices.size());
    if (convs_of_device[d].empty()) return;
    const std::size_t c = *rc::gen::elementOf(convs_of_device[d]);
    const int pick = *rc::gen::inRange(0, 100);
    const std::string& device = w.devices[d].first;
    if (pick < 40) {
      const std::string msg = fmt::format("m{}", msgs++);
      w.ops.push_back(make_op(Op::send, t, device, w.convs[c].first, msg));
      w.ops.push_back(make_op(Op::ack, t, device, {}, msg));
      timeline[c].push_back(msg);
    } else if (pick < 95) {
      if (cursor[d][c] < timeline[c].size()) show(d, c, false);
    } else {
      // A new incarnation: its views will be suffixes of the timelines, from a random point.
      w.ops.push_back(make_op(Op::reinstall, t, device));
      w.ops.push_back(make_op(Op::online, t, device));
      reinstalled[d] = true;
      for (std::size_t conv : convs_of_device[d]) {
        const std::size_t size = timeline[conv].size();
        cursor[d][conv] = size == 0 ? 0 : *rc::gen::inRange<std::size_t>(0, size);
      }
    }
  }

  World generate() {
    header();
    for (const auto& [device, user] : w.devices) w.ops.push_back(make_op(Op::online, 0, device));
    const int steps = *rc::gen::inRange(0, 80);
    for (int i = 0; i < steps; ++i) step();
    ++t;
    w.ops.push_back(make_op(Op::phase, t));
    for (std::size_t d = 0; d < w.devices.size(); ++d) {
      for (std::size_t c : convs_of_device[d]) {
        while (cursor[d][c] < timeline[c].size()) show(d, c, true);
      }
    }
    for (std::size_t c = 0; c < w.convs.size(); ++c) {
      Op op = make_op(Op::timeline, t, {}, w.convs[c].first);
      op.msgs = timeline[c];
      w.ops.push_back(op);
    }
    w.ops.push_back(make_op(Op::end, t));
    return w;
  }
};

history::History build(const World& w) {
  HistoryBuilder b;
  for (const auto& [device, user] : w.devices) b.device(device, user);
  for (const auto& [conv, members] : w.convs) b.conversation(conv, members);
  for (const Op& op : w.ops) {
    switch (op.kind) {
      case Op::send:
        b.send(op.t_ns, op.device, op.conv, op.msg);
        break;
      case Op::ack:
        b.ack(op.t_ns, op.device, op.msg, 1);
        break;
      case Op::display:
        b.display(op.t_ns, op.device, op.conv, op.msg);
        break;
      case Op::online:
        b.online(op.t_ns, op.device);
        break;
      case Op::reinstall:
        b.reinstall(op.t_ns, op.device);
        break;
      case Op::phase:
        b.phase(op.t_ns, PhaseKind::liveness);
        break;
      case Op::timeline:
        b.timeline(op.t_ns, op.conv, op.msgs);
        break;
      case Op::end:
        b.end(op.t_ns, true);
        break;
    }
  }
  return b.build();
}

std::vector<std::size_t> displays(const World& w, bool final_phase_only,
                                  bool first_incarnation_only) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    if (op.kind != Op::display) continue;
    if (final_phase_only && !op.final_phase) continue;
    if (first_incarnation_only && op.reinstalled) continue;
    out.push_back(i);
  }
  return out;
}

RC_GTEST_PROP(Generated, PerfectHistoryHasNoAnomaly, ()) {
  const World w = Generator{}.generate();
  const Report report = check(build(w));
  RC_ASSERT(report.ok());
  if (report.metrics.stable_latency)
    RC_ASSERT(report.metrics.stable_latency->samples <= report.metrics.sent);
  RC_ASSERT(!to_json(report).dump().empty());
}

RC_GTEST_PROP(Generated, DroppingADisplayIsLost, ()) {
  World w = Generator{}.generate();
  const auto candidates = displays(w, true, true);  // never-reinstalled device: whole T needed
  RC_PRE(!candidates.empty());
  w.ops.erase(w.ops.begin() + static_cast<std::ptrdiff_t>(*rc::gen::elementOf(candidates)));
  const Report report = check(build(w));
  RC_ASSERT(report.count("lost") == 1u);
  RC_ASSERT(report.anomaly_count() == 1u);
}

RC_GTEST_PROP(Generated, DuplicatingADisplayIsDuplicated, ()) {
  World w = Generator{}.generate();
  const auto candidates = displays(w, false, false);
  RC_PRE(!candidates.empty());
  const std::size_t i = *rc::gen::elementOf(candidates);
  w.ops.insert(w.ops.begin() + static_cast<std::ptrdiff_t>(i) + 1, w.ops[i]);
  const Report report = check(build(w));
  RC_ASSERT(report.count("duplicated") == 1u);
  RC_ASSERT(report.anomaly_count() == 1u);
}

RC_GTEST_PROP(Generated, SwappingTwoDisplaysIsReordered, ()) {
  World w = Generator{}.generate();
  std::vector<std::size_t> pairs;  // i such that ops i, i+1 are final displays of one view
  for (std::size_t i = 0; i + 1 < w.ops.size(); ++i) {
    const Op& a = w.ops[i];
    const Op& b = w.ops[i + 1];
    if (a.kind == Op::display && b.kind == Op::display && a.final_phase && b.final_phase &&
        a.device == b.device && a.conv == b.conv) {
      pairs.push_back(i);
    }
  }
  RC_PRE(!pairs.empty());
  const std::size_t i = *rc::gen::elementOf(pairs);
  std::swap(w.ops[i].msg, w.ops[i + 1].msg);
  const history::History h = build(w);
  const Report report = check(h);
  RC_ASSERT(report.count("reordered") == 1u);
  RC_ASSERT(report.count("duplicated") + report.count("lost") + report.count("ghost") +
                report.count("liveness") ==
            0u);
  // Same sender: fifo and causal too; otherwise causal iff the earlier happened-before it.
  std::string sender_a, sender_b;
  for (const Op& op : w.ops) {
    if (op.kind == Op::send && op.msg == w.ops[i].msg) sender_a = op.device;
    if (op.kind == Op::send && op.msg == w.ops[i + 1].msg) sender_b = op.device;
  }
  RC_ASSERT(report.count("fifo") == (sender_a == sender_b ? 1u : 0u));
  RC_ASSERT(report.count("causal") >= report.count("fifo"));
  RC_ASSERT(report.count("causal") <= 1u);
}

}  // namespace
}  // namespace imsim::properties::testing
