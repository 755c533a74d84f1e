#pragma once
// The mutation catalog by name (DESIGN.md §5, docs/mutations.md): one entry per switch of
// `Mutations`, with the one-line description `imsim list` shows. Scenario loaders and the CLI use
// this table; nothing else keeps a copy of the names.
#include <imsim/engine/config.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace imsim::engine {

struct MutationInfo {
  std::string_view name;         // snake_case, as in scenarios (`engine.mutations`) and the CLI
  bool Mutations::*flag;         // the switch
  std::string_view description;  // the real-world pattern it reproduces, in one line
};

// Every switch of `Mutations`, in declaration order.
std::span<const MutationInfo> mutation_catalog();

// The catalog entry named `name`, or nullptr.
const MutationInfo* find_mutation(std::string_view name);

// Switches `name` on in `mutations`; false (and `mutations` unchanged) for an unknown name.
bool set_mutation(Mutations& mutations, std::string_view name);

// The names of the catalog, in order.
std::vector<std::string> mutation_names();

// The names of the switches that are on, in catalog order.
std::vector<std::string> enabled_mutations(const Mutations& mutations);

// The first rule of `validate` that `config` breaks, as a message; nullopt if it is usable.
// For hosts that must report rather than abort (scenario loaders, the CLI).
std::optional<std::string> config_problem(const Config& config);

}  // namespace imsim::engine
