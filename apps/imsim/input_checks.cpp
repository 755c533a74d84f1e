// Bad input caught before any work (issue 15): what the command line names is checked for what
// it is — a directory, an output path that cannot be written, a file of another imsim kind —
// and said in one line. Also: the command printed in hints, and explore's random base seed.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "commands.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::cli {

namespace {

namespace fs = std::filesystem;

std::string& invocation() {
  static std::string text = "imsim";
  return text;
}

// True if `imsim`, looked up on PATH as a shell would, is the file at `path`.
bool path_lookup_finds(const fs::path& path) {
  const char* env = std::getenv("PATH");
  if (env == nullptr) return false;
  std::string_view rest(env);
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "imsim";
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0) return fs::equivalent(candidate, path, ec);
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

// The first line of a file (at most kLineBytesMax bytes), or nothing if it cannot be read.
constexpr std::size_t kLineBytesMax = 1 << 20;
// Whole JSON documents are read for their "format" up to this size (results.json, failure
// files are far smaller; a bigger file is not one of them).
constexpr std::uintmax_t kDocumentBytesMax = 64u << 20;

nlohmann::json read_json(const std::string& path, bool first_line_only) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::string text;
  if (first_line_only) {
    std::getline(in, text);
    if (text.size() > kLineBytesMax) return nullptr;
  } else {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec || size > kDocumentBytesMax) return nullptr;
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string format_of(const nlohmann::json& document) {
  if (!document.is_object()) return {};
  const auto it = document.find("format");
  if (it == document.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); i++) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); j++) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

void set_invocation(const char* argv0) {
  const std::string given = argv0 != nullptr && *argv0 != '\0' ? argv0 : "imsim";
  // Without a slash the shell found it on PATH; with one, the short name works only if PATH
  // leads to this same file. Otherwise hints repeat the path used, relative to the same
  // directory as the file names printed beside it.
  if (given.find('/') == std::string::npos || path_lookup_finds(given)) {
    invocation() = "imsim";
  } else {
    invocation() = given;
  }
}

const std::string& program() { return invocation(); }

base::Status check_out_dir(const std::string& dir, std::string_view flag) {
  fs::path existing(dir);
  std::error_code ec;
  // The nearest part of the path that exists decides: a file there, or an unwritable directory,
  // would only fail after the work.
  while (!fs::exists(existing, ec)) {
    if (!existing.has_parent_path() || existing.parent_path() == existing) {
      existing = ".";
      break;
    }
    existing = existing.parent_path();
  }
  if (!fs::is_directory(existing, ec)) {
    return base::Status::io_error(
        existing == fs::path(dir)
            ? fmt::format("{} {}: it is a file, not a directory", flag, dir)
            : fmt::format("{} {}: {} is a file, not a directory", flag, dir, existing.string()));
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    return base::Status::io_error(
        fmt::format("{} {}: cannot write into {}", flag, dir, existing.string()));
  }
  return {};
}

base::Status check_input_file(const std::string& path, InputKind expected) {
  std::error_code ec;
  // A library name is looked up after files: a directory of that name in the working
  // directory does not hide it (scenarios::load_scenario_named).
  if (expected == InputKind::kScenario && scenarios::find_library_scenario(path)) return {};
  if (fs::is_directory(path, ec)) {
    std::string hint;
    const fs::path dir(path);
    if (expected == InputKind::kHistory && fs::exists(dir / "history.jsonl", ec)) {
      hint = fmt::format(" (did you mean {}?)", (dir / "history.jsonl").string());
    } else if (fs::exists(dir / "replay.json", ec)) {
      hint = fmt::format(" (it holds a run's outputs: {} replay {})", program(),
                         (dir / "replay.json").string());
    }
    return base::Status::invalid_input(
        fmt::format("{}: is a directory, not {}{}", path, kind_name(expected), hint));
  }
  if (!fs::is_regular_file(path, ec)) return {};
  // Another imsim file than the one expected: say which, and which command takes it.
  const std::string format = format_of(read_json(path, /*first_line_only=*/true));
  const std::string whole = format.empty() ? format_of(read_json(path, false)) : format;
  const std::string run_hint = fmt::format("{} run {}", program(), path);
  if (whole == "imsim-history" && expected != InputKind::kHistory) {
    return base::Status::invalid_input(
        fmt::format("{}: is a history, not {}: check it with `{} check {}`", path,
                    kind_name(expected), program(), path));
  }
  if (whole == scenarios::kFailureFormat && expected != InputKind::kFailure) {
    return base::Status::invalid_input(
        fmt::format("{}: is a failure file, not {}: replay it with `{} replay {}`", path,
                    kind_name(expected), program(), path));
  }
  if (whole == "imsim-results") {
    return base::Status::invalid_input(fmt::format(
        "{}: is a run's results.json, not {}: {}", path, kind_name(expected),
        expected == InputKind::kHistory ? "the run's history is history.jsonl beside it"
                                        : "the run's failure file is replay.json beside it"));
  }
  if (whole == "imsim-explore" || whole == "imsim-shrink") {
    return base::Status::invalid_input(
        fmt::format("{}: is an {} summary, not {}", path, whole.substr(6), kind_name(expected)));
  }
  if (whole.empty() && expected != InputKind::kScenario) {
    // A JSON object without a format: what scenarios look like.
    const nlohmann::json document = read_json(path, false);
    if (document.is_object() && (document.contains("users") || document.contains("workload") ||
                                 document.contains("faults") || document.contains("durations"))) {
      return base::Status::invalid_input(fmt::format(
          "{}: is a scenario, not {}: run it with `{}`{}", path, kind_name(expected), run_hint,
          expected == InputKind::kHistory ? " (it writes history.jsonl)" : ""));
    }
  }
  return {};
}

std::string kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::kScenario:
      return "a scenario";
    case InputKind::kFailure:
      return "a failure file";
    case InputKind::kHistory:
      return "a history (JSON Lines, docs/history-format.md)";
  }
  return "?";
}

std::string closest_name(std::string_view word, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& name : names) {
    const std::size_t d = edit_distance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

std::uint64_t random_base_seed(std::uint64_t seeds) {
  // The one nondeterministic input of imsim, and only here in the CLI: the seeds it picks are
  // printed, so every run it leads to is reproducible.
  std::random_device device;
  const std::uint64_t drawn = (std::uint64_t(device()) << 32) ^ std::uint64_t(device());
  // The range first .. first + seeds - 1 must not pass 2^64 - 1.
  const std::uint64_t last_first = UINT64_MAX - (seeds - 1);
  return last_first == UINT64_MAX ? drawn : drawn % (last_first + 1);
}

}  // namespace imsim::cli
