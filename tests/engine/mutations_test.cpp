// The mutation catalog (imsim/engine/mutations.hpp): every switch named once, settable by name,
// and accepted by validate(). The branches themselves are tested beside their role
// (device_test, store_test) and end to end by the mutant scenarios (tests/cli.cmake, "mutants").
#include <gtest/gtest.h>

#include <imsim/engine/mutations.hpp>
#include <set>

#include "harness.hpp"

namespace imsim::engine::testing {
namespace {

TEST(MutationCatalog, NamesEverySwitchOnceAndSetsItByName) {
  const auto catalog = mutation_catalog();
  EXPECT_EQ(catalog.size(), 14u);
  EXPECT_EQ(sizeof(Mutations), catalog.size() * sizeof(bool));  // the table covers the struct
  std::set<std::string_view> names;
  Mutations all;
  for (const MutationInfo& m : catalog) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_FALSE(m.description.empty()) << m.name;
    Mutations one;
    ASSERT_TRUE(set_mutation(one, m.name)) << m.name;
    EXPECT_TRUE(one.*(m.flag)) << m.name;
    EXPECT_EQ(enabled_mutations(one), std::vector<std::string>{std::string(m.name)});
    EXPECT_FALSE(all.*(m.flag)) << m.name << ": two entries flip one switch";
    all.*(m.flag) = true;
    EXPECT_EQ(find_mutation(m.name), &m);
  }
  EXPECT_EQ(enabled_mutations(all), mutation_names());
  Mutations none;
  EXPECT_FALSE(set_mutation(none, "no_such_mutation"));
  EXPECT_EQ(none, Mutations{});
  EXPECT_EQ(find_mutation("push_before"), nullptr);
}

TEST(MutationCatalog, ValidateAcceptsEverySwitch) {
  Config config = fast_config();
  for (const std::string& name : mutation_names())
    ASSERT_TRUE(set_mutation(config.mutations, name));
  EXPECT_FALSE(config_problem(config).has_value());
  validate(config);  // aborts on a refused switch
  Topology topology = make_topology(2, 1, {{ConvId{1}, {UserId{1}, UserId{2}}}});
  Device device(config, topology, dev(1, 1),
                DeviceOptions{Incarnation{0}, topology.device_token(dev(1, 1), Incarnation{0})},
                nullptr);
  TimelineStore store(config, topology, 0, nullptr);
}

TEST(MutationCatalog, ConfigProblemNamesTheBrokenRule) {
  Config config = fast_config();
  config.page_size = config.page_size_max + 1;
  const std::optional<std::string> problem = config_problem(config);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("page_size <= page_size_max"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace imsim::engine::testing
