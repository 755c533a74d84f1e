#pragma once
// The every-field test (issue 12), split by concern: fields_documents.cpp enumerates the fields
// and builds the worlds, fields_table.cpp says how each field shows, fields_test.cpp runs the
// table. Each entry says how setting the field away from its baseline shows: the trace hash of
// some seed changes, or the loader refuses it (with the message), or, for the few fields that
// are output choices, the verdict or nothing at all, with the reason.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace imsim::fields_test {

using nlohmann::json;

enum class Expect {
  kHash,      // the trace hash of at least one of the seeds changes
  kRejected,  // the loader refuses the changed document; its error contains `text`
  kVerdict,   // the same trace, but the checkers' verdict changes (what the run is judged by)
  kCounter,   // the same trace by design, but the counter named `text` changes (a cost knob)
  kOutput,    // a pure output choice: the trace hash stays the same (`text` says why)
};

struct Entry {
  std::string field;  // normalised path (see leaf_paths)
  Expect expect;
  json base;  // the baseline scenario document
  json set;   // an RFC 7386 merge patch applied to `base` for the changed run
  std::string text = {};
  // The seeds run (each overrides the document's seed); empty: the document's own seed.
  std::vector<std::uint64_t> seeds = {1, 2, 3, 4};
};

// ---- fields_documents.cpp: the fields and the worlds --------------------------------------
void leaf_paths(const json& value, const std::string& path, std::set<std::string>& out);
// A distribution of `kind` in `unit` around `scale`, with every field of that kind set.
json distribution(const std::string& kind, const std::string& unit, double scale);
extern const char* const kDistributionKinds[4];
// The smallest RFC 7386 merge patch that turns `from` into `to`.
json merge_diff(const json& from, const json& to);
json small_world();
json busy_world();
json harsh_world();
json timeout_world();
json generated_world();
json with(json doc, const json& patch);  // `doc` with the merge patch applied
json every_fault(const json& link_latency);
json full_world_swarm(bool generated);
json parse(const char* text);
json library_document(const std::string& name);
// Input-only fields: the loader expands them, so the writer never holds them.
extern const char* const kShorthand[5];
std::set<std::string> enumerated_fields();

// ---- fields_table.cpp: one entry per field -------------------------------------------------
std::vector<Entry> table();
// Link faults on device links (loss on streams; dup/reorder refused there, acting on datagrams).
std::vector<Entry> device_connection_table();

}  // namespace imsim::fields_test
