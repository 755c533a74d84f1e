#pragma once
// How fast this build reads and checks histories: the figure a `imsim bench` command reports.
// Measured in wall time (steady clock) on the calling thread; nothing else runs meanwhile.
//
//   const std::string text = history::synthetic_history(1'000'000);   // synthetic.hpp
//   properties::Throughput t = properties::measure_throughput(text);
//   // t.parse_events_per_s, t.parse_check_events_per_s
#include <cstdint>
#include <string_view>

namespace imsim::properties {

struct Throughput {
  std::uint64_t events = 0;  // events in the history (the header not counted)
  std::uint64_t bytes = 0;
  double parse_events_per_s = 0;        // history::parse_history alone
  double parse_check_events_per_s = 0;  // parse_history, then check() with every checker
};

// Parses, and parses then checks, `history_text` `repetitions` times each and keeps the fastest
// run of each (the least disturbed by the rest of the machine). `history_text` must be a valid
// history (asserted) and `repetitions` >= 1.
Throughput measure_throughput(std::string_view history_text, int repetitions = 3);

}  // namespace imsim::properties
