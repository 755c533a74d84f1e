#pragma once
// A synthetic, valid history of any size, for throughput measurements (bench/, and a future
// `imsim bench`): 200 devices of 100 users, 50 group conversations of 5 users; every message is
// sent with its conversation's vector clock, acked, and displayed right away on every member
// device (13 events per message); store timelines, an `x-metrics` line and `end` close it.
// Deterministic: the same `events_target` always gives the same bytes.
#include <cstdint>
#include <ostream>
#include <string>

namespace imsim::history {

// Writes about `events_target` events (at least 101: the online lines, a phase, the timelines,
// x-metrics and end) after the header. Streams: the memory used does not grow with the size,
// except for the timelines' message lists.
void write_synthetic_history(std::ostream& out, std::uint64_t events_target);

// The same history as one string (a 1M-event history is about 100 MB).
std::string synthetic_history(std::uint64_t events_target);

}  // namespace imsim::history
