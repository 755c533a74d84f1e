// Failure files: load, save, trace-hash text.
#include "imsim/scenarios/failure_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "loader.hpp"

#ifndef IMSIM_CODE_VERSION
#error "IMSIM_CODE_VERSION must be defined by the build"
#endif

namespace imsim::scenarios {

namespace {

using detail::json;

FailureFile read_failure(const json& document) {
  detail::ObjectReader r(document, "");
  // The format first: a scenario given to `imsim replay` should be told it is not a failure file.
  if (!r.has("format") || r.get("format") != kFailureFormat) {
    detail::fail_expected("format", fmt::format("\"{}\" (a failure file)", kFailureFormat),
                          r.has("format") ? r.get("format") : json(nullptr));
  }
  r.allow({"format", "version", "scenario", "seed", "code_version", "expected_trace_hash",
           "anomalies"});
  r.integer("version", kFailureVersion, kFailureVersion, kFailureVersion);
  if (!r.has("version")) detail::fail("", "missing required field \"version\"");
  FailureFile failure;
  if (!r.has("seed")) detail::fail("", "missing required field \"seed\"");
  failure.seed = r.unsigned_integer("seed", 0);
  failure.scenario = detail::read_world(r.get("scenario"), "failure", "scenario");
  failure.scenario.seed = failure.seed;
  failure.code_version = r.string("code_version", "unknown");
  const std::string hash_text = r.require_string("expected_trace_hash");
  const std::optional<std::uint64_t> hash = parse_trace_hash(hash_text);
  if (!hash) {
    detail::fail_expected("expected_trace_hash", "\"0x\" and 1 to 16 hex digits",
                          r.get("expected_trace_hash"));
  }
  failure.expected_trace_hash = *hash;
  if (r.has("anomalies")) {
    if (!r.get("anomalies").is_array()) {
      detail::fail_expected("anomalies", "an array", r.get("anomalies"));
    }
    failure.anomalies = r.get("anomalies");
  }
  return failure;
}

}  // namespace

std::string code_version() { return IMSIM_CODE_VERSION; }

std::string format_trace_hash(std::uint64_t hash) { return fmt::format("0x{:016x}", hash); }

std::optional<std::uint64_t> parse_trace_hash(std::string_view text) {
  if (!text.starts_with("0x") || text.size() < 3 || text.size() > 18) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text.substr(2)) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) return std::nullopt;
    value = value * 16 + std::uint64_t(digit);
  }
  return value;
}

nlohmann::json to_json(const FailureFile& failure) {
  model::WorldConfig scenario = failure.scenario;
  scenario.seed = failure.seed;
  return json{{"format", kFailureFormat},
              {"version", kFailureVersion},
              {"scenario", to_json(scenario)},
              {"seed", failure.seed},
              {"code_version", failure.code_version},
              {"expected_trace_hash", format_trace_hash(failure.expected_trace_hash)},
              {"anomalies", failure.anomalies}};
}

base::Result<FailureFile> load_failure(const nlohmann::json& document) {
  try {
    return read_failure(document);
  } catch (const detail::LoadFailure& failure) {
    return base::Status::invalid_input(failure.message);
  } catch (const std::exception& e) {
    return base::Status::invalid_input(fmt::format("internal loader error: {}", e.what()));
  }
}

base::Result<FailureFile> load_failure_text(std::string_view text, std::string_view origin) {
  json document;
  std::string error;
  if (!detail::parse_json_text(text, document, error)) {
    return base::Status::invalid_input(fmt::format("{}: {}", origin, error));
  }
  base::Result<FailureFile> loaded = load_failure(document);
  if (loaded.ok()) return loaded;
  return loaded.status().prefixed(origin);
}

base::Result<FailureFile> load_failure_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Status::io_error(fmt::format("{}: cannot open", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return load_failure_text(text.str(), path.string());
}

base::Status save_failure_file(const std::filesystem::path& path, const FailureFile& failure) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << to_json(failure).dump(2) << '\n';
  out.close();
  if (!out) return base::Status::io_error(fmt::format("{}: cannot write", path.string()));
  return {};
}

}  // namespace imsim::scenarios
