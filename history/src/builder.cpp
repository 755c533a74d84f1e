// HistoryBuilder: small valid histories for tests, written and re-read through the real
// writer and reader.
#include "imsim/history/builder.hpp"

#include <algorithm>
#include <sstream>

#include "imsim/base/assert.hpp"
#include "imsim/history/reader.hpp"

namespace imsim::history {

HistoryBuilder& HistoryBuilder::device(const std::string& device, const std::string& user) {
  IMSIM_ASSERT_MSG(ops_.empty(), "declare devices before events");
  header_.devices.emplace_back(device, user);
  return *this;
}

HistoryBuilder& HistoryBuilder::conversation(const std::string& conv,
                                             std::vector<std::string> members, ConvKind kind) {
  IMSIM_ASSERT_MSG(ops_.empty(), "declare conversations before events");
  header_.conversations.push_back({.name = conv, .members = std::move(members), .kind = kind});
  return *this;
}

HistoryBuilder& HistoryBuilder::scenario(const std::string& name, std::uint64_t seed) {
  header_.scenario = name;
  header_.seed = seed;
  return *this;
}

HistoryBuilder& HistoryBuilder::with_gvc(bool enabled) {
  gvc_enabled_ = enabled;
  return *this;
}

HistoryBuilder& HistoryBuilder::op(std::function<void(HistoryWriter&)> fn) {
  ops_.push_back(std::move(fn));
  return *this;
}

ClockSpec HistoryBuilder::to_spec(const Clock& clock) {
  return ClockSpec(clock.begin(), clock.end());
}

HistoryBuilder& HistoryBuilder::send(TimeNs t_ns, const std::string& device,
                                     const std::string& conv, const std::string& msg) {
  Clock vc = seen_vc_[{device, conv}];
  vc[device] = sends_[{device, conv}] + 1;
  std::optional<ClockSpec> gvc;
  if (gvc_enabled_) {
    Clock g = seen_gvc_[device];
    g[device] = sends_all_[device] + 1;
    gvc = to_spec(g);
  }
  return send_vc(t_ns, device, conv, msg, to_spec(vc), gvc);
}

HistoryBuilder& HistoryBuilder::send_vc(TimeNs t_ns, const std::string& device,
                                        const std::string& conv, const std::string& msg,
                                        const ClockSpec& vc, std::optional<ClockSpec> gvc) {
  ++sends_[{device, conv}];
  ++sends_all_[device];
  conv_of_msg_[msg] = conv;
  vc_of_msg_[msg] = Clock(vc.begin(), vc.end());
  if (gvc) gvc_of_msg_[msg] = Clock(gvc->begin(), gvc->end());
  // A device has "seen" its own sends: later sends dominate them.
  for (const auto& [d, c] : vc)
    seen_vc_[{device, conv}][d] = std::max(seen_vc_[{device, conv}][d], c);
  if (gvc) {
    for (const auto& [d, c] : *gvc) seen_gvc_[device][d] = std::max(seen_gvc_[device][d], c);
  }
  return op([=](HistoryWriter& w) { w.send(t_ns, device, conv, msg, vc, gvc ? &*gvc : nullptr); });
}

HistoryBuilder& HistoryBuilder::ack(TimeNs t_ns, const std::string& device, const std::string& msg,
                                    std::uint64_t conv_seq) {
  return op([=](HistoryWriter& w) { w.ack(t_ns, device, msg, conv_seq); });
}

HistoryBuilder& HistoryBuilder::fail(TimeNs t_ns, const std::string& device,
                                     const std::string& msg) {
  return op([=](HistoryWriter& w) { w.fail(t_ns, device, msg); });
}

HistoryBuilder& HistoryBuilder::display(TimeNs t_ns, const std::string& device,
                                        const std::string& conv, const std::string& msg,
                                        DisplayAt at) {
  if (auto it = vc_of_msg_.find(msg); it != vc_of_msg_.end()) {
    Clock& seen = seen_vc_[{device, conv}];
    for (const auto& [d, c] : it->second) seen[d] = std::max(seen[d], c);
  }
  if (auto it = gvc_of_msg_.find(msg); it != gvc_of_msg_.end()) {
    Clock& seen = seen_gvc_[device];
    for (const auto& [d, c] : it->second) seen[d] = std::max(seen[d], c);
  }
  return op([=](HistoryWriter& w) { w.display(t_ns, device, conv, msg, at); });
}

HistoryBuilder& HistoryBuilder::display_seq(TimeNs t_ns, const std::string& device,
                                            const std::string& conv, const std::string& msg,
                                            std::uint64_t conv_seq, DisplayAt at) {
  display(t_ns, device, conv, msg, at);  // the clock bookkeeping of a display
  ops_.back() = [=](HistoryWriter& w) { w.display(t_ns, device, conv, msg, at, conv_seq); };
  return *this;
}

HistoryBuilder& HistoryBuilder::top_reached(TimeNs t_ns, const std::string& device,
                                            const std::string& conv) {
  return op([=](HistoryWriter& w) { w.top_reached(t_ns, device, conv); });
}

HistoryBuilder& HistoryBuilder::version(int version) {
  header_.version = version;
  return *this;
}

HistoryBuilder& HistoryBuilder::online(TimeNs t_ns, const std::string& device) {
  return op([=](HistoryWriter& w) { w.online(t_ns, device); });
}

HistoryBuilder& HistoryBuilder::offline(TimeNs t_ns, const std::string& device) {
  return op([=](HistoryWriter& w) { w.offline(t_ns, device); });
}

HistoryBuilder& HistoryBuilder::kill(TimeNs t_ns, const std::string& device) {
  return op([=](HistoryWriter& w) { w.kill(t_ns, device); });
}

HistoryBuilder& HistoryBuilder::reinstall(TimeNs t_ns, const std::string& device) {
  return op([=](HistoryWriter& w) { w.reinstall(t_ns, device); });
}

HistoryBuilder& HistoryBuilder::phase(TimeNs t_ns, PhaseKind phase) {
  return op([=](HistoryWriter& w) { w.phase(t_ns, phase); });
}

HistoryBuilder& HistoryBuilder::timeline(TimeNs t_ns, const std::string& conv,
                                         std::vector<std::string> msgs,
                                         std::uint64_t first_conv_seq) {
  return op([=](HistoryWriter& w) { w.timeline(t_ns, conv, msgs, first_conv_seq); });
}

HistoryBuilder& HistoryBuilder::end(TimeNs t_ns, bool quiesced) {
  return op([=](HistoryWriter& w) { w.end(t_ns, quiesced); });
}

HistoryBuilder& HistoryBuilder::metrics(TimeNs t_ns,
                                        std::map<std::string, std::uint64_t> counters) {
  return op([=](HistoryWriter& w) { w.metrics(t_ns, counters); });
}

std::string HistoryBuilder::jsonl() const {
  std::ostringstream out;
  HistoryWriter writer(out);
  writer.write_header(header_);
  for (const auto& fn : ops_) fn(writer);
  return out.str();
}

History HistoryBuilder::build() const {
  const std::string text = jsonl();
  base::Result<History> result = parse_history(text);
  if (!result.ok()) {
    std::fprintf(stderr, "HistoryBuilder: %s\n%s", result.status().message().c_str(), text.c_str());
  }
  IMSIM_ASSERT_MSG(result.ok(), "a built history must be valid");
  return std::move(result).value();
}

}  // namespace imsim::history
