#pragma once
// Anomaly stories of a run (properties/story.hpp) with the part only the run knows: the faults
// of its schedule around each story, the links' standing loss / duplication / reordering, and
// the network counters of the whole run.
#include "imsim/history/history.hpp"
#include "imsim/model/world.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/properties/check.hpp"
#include "imsim/properties/story.hpp"

namespace imsim::scenarios {

// Faults this long before a story's first event are shown: a cut's effect outlives it (retries,
// timeouts, resyncs).
inline constexpr std::int64_t kStoryFaultLead_ns = 5'000'000'000;
// Fault lines per story at most (the rest are counted).
inline constexpr std::size_t kStoryFaultsMax = 12;

properties::Stories run_stories(const history::History& history, const properties::Report& report,
                                const model::WorldConfig& config, const model::RunResult& result);

}  // namespace imsim::scenarios
