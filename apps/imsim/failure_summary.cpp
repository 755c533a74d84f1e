// What a failure's summary shows beside the failure file (issue 15): the world the failing run
// had left after shrinking and its remaining fault schedule, and, for a scenario that expects
// anomalies, which expected ones were missing.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace imsim::cli {

namespace {

// Fault lines printed; a longer schedule (an unshrunk one) is in the failure file.
constexpr std::size_t kSummaryFaultsMax = 20;

std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// "at 2 s: offline node=u2/d1 for_s=2", from the fault as the scenario format writes it.
std::string fault_text(const nlohmann::json& fault) {
  std::string text = fmt::format("at {} s: {}", value_text(fault.value("at_s", nlohmann::json(0))),
                                 value_text(fault.value("kind", nlohmann::json("?"))));
  for (const auto& [key, value] : fault.items()) {
    if (key == "at_s" || key == "kind") continue;
    text += fmt::format(" {}={}", key, value_text(value));
  }
  return text;
}

std::string users_text(const nlohmann::json& users) {
  if (users.is_object()) {
    return fmt::format("{} generated users ({}..{} devices each)", value_text(users["count"]),
                       value_text(users["devices_min"]), value_text(users["devices_max"]));
  }
  std::vector<std::string> devices;
  for (const nlohmann::json& user : users) {
    for (const nlohmann::json& device : user["devices"]) {
      devices.push_back(fmt::format("{}/{}", value_text(user["id"]), value_text(device["id"])));
    }
  }
  return fmt::format("{} user{}, {} device{}: {}", users.size(), users.size() == 1 ? "" : "s",
                     devices.size(), devices.size() == 1 ? "" : "s", fmt::join(devices, " "));
}

std::string conversations_text(const nlohmann::json& conversations) {
  if (conversations.is_object()) return "generated conversations";
  std::vector<std::string> parts;
  for (const nlohmann::json& c : conversations) {
    std::vector<std::string> members;
    for (const nlohmann::json& m : c["members"]) members.push_back(value_text(m));
    parts.push_back(fmt::format("{} ({}: {})", value_text(c["id"]), value_text(c["kind"]),
                                fmt::join(members, " ")));
  }
  return fmt::format("{} conversation{}: {}", parts.size(), parts.size() == 1 ? "" : "s",
                     fmt::join(parts, ", "));
}

}  // namespace

void print_failure_world(const scenarios::RunOutcome& outcome) {
  const nlohmann::json scenario = scenarios::to_json(outcome.config);
  fmt::print("world       {}; {}\n", users_text(scenario["users"]),
             conversations_text(scenario["conversations"]));
  const model::RunResult& r = outcome.result;
  fmt::print(
      "            safety phase {:.3f} s; messages sent {}, stored {}, acked {}, "
      "failed {}, displays {}\n",
      double(outcome.config.durations.safety_ns) / 1e9, r.messages_sent, r.messages_stored,
      r.messages_acked, r.messages_failed, r.displays);
  const nlohmann::json& faults = scenario["faults"];
  if (faults.empty()) {
    fmt::print("faults      none (the final heal only)\n");
    return;
  }
  fmt::print("faults      {} left:\n", faults.size());
  const std::size_t shown = std::min(faults.size(), kSummaryFaultsMax);
  for (std::size_t i = 0; i < shown; i++) fmt::print("  - {}\n", fault_text(faults[i]));
  if (faults.size() > shown) {
    fmt::print("  ... {} more in the failure file\n", faults.size() - shown);
  }
}

std::vector<std::string> expected_missing(const model::Checks& checks,
                                          const std::vector<std::string>& found) {
  std::vector<std::string> missing;
  if (checks.expect_valid) return missing;
  for (const std::string& name : checks.expect_anomalies) {
    if (std::find(found.begin(), found.end(), name) == found.end()) missing.push_back(name);
  }
  return missing;
}

std::string failure_class_text(const model::Checks& checks, const std::vector<std::string>& found) {
  const std::vector<std::string> missing = expected_missing(checks, found);
  std::string text;
  if (!missing.empty()) {
    text = fmt::format("expected anomal{} {} missing", missing.size() == 1 ? "y" : "ies",
                       fmt::join(missing, ", "));
    if (!found.empty()) text += fmt::format("; found {}", fmt::join(found, ", "));
    return text;
  }
  return found.empty() ? std::string("no anomaly") : fmt::format("{}", fmt::join(found, ", "));
}

}  // namespace imsim::cli
