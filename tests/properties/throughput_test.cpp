// measure_throughput (the figure a future `imsim bench` reports) on a small synthetic history:
// it counts the events it read and reports positive rates; the synthetic history is valid and
// has no anomaly.
#include "imsim/properties/throughput.hpp"

#include <gtest/gtest.h>

#include "imsim/history/reader.hpp"
#include "imsim/history/synthetic.hpp"
#include "imsim/properties/check.hpp"

namespace imsim::properties {
namespace {

TEST(Throughput, MeasuresASyntheticHistory) {
  const std::string text = history::synthetic_history(5000);
  const auto parsed = history::parse_history(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(check(parsed.value()).ok());
  const Throughput t = measure_throughput(text, 1);
  EXPECT_EQ(t.events, parsed.value().events.size());
  EXPECT_GE(t.events, 4900u);
  EXPECT_EQ(t.bytes, text.size());
  EXPECT_GT(t.parse_events_per_s, 0);
  EXPECT_GT(t.parse_check_events_per_s, 0);
}

}  // namespace
}  // namespace imsim::properties
