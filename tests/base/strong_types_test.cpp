// base/: the one StrongId template, the checked Duration / TimePoint and DisplayAt that sim/,
// engine/ and history/ share.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <imsim/base/display_at.hpp>
#include <imsim/base/strong_id.hpp>
#include <imsim/base/time.hpp>
#include <sstream>
#include <type_traits>

namespace imsim::base {
namespace {

struct AppleTag {
  static constexpr const char* prefix = "apple#";
};
using AppleId = NoneByDefault<AppleTag, std::uint32_t>;
using PearSeq = StrongId<struct PearTag, std::uint64_t>;
using PlumSeq = StrongId<struct PlumTag, std::uint64_t>;

// Distinct tags are distinct types; nothing converts implicitly from the raw value.
static_assert(!std::is_same_v<PearSeq, PlumSeq>);
static_assert(!std::is_convertible_v<PearSeq, PlumSeq>);
static_assert(!std::is_convertible_v<std::uint64_t, PearSeq>);
static_assert(std::is_constructible_v<PearSeq, std::uint64_t>);
static_assert(!std::is_convertible_v<std::int64_t, Duration>);
static_assert(!std::is_constructible_v<Duration, std::int64_t>);
// Only ids whose default means "none" test as bool.
static_assert(std::is_constructible_v<bool, AppleId>);
static_assert(!std::is_constructible_v<bool, PearSeq>);

TEST(StrongId, DefaultIsZeroOrNone) {
  EXPECT_EQ(PearSeq{}.value, 0u);
  EXPECT_FALSE(PearSeq{}.is_none());
  EXPECT_TRUE(AppleId{}.is_none());
  EXPECT_FALSE(static_cast<bool>(AppleId{}));
  EXPECT_TRUE(static_cast<bool>(AppleId{0}));
  EXPECT_EQ(AppleId::none(), AppleId{});
}

TEST(StrongId, ComparesPrintsAndHashesByValue) {
  EXPECT_LT(PearSeq{1}, PearSeq{2});
  std::ostringstream out;
  out << AppleId{3} << " " << AppleId{};
  EXPECT_EQ(out.str(), "apple#3 apple#none");
  EXPECT_EQ(std::hash<PearSeq>{}(PearSeq{7}), std::hash<std::uint64_t>{}(7));
}

TEST(Duration, ChecksOverflow) {
  EXPECT_EQ(Duration::from_ms(3) + Duration::from_us(5), Duration::from_ns(3'005'000));
  EXPECT_EQ(Duration::from_s(2) * 3, Duration::from_s(6));
  EXPECT_DEATH((void)(Duration::max() + Duration::from_ns(1)), "time overflow");
  EXPECT_DEATH((void)(Duration::max() * 2), "time overflow");
  EXPECT_DEATH((void)(-Duration::max() - Duration::from_ns(2)), "time overflow");
}

TEST(TimePoint, InstantPlusSpan) {
  using Local = TimePoint<AppleTag>;
  const Local t = Local::from_ns(10) + Duration::from_ns(5);
  EXPECT_EQ(t.ns(), 15);
  EXPECT_EQ(t - Local::from_ns(10), Duration::from_ns(5));
  EXPECT_DEATH((void)(Local::max() + Duration::from_ns(1)), "time overflow");
}

TEST(DisplayAt, ZeroIsNoValue) {
  EXPECT_NE(static_cast<int>(DisplayAt::bottom), 0);
  EXPECT_NE(DisplayAt::bottom, DisplayAt::top);
}

}  // namespace
}  // namespace imsim::base
