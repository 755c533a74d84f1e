// HistoryIndex: one pass over the events, then views and required devices.
#include "index.hpp"

#include <algorithm>

#include "imsim/base/assert.hpp"

namespace imsim::properties {

std::string_view status_name(Status status) {
  switch (status) {
    case Status::none:
      return "none";
    case Status::ack:
      return "ack";
    case Status::fail:
      return "fail";
  }
  IMSIM_ASSERT(false);
}

using namespace history;

namespace {
std::uint64_t pair_key(DeviceId device, ConvId conv) {
  return (std::uint64_t{device.value} << 32) | conv.value;
}
}  // namespace

HistoryIndex::HistoryIndex(const History& history)
    : h_(history),
      msgs_(history.msg_count()),
      msgs_by_conv_(history.conv_count()),
      views_by_conv_(history.conv_count()),
      current_keys_by_device_(history.device_count()),
      reinstalls_(history.device_count(), 0),
      last_disconnect_(history.device_count(), no_index),
      timeline_by_conv_(history.conv_count(), no_index),
      online_in_liveness_(history.device_count(), false),
      required_by_conv_(history.conv_count()),
      devices_by_user_(history.user_count()) {
  IMSIM_ASSERT(history.events.size() < no_index);
  for (std::uint32_t d = 0; d < history.device_count(); ++d) {
    devices_by_user_[history.header.device_user[d].value].push_back(DeviceId{d});
  }
  scan_events();
  finish_views();
  compute_required();
}

void HistoryIndex::scan_events() {
  std::vector<bool> online(h_.device_count(), false);
  bool in_liveness = false;
  for (std::uint32_t i = 0; i < h_.events.size(); ++i) {
    const EventBody& body = h_.events[i].body;
    if (const auto* send = std::get_if<Send>(&body)) {
      MsgFacts& m = msgs_[send->msg.value];
      IMSIM_ASSERT(m.send_event == no_index);  // the reader allows one send per message
      m.send_event = i;
      m.sender = send->device;
      m.conv = send->conv;
      m.own_count = clock_at(send->vc, send->device);
      m.sender_incarnation = reinstalls_[send->device.value];
      m.sent_in_liveness = in_liveness;
      IMSIM_ASSERT(m.own_count >= 1);
      if (send->gvc) {
        m.own_count_all = clock_at(*send->gvc, send->device);
        has_gvc_ = true;
      }
      msgs_by_conv_[send->conv.value].push_back(send->msg);
    } else if (const auto* ack = std::get_if<Ack>(&body)) {
      MsgFacts& m = msgs_[ack->msg.value];
      m.status = Status::ack;
      m.status_event = i;
      if (m.first_ack_event == no_index) {
        m.first_ack_event = i;
      } else if (m.other_seq_ack_event == no_index &&
                 std::get<Ack>(h_.events[m.first_ack_event].body).conv_seq != ack->conv_seq) {
        m.other_seq_ack_event = i;
      }
    } else if (const auto* fail = std::get_if<Fail>(&body)) {
      msgs_[fail->msg.value].status = Status::fail;
      msgs_[fail->msg.value].status_event = i;
    } else if (const auto* display = std::get_if<Display>(&body)) {
      on_display(i, *display);
    } else if (const auto* went_online = std::get_if<Online>(&body)) {
      online[went_online->device.value] = true;
      if (in_liveness) online_in_liveness_[went_online->device.value] = true;
    } else if (const auto* went_offline = std::get_if<Offline>(&body)) {
      online[went_offline->device.value] = false;
      last_disconnect_[went_offline->device.value] = i;
    } else if (const auto* killed = std::get_if<Kill>(&body)) {
      online[killed->device.value] = false;
      last_disconnect_[killed->device.value] = i;
    } else if (const auto* reinstalled = std::get_if<Reinstall>(&body)) {
      online[reinstalled->device.value] = false;
      last_disconnect_[reinstalled->device.value] = i;
      ++reinstalls_[reinstalled->device.value];
      // The next displays start new (empty) views: forget this device's current ones.
      for (std::uint64_t key : current_keys_by_device_[reinstalled->device.value]) {
        current_view_.erase(key);
      }
      current_keys_by_device_[reinstalled->device.value].clear();
    } else if (const auto* phase = std::get_if<Phase>(&body)) {
      in_liveness = phase->phase == PhaseKind::liveness;
      if (in_liveness) {
        if (liveness_event_ == no_index) liveness_event_ = i;
        for (std::size_t d = 0; d < online.size(); ++d) {
          if (online[d]) online_in_liveness_[d] = true;
        }
      }
    } else if (const auto* timeline = std::get_if<Timeline>(&body)) {
      timeline_by_conv_[timeline->conv.value] = i;
      for (std::size_t p = 0; p < timeline->msgs.size(); ++p) {
        MsgFacts& m = msgs_[timeline->msgs[p].value];
        if (m.timeline_pos == no_position) m.timeline_pos = static_cast<std::int64_t>(p);
      }
    } else if (std::holds_alternative<End>(body)) {
      end_event_ = i;
    } else if (const auto* top = std::get_if<TopReached>(&body)) {
      top_reached_incarnation_[pair_key(top->device, top->conv)] = reinstalls_[top->device.value];
    }
  }
}

void HistoryIndex::on_display(std::uint32_t index, const Display& display) {
  ++display_count_;
  MsgFacts& m = msgs_[display.msg.value];
  if (m.first_display_event == no_index) m.first_display_event = index;
  const std::uint64_t key = pair_key(display.device, display.conv);
  auto [it, inserted] = current_view_.try_emplace(key, static_cast<std::uint32_t>(views_.size()));
  if (inserted) {
    views_.push_back(View{.device = display.device,
                          .incarnation = reinstalls_[display.device.value],
                          .conv = display.conv,
                          .entries = {},
                          .firsts = {}});
    tops_.emplace_back();
    current_keys_by_device_[display.device.value].push_back(key);
    views_by_conv_[display.conv.value].push_back(it->second);
  }
  if (display.at == DisplayAt::bottom) {
    views_[it->second].entries.push_back(index);
  } else {
    tops_[it->second].push_back(index);
  }
}

void HistoryIndex::finish_views() {
  IMSIM_ASSERT(tops_.size() == views_.size());
  EpochMarks seen(h_.msg_count());
  for (std::size_t v = 0; v < views_.size(); ++v) {
    View& view = views_[v];
    // `top` prepends: the last top display stands first.
    std::vector<std::uint32_t>& tops = tops_[v];
    std::reverse(tops.begin(), tops.end());
    tops.insert(tops.end(), view.entries.begin(), view.entries.end());
    view.entries = std::move(tops);
    seen.next_epoch();
    for (std::uint32_t index : view.entries) {
      const MsgId msg = display_msg(index);
      if (seen.marked(msg.value)) continue;
      seen.mark(msg.value);
      view.firsts.push_back(index);
    }
    IMSIM_ASSERT(!view.entries.empty());
    IMSIM_ASSERT(view.firsts.size() <= view.entries.size());
  }
  tops_.clear();
}

void HistoryIndex::compute_required() {
  if (!has_liveness_phase()) return;  // without a liveness phase no device is required
  for (std::uint32_t c = 0; c < h_.conv_count(); ++c) {
    std::vector<DeviceId>& required = required_by_conv_[c];
    for (UserId user : h_.header.conversations[c].members) {
      for (DeviceId device : devices_by_user_[user.value]) {
        if (online_in_liveness_[device.value]) required.push_back(device);
      }
    }
    std::sort(required.begin(), required.end());
  }
}

MsgId HistoryIndex::display_msg(std::uint32_t display_event) const {
  return std::get<Display>(h_.events[display_event].body).msg;
}

const View* HistoryIndex::final_view(DeviceId device, ConvId conv) const {
  auto it = current_view_.find(pair_key(device, conv));
  if (it == current_view_.end()) return nullptr;
  const View* view = &views_[it->second];
  IMSIM_ASSERT(view->incarnation == reinstalls_[device.value]);
  return view;
}

std::uint64_t HistoryIndex::conv_seq_at(ConvId conv, std::int64_t pos) const {
  IMSIM_ASSERT(pos >= 0);
  const Timeline* t = timeline(conv);
  IMSIM_ASSERT(t != nullptr);
  return t->first_conv_seq + static_cast<std::uint64_t>(pos);
}

bool HistoryIndex::top_reached_final(DeviceId device, ConvId conv) const {
  if (h_.header.version < 2) return false;
  auto it = top_reached_incarnation_.find(pair_key(device, conv));
  return it != top_reached_incarnation_.end() && it->second == reinstalls_[device.value];
}

bool HistoryIndex::quiesced() const {
  IMSIM_ASSERT(end_event_ != no_index);  // the reader guarantees exactly one end
  return std::get<End>(h_.events[end_event_].body).quiesced;
}

const Timeline* HistoryIndex::timeline(ConvId conv) const {
  const std::uint32_t index = timeline_by_conv_[conv.value];
  if (index == no_index) return nullptr;
  return &std::get<Timeline>(h_.events[index].body);
}

EventRef HistoryIndex::ref(std::uint32_t event_index, std::string role) const {
  const Event& e = h_.events[event_index];
  return EventRef{.line = e.line,
                  .t_ns = e.t_ns,
                  .type = std::string(event_type_name(e)),
                  .role = std::move(role)};
}

}  // namespace imsim::properties
