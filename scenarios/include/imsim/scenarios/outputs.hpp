#pragma once
// Visual outputs of a run, from its model::TraceLog: a Perfetto / Chrome trace-event JSON file
// (open it in ui.perfetto.dev or chrome://tracing) and a Lamport diagram as SVG.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "imsim/history/history.hpp"
#include "imsim/model/trace_log.hpp"
#include "imsim/properties/check.hpp"

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

// What the diagram highlights (in purple, with a legend entry): an anomaly's witness message,
// the lanes of its sender and of the witness's devices, the frames on those lanes from the
// message's send to the witness's last event (frames carry no message id: these are the
// frames that could have carried it), and the observations naming the message.
struct LamportHighlight {
  std::string anomaly{};             // e.g. "duplicated"
  std::string msg{};                 // the witness's message, e.g. "u1/d1.i0.m3"
  std::vector<std::string> lanes{};  // device names
  std::int64_t from_ns = 0;          // the message's send
  std::int64_t to_ns = 0;            // the witness's last event
};

struct LamportWindow {
  std::int64_t start_ns = 0;                     // first record drawn: the first at or after
  std::size_t records_max = kLamportRecordsMax;  // records drawn from there
  std::optional<LamportHighlight> highlight{};
};

// The first witness that names a message, of the first anomaly found; nothing if none. The
// history (if given) adds the message's sender and send time.
std::optional<LamportHighlight> lamport_highlight(const properties::Report& report,
                                                  const history::History* history);

// Records shown before the first fault (or the highlighted send) by the default window.
inline constexpr std::size_t kLamportContextRecords = 40;

// The default window start: a little before `focus_ns` if given (the highlighted message's
// send), else before the first fault (faults are what one wants to see), moved earlier if
// needed to fill the window, or 0 if there is no fault.
std::int64_t lamport_default_start_ns(const model::TraceLog& log,
                                      std::optional<std::int64_t> focus_ns = std::nullopt);

// SVG: lanes are vertical lines (grouped: servers, devices, nemesis), time flows downwards in
// event order (one row per distinct instant, so bursts stay readable), an arrow per frame,
// lost frames as dashed red arrows ending in a cross, faults in red, observations in blue,
// lifecycle events in orange, the highlight in purple; a legend explains the marks and labels
// ("display^" ...). A label that would overlap one already drawn is left out (its mark keeps it
// as a tooltip). A note at the bottom says which records and labels were cut.
std::string lamport_svg(const model::TraceLog& log, const LamportWindow& window = {});

}  // namespace imsim::scenarios
