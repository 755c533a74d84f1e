// RapidCheck: a generated "perfect" history (random conversations and devices, sends, every
// device displaying its conversations' timelines in order, reinstalls showing suffixes) has
// no anomaly; one mutation (drop / duplicate / swap a display) yields exactly the expected
// anomaly. Version 2: the same worlds with acks at their conv_seqs and top_reached for views
// paged back to the start pass; a wrong ack, an earlier failed send, a failed send after the
// heal and a top claimed over a suffix each yield exactly the version-2 anomaly.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

struct Op {
  enum Kind {
    send,
    ack,
    display,
    online,
    reinstall,
    phase,
    timeline,
    end,
    fail,
    offline,
    top_reached
  } kind;
  std::uint64_t conv_seq = 1;  // of an ack
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
  int version = 1;
};

struct Generator {
  World w;
  std::vector<std::vector<std::string>> timeline;  // by conv
  std::vector<std::vector<std::size_t>> cursor;    // [device][conv]
  std::vector<std::vector<std::size_t>> convs_of_device;
  std::vector<bool> reinstalled;
  std::vector<std::vector<std::size_t>>
      start;  // [device][conv]: where the incarnation's view starts
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
    start.assign(w.devices.size(), std::vector<std::size_t>(w.convs.size(), 0));
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
      Op ack = make_op(Op::ack, t, device, {}, msg);
      timeline[c].push_back(msg);
      ack.conv_seq = timeline[c].size();
      w.ops.push_back(ack);
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
        start[d][conv] = cursor[d][conv];
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
        if (!reinstalled[d]) continue;
        if (start[d][c] == 0) {  // the view holds T from its first message: paged to the top
          w.ops.push_back(make_op(Op::top_reached, t, w.devices[d].first, w.convs[c].first));
        }
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
  b.version(w.version);
  for (const auto& [device, user] : w.devices) b.device(device, user);
  for (const auto& [conv, members] : w.convs) b.conversation(conv, members);
  for (const Op& op : w.ops) {
    switch (op.kind) {
      case Op::send:
        b.send(op.t_ns, op.device, op.conv, op.msg);
        break;
      case Op::ack:
        b.ack(op.t_ns, op.device, op.msg, op.conv_seq);
        break;
      case Op::fail:
        b.fail(op.t_ns, op.device, op.msg);
        break;
      case Op::offline:
        b.offline(op.t_ns, op.device);
        break;
      case Op::top_reached:
        if (w.version >= 2) b.top_reached(op.t_ns, op.device, op.conv);
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

// ---- Version 2 ------------------------------------------------------------------------------

World generate_v2() {
  World w = Generator{}.generate();
  w.version = 2;
  return w;
}

std::size_t first_timeline(const World& w) {
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    if (w.ops[i].kind == Op::timeline) return i;
  }
  RC_FAIL("a generated world ends with its timelines");
  return w.ops.size();
}

// The only anomaly of `report` is `name`, `count` times; a version-1 reading finds none.
void only(World w, std::string_view name, std::uint64_t count) {
  const Report report = check(build(w));
  RC_ASSERT(report.count(name) == count);
  RC_ASSERT(report.anomaly_count() == count);
  w.version = 1;
  RC_ASSERT(check(build(w)).ok());
}

RC_GTEST_PROP(GeneratedV2, PerfectHistoryHasNoAnomaly, ()) {
  const World w = generate_v2();
  const Report report = check(build(w));
  RC_ASSERT(report.ok());
  RC_ASSERT(report.metrics.unavailable == 0u);
  RC_ASSERT(report.metrics.gap == 0u);
}

RC_GTEST_PROP(GeneratedV2, AnAckAtAnotherConvSeqIsMisnumbered, ()) {
  World w = generate_v2();
  std::vector<std::size_t> acks;
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    if (w.ops[i].kind == Op::ack) acks.push_back(i);
  }
  RC_PRE(!acks.empty());
  Op& ack = w.ops[*rc::gen::elementOf(acks)];
  ack.conv_seq = *rc::gen::element<bool>(true, false)
                     ? ack.conv_seq + *rc::gen::inRange<std::uint64_t>(1, 5)
                     : ack.conv_seq - 1;  // 0 included: a conv_seq no timeline has
  only(w, "misnumbered", 1);
}

RC_GTEST_PROP(GeneratedV2, AFailedSendBeforeAStoredOneIsAGap, ()) {
  World w = generate_v2();
  std::vector<std::size_t> sends;
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    if (w.ops[i].kind == Op::send) sends.push_back(i);
  }
  RC_PRE(!sends.empty());
  const std::size_t i = *rc::gen::elementOf(sends);
  const Op later = w.ops[i];
  Op send = make_op(Op::send, later.t_ns, later.device, later.conv, "failed");
  Op fail = make_op(Op::fail, later.t_ns, later.device, {}, "failed");
  w.ops.insert(w.ops.begin() + static_cast<std::ptrdiff_t>(i), {send, fail});
  only(w, "gap", 1);
}

RC_GTEST_PROP(GeneratedV2, AFailedSendAfterTheHealIsUnavailable, ()) {
  World w = generate_v2();
  const std::size_t d = *rc::gen::inRange<std::size_t>(0, w.devices.size());
  const std::string& device = w.devices[d].first;
  std::vector<std::string> convs;
  for (const auto& [conv, members] : w.convs) {
    if (std::find(members.begin(), members.end(), w.devices[d].second) != members.end())
      convs.push_back(conv);
  }
  RC_PRE(!convs.empty());
  const std::size_t at = first_timeline(w);
  const history::TimeNs t = w.ops[at].t_ns;
  const bool leaves = *rc::gen::element<bool>(true, false);
  std::vector<Op> added{make_op(Op::send, t, device, *rc::gen::elementOf(convs), "probe"),
                        make_op(Op::fail, t, device, {}, "probe")};
  if (leaves) {  // the device went away after sending: not judged
    added.push_back(make_op(Op::offline, t, device));
    added.push_back(make_op(Op::online, t, device));
  }
  w.ops.insert(w.ops.begin() + static_cast<std::ptrdiff_t>(at), added.begin(), added.end());
  only(w, "unavailable", leaves ? 0 : 1);
}

RC_GTEST_PROP(GeneratedV2, ClaimingTheTopOverASuffixIsLost, ()) {
  World w = generate_v2();
  const std::size_t at = first_timeline(w);
  // Timelines with two or more messages, and a device of a member user for each.
  std::vector<std::pair<std::string, std::vector<std::string>>> long_timelines;
  for (std::size_t i = at; i < w.ops.size(); ++i) {
    if (w.ops[i].kind == Op::timeline && w.ops[i].msgs.size() >= 2)
      long_timelines.emplace_back(w.ops[i].conv, w.ops[i].msgs);
  }
  RC_PRE(!long_timelines.empty());
  // Not a structured binding: clang 14 cannot capture one in the lambda below.
  const auto& picked = *rc::gen::elementOf(long_timelines);
  const std::string& conv = picked.first;
  const auto& members = std::find_if(w.convs.begin(), w.convs.end(), [&](const auto& c) {
                          return c.first == conv;
                        })->second;
  std::vector<std::string> candidates;
  for (const auto& [device, user] : w.devices) {
    if (std::find(members.begin(), members.end(), user) != members.end())
      candidates.push_back(device);
  }
  const std::string device = *rc::gen::elementOf(candidates);
  // A new incarnation of `device` at the end that shows a suffix of every timeline it may see
  // (the last message of each) and claims the top of `conv`.
  const history::TimeNs t = w.ops[at].t_ns;
  std::vector<Op> added{make_op(Op::reinstall, t, device), make_op(Op::online, t, device)};
  const std::string user = std::find_if(w.devices.begin(), w.devices.end(), [&](const auto& d) {
                             return d.first == device;
                           })->second;
  for (std::size_t i = at; i < w.ops.size(); ++i) {
    if (w.ops[i].kind != Op::timeline || w.ops[i].msgs.empty()) continue;
    const auto& m = std::find_if(w.convs.begin(), w.convs.end(), [&](const auto& c) {
                      return c.first == w.ops[i].conv;
                    })->second;
    if (std::find(m.begin(), m.end(), user) == m.end()) continue;
    Op show = make_op(Op::display, t, device, w.ops[i].conv, w.ops[i].msgs.back());
    show.final_phase = true;
    show.reinstalled = true;
    added.push_back(show);
  }
  w.ops.insert(w.ops.begin() + static_cast<std::ptrdiff_t>(at), added.begin(), added.end());
  const World suffix_only = w;
  RC_ASSERT(check(build(suffix_only)).ok());  // a suffix view alone is fine
  w.ops.insert(w.ops.begin() + static_cast<std::ptrdiff_t>(at + added.size()),
               make_op(Op::top_reached, t, device, conv));
  const Report report = check(build(w));
  RC_ASSERT(report.count("lost") >= 1u);
  RC_ASSERT(report.anomaly_count() == report.count("lost"));
  RC_ASSERT(witnesses(report, "lost", "missing_after_top_reached").size() >= 1u);
  w.version = 1;
  RC_ASSERT(check(build(w)).ok());
}

}  // namespace
}  // namespace imsim::properties::testing
