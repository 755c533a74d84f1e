// run_stories: the history's stories plus the run's faults (stories.hpp).
#include "imsim/scenarios/stories.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "loader.hpp"

namespace imsim::scenarios {
namespace {

// Does the fault name one of `devices` (as its node, an end of a cut, or in a partition group)?
bool names_any(const model::Fault& f, const std::vector<std::string>& devices) {
  auto in = [&](const std::string& n) {
    return std::find(devices.begin(), devices.end(), n) != devices.end();
  };
  if (in(f.node) || in(f.from) || in(f.to)) return true;
  for (const auto& group : f.groups) {
    if (std::any_of(group.begin(), group.end(), in)) return true;
  }
  for (const auto& [a, b] : f.links) {
    if (in(a) || in(b)) return true;
  }
  return false;
}

// "1.200 s  offline u1/d1": the fault as the scenario format writes it, time first.
std::string fault_line(const model::Fault& f, history::TimeNs origin_ns) {
  nlohmann::json j = detail::faults_to_json({f}).at(0);
  std::string fields;
  for (const auto& [key, value] : j.items()) {
    if (key == "at_s" || key == "kind") continue;
    fields +=
        fmt::format(" {}={}", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return fmt::format("{}  {}{}", properties::format_story_time(f.at_ns, origin_ns),
                     j.at("kind").get<std::string>(), fields);
}

std::string link_line(const char* name, const model::LinkModel& link) {
  if (link.loss_p == 0 && link.dup_p == 0 && link.reorder_p == 0) return "";
  return fmt::format("{} links all run long: loss_p {}, dup_p {}, reorder_p {}", name, link.loss_p,
                     link.dup_p, link.reorder_p);
}

std::string counters_line(const model::RunResult& r) {
  auto at = [&](const char* name) -> std::uint64_t {
    const auto it = r.counters.find(name);
    return it == r.counters.end() ? 0 : it->second;
  };
  return fmt::format(
      "network over the whole run: {} datagrams dropped, {} duplicated; {} stream frames lost, "
      "{} duplicated; {} connections reset",
      at("net.datagrams_dropped"), at("net.datagrams_duplicated"), at("net.conn_frames_lost"),
      at("net.conn_frames_duplicated"), at("net.conns_reset"));
}

void add_faults(properties::Story& story, const model::WorldConfig& config,
                const model::RunResult& result) {
  std::size_t omitted = 0;
  for (const model::Fault& f : result.fault_schedule) {
    if (f.at_ns > story.window_end_ns) break;  // the schedule is in time order
    const bool recent = f.at_ns >= story.window_start_ns - kStoryFaultLead_ns;
    if (!recent && !names_any(f, story.devices)) continue;
    if (story.faults.size() == kStoryFaultsMax) {
      omitted++;
      continue;
    }
    story.faults.push_back(fault_line(f, 0));
  }
  if (story.faults.empty()) {
    story.faults.push_back(fmt::format(
        "no scheduled fault from {} s before the first event to the last, nor naming {}",
        kStoryFaultLead_ns / 1'000'000'000, fmt::join(story.devices, ", ")));
  }
  if (omitted > 0) story.faults.push_back(fmt::format("... {} more faults", omitted));
  for (const std::string& line : {link_line("device-gateway (mobile)", config.network.mobile),
                                  link_line("server-server", config.network.servers)}) {
    if (!line.empty()) story.faults.push_back(line);
  }
  story.faults.push_back(counters_line(result));
}

}  // namespace

properties::Stories run_stories(const history::History& history, const properties::Report& report,
                                const model::WorldConfig& config, const model::RunResult& result) {
  // Simulated time starts at 0, where the fault schedule starts too.
  properties::Stories stories = properties::build_stories(history, report, 0);
  for (properties::Story& story : stories.stories) add_faults(story, config, result);
  return stories;
}

}  // namespace imsim::scenarios
