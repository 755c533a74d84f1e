// The synthetic history of synthetic.hpp (the shape bench/checkers.cpp has always measured).
#include "imsim/history/synthetic.hpp"

#include <cstddef>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "imsim/history/writer.hpp"

namespace imsim::history {
namespace {

// Sizes and indices are std::size_t: they index the vectors below.
constexpr std::size_t users_count = 100;
constexpr std::size_t devices_per_user = 2;
constexpr std::size_t convs_count = 50;
constexpr std::size_t members_per_conv = 5;

std::string device_name(std::size_t user, std::size_t device) {
  return "u" + std::to_string(user) + "/d" + std::to_string(device);
}

HeaderSpec synthetic_header(std::vector<std::vector<std::size_t>>& members) {
  HeaderSpec header{.devices = {}, .conversations = {}, .scenario = "bench", .seed = 1};
  for (std::size_t u = 0; u < users_count; ++u) {
    for (std::size_t d = 0; d < devices_per_user; ++d)
      header.devices.emplace_back(device_name(u, d), "u" + std::to_string(u));
  }
  members.assign(convs_count, {});
  for (std::size_t c = 0; c < convs_count; ++c) {
    ConversationSpec conv{.name = "c" + std::to_string(c), .members = {}, .kind = ConvKind::group};
    for (std::size_t k = 0; k < members_per_conv; ++k) {
      members[c].push_back((c * 7 + k * 13) % users_count);
      conv.members.push_back("u" + std::to_string(members[c].back()));
    }
    header.conversations.push_back(conv);
  }
  return header;
}

}  // namespace

void write_synthetic_history(std::ostream& out, std::uint64_t events_target) {
  std::vector<std::vector<std::size_t>> members;
  const HeaderSpec header = synthetic_header(members);
  HistoryWriter w(out);
  w.write_header(header);
  TimeNs t = 0;
  for (const auto& [device, user] : header.devices) w.online(t, device);
  w.phase(t, PhaseKind::liveness);
  std::map<std::pair<std::string, std::size_t>, std::uint64_t> sends;    // (device, conv) -> count
  std::vector<std::pair<std::string, std::uint64_t>> last(convs_count);  // previous sender, count
  std::vector<std::vector<std::string>> timelines(convs_count);
  std::uint64_t seq = 0;
  while (w.events_written() + 2 * convs_count < events_target) {
    const std::size_t c = seq % convs_count;
    const std::size_t user = members[c][(seq / convs_count) % members_per_conv];
    const std::string sender = device_name(user, seq % devices_per_user);
    const std::string msg = "m" + std::to_string(seq);
    const std::string conv = "c" + std::to_string(c);
    ClockSpec vc{{sender, ++sends[{sender, c}]}};
    if (!last[c].first.empty() && last[c].first != sender) vc.push_back(last[c]);
    t += 1000;
    w.send(t, sender, conv, msg, vc);
    w.ack(t + 500, sender, msg, timelines[c].size() + 1);
    for (std::size_t member : members[c]) {
      for (std::size_t d = 0; d < devices_per_user; ++d)
        w.display(t + 700, device_name(member, d), conv, msg, DisplayAt::bottom);
    }
    last[c] = vc.front();
    timelines[c].push_back(msg);
    ++seq;
  }
  t += 1000;
  for (std::size_t c = 0; c < convs_count; ++c)
    w.timeline(t, "c" + std::to_string(c), timelines[c]);
  w.metrics(t, {{"network_frames", seq * 14}, {"store_writes", seq * 2}});
  w.end(t, true);
}

std::string synthetic_history(std::uint64_t events_target) {
  std::ostringstream out;
  write_synthetic_history(out, events_target);
  return std::move(out).str();
}

}  // namespace imsim::history
