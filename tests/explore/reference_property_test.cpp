// RapidCheck exploration of the reference engine: generated worlds (users, devices,
// conversations, workload, an explicit fault schedule) must show no anomaly. The generated
// world is built from small integers so RapidCheck shrinks toward fewer faults, fewer devices,
// fewer messages and shorter runs. A failure prints the seed and the shrunk scenario as JSON
// (save it as a file and `imsim run` it).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <imsim/history/reader.hpp>
#include <imsim/model/world.hpp>
#include <imsim/properties/check.hpp>
#include <imsim/properties/report.hpp>
#include <imsim/scenarios/scenario.hpp>
#include <sstream>

namespace imsim {
namespace {

constexpr std::int64_t kMs = 1'000'000;

// The generated shape: every field is a small number, mapped onto a valid WorldConfig.
struct GenFault {
  int at_ms = 0;
  int kind = 0;    // index into kFaultKinds
  int target = 0;  // node index (modulo the candidates of the kind)
  int duration_ms = 0;
};

struct GenWorld {
  std::uint64_t seed = 1;
  std::vector<int> devices_per_user;            // size = users (2..5), each 1..3
  std::vector<std::vector<int>> conversations;  // member user indices (deduplicated)
  int messages_per_s = 1;
  int safety_ms = 1000;
  std::vector<GenFault> faults;
};

constexpr model::FaultKind kFaultKinds[] = {
    model::FaultKind::kCrash,   model::FaultKind::kKill,      model::FaultKind::kReinstall,
    model::FaultKind::kOffline, model::FaultKind::kReset,     model::FaultKind::kPartition,
    model::FaultKind::kClog,    model::FaultKind::kClockStep, model::FaultKind::kLink};
constexpr int kFaultKindCount = sizeof(kFaultKinds) / sizeof(kFaultKinds[0]);

model::WorldConfig to_config(const GenWorld& g) {
  model::WorldConfig c;
  c.name = "generated";
  c.seed = g.seed;
  c.durations.safety_ns = g.safety_ms * kMs;
  c.durations.quiescence_ns = 120'000 * kMs;
  c.engine.queue_partitions = static_cast<std::uint32_t>(c.topology.queue_partitions);
  c.workload.messages_per_s = g.messages_per_s;
  std::vector<std::string> devices;
  for (std::size_t u = 0; u < g.devices_per_user.size(); u++) {
    model::UserSpec user;
    user.id = "u" + std::to_string(u + 1);
    for (int d = 0; d < g.devices_per_user[u]; d++) {
      model::DeviceSpec device;
      device.id = "d" + std::to_string(d + 1);
      user.devices.push_back(device);
      devices.push_back(user.id + "/" + device.id);
    }
    c.users.push_back(user);
  }
  for (std::size_t i = 0; i < g.conversations.size(); i++) {
    std::set<int> members;
    for (int m : g.conversations[i])
      members.insert(m % static_cast<int>(g.devices_per_user.size()));
    if (members.size() < 2) continue;
    model::ConversationSpec conv;
    conv.id = "c" + std::to_string(i + 1);
    conv.kind =
        members.size() == 2 ? model::ConversationKind::kDirect : model::ConversationKind::kGroup;
    for (int m : members) conv.members.push_back("u" + std::to_string(m + 1));
    c.conversations.push_back(conv);
  }
  if (c.conversations.empty()) {
    c.conversations.push_back(
        {.id = "c1", .kind = model::ConversationKind::kDirect, .members = {"u1", "u2"}});
  }
  const auto servers = model::server_node_names(c.topology);
  for (const GenFault& gf : g.faults) {
    model::Fault f;
    f.kind = kFaultKinds[gf.kind % kFaultKindCount];
    f.at_ns = (gf.at_ms % g.safety_ms) * kMs;
    const std::int64_t until_ns =
        std::min<std::int64_t>(f.at_ns + (gf.duration_ms + 1) * kMs, c.durations.safety_ns - 1);
    model::Fault undo;
    undo.at_ns = until_ns;
    switch (f.kind) {
      case model::FaultKind::kCrash:
        f.node = servers[gf.target % servers.size()];
        undo.kind = model::FaultKind::kRestart;
        undo.node = f.node;
        break;
      case model::FaultKind::kOffline:
        f.node = devices[gf.target % devices.size()];
        undo.kind = model::FaultKind::kOnline;
        undo.node = f.node;
        break;
      case model::FaultKind::kPartition:
        f.groups = {{servers[gf.target % servers.size()]},
                    {servers[(gf.target + 1) % servers.size()]}};
        if (f.groups[0] == f.groups[1]) continue;
        undo.kind = model::FaultKind::kHeal;
        break;
      case model::FaultKind::kClog:
        f.from = servers[gf.target % servers.size()];
        f.to = servers[(gf.target + 1) % servers.size()];
        f.for_ns = (gf.duration_ms + 1) * kMs;
        break;
      case model::FaultKind::kClockStep:
        f.node = servers[gf.target % servers.size()];
        f.by_ns = (gf.duration_ms - 2'000) * kMs;
        break;
      case model::FaultKind::kLink:
        f.link_class = model::LinkClass::kAll;
        f.loss_p = (gf.target % 30) / 100.0;
        f.dup_p = (gf.target % 10) / 100.0;
        undo.kind = model::FaultKind::kHeal;
        break;
      default:  // kill, reinstall, reset
        f.node = devices[gf.target % devices.size()];
        break;
    }
    c.faults.push_back(f);
    const bool has_undo =
        f.kind == model::FaultKind::kCrash || f.kind == model::FaultKind::kOffline ||
        f.kind == model::FaultKind::kPartition || f.kind == model::FaultKind::kLink;
    if (has_undo) c.faults.push_back(undo);
  }
  std::stable_sort(c.faults.begin(), c.faults.end(),
                   [](const auto& a, const auto& b) { return a.at_ns < b.at_ns; });
  return c;
}

rc::Gen<GenWorld> gen_world() {
  using namespace rc;
  return gen::build<GenWorld>(
      gen::set(&GenWorld::seed, gen::inRange<std::uint64_t>(1, 1'000'000)),
      gen::set(&GenWorld::devices_per_user, gen::mapcat(gen::inRange(2, 6),
                                                        [](int users) {
                                                          return gen::container<std::vector<int>>(
                                                              users, gen::inRange(1, 4));
                                                        })),
      gen::set(&GenWorld::conversations,
               gen::resize(4, gen::nonEmpty(gen::container<std::vector<std::vector<int>>>(
                                  gen::container<std::vector<int>>(gen::inRange(0, 5)))))),
      gen::set(&GenWorld::messages_per_s, gen::inRange(1, 20)),
      gen::set(&GenWorld::safety_ms, gen::inRange(500, 6'000)),
      gen::set(&GenWorld::faults,
               gen::resize(10, gen::container<std::vector<GenFault>>(gen::build<GenFault>(
                                   gen::set(&GenFault::at_ms, gen::inRange(0, 6'000)),
                                   gen::set(&GenFault::kind, gen::inRange(0, kFaultKindCount)),
                                   gen::set(&GenFault::target, gen::inRange(0, 64)),
                                   gen::set(&GenFault::duration_ms, gen::inRange(0, 4'000)))))));
}

// Faults this property explores (reinstall is explored separately below while the engine's
// cross-incarnation FIFO is open; see docs/deviations.md).
RC_GTEST_PROP(ReferenceEngine, NoAnomalyOnGeneratedWorlds, ()) {
  const GenWorld gen = *gen_world();
  const model::WorldConfig config = to_config(gen);
  std::ostringstream history_text;
  model::RunOptions options;
  options.history_out = &history_text;
  const model::RunResult result = model::run_world(config, options);
  auto parsed = history::parse_history(history_text.str());
  if (!parsed.ok()) {
    RC_LOG() << "malformed history: " << parsed.status().message() << "\nscenario:\n"
             << scenarios::to_json(config).dump(2) << "\n";
  }
  RC_ASSERT(parsed.ok());
  const properties::Report report = properties::check(parsed.value());
  if (!report.ok()) {
    RC_LOG() << "seed " << config.seed << ", trace hash " << std::hex << result.trace_hash
             << std::dec << "\n"
             << properties::to_text(report) << "\nscenario:\n"
             << scenarios::to_json(config).dump(2) << "\n";
  }
  RC_ASSERT(report.ok());
}

}  // namespace
}  // namespace imsim
