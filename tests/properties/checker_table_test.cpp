// The checker table (properties::anomaly_kinds): every checker has exactly one row, each row
// dispatches to its own checker, and the lists derived from it (--checkers help and errors, the
// loader's checks.checkers) come out as the CLI documents them.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "imsim/properties/anomaly.hpp"
#include "test_util.hpp"

namespace imsim::properties::testing {
namespace {

std::set<std::string> table_names() {
  std::set<std::string> names;
  for (const AnomalyKind& kind : anomaly_kinds) names.emplace(kind.name);
  return names;
}

// The checkers properties/src/checkers.hpp declares (`void check_NAME(const HistoryIndex&`):
// a checker added there without a table row would never run.
TEST(CheckerTable, EveryDeclaredCheckerHasARow) {
  std::ifstream in(std::string(IMSIM_SOURCE_DIR) + "/properties/src/checkers.hpp");
  ASSERT_TRUE(in) << "cannot read checkers.hpp";
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  const std::regex declaration(R"(void check_(\w+)\(const HistoryIndex&)");
  std::set<std::string> declared;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), declaration);
       it != std::sregex_iterator(); ++it) {
    declared.insert((*it)[1]);
  }
  EXPECT_EQ(declared, table_names());
  EXPECT_EQ(table_names().size(), std::size(anomaly_kinds)) << "a name listed twice";
}

TEST(CheckerTable, EveryRowRunsAloneOnAnEmptyHistory) {
  // No message at all: only the phases and the end (the index needs an end event).
  HistoryBuilder b = two_users();
  b.version(2)
      .online(1, "a1")
      .online(1, "b1")
      .online(1, "b2")
      .phase(5, PhaseKind::liveness)
      .end(10);
  const history::History empty = b.build();
  ASSERT_EQ(empty.header.version, 2);
  for (const AnomalyKind& kind : anomaly_kinds) {
    SCOPED_TRACE(kind.name);
    EXPECT_TRUE(is_anomaly_name(kind.name));
    const Report report = check(empty, CheckOptions{.checkers = {std::string(kind.name)}});
    ASSERT_EQ(report.checkers, std::vector<std::string>{std::string(kind.name)});
    ASSERT_EQ(report.anomalies.size(), 1u);
    EXPECT_EQ(report.anomalies[0].name, kind.name);
    EXPECT_EQ(report.anomalies[0].description, kind.description);
  }
  EXPECT_FALSE(is_anomaly_name("bogus"));
}

// Each row runs its own checker: the fixture of an anomaly, judged by that checker alone,
// shows it (a row paired with another row's checker would miss it).
TEST(CheckerTable, EachRowDispatchesToItsOwnChecker) {
  const std::vector<std::pair<std::string, std::string>> fixtures = {
      {"duplicated_view.jsonl", "duplicated"},
      {"reordered_cycle.jsonl", "reordered"},
      {"lost_after_reinstall.jsonl", "lost"},
      {"causal_reply.jsonl", "causal"},
  };
  for (const auto& [file, name] : fixtures) {
    SCOPED_TRACE(file);
    const CheckOutcome out =
        check_file(std::string(IMSIM_SOURCE_DIR) + "/tests/properties/fixtures/" + file,
                   CheckOptions{.checkers = {name}});
    ASSERT_TRUE(out.report.has_value());
    EXPECT_GT(out.report->count(name), 0u);
  }
}

TEST(CheckerTable, ListOrderIsTheDocumentedOne) {
  const std::vector<std::string> names = checker_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), table_names());
  EXPECT_EQ(fmt::format("{}", fmt::join(names, ",")),
            "lost,duplicated,reordered,fifo,causal,ghost,liveness,misnumbered,gap,unavailable");
}

}  // namespace
}  // namespace imsim::properties::testing
