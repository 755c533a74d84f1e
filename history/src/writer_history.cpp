// HistoryWriter::write: re-emitting a parsed History (round trips, filtering, shrinking).
#include <nlohmann/json.hpp>

#include "imsim/base/assert.hpp"
#include "imsim/history/writer.hpp"

namespace imsim::history {
namespace {

ClockSpec clock_spec(const History& history, const VectorClock& clock) {
  ClockSpec spec;
  spec.reserve(clock.size());
  for (const ClockEntry& entry : clock) spec.emplace_back(history.name(entry.device), entry.count);
  return spec;
}

HeaderSpec header_spec(const History& history) {
  const Header& header = history.header;
  HeaderSpec spec;
  for (std::size_t d = 0; d < header.device_names.size(); ++d) {
    spec.devices.emplace_back(header.device_names[d], history.name(header.device_user[d]));
  }
  for (const Conversation& conv : header.conversations) {
    ConversationSpec conv_spec{.name = conv.name, .members = {}, .kind = conv.kind};
    for (UserId user : conv.members) conv_spec.members.push_back(history.name(user));
    spec.conversations.push_back(std::move(conv_spec));
  }
  spec.scenario = header.scenario;
  spec.seed = header.seed;
  spec.version = header.version;
  return spec;
}

}  // namespace

void HistoryWriter::write(const History& history) {
  write_header(header_spec(history));
  for (const Event& event : history.events) write_event(history, event);
}

void HistoryWriter::write_event(const History& h, const Event& event) {
  const TimeNs t = event.t_ns;
  if (const auto* as_send = std::get_if<Send>(&event.body)) {
    ClockSpec vc = clock_spec(h, as_send->vc);
    if (as_send->gvc) {
      ClockSpec gvc = clock_spec(h, *as_send->gvc);
      send(t, h.name(as_send->device), h.name(as_send->conv), h.name(as_send->msg), vc, &gvc);
    } else {
      send(t, h.name(as_send->device), h.name(as_send->conv), h.name(as_send->msg), vc);
    }
  } else if (const auto* as_ack = std::get_if<Ack>(&event.body)) {
    ack(t, h.name(as_ack->device), h.name(as_ack->msg), as_ack->conv_seq);
  } else if (const auto* as_fail = std::get_if<Fail>(&event.body)) {
    fail(t, h.name(as_fail->device), h.name(as_fail->msg));
  } else if (const auto* as_display = std::get_if<Display>(&event.body)) {
    display(t, h.name(as_display->device), h.name(as_display->conv), h.name(as_display->msg),
            as_display->at, as_display->conv_seq);
  } else if (const auto* as_online = std::get_if<Online>(&event.body)) {
    online(t, h.name(as_online->device));
  } else if (const auto* as_offline = std::get_if<Offline>(&event.body)) {
    offline(t, h.name(as_offline->device));
  } else if (const auto* as_kill = std::get_if<Kill>(&event.body)) {
    kill(t, h.name(as_kill->device));
  } else if (const auto* as_reinstall = std::get_if<Reinstall>(&event.body)) {
    reinstall(t, h.name(as_reinstall->device));
  } else if (const auto* as_phase = std::get_if<Phase>(&event.body)) {
    phase(t, as_phase->phase);
  } else if (const auto* as_timeline = std::get_if<Timeline>(&event.body)) {
    std::vector<std::string> names;
    names.reserve(as_timeline->msgs.size());
    for (MsgId msg : as_timeline->msgs) names.push_back(h.name(msg));
    timeline(t, h.name(as_timeline->conv), names, as_timeline->first_conv_seq);
  } else if (const auto* as_top_reached = std::get_if<TopReached>(&event.body)) {
    top_reached(t, h.name(as_top_reached->device), h.name(as_top_reached->conv));
  } else if (const auto* as_end = std::get_if<End>(&event.body)) {
    end(t, as_end->quiesced);
  } else {
    const auto& ext = std::get<Extension>(event.body);
    nlohmann::json fields = nlohmann::json::parse(ext.json, nullptr, /*allow_exceptions=*/false);
    IMSIM_ASSERT(fields.is_object());
    fields.erase("t");
    fields.erase("type");
    extension(t, ext.type, fields);
  }
}

}  // namespace imsim::history
