// Issue 12: every field of the scenario format acts. The fields are enumerated from what the
// writer (scenarios::to_json) produces for fully populated scenarios, so a field added later
// without an entry in the table below fails EveryFieldHasAnEntry. Each entry says how setting
// the field away from its baseline shows: the trace hash of some seed changes, or the loader
// refuses it (with the message), or — for the few fields that are output choices — the verdict
// or nothing at all, with the reason.
#include "fields.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "imsim/model/world.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::fields_test {
namespace {

// ---- Running --------------------------------------------------------------------------------

// Runner::hash with this seed keeps the document's own.
constexpr std::uint64_t kDocumentSeed = ~std::uint64_t{0};

class Runner {
 public:
  // The trace hash of `doc` run with `seed` (cached); fails the test if it does not load.
  std::uint64_t hash(const json& doc, std::uint64_t seed, const std::string& field) {
    return run(doc, seed, field).trace_hash;
  }
  // The named counter of the same run (0 when absent).
  std::uint64_t counter(const json& doc, std::uint64_t seed, const std::string& field,
                        const std::string& name) {
    const Run& r = run(doc, seed, field);
    const auto it = r.counters.find(name);
    return it == r.counters.end() ? 0 : it->second;
  }
  int runs() const { return runs_; }

 private:
  struct Run {
    std::uint64_t trace_hash = 0;
    std::map<std::string, std::uint64_t> counters;
  };
  const Run& run(const json& doc, std::uint64_t seed, const std::string& field) {
    const std::string key = doc.dump() + "#" + std::to_string(seed);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    Run& out = cache_[key];
    auto loaded = scenarios::load_scenario(doc);
    EXPECT_TRUE(loaded.ok()) << field << ": " << loaded.status().message();
    if (!loaded.ok()) return out;
    model::WorldConfig config = std::move(loaded).value();
    if (seed != kDocumentSeed) config.seed = seed;
    const model::RunResult result = model::run_world(config, {});
    EXPECT_EQ(result.config_error, "") << field;
    runs_++;
    out.trace_hash = result.trace_hash;
    out.counters = result.counters;
    return out;
  }
  std::map<std::string, Run> cache_;
  int runs_ = 0;
};

std::string expect_name(Expect e) {
  switch (e) {
    case Expect::kHash:
      return "changes the trace hash";
    case Expect::kRejected:
      return "rejected by the loader";
    case Expect::kVerdict:
      return "changes the verdict";
    case Expect::kOutput:
      return "output only";
    case Expect::kCounter:
      return "changes a counter";
  }
  return "?";
}

// Checks one entry; returns "" when it holds, else why not.
std::string check(const Entry& e, Runner& runner) {
  const json changed = with(e.base, e.set);
  if (changed == e.base) return "the changed document is the baseline";
  if (e.expect == Expect::kRejected) {
    if (const auto base = scenarios::load_scenario(e.base); !base.ok()) {
      return "the baseline does not load: " + base.status().message();
    }
    const auto loaded = scenarios::load_scenario(changed);
    if (loaded.ok()) return "the loader accepted it";
    if (loaded.status().message().find(e.text) == std::string::npos) {
      return "the loader's error \"" + loaded.status().message() + "\" does not contain \"" +
             e.text + "\"";
    }
    return "";
  }
  bool differs = false;
  std::vector<std::uint64_t> seeds = e.seeds;
  if (seeds.empty()) seeds.push_back(kDocumentSeed);
  for (std::uint64_t seed : seeds) {
    differs = differs || runner.hash(e.base, seed, e.field) != runner.hash(changed, seed, e.field);
  }
  switch (e.expect) {
    case Expect::kHash:
      return differs ? "" : "the trace hash is the same for every seed";
    case Expect::kOutput:
      return differs ? "the trace hash changed (update the entry)" : "";
    case Expect::kCounter: {
      if (differs) return "the trace hash changed (update the entry)";
      for (std::uint64_t seed : seeds) {
        if (runner.counter(e.base, seed, e.field, e.text) !=
            runner.counter(changed, seed, e.field, e.text)) {
          return "";
        }
      }
      return "the counter " + e.text + " is the same for every seed";
    }
    case Expect::kVerdict: {
      if (differs) return "the trace hash changed";
      const auto verdict = [](const json& doc) {
        const auto loaded = scenarios::load_scenario(doc);
        if (!loaded.ok()) return std::string("ERROR ") + loaded.status().message();
        const scenarios::RunOutcome outcome = scenarios::run_scenario(loaded.value(), {});
        return scenarios::verdict_text(outcome) + " " + json(outcome.anomalies_found).dump();
      };
      return verdict(e.base) != verdict(changed) ? "" : "the verdict is the same";
    }
    case Expect::kRejected:
      break;
  }
  return "";
}

TEST(Fields, EveryFieldHasAnEntry) {
  const std::set<std::string> fields = enumerated_fields();
  std::set<std::string> listed;
  for (const Entry& e : table()) {
    EXPECT_TRUE(listed.insert(e.field).second) << "two entries for " << e.field;
  }
  std::set<std::string> expected = fields;
  for (const char* shorthand : kShorthand) {
    EXPECT_FALSE(fields.contains(shorthand)) << shorthand << " is written now: not a shorthand";
    expected.insert(shorthand);
  }
  for (const std::string& field : expected) {
    EXPECT_TRUE(listed.contains(field)) << "no entry for the field " << field;
  }
  for (const std::string& field : listed) {
    EXPECT_TRUE(expected.contains(field)) << "an entry for " << field << ", not a field";
  }
  // Sanity: the enumeration is not trivially small.
  EXPECT_GT(fields.size(), 150u);
}

TEST(Fields, EveryFieldActsOrIsRefused) {
  const auto start = std::chrono::steady_clock::now();
  Runner runner;
  std::map<Expect, int> counts;
  const std::vector<Entry> entries = table();
  for (const Entry& e : entries) {
    const std::string problem = check(e, runner);
    EXPECT_EQ(problem, "") << e.field << " (expected: " << expect_name(e.expect) << ")";
    counts[e.expect]++;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary;
  for (const auto& [expect, n] : counts)
    summary += expect_name(expect) + ": " + std::to_string(n) + "; ";
  std::printf("%zu fields: %s%d runs in %.1f s\n", entries.size(), summary.c_str(), runner.runs(),
              seconds);
}

// Link faults on device links: loss acts on streams; dup/reorder are refused there and act on
// the datagram transport.
TEST(Fields, LinkFaultsOnDeviceConnections) {
  Runner runner;
  for (const Entry& e : device_connection_table()) {
    EXPECT_EQ(check(e, runner), "")
        << e.field << " on " << e.text << " (" << expect_name(e.expect) << ")";
  }
}

// The checker can fail: an entry whose change does nothing is caught, as is a wrong
// rejection message.
TEST(Fields, CheckCatchesAFieldThatDoesNothing) {
  Runner runner;
  const json small = small_world();
  const Entry no_op{"description", Expect::kHash, small, parse(R"({"description": "x"})")};
  EXPECT_EQ(check(no_op, runner), "the trace hash is the same for every seed");
  const Entry acts{"seed", Expect::kOutput, small, parse(R"({"seed": 2})"), "?", {}};
  EXPECT_EQ(check(acts, runner), "the trace hash changed (update the entry)");
  const Entry accepted{"seed", Expect::kRejected, small, parse(R"({"seed": 2})"), "x"};
  EXPECT_EQ(check(accepted, runner), "the loader accepted it");
  const Entry uncounted{"description", Expect::kCounter, small, parse(R"({"description": "x"})"),
                        "store.dedup_scans"};
  EXPECT_EQ(check(uncounted, runner), "the counter store.dedup_scans is the same for every seed");
  const Entry wrong{"seed", Expect::kRejected, small, parse(R"({"seed": -1})"), "nonsense"};
  EXPECT_NE(check(wrong, runner).find("does not contain \"nonsense\""), std::string::npos);
}

// The enumeration finds a field it was not told about.
TEST(Fields, EnumerationSeesNestedFields) {
  std::set<std::string> fields;
  leaf_paths(parse(R"({"a": {"b": 1, "c": [{"kind": "k", "d": [1, 2]}]},
                       "topology": {"clocks": {"queue0": {"drift_ppm": 1}}}})"),
             "", fields);
  EXPECT_EQ(fields, (std::set<std::string>{"a.b", "a.c[].kind", "a.c[]{k}.d",
                                           "topology.clocks.<node>.drift_ppm"}));
}

}  // namespace
}  // namespace imsim::fields_test
