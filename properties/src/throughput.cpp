// measure_throughput: best-of-N wall time of parse and of parse + check.
#include "imsim/properties/throughput.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "imsim/base/assert.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/properties/check.hpp"

namespace imsim::properties {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Throughput measure_throughput(std::string_view history_text, int repetitions) {
  IMSIM_ASSERT(repetitions >= 1);
  Throughput result{.events = 0, .bytes = history_text.size()};
  double parse_s = std::numeric_limits<double>::infinity();
  double parse_check_s = std::numeric_limits<double>::infinity();
  for (int i = 0; i < repetitions; ++i) {
    Clock::time_point start = Clock::now();
    base::Result<history::History> parsed = history::parse_history(history_text);
    parse_s = std::min(parse_s, seconds_since(start));
    IMSIM_ASSERT_MSG(parsed.ok(), "measure_throughput needs a valid history");
    result.events = parsed.value().events.size();

    start = Clock::now();
    base::Result<history::History> again = history::parse_history(history_text);
    IMSIM_ASSERT(again.ok());
    const Report report = check(again.value());
    parse_check_s = std::min(parse_check_s, seconds_since(start));
    IMSIM_ASSERT(report.metrics.sent <= result.events);
  }
  IMSIM_ASSERT(parse_s > 0 && parse_check_s > 0);
  result.parse_events_per_s = static_cast<double>(result.events) / parse_s;
  result.parse_check_events_per_s = static_cast<double>(result.events) / parse_check_s;
  return result;
}

}  // namespace imsim::properties
