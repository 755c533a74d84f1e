#include "imsim/fuzz/entries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "imsim/engine/config.hpp"
#include "imsim/history/reader.hpp"
#include "imsim/properties/check.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::fuzz {
namespace {

constexpr std::string_view kOrigin = "fuzz-input.json";

std::string_view as_text(Input data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

}  // namespace

std::string check_rejection(std::string_view origin, std::string_view error,
                            std::string_view input) {
  const std::string prefix = fmt::format("{}: ", origin);
  if (error.size() <= prefix.size() || !error.starts_with(prefix)) {
    return fmt::format("rejection does not name the input \"{}\": \"{}\"", origin, error);
  }
  // The loaders' catch-all says "<origin>: internal loader error: <what>"; the same words can
  // come from the input (a key is a JSON path in the message, an excerpt is quoted).
  constexpr std::string_view kCatchAll = "internal loader error";
  if (input.find(kCatchAll) == std::string_view::npos &&
      error.find(kCatchAll) != std::string_view::npos) {
    return fmt::format("rejected by an unanticipated exception, not a checked rule: \"{}\"", error);
  }
  return "";
}

std::string check_round_trip(std::string_view what, std::string_view first_expansion, bool reloaded,
                             std::string_view reload_error, std::string_view second_expansion) {
  if (!reloaded) {
    return fmt::format("{} was accepted, but its own expansion is rejected: {}", what,
                       reload_error);
  }
  if (first_expansion != second_expansion) {
    return fmt::format("{} does not round-trip: expansion {} loads back as {}", what,
                       first_expansion.substr(0, 400), second_expansion.substr(0, 400));
  }
  return "";
}

std::string check_decoded(Input data, const engine::DecodeResult& result) {
  if (result.ok() != (result.error == engine::DecodeError::none)) {
    return fmt::format("decode result inconsistent: frame {} with error {}",
                       result.ok() ? "present" : "absent", engine::to_string(result.error));
  }
  if (!result.ok()) return "";
  const engine::Bytes again = engine::encode(*result.frame);
  if (!std::ranges::equal(again, data)) {
    return fmt::format("decoded {} bytes re-encode to {} different bytes (not canonical)",
                       data.size(), again.size());
  }
  return "";
}

std::string scenario_loader(Input data) {
  const auto loaded = scenarios::load_scenario_text(as_text(data), kOrigin);
  if (!loaded.ok()) return check_rejection(kOrigin, loaded.status().message(), as_text(data));
  const nlohmann::json first = scenarios::to_json(loaded.value());
  const auto again = scenarios::load_scenario(first);
  return check_round_trip("scenario", first.dump(), again.ok(),
                          again.ok() ? "" : again.status().message(),
                          again.ok() ? scenarios::to_json(again.value()).dump() : "");
}

std::string failure_file(Input data) {
  const auto loaded = scenarios::load_failure_text(as_text(data), kOrigin);
  if (!loaded.ok()) return check_rejection(kOrigin, loaded.status().message(), as_text(data));
  const nlohmann::json first = scenarios::to_json(loaded.value());
  const auto again = scenarios::load_failure(first);
  return check_round_trip("failure file", first.dump(), again.ok(),
                          again.ok() ? "" : again.status().message(),
                          again.ok() ? scenarios::to_json(again.value()).dump() : "");
}

namespace {

// The fast line reader and the strict DOM path must agree on every input (reader.hpp).
std::string check_line_readings(std::string_view text) {
  const auto fast = history::parse_history(text, history::LineReading::fast);
  const auto strict = history::parse_history(text, history::LineReading::strict_only);
  if (fast.ok() != strict.ok()) {
    return fmt::format("fast and strict line readings disagree: {}",
                       (fast.ok() ? strict.status() : fast.status()).message());
  }
  if (fast.ok() && !(fast.value() == strict.value())) {
    return "fast and strict line readings read different histories";
  }
  if (!fast.ok() && fast.status().message() != strict.status().message()) {
    return fmt::format("fast and strict line readings word the error differently: \"{}\" vs \"{}\"",
                       fast.status().message(), strict.status().message());
  }
  return "";
}

}  // namespace

std::string history_reader(Input data) {
  if (std::string differ = check_line_readings(as_text(data)); !differ.empty()) return differ;
  std::istringstream in{std::string(as_text(data))};
  const properties::CheckOutcome outcome = properties::check_stream(in);
  const bool malformed = !outcome.status.ok();
  if (malformed != (outcome.exit_code == properties::exit_malformed) ||
      malformed == outcome.report.has_value()) {
    return fmt::format("check outcome inconsistent: exit {}, error {}, report {}",
                       outcome.exit_code, malformed, outcome.report.has_value());
  }
  if (malformed) {
    if (outcome.status.message().empty()) return "malformed history rejected without a message";
    return "";
  }
  const properties::Report& report = *outcome.report;
  const int expected_exit = report.ok() ? properties::exit_ok : properties::exit_anomaly;
  if (outcome.exit_code != expected_exit) {
    return fmt::format("exit {} for a report with {} anomalies", outcome.exit_code,
                       report.anomaly_count());
  }
  // The report is printed by `imsim check` (text and --json): it must render.
  const std::string text = properties::to_text(report);
  const std::string json = properties::to_json(report).dump();
  if (text.empty() || json.empty()) return "empty report rendering";
  return "";
}

std::string frame_decoder(Input data) {
  const engine::Config config;
  return check_decoded(data, engine::decode(data, config.frame_bytes_max));
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {{"scenario_loader", &scenario_loader},
                                          {"history_reader", &history_reader},
                                          {"failure_file", &failure_file},
                                          {"frame_decoder", &frame_decoder}};
  return all;
}

}  // namespace imsim::fuzz
