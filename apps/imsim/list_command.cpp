// imsim list: the library scenarios, by name, and the engine's mutation catalog.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "imsim/engine/mutations.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::cli {

int list_command(const ListArgs& args) {
  const std::vector<scenarios::LibraryEntry> entries = scenarios::list_library();
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const scenarios::LibraryEntry& e : entries) {
      out.push_back(
          {{"name", e.name},
           {"path", e.path.string()},
           {"description", e.description},
           {"error", e.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.error)}});
    }
    nlohmann::json mutations = nlohmann::json::array();
    for (const auto& m : engine::mutation_catalog()) {
      mutations.push_back({{"name", m.name}, {"description", m.description}});
    }
    std::cout << nlohmann::json{{"scenarios", out}, {"mutations", mutations}}.dump(2) << '\n';
    return scenarios::kExitValid;
  }
  std::size_t width = 0;
  for (const scenarios::LibraryEntry& e : entries) width = std::max(width, e.name.size());
  for (const scenarios::LibraryEntry& e : entries) {
    const std::string text = e.error.empty() ? e.description : "DOES NOT LOAD: " + e.error;
    fmt::print("{:<{}}  {}\n", e.name, width, text);
  }
  if (entries.empty()) fmt::print(stderr, "imsim: no scenarios found\n");
  std::string dirs;
  for (const auto& dir : scenarios::library_dirs()) dirs += " " + dir.string();
  fmt::print("\n{} scenarios (from{}); run one with: imsim run <name>\n", entries.size(), dirs);
  fmt::print("\nmutations (engine switches re-introducing real IM bugs; docs/mutations.md):\n");
  for (const auto& m : engine::mutation_catalog()) {
    fmt::print("  {:<24}  {}\n", m.name, m.description);
  }
  fmt::print("switch one on with: imsim run <name> --mutation NAME\n");
  return scenarios::kExitValid;
}

}  // namespace imsim::cli
