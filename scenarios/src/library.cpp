// Scenario files and the library of named scenarios.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "imsim/scenarios/scenario.hpp"
#include "json_reader.hpp"

#ifndef IMSIM_SCENARIO_LIBRARY_DIR
#error "IMSIM_SCENARIO_LIBRARY_DIR must name the source tree's scenarios/library"
#endif

namespace imsim::scenarios {

namespace {

constexpr std::uintmax_t kScenarioFileSizeMax_bytes = 64 << 20;

}  // namespace

base::Result<model::WorldConfig> load_scenario_text(std::string_view text, std::string_view origin,
                                                    std::string_view default_name) {
  nlohmann::json document;
  std::string error;
  if (!detail::parse_json_text(text, document, error)) {
    base::Status status = base::Status::invalid_input(error);
    return origin.empty() ? status : status.prefixed(origin);
  }
  base::Result<model::WorldConfig> loaded = load_scenario(document, default_name);
  if (loaded.ok() || origin.empty()) return loaded;
  return loaded.status().prefixed(origin);
}

base::Result<model::WorldConfig> load_scenario_file(const std::filesystem::path& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return base::Status::io_error(fmt::format("{}: {}", path.string(), ec.message()));
  if (size > kScenarioFileSizeMax_bytes) {
    return base::Status::limit_exceeded(
        fmt::format("{}: larger than {} bytes", path.string(), kScenarioFileSizeMax_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return base::Status::io_error(fmt::format("{}: cannot read", path.string()));
  return load_scenario_text(text.str(), path.string(), path.stem().string());
}

base::Result<model::WorldConfig> load_scenario_named(std::string_view file_or_name) {
  const std::filesystem::path path(file_or_name);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return load_scenario_file(path);
  if (const auto found = find_library_scenario(file_or_name)) return load_scenario_file(*found);
  std::vector<std::string> dirs;
  for (const auto& dir : library_dirs()) dirs.push_back(dir.string());
  return base::Status::not_found(fmt::format(
      "{}: no such file, and no library scenario of that name (searched {}; see `imsim list`)",
      file_or_name, fmt::join(dirs, ", ")));
}

std::vector<std::filesystem::path> library_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("IMSIM_SCENARIO_PATH")) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      const std::string_view entry = rest.substr(0, colon);
      if (!entry.empty()) dirs.emplace_back(entry);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  dirs.emplace_back(IMSIM_SCENARIO_LIBRARY_DIR);
  return dirs;
}

std::optional<std::filesystem::path> find_library_scenario(std::string_view name) {
  // A name is a file stem: no path separators, no "..".
  if (name.empty() || name.find('/') != std::string_view::npos || name.starts_with(".")) {
    return std::nullopt;
  }
  for (const auto& dir : library_dirs()) {
    std::filesystem::path candidate = dir / (std::string(name) + ".json");
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

std::vector<LibraryEntry> list_library() {
  std::map<std::string, LibraryEntry> entries;
  for (const auto& dir : library_dirs()) {
    std::error_code ec;
    for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
      if (item.path().extension() != ".json") continue;
      const std::string name = item.path().stem().string();
      if (entries.count(name) > 0) continue;
      LibraryEntry entry{name, item.path(), "", ""};
      base::Result<model::WorldConfig> loaded = load_scenario_file(item.path());
      if (loaded.ok()) {
        entry.description = loaded.value().description;
      } else {
        entry.error = loaded.status().message();
      }
      entries.emplace(name, std::move(entry));
    }
  }
  std::vector<LibraryEntry> out;
  for (auto& [name, entry] : entries) out.push_back(std::move(entry));
  return out;
}

}  // namespace imsim::scenarios
