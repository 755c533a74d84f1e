// duplicated: a message occurs twice in one view (any incarnation); or one message has acks
// with two different conv_seqs; or a T(C) contains a message twice; or (extension) an `x-inbox`
// sync timeline holds a message twice.
// Cost: O(displays + acks + timeline entries), with per-message epoch marks.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "checkers.hpp"
#include "imsim/base/assert.hpp"

namespace imsim::properties {
namespace {

void twice_in_views(const HistoryIndex& index, AnomalySink& sink) {
  // first_entry[msg]: the view entry where msg first stands (valid while marked this epoch).
  std::vector<std::uint32_t> first_entry(index.history().msg_count(), no_index);
  EpochMarks seen(index.history().msg_count());
  EpochMarks reported(index.history().msg_count());
  for (const View& view : index.views()) {
    seen.next_epoch();
    reported.next_epoch();
    for (std::uint32_t entry : view.entries) {
      const MsgId msg = index.display_msg(entry);
      if (!seen.marked(msg.value)) {
        seen.mark(msg.value);
        first_entry[msg.value] = entry;
        continue;
      }
      if (reported.marked(msg.value)) continue;  // one occurrence per (view, message)
      reported.mark(msg.value);
      sink.add([&] {
        return Witness{.clause = "twice_in_view",
                       .summary = fmt::format("{} stands twice in {}", index.name(msg),
                                              view_name(index, view)),
                       .msgs = {index.name(msg)},
                       .devices = {index.name(view.device)},
                       .convs = {index.name(view.conv)},
                       .events = {index.ref(first_entry[msg.value], "display (first occurrence)"),
                                  index.ref(entry, "display (second occurrence)")}};
      });
    }
  }
}

void two_conv_seqs(const HistoryIndex& index, AnomalySink& sink) {
  for (std::uint32_t m = 0; m < index.history().msg_count(); ++m) {
    const MsgFacts& facts = index.msg(MsgId{m});
    if (facts.other_seq_ack_event == no_index) continue;
    IMSIM_ASSERT(facts.first_ack_event < facts.other_seq_ack_event);
    sink.add([&] {
      const auto& first = std::get<history::Ack>(index.event(facts.first_ack_event).body);
      const auto& other = std::get<history::Ack>(index.event(facts.other_seq_ack_event).body);
      return Witness{.clause = "two_conv_seqs",
                     .summary = fmt::format("{} acked at conv_seq {} and at conv_seq {}",
                                            index.name(MsgId{m}), first.conv_seq, other.conv_seq),
                     .msgs = {index.name(MsgId{m})},
                     .devices = {index.name(facts.sender)},
                     .convs = {index.name(facts.conv)},
                     .events = {index.ref(facts.first_ack_event,
                                          fmt::format("ack at conv_seq {}", first.conv_seq)),
                                index.ref(facts.other_seq_ack_event,
                                          fmt::format("ack at conv_seq {}", other.conv_seq))}};
    });
  }
}

void twice_in_timelines(const HistoryIndex& index, AnomalySink& sink) {
  EpochMarks seen(index.history().msg_count());
  EpochMarks reported(index.history().msg_count());
  for (std::uint32_t c = 0; c < index.history().conv_count(); ++c) {
    const history::Timeline* timeline = index.timeline(ConvId{c});
    if (timeline == nullptr) continue;
    seen.next_epoch();
    reported.next_epoch();
    for (std::size_t p = 0; p < timeline->msgs.size(); ++p) {
      const MsgId msg = timeline->msgs[p];
      if (!seen.marked(msg.value)) {
        seen.mark(msg.value);
        continue;
      }
      if (reported.marked(msg.value)) continue;
      reported.mark(msg.value);
      sink.add([&] {
        return Witness{.clause = "twice_in_timeline",
                       .summary = fmt::format("{} stands twice in T({}), at positions {} and {}",
                                              index.name(msg), index.name(ConvId{c}),
                                              index.msg(msg).timeline_pos, p),
                       .msgs = {index.name(msg)},
                       .devices = {},
                       .convs = {index.name(ConvId{c})},
                       .events = {index.ref(index.timeline_event(ConvId{c}), "timeline")}};
      });
    }
  }
}

// imsim's `x-inbox` extension (docs/history-format.md): a user's final sync timeline. Devices
// deduplicate, so an inbox entry stored twice (a non-idempotent fan-out) may never show in any
// view; the server still stored the message twice. Malformed bodies are skipped.
void twice_in_inboxes(const HistoryIndex& index, AnomalySink& sink) {
  const auto& events = index.history().events;
  for (std::uint32_t i = 0; i < events.size(); ++i) {
    const auto* ext = std::get_if<history::Extension>(&events[i].body);
    if (ext == nullptr || ext->type != "x-inbox") continue;
    const nlohmann::json object = nlohmann::json::parse(ext->json, nullptr, false);
    if (!object.is_object() || !object.contains("msgs") || !object["msgs"].is_array()) continue;
    const std::string user = object.value("user", std::string("?"));
    std::set<std::string> seen;
    std::set<std::string> reported;
    for (const auto& msg : object["msgs"]) {
      if (!msg.is_string()) continue;
      const std::string name = msg.get<std::string>();
      if (seen.insert(name).second || !reported.insert(name).second) continue;
      sink.add([&] {
        return Witness{.clause = "twice_in_inbox",
                       .summary = fmt::format("{} stands twice in the inbox of {}", name, user),
                       .msgs = {name},
                       .devices = {},
                       .convs = {},
                       .events = {index.ref(i, "x-inbox")}};
      });
    }
  }
}

}  // namespace

void check_duplicated(const HistoryIndex& index, AnomalySink& sink) {
  twice_in_views(index, sink);
  two_conv_seqs(index, sink);
  twice_in_timelines(index, sink);
  twice_in_inboxes(index, sink);
}

}  // namespace imsim::properties
