#pragma once
// Visual outputs of a run, from its model::TraceLog: a Perfetto / Chrome trace-event JSON file
// (open it in ui.perfetto.dev or chrome://tracing) and a Lamport diagram as SVG.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "imsim/model/trace_log.hpp"

namespace imsim::scenarios {

// Records written to the Perfetto file at most (later ones are cut, and the file says so in an
// instant event "trace truncated"): the UI stays responsive up to a few hundred thousand.
inline constexpr std::size_t kPerfettoRecordsMax = 200'000;

// Trace-event JSON: one process per lane group (devices, servers, nemesis), one thread per
// lane; frames are a short slice on the sender and on the receiver joined by a flow arrow;
// lost frames a slice "lost: <label>" on the sender; faults, observations and lifecycle
// events are instant events (a fault on every lane is a global instant).
void write_perfetto_trace(const model::TraceLog& log, std::ostream& out,
                          std::size_t records_max = kPerfettoRecordsMax);

// The Lamport diagram shows this many records at most: beyond that nobody reads it.
inline constexpr std::size_t kLamportRecordsMax = 300;
// ... and this many lanes at most (those with records in the window; servers first).
inline constexpr std::size_t kLamportLanesMax = 40;

struct LamportWindow {
  std::int64_t start_ns = 0;                     // first record drawn: the first at or after
  std::size_t records_max = kLamportRecordsMax;  // records drawn from there
};

// Records shown before the first fault by the default window.
inline constexpr std::size_t kLamportContextRecords = 40;

// The default window start: a little before the first fault (faults are what one wants to
// see), moved earlier if needed to fill the window, or 0 if there is no fault.
std::int64_t lamport_default_start_ns(const model::TraceLog& log);

// SVG: lanes are vertical lines (grouped: servers, devices, nemesis), time flows downwards in
// event order (one row per distinct instant, so bursts stay readable), an arrow per frame,
// lost frames as dashed red arrows ending in a cross, faults in red, observations in blue,
// lifecycle events in orange. A note at the bottom says which records were cut.
std::string lamport_svg(const model::TraceLog& log, const LamportWindow& window = {});

}  // namespace imsim::scenarios
