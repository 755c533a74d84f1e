#pragma once
// Failure files: a self-contained record of one run that `imsim replay` re-runs and checks
// for determinism (same trace hash). Format (docs/scenario-format.md, "Failure files"):
//   {"format": "imsim-failure", "version": 1, "scenario": {...fully expanded...},
//    "seed": 42, "code_version": "0.1.0+abc", "expected_trace_hash": "0x00ab...",
//    "anomalies": [...]}
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "imsim/base/status.hpp"
#include "imsim/model/world_config.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::scenarios {

inline constexpr const char* kFailureFormat = "imsim-failure";
inline constexpr int kFailureVersion = 1;

struct FailureFile {
  model::WorldConfig scenario;  // its seed equals `seed`
  std::uint64_t seed = 0;
  std::string code_version;  // the imsim build that recorded it (code_version())
  std::uint64_t expected_trace_hash = 0;
  nlohmann::json anomalies = nlohmann::json::array();  // the checkers' reports, as written
};

// The version of this build: "<project version>+<git describe>" at configure time.
std::string code_version();

std::string format_trace_hash(std::uint64_t hash);  // "0x" + 16 hex digits
std::optional<std::uint64_t> parse_trace_hash(std::string_view text);

nlohmann::json to_json(const FailureFile& failure);
base::Result<FailureFile> load_failure(const nlohmann::json& document);
// JSON text (strict, as for scenarios); every error is prefixed with `origin` (a file name).
base::Result<FailureFile> load_failure_text(std::string_view text, std::string_view origin);
base::Result<FailureFile> load_failure_file(const std::filesystem::path& path);
// Writes the file (pretty-printed); an io_error if it cannot.
base::Status save_failure_file(const std::filesystem::path& path, const FailureFile& failure);

}  // namespace imsim::scenarios
