#pragma once
// HistoryBuilder: builds small histories in C++ for tests (and examples). Calls are recorded
// in file order; `jsonl()` writes them through HistoryWriter and `build()` parses the text
// back with the validating reader, so a built history is always a valid one.
//
// `send` without an explicit clock computes `vc` (and `gvc` when enabled) as a correct
// recorder would: own entry = sends so far, other entries = the max over the clocks of the
// messages this device displayed before the send.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imsim/history/history.hpp"
#include "imsim/history/writer.hpp"

namespace imsim::history {

class HistoryBuilder {
 public:
  HistoryBuilder& device(const std::string& device, const std::string& user);
  HistoryBuilder& conversation(const std::string& conv, std::vector<std::string> members,
                               ConvKind kind = ConvKind::unspecified);
  HistoryBuilder& scenario(const std::string& name, std::uint64_t seed);
  HistoryBuilder& with_gvc(bool enabled = true);
  // The header's version: 1 unless set (so version-1 tests keep their meaning).
  HistoryBuilder& version(int version);

  HistoryBuilder& send(TimeNs t_ns, const std::string& device, const std::string& conv,
                       const std::string& msg);
  HistoryBuilder& send_vc(TimeNs t_ns, const std::string& device, const std::string& conv,
                          const std::string& msg, const ClockSpec& vc,
                          std::optional<ClockSpec> gvc = std::nullopt);
  HistoryBuilder& ack(TimeNs t_ns, const std::string& device, const std::string& msg,
                      std::uint64_t conv_seq);
  HistoryBuilder& fail(TimeNs t_ns, const std::string& device, const std::string& msg);
  HistoryBuilder& display(TimeNs t_ns, const std::string& device, const std::string& conv,
                          const std::string& msg, DisplayAt at = DisplayAt::bottom);
  // A display that carries the conv_seq the device believes the message has.
  HistoryBuilder& display_seq(TimeNs t_ns, const std::string& device, const std::string& conv,
                              const std::string& msg, std::uint64_t conv_seq,
                              DisplayAt at = DisplayAt::bottom);
  HistoryBuilder& top_reached(TimeNs t_ns, const std::string& device, const std::string& conv);
  HistoryBuilder& online(TimeNs t_ns, const std::string& device);
  HistoryBuilder& offline(TimeNs t_ns, const std::string& device);
  HistoryBuilder& kill(TimeNs t_ns, const std::string& device);
  HistoryBuilder& reinstall(TimeNs t_ns, const std::string& device);
  HistoryBuilder& phase(TimeNs t_ns, PhaseKind phase);
  HistoryBuilder& timeline(TimeNs t_ns, const std::string& conv, std::vector<std::string> msgs,
                           std::uint64_t first_conv_seq = 1);
  HistoryBuilder& end(TimeNs t_ns, bool quiesced = true);
  HistoryBuilder& metrics(TimeNs t_ns, std::map<std::string, std::uint64_t> counters);

  std::string jsonl() const;
  History build() const;  // asserts that the text parses

 private:
  using Clock = std::map<std::string, std::uint64_t>;
  HistoryBuilder& op(std::function<void(HistoryWriter&)> fn);
  static ClockSpec to_spec(const Clock& clock);

  HeaderSpec header_{.devices = {}, .conversations = {}, .scenario = {}, .seed = {}, .version = 1};
  bool gvc_enabled_ = false;
  std::vector<std::function<void(HistoryWriter&)>> ops_;
  std::map<std::string, std::string> conv_of_msg_;
  std::map<std::string, Clock> vc_of_msg_;
  std::map<std::string, Clock> gvc_of_msg_;
  std::map<std::pair<std::string, std::string>, Clock> seen_vc_;        // (device, conv) -> max
  std::map<std::string, Clock> seen_gvc_;                               // device -> max
  std::map<std::pair<std::string, std::string>, std::uint64_t> sends_;  // (device, conv)
  std::map<std::string, std::uint64_t> sends_all_;                      // device
};

}  // namespace imsim::history
