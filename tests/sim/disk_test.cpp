// Disk and node lifecycle: only synced writes survive a crash (per key with sync_key); a torn last
// write leaves a strict prefix; restart hooks see the durable contents.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <imsim/sim/simulator.hpp>
#include <map>
#include <string>

namespace imsim::sim {
namespace {

TEST(SimDisk, UnsyncedWritesAreGoneAfterACrashSyncedOnesRemain) {
  Simulator sim(1);
  const NodeId n = sim.add_node("store");
  Disk& disk = sim.disk(n);
  disk.write("a", "1");
  disk.sync();
  disk.write("b", "2");
  disk.write("a", "overwritten");
  disk.erase("a");
  EXPECT_EQ(disk.read("b"), "2");  // reads see unsynced writes ...
  EXPECT_FALSE(disk.read("a").has_value());
  EXPECT_EQ(disk.unsynced_count(), 3u);
  sim.crash(n);
  EXPECT_EQ(disk.read("a"), "1");  // ... a crash takes them away
  EXPECT_FALSE(disk.read("b").has_value());
  EXPECT_EQ(disk.counters().writes_lost, 3u);
  sim.restart(n);
  EXPECT_EQ(disk.durable_contents(), (Disk::Contents{{"a", "1"}}));
}

TEST(SimDisk, TornLastWriteLeavesAStrictPrefix) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    Simulator sim(seed);
    const NodeId n = sim.add_node("store");
    Disk& disk = sim.disk(n);
    disk.write("k", "old value");
    disk.sync();
    disk.write("other", "unsynced, not last: simply lost");
    disk.write("k", "0123456789");
    sim.crash(n, CrashOptions{.tear_last_write = true});
    ASSERT_FALSE(disk.contains("other"));
    const std::string torn = *disk.read("k");
    EXPECT_LT(torn.size(), 10u);
    EXPECT_EQ(torn, std::string("0123456789").substr(0, torn.size()));
    EXPECT_EQ(disk.counters().writes_torn, 1u);
  }
}

TEST(SimDisk, TearingAnEraseOrNothingChangesNothing) {
  Simulator sim(2);
  const NodeId n = sim.add_node("store");
  sim.disk(n).write("k", "v");
  sim.disk(n).sync();
  sim.disk(n).erase("k");
  sim.crash(n, CrashOptions{.tear_last_write = true});
  EXPECT_EQ(sim.disk(n).read("k"), "v");
  sim.restart(n);
  sim.crash(n, CrashOptions{.tear_last_write = true});  // nothing unsynced
  EXPECT_EQ(sim.disk(n).read("k"), "v");
}

std::map<std::string, std::string> as_map(const Disk::Contents& contents) {
  return {contents.begin(), contents.end()};
}

using DiskOps = std::vector<std::tuple<std::uint8_t, std::uint8_t, std::string>>;

// Applies random writes, erases and syncs (whole-disk; per key too if `per_key`) to a disk and
// to a map model, then crashes the node: each key keeps its value as of the last sync that
// covered it.
void crash_against_model(const DiskOps& ops, bool per_key, std::uint64_t seed) {
  Simulator sim(seed);
  const NodeId n = sim.add_node("store");
  Disk& disk = sim.disk(n);
  std::map<std::string, std::string> model_now, model_synced;
  for (const auto& [op, key_index, value] : ops) {
    const std::string key = "k" + std::to_string(key_index % 5);
    switch (op % (per_key ? 5 : 4)) {
      case 0:
      case 1:
        disk.write(key, value);
        model_now[key] = value;
        break;
      case 2:
        disk.erase(key);
        model_now.erase(key);
        break;
      case 3:
        if (per_key) {
          disk.sync_key(key);
          if (model_now.count(key) != 0) {
            model_synced[key] = model_now.at(key);
          } else {
            model_synced.erase(key);
          }
          break;
        }
        [[fallthrough]];  // without per-key syncs, 3 is the whole-disk sync
      case 4:
        disk.sync();
        model_synced = model_now;
        break;
    }
    RC_ASSERT(as_map(disk.contents()) == model_now);
  }
  sim.crash(n);
  RC_ASSERT(as_map(disk.durable_contents()) == model_synced);
  RC_ASSERT(as_map(disk.contents()) == model_synced);
}

// A random sequence of writes, erases and syncs, then a crash: what remains is exactly the
// state as of the last sync.
RC_GTEST_PROP(SimDisk, CrashKeepsExactlyTheLastSyncedState, (DiskOps ops)) {
  crash_against_model(ops, /*per_key=*/false, 3);
}

TEST(SimDisk, SyncKeyMakesOnlyThatKeyDurable) {
  Simulator sim(4);
  const NodeId n = sim.add_node("device");
  Disk& disk = sim.disk(n);
  disk.write("m/1", "record");  // written first ...
  disk.write("k", "checkpoint");
  disk.sync_key("k");  // ... but only the later key is made durable
  EXPECT_EQ(disk.unsynced_count(), 1u);
  sim.crash(n);
  EXPECT_EQ(disk.durable_contents(), (Disk::Contents{{"k", "checkpoint"}}));
  EXPECT_FALSE(disk.read("m/1").has_value());
}

// Random writes, erases, whole-disk and per-key syncs, then a crash: each key keeps exactly its
// value as of the last sync that covered it.
RC_GTEST_PROP(SimDisk, CrashKeepsEachKeyAsOfItsLastSync, (DiskOps ops)) {
  crash_against_model(ops, /*per_key=*/true, 5);
}

TEST(SimLifecycle, HooksRunOnCrashAndRestartAndSeeDurableState) {
  Simulator sim(4);
  const NodeId n = sim.add_node("queue0");
  std::vector<std::string> log;
  sim.on_crash([&](NodeId node) { log.push_back("crash " + sim.node_name(node)); });
  sim.on_restart([&](NodeId node) {
    log.push_back("restart " + sim.node_name(node) + " " +
                  sim.disk(node).durable_contents().at("seq"));
  });
  sim.disk(n).write("seq", "41");
  sim.disk(n).sync();
  sim.disk(n).write("seq", "42");
  sim.crash(n);
  EXPECT_FALSE(sim.is_up(n));
  sim.restart(n);
  EXPECT_EQ(log, (std::vector<std::string>{"crash queue0", "restart queue0 41"}));
  EXPECT_EQ(sim.incarnation(n), 1u);
}

}  // namespace
}  // namespace imsim::sim
