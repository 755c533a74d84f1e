// Determinism: the same seed and setup give the same trace hash twice in one process and in
// two other processes (this executable re-run through /proc/self/exe); different seeds give
// different hashes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "world_fixture.hpp"

namespace imsim::sim {
namespace {

constexpr const char* kSeedVariable = "IMSIM_SIM_TRACE_HASH_SEED";

// The child side of the cross-process test: with the variable set, prints the trace hash of
// the fixed world for that seed; without it, there is nothing to do.
TEST(SimDeterminism, PrintTraceHashForChildProcess) {
  const char* seed = std::getenv(kSeedVariable);
  if (seed == nullptr) GTEST_SKIP() << "only run as the child of CrossProcess";
  const test::WorldOutcome out = test::run_ping_world(std::strtoull(seed, nullptr, 10));
  std::printf("trace_hash=%016" PRIx64 " events=%" PRIu64 "\n", out.trace_hash,
              out.events_executed);
}

// This test executable's path (resolved here: inside popen's shell /proc/self/exe is the shell).
std::string self_path() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  IMSIM_ASSERT(n > 0);
  return std::string(path, static_cast<std::size_t>(n));
}

std::string child_output(std::uint64_t seed) {
  const std::string command = std::string(kSeedVariable) + "=" + std::to_string(seed) + " '" +
                              self_path() +
                              "' --gtest_filter=SimDeterminism.PrintTraceHashForChildProcess 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  IMSIM_ASSERT(pipe != nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  EXPECT_EQ(pclose(pipe), 0) << output;
  const auto start = output.find("trace_hash=");
  if (start == std::string::npos) return "missing: " + output;
  return output.substr(start, output.find('\n', start) - start);
}

std::string line_for(const test::WorldOutcome& out) {
  char buffer[128];
  std::snprintf(buffer, sizeof(buffer), "trace_hash=%016" PRIx64 " events=%" PRIu64, out.trace_hash,
                out.events_executed);
  return buffer;
}

TEST(SimDeterminism, SameSeedSameHashInOneProcess) {
  const test::WorldOutcome a = test::run_ping_world(42);
  const test::WorldOutcome b = test::run_ping_world(42);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.events_executed, b.events_executed);
  EXPECT_GT(a.events_executed, 1000u);  // the world really did something
}

TEST(SimDeterminism, SameSeedSameHashAcrossProcesses) {
  const std::string here = line_for(test::run_ping_world(7));
  EXPECT_EQ(child_output(7), here);
  EXPECT_EQ(child_output(7), here);
}

TEST(SimDeterminism, DifferentSeedsDifferentHashes) {
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    hashes.insert(test::run_ping_world(seed).trace_hash);
  }
  EXPECT_EQ(hashes.size(), 20u);
}

TEST(SimDeterminism, ObservingTheTraceDoesNotChangeIt) {
  Simulator a(3), b(3);
  std::uint64_t seen = 0;
  b.set_trace_observer([&](const TraceRecord&) { seen++; });
  for (Simulator* sim : {&a, &b}) {
    for (int i = 0; i < 10; ++i) sim->schedule_after(Duration::from_ms(i), [] {});
    sim->trace(model_trace_kind(5), kWorld, 99);
    sim->run_until_idle(100);
  }
  EXPECT_EQ(a.trace_hash(), b.trace_hash());
  EXPECT_EQ(seen, 11u);
}

TEST(SimDeterminism, TraceHashDependsOnOrderAndContent) {
  auto hash_of = [](std::vector<std::uint64_t> digests) {
    Simulator sim(1);
    for (std::uint64_t d : digests) sim.trace(model_trace_kind(0), kWorld, d);
    return sim.trace_hash();
  };
  EXPECT_NE(hash_of({1, 2}), hash_of({2, 1}));
  EXPECT_NE(hash_of({1}), hash_of({1, 1}));
  EXPECT_NE(hash_of({}), hash_of({0}));
  EXPECT_EQ(hash_of({5, 6}), hash_of({5, 6}));
}

}  // namespace
}  // namespace imsim::sim
