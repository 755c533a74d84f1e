#pragma once
// Anomalies: what a checker reports. Each anomaly name of HISTORY.md has a one-line
// description, a count of every occurrence, and up to a limit of witnesses: the messages,
// devices, conversations and event lines that show the occurrence, enough to find it in the
// file without re-running anything.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imsim/history/ids.hpp"

namespace imsim::properties {

// One event of the history that a witness points at.
struct EventRef {
  std::uint32_t line = 0;  // 1-based line in the history file
  history::TimeNs t_ns = 0;
  std::string type;  // "send", "display", ...
  std::string role;  // what this event shows in the witness, e.g. "first display of m1"
};

struct Witness {
  std::string clause;   // which clause of the definition fired (stable, snake_case)
  std::string summary;  // one human-readable line
  std::vector<std::string> msgs;
  std::vector<std::string> devices;
  std::vector<std::string> convs;
  std::vector<EventRef> events;
};

struct AnomalyReport {
  std::string name;
  std::string description;
  std::uint64_t count = 0;         // every occurrence, reported or not
  std::vector<Witness> witnesses;  // the first `witnesses_per_anomaly_max` occurrences
};

struct AnomalyKind {
  std::string_view name;
  std::string_view description;
  int since_version = 1;  // the history format version that defines it
};

// The anomalies of history formats v1 and v2, in report order. The last three are judged in
// version-2 files only: a version-1 report neither runs nor lists them.
inline constexpr AnomalyKind anomaly_kinds[] = {
    {"duplicated",
     "a message shows twice in one view, was acked at two conv_seqs, or is stored twice"},
    {"reordered",
     "a view orders two messages against the store timeline, or views disagree on order"},
    {"lost", "a stored, acked or displayed message is missing from a required device's final view"},
    {"fifo", "two messages from one device stand against their send order in a view or timeline"},
    {"causal", "a view shows a message before one that happened-before it in the conversation"},
    {"ghost",
     "a message's final status disagrees with the server (stored/shown but not acked, or acked but "
     "not stored)"},
    {"liveness",
     "the run did not quiesce, or a member device was never online in the liveness phase"},
    {"misnumbered",
     "an ack or a display gives a stored message a conv_seq other than its place in the store "
     "timeline",
     2},
    {"gap",
     "a device's later message is stored while its earlier one (same incarnation, same "
     "conversation) is not",
     2},
    {"unavailable",
     "after healing, a send by a device that stayed connected was not acked or not stored", 2},
};

bool is_anomaly_name(std::string_view name);

}  // namespace imsim::properties
