#pragma once
// The JSON scenario format (docs/scenario-format.md) <-> model::WorldConfig, and the library
// of named scenarios (scenarios/library/<name>.json).
//
// Loading never throws on bad input and never crashes: it returns an error Status whose message
// names the JSON path and the expectation, e.g. `faults[2].at_s: expected a number >= 0, got
// "ten"` (invalid_input), or the file that cannot be read (io_error), is too large
// (limit_exceeded), or is neither a file nor a library name (not_found).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "imsim/base/status.hpp"
#include "imsim/model/world_config.hpp"

namespace imsim::scenarios {

// A parsed scenario document. `default_name` is used when the document has no "name".
base::Result<model::WorldConfig> load_scenario(const nlohmann::json& document,
                                               std::string_view default_name = "scenario");
// JSON text; parse errors are reported with `origin` (a file name) as the path.
base::Result<model::WorldConfig> load_scenario_text(std::string_view text, std::string_view origin,
                                                    std::string_view default_name = "scenario");
// A file; the default name is the file's stem.
base::Result<model::WorldConfig> load_scenario_file(const std::filesystem::path& path);
// `file_or_name`: an existing file path, or the name of a library scenario (see
// find_library_scenario).
base::Result<model::WorldConfig> load_scenario_named(std::string_view file_or_name);

// The fully expanded scenario document (every field, defaults included): load_scenario of it
// gives back an equal WorldConfig.
nlohmann::json to_json(const model::WorldConfig& config);

// ---- Library --------------------------------------------------------------------------------
// Directories searched for `<name>.json`, in order: each entry of the environment variable
// IMSIM_SCENARIO_PATH (':'-separated), then the source tree's scenarios/library.
std::vector<std::filesystem::path> library_dirs();
std::optional<std::filesystem::path> find_library_scenario(std::string_view name);

struct LibraryEntry {
  std::string name;  // file stem
  std::filesystem::path path;
  std::string description;  // "" if the file does not load (error holds why)
  std::string error;
};
// Every scenario of every library dir (a name found twice: the first dir wins), by name.
std::vector<LibraryEntry> list_library();

// Node name of a device: "<user>/<device>".
inline std::string device_node_name(std::string_view user, std::string_view device) {
  return std::string(user) + "/" + std::string(device);
}

}  // namespace imsim::scenarios
