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

// One row per checker: the one home of the checker names. The CLI (--checkers, its help and
// errors), the scenario loader (checks.checkers, checks.expect) and check()'s dispatch all read
// this table; check.cpp pairs each row with its checker function (same order, size asserted;
// tests/properties/checker_table_test.cpp).
struct AnomalyKind {
  std::string_view name;
  std::string_view description;
  int since_version;  // the history format version that defines it
  // Position in the lists shown to users (--help, error messages): `lost`, the headline
  // anomaly, leads them, while reports keep the table's order.
  int list_rank;
};

// The anomalies of history formats v1 and v2, in report order. The last three are judged in
// version-2 files only: a version-1 report neither runs nor lists them.
inline constexpr AnomalyKind anomaly_kinds[] = {
    {"duplicated",
     "a message shows twice in one view, was acked at two conv_seqs, or is stored twice", 1, 1},
    {"reordered",
     "a view orders two messages against the store timeline, or views disagree on order", 1, 2},
    {"lost", "a stored, acked or displayed message is missing from a required device's final view",
     1, 0},
    {"fifo", "two messages from one device stand against their send order in a view or timeline", 1,
     3},
    {"causal", "a view shows a message before one that happened-before it in the conversation", 1,
     4},
    {"ghost",
     "a message's final status disagrees with the server (stored/shown but not acked, or acked but "
     "not stored)",
     1, 5},
    {"liveness",
     "the run did not quiesce, or a member device was never online in the liveness phase", 1, 6},
    {"misnumbered",
     "an ack or a display gives a stored message a conv_seq other than its place in the store "
     "timeline",
     2, 7},
    {"gap",
     "a device's later message is stored while its earlier one (same incarnation, same "
     "conversation) is not",
     2, 8},
    {"unavailable",
     "after healing, a send by a device that stayed connected was not acked or not stored", 2, 9},
};

// The checker names in list order (list_rank), as --help and error messages show them.
std::vector<std::string> checker_names();

bool is_anomaly_name(std::string_view name);

}  // namespace imsim::properties
