// Rng: known answers, determinism, and fork stability (adding a component or drawing more in
// one never changes another's stream).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <imsim/sim/rng.hpp>
#include <set>
#include <string>
#include <vector>

namespace imsim::sim {
namespace {

std::vector<std::uint64_t> draw(Rng rng, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.next_u64());
  return out;
}

TEST(SimRng, Splitmix64KnownAnswers) {
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64_next(state), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64_next(state), 0x6E789E6AA1B965F4ULL);
}

TEST(SimRng, Xoshiro256StarStarKnownAnswers) {
  // The reference implementation from state {1, 2, 3, 4}.
  Rng rng = Rng::from_state({1, 2, 3, 4});
  EXPECT_EQ(rng.next_u64(), 11520u);
  EXPECT_EQ(rng.next_u64(), 0u);
  EXPECT_EQ(rng.next_u64(), 1509978240u);
  EXPECT_EQ(rng.next_u64(), 1215971899390074240u);
}

TEST(SimRng, SameSeedSameStreamDifferentSeedDifferentStream) {
  EXPECT_EQ(draw(Rng(42), 100), draw(Rng(42), 100));
  EXPECT_NE(draw(Rng(42), 100), draw(Rng(43), 100));
}

TEST(SimRng, ForkDependsOnSeedAndNameOnly) {
  Rng parent(7);
  const auto before = draw(parent.fork("network"), 50);
  for (int i = 0; i < 1000; ++i) parent.next_u64();  // drawing from the parent ...
  (void)parent.fork("workload");                     // ... or forking others ...
  (void)parent.fork("node/17");
  EXPECT_EQ(draw(parent.fork("network"), 50), before);  // ... changes nothing
  EXPECT_EQ(parent.fork("network").seed(), Rng(7).fork("network").seed());
}

TEST(SimRng, ForksAreDistinctByNameAndByParent) {
  std::set<std::uint64_t> seeds;
  Rng root(1);
  for (int i = 0; i < 1000; ++i) seeds.insert(root.fork("node/" + std::to_string(i)).seed());
  seeds.insert(root.seed());
  EXPECT_EQ(seeds.size(), 1001u);
  // Nested forks are not symmetric in their names.
  EXPECT_NE(root.fork("a").fork("b").seed(), root.fork("b").fork("a").seed());
  EXPECT_NE(Rng(1).fork("x").seed(), Rng(2).fork("x").seed());
}

RC_GTEST_PROP(SimRng, ForkedStreamsDoNotCollide,
              (std::uint64_t seed, std::string a, std::string b)) {
  RC_PRE(a != b);
  Rng root(seed);
  RC_ASSERT(draw(root.fork(a), 4) != draw(root.fork(b), 4));
}

TEST(SimRng, BitsLookBalanced) {
  // Each of the 64 bits is set in half the draws: Binomial(n, 1/2), 5 sigma.
  Rng rng(99);
  constexpr int n = 100'000;
  int ones[64] = {};
  for (int i = 0; i < n; ++i) {
    const std::uint64_t x = rng.next_u64();
    for (int b = 0; b < 64; ++b) ones[b] += static_cast<int>((x >> b) & 1);
  }
  for (int b = 0; b < 64; ++b) EXPECT_NEAR(ones[b], n / 2, 5 * 0.5 * std::sqrt(n)) << "bit " << b;
}

}  // namespace
}  // namespace imsim::sim
