#pragma once
// HistoryIndex: everything the checkers derive from a history, built once in one pass over
// the events (plus one pass per view): per-message facts (send, status, timeline position),
// the views of every incarnation, online/liveness facts, required devices. Checkers only read
// it. All ids are dense, so lookups are vector indexing.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imsim/history/history.hpp"
#include "imsim/properties/anomaly.hpp"

namespace imsim::properties {

using history::ConvId;
using history::DeviceId;
using history::History;
using history::MsgId;
using history::TimeNs;
using history::UserId;

inline constexpr std::uint32_t no_index = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::int64_t no_position = -1;

enum class Status : std::uint8_t { none, ack, fail };
std::string_view status_name(Status status);  // "none", "ack", "fail"

struct MsgFacts {
  std::uint32_t send_event = no_index;
  DeviceId sender;
  ConvId conv;
  std::uint64_t own_count = 0;      // vc[sender]: the send's ordinal for (sender, conv)
  std::uint64_t own_count_all = 0;  // gvc[sender], 0 without gvc
  Status status = Status::none;     // the last ack or fail
  std::uint32_t status_event = no_index;
  std::uint32_t first_ack_event = no_index;
  std::uint32_t other_seq_ack_event = no_index;  // first ack whose conv_seq differs from the first
  std::uint32_t first_display_event = no_index;
  std::int64_t timeline_pos = no_position;  // first occurrence in T(conv)
  std::uint32_t sender_incarnation = 0;     // the sender's reinstalls before the send
  bool sent_in_liveness = false;            // the send stands in a liveness phase
};

// View(D, C) of one incarnation. `entries` are display event indexes in view order (every
// occurrence); `firsts` keeps only each message's first occurrence, the order checks' input.
struct View {
  DeviceId device;
  std::uint32_t incarnation = 0;
  ConvId conv;
  std::vector<std::uint32_t> entries;
  std::vector<std::uint32_t> firsts;
};

class HistoryIndex {
 public:
  explicit HistoryIndex(const History& history);

  const History& history() const { return h_; }
  const history::Event& event(std::uint32_t index) const { return h_.events[index]; }
  MsgId display_msg(std::uint32_t display_event) const;
  const MsgFacts& msg(MsgId id) const { return msgs_[id.value]; }
  const std::vector<View>& views() const { return views_; }
  const std::vector<std::uint32_t>& views_of(ConvId conv) const {
    return views_by_conv_[conv.value];
  }
  const std::vector<MsgId>& msgs_of(ConvId conv) const { return msgs_by_conv_[conv.value]; }
  // The view of D's last incarnation for C, or nullptr if it displayed nothing there.
  const View* final_view(DeviceId device, ConvId conv) const;
  std::uint32_t reinstalls(DeviceId device) const { return reinstalls_[device.value]; }
  std::uint32_t timeline_event(ConvId conv) const { return timeline_by_conv_[conv.value]; }
  const history::Timeline* timeline(ConvId conv) const;
  bool has_liveness_phase() const { return liveness_event_ != no_index; }
  std::uint32_t liveness_event() const { return liveness_event_; }
  bool online_in_liveness(DeviceId device) const { return online_in_liveness_[device.value]; }
  // Required devices of C, sorted by id.
  const std::vector<DeviceId>& required(ConvId conv) const { return required_by_conv_[conv.value]; }
  const std::vector<DeviceId>& devices_of(UserId user) const {
    return devices_by_user_[user.value];
  }
  std::uint32_t end_event() const { return end_event_; }
  std::uint64_t display_count() const { return display_count_; }
  bool has_gvc() const { return has_gvc_; }
  int version() const { return h_.header.version; }
  // The conv_seq of the message at raw position `pos` of T(conv) (version 2: first_conv_seq +
  // pos; version 1: 1 + pos).
  std::uint64_t conv_seq_at(ConvId conv, std::int64_t pos) const;
  // Version 2: D has a top_reached for C in its final incarnation.
  bool top_reached_final(DeviceId device, ConvId conv) const;
  // The last offline, kill or reinstall event of D (no_index if none).
  std::uint32_t last_disconnect_event(DeviceId device) const {
    return last_disconnect_[device.value];
  }
  bool quiesced() const;

  // Witness helpers.
  EventRef ref(std::uint32_t event_index, std::string role) const;
  const std::string& name(MsgId id) const { return h_.name(id); }
  const std::string& name(DeviceId id) const { return h_.name(id); }
  const std::string& name(ConvId id) const { return h_.name(id); }

 private:
  void scan_events();
  void on_display(std::uint32_t index, const history::Display& display);
  void finish_views();
  void compute_required();

  const History& h_;
  std::vector<MsgFacts> msgs_;
  std::vector<std::vector<MsgId>> msgs_by_conv_;
  std::vector<View> views_;
  std::vector<std::vector<std::uint32_t>> tops_;  // per view while building: top displays
  std::vector<std::vector<std::uint32_t>> views_by_conv_;
  std::unordered_map<std::uint64_t, std::uint32_t> current_view_;  // (device, conv) -> view
  std::vector<std::vector<std::uint64_t>> current_keys_by_device_;
  std::vector<std::uint32_t> reinstalls_;
  std::vector<std::uint32_t> last_disconnect_;
  // (device, conv) -> the incarnation of D's latest top_reached for C.
  std::unordered_map<std::uint64_t, std::uint32_t> top_reached_incarnation_;
  std::vector<std::uint32_t> timeline_by_conv_;
  std::vector<bool> online_in_liveness_;
  std::vector<std::vector<DeviceId>> required_by_conv_;
  std::vector<std::vector<DeviceId>> devices_by_user_;
  std::uint32_t liveness_event_ = no_index;
  std::uint32_t end_event_ = no_index;
  std::uint64_t display_count_ = 0;
  bool has_gvc_ = false;
};

// Collects the occurrences of one anomaly name: counts all, keeps the first witnesses.
class AnomalySink {
 public:
  AnomalySink(AnomalyReport& report, std::size_t witnesses_max)
      : report_(report), witnesses_max_(witnesses_max) {}

  // Counts one occurrence; builds its witness (make() -> Witness) only while under the cap.
  template <class MakeWitness>
  void add(MakeWitness&& make) {
    ++report_.count;
    if (report_.witnesses.size() < witnesses_max_) report_.witnesses.push_back(make());
  }

 private:
  AnomalyReport& report_;
  std::size_t witnesses_max_;
};

// A per-id scratch mark that resets in O(1): a slot is marked iff it holds the current epoch.
class EpochMarks {
 public:
  explicit EpochMarks(std::size_t size) : epoch_of_(size, 0) {}
  void next_epoch() { ++epoch_; }
  bool marked(std::size_t i) const { return epoch_of_[i] == epoch_; }
  void mark(std::size_t i) { epoch_of_[i] = epoch_; }

 private:
  std::vector<std::uint32_t> epoch_of_;
  std::uint32_t epoch_ = 1;
};

}  // namespace imsim::properties
