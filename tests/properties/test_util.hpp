#pragma once
// Shared helpers of the checker tests: a small world (user a with device a1; user b with
// devices b1, b2; conversation c1 between them) and lookups into a Report.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "imsim/history/builder.hpp"
#include "imsim/properties/check.hpp"
#include "imsim/properties/report.hpp"

namespace imsim::properties::testing {

using history::DisplayAt;
using history::HistoryBuilder;
using history::PhaseKind;

inline HistoryBuilder two_users() {
  HistoryBuilder b;
  b.device("a1", "a").device("b1", "b").device("b2", "b").conversation("c1", {"a", "b"});
  return b;
}

inline Report run(const HistoryBuilder& b, CheckOptions options = {}) {
  return check(b.build(), options);
}

inline std::vector<Witness> witnesses(const Report& report, std::string_view name,
                                      std::string_view clause = "") {
  std::vector<Witness> out;
  const AnomalyReport* a = report.find(name);
  if (a == nullptr) return out;
  for (const Witness& w : a->witnesses) {
    if (clause.empty() || w.clause == clause) out.push_back(w);
  }
  return out;
}

inline std::vector<std::uint32_t> lines(const Witness& w) {
  std::vector<std::uint32_t> out;
  for (const EventRef& e : w.events) out.push_back(e.line);
  return out;
}

// Order-insensitive comparison without gmock's UnorderedElementsAre (gmock is not linked).
template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}
inline std::vector<std::string> strings(std::vector<std::string> v) { return sorted(std::move(v)); }

// The whole report as text, for failure messages.
inline std::string dump(const Report& report) { return to_text(report); }

}  // namespace imsim::properties::testing
