// The storage keys of every role (engine/src/storage_keys.hpp): each builder's key parses back
// to its kind and numbers, and keys of distinct kinds or numbers never collide.
#include "../../engine/src/storage_keys.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace imsim::engine::storage_keys {
namespace {

struct Built {
  std::string key;
  ParsedKey expected;
};

// One key of every kind, built from the numbers (a, b); kinds that take fewer numbers ignore them.
std::vector<Built> every_kind(std::uint64_t a, std::uint64_t b) {
  return {
      {checkpoint(), {KeyKind::checkpoint}},
      {id_reservation(), {KeyKind::id_reservation}},
      {outbox(a), {KeyKind::outbox, a}},
      {conv_anchor(a), {KeyKind::conv_anchor, a}},
      {local_msg(a, b), {KeyKind::local_msg, a, b}},
      {processor_epoch(), {KeyKind::processor_epoch}},
      {queue_entry(a, b), {KeyKind::queue_entry, a, b}},
      {timeline(a, b), {KeyKind::timeline, a, b}},
      {inbox(a, b), {KeyKind::inbox, a, b}},
      {inbox_floor(a), {KeyKind::inbox_floor, a}},
  };
}

const std::vector<std::pair<std::uint64_t, std::uint64_t>> kNumbers = {
    {0, 0}, {1, 2}, {2, 1}, {10, 1}, {1, 10}, {UINT64_MAX, 0}, {0, UINT64_MAX}};

TEST(StorageKeys, EveryBuilderRoundTrips) {
  for (const auto& [a, b] : kNumbers) {
    for (const Built& built : every_kind(a, b)) {
      SCOPED_TRACE(built.key);
      EXPECT_EQ(kind_of(built.key), built.expected.kind);
      EXPECT_EQ(parse(built.key), built.expected);
    }
  }
}

TEST(StorageKeys, DistinctKeysNeverCollide) {
  std::map<std::string, ParsedKey> seen;
  std::set<KeyKind> kinds;
  for (const auto& [a, b] : kNumbers) {
    for (const Built& built : every_kind(a, b)) {
      kinds.insert(built.expected.kind);
      const auto [it, inserted] = seen.emplace(built.key, built.expected);
      // The same key twice is fine only when it means the same thing (a fixed key, or a kind
      // that ignores `b`).
      if (!inserted) {
        EXPECT_EQ(it->second, built.expected) << built.key;
      }
    }
  }
  EXPECT_EQ(kinds.size(), 10u);
  // No key is a prefix of a key of another kind: a prefix match in recovery cannot misfile one.
  for (const auto& [k1, p1] : seen) {
    for (const auto& [k2, p2] : seen) {
      if (p1.kind == p2.kind) continue;
      EXPECT_NE(k2.rfind(k1, 0), 0u) << k1 << " is a prefix of " << k2;
    }
  }
}

TEST(StorageKeys, NumericOrderIsKeyOrder) {
  EXPECT_LT(timeline(1, 9), timeline(1, 10));
  EXPECT_LT(timeline(9, 1), timeline(10, 1));
  EXPECT_LT(inbox(3, 99), inbox(3, 100));
  EXPECT_LT(outbox(99), outbox(100));
}

TEST(StorageKeys, RejectsWhatNoBuilderMakes) {
  EXPECT_EQ(kind_of(""), std::nullopt);
  EXPECT_EQ(kind_of("x/1"), std::nullopt);
  EXPECT_EQ(kind_of("kk"), std::nullopt);  // fixed keys match exactly, not as prefixes
  EXPECT_EQ(kind_of("p/epochs"), std::nullopt);
  EXPECT_EQ(parse("o/1"), std::nullopt);  // not 20 digits
  EXPECT_EQ(parse(outbox(1) + "/"), std::nullopt);
  EXPECT_EQ(parse(timeline(1, 2).substr(0, 22)), std::nullopt);
  EXPECT_EQ(parse("o/99999999999999999999"), std::nullopt);  // above UINT64_MAX
  EXPECT_EQ(parse("t/00000000000000000001-00000000000000000002"), std::nullopt);
  // Prefix dispatch (recovery) still files a malformed key by its prefix.
  EXPECT_EQ(kind_of("o/1"), KeyKind::outbox);
}

}  // namespace
}  // namespace imsim::engine::storage_keys
