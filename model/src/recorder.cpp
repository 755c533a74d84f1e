// Recorder: turns what the devices observably did into a history (shared/HISTORY.md v2) and
// keeps the sparse vector clocks of every send. TraceRecorder: the trace log for the diagrams.
#include "recorder.hpp"

#include <algorithm>
#include <imsim/engine/codec.hpp>
#include <nlohmann/json.hpp>

#include "hosts.hpp"

namespace imsim::model::detail {
namespace {

// Model-level records folded into the trace hash (beside the kernel's own).
constexpr sim::TraceKind kTraceSend = sim::model_trace_kind(1);
constexpr sim::TraceKind kTraceObservation = sim::model_trace_kind(2);

std::string frame_label(const std::string& bytes) {
  const engine::DecodeResult decoded = engine::decode(as_span(bytes), UINT32_MAX);
  if (!decoded.ok()) return std::string("malformed: ") + engine::to_string(decoded.error);
  return engine::to_string(engine::type_of(*decoded.frame));
}

std::string flight_key(sim::EndpointId from, sim::EndpointId to, const std::string& bytes) {
  return std::to_string(from.value) + ">" + std::to_string(to.value) + ":" +
         std::to_string(sim::hash_bytes(bytes));
}

std::int32_t lane_of(sim::NodeId node) {
  IMSIM_ASSERT(node.value <= static_cast<std::uint32_t>(INT32_MAX));
  return static_cast<std::int32_t>(node.value);
}

}  // namespace

// ---- TraceRecorder -------------------------------------------------------------------------

void TraceRecorder::add_lane(const std::string& name, const char* group) {
  log_.lanes.push_back(TraceLane{name, group});
}

std::int32_t TraceRecorder::lane_of(sim::EndpointId endpoint) const {
  return detail::lane_of(sim_.network().node_of(endpoint));
}

void TraceRecorder::frame_sent(sim::EndpointId from, sim::EndpointId to, const std::string& bytes) {
  frames_in_flight_[flight_key(from, to, bytes)].push_back(now_ns());
}

void TraceRecorder::frame_arrived(sim::EndpointId from, sim::EndpointId to,
                                  const std::string& bytes) {
  auto it = frames_in_flight_.find(flight_key(from, to, bytes));
  std::int64_t sent_ns = now_ns();
  if (it != frames_in_flight_.end() && !it->second.empty()) {
    sent_ns = it->second.front();
    IMSIM_ASSERT(sent_ns <= now_ns());
    it->second.erase(it->second.begin());
    if (it->second.empty()) frames_in_flight_.erase(it);
  }
  log_.add(TraceLogRecord{.t_ns = now_ns(),
                          .t_send_ns = sent_ns,
                          .kind = TraceLogKind::kFrame,
                          .from = lane_of(from),
                          .to = lane_of(to),
                          .label = frame_label(bytes)});
}

void TraceRecorder::fault(std::int32_t lane, const std::string& label) {
  log_.add(TraceLogRecord{.t_ns = now_ns(),
                          .t_send_ns = now_ns(),
                          .kind = TraceLogKind::kFault,
                          .from = lane,
                          .label = label});
}

void TraceRecorder::node_event(std::int32_t lane, const std::string& label) {
  const bool lifecycle = label == "online" || label == "offline" || label == "kill" ||
                         label == "reinstall" || label == "crash" || label == "restart";
  log_.add(TraceLogRecord{.t_ns = now_ns(),
                          .t_send_ns = now_ns(),
                          .kind = lifecycle ? TraceLogKind::kLifecycle : TraceLogKind::kObservation,
                          .from = lane,
                          .label = label});
}

void TraceRecorder::finish() {
  // Frames never delivered (lost, or dropped with their connection), then time order.
  for (const auto& [key, times] : frames_in_flight_) {
    const auto gt = key.find('>');
    const auto colon = key.find(':');
    IMSIM_ASSERT(gt != std::string::npos && colon != std::string::npos && gt < colon);
    const auto endpoint = [](const std::string& digits) {
      const unsigned long value = std::stoul(digits);
      IMSIM_ASSERT(value <= UINT32_MAX);
      return sim::EndpointId(static_cast<std::uint32_t>(value));
    };
    const sim::EndpointId from = endpoint(key.substr(0, gt));
    const sim::EndpointId to = endpoint(key.substr(gt + 1, colon - gt - 1));
    for (std::int64_t sent_ns : times) {
      log_.add(TraceLogRecord{.t_ns = sent_ns,
                              .t_send_ns = sent_ns,
                              .kind = TraceLogKind::kFrameLost,
                              .from = lane_of(from),
                              .to = lane_of(to),
                              .label = "lost"});
    }
  }
  std::stable_sort(
      log_.records.begin(), log_.records.end(),
      [](const TraceLogRecord& a, const TraceLogRecord& b) { return a.t_ns < b.t_ns; });
}

// ---- Recorder ------------------------------------------------------------------------------

Recorder::Recorder(const Population& population, sim::Simulator& sim, RunCounters& counters,
                   ReplyListener& replies, std::ostream* history_out, TraceRecorder* trace)
    : population_(population),
      sim_(sim),
      counters_(counters),
      replies_(replies),
      trace_(trace),
      clocks_(population.device_plans().size()),
      record_gvc_(population.device_plans().size() <= kGlobalClockDevicesMax) {
  if (history_out != nullptr) writer_ = std::make_unique<history::HistoryWriter>(*history_out);
}

Recorder::DeviceClocks& Recorder::clocks_of(std::int32_t device) {
  IMSIM_ASSERT(device >= 0 && static_cast<std::size_t>(device) < clocks_.size());
  return clocks_[static_cast<std::size_t>(device)];
}

const std::string& Recorder::device_name(DeviceRef device) const {
  return population_.device_plan(device.index).name;
}

void Recorder::header(const std::string& scenario, std::uint64_t seed) {
  if (writer_ == nullptr) return;
  history::HeaderSpec header;
  for (const auto& plan : population_.device_plans()) {
    header.devices.emplace_back(plan.name, population_.user(plan.user).name);
  }
  for (const auto& conv : population_.convs()) {
    history::ConversationSpec conv_spec;
    conv_spec.name = conv.name;
    for (std::int32_t member : conv.members) {
      conv_spec.members.push_back(population_.user(member).name);
    }
    conv_spec.kind = conv.direct  ? history::ConvKind::direct
                     : conv.large ? history::ConvKind::large
                                  : history::ConvKind::group;
    header.conversations.push_back(std::move(conv_spec));
  }
  header.scenario = scenario;
  header.seed = seed;
  writer_->write_header(header);
}

std::string Recorder::msg_name(const engine::ClientMsgId& msg) const {
  const std::int32_t device = population_.device_index(msg.device);
  return population_.device_plan(device).name + ".i" + std::to_string(msg.incarnation.value) +
         ".m" + std::to_string(msg.counter);
}

void Recorder::merge(Clock& into, const Clock& from) {
  Clock merged;
  merged.reserve(into.size() + from.size());
  auto a = into.begin();
  auto b = from.begin();
  while (a != into.end() || b != from.end()) {
    if (b == from.end() || (a != into.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == into.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, std::max(a->second, b->second));
      ++a;
      ++b;
    }
  }
  into = std::move(merged);
  check_clock(into);
}

void Recorder::assign(Clock& clock, std::int32_t device, std::uint64_t count) {
  auto it = std::lower_bound(clock.begin(), clock.end(), std::make_pair(device, std::uint64_t{0}));
  if (it != clock.end() && it->first == device) {
    IMSIM_ASSERT(it->second <= count);  // a device's own count never goes back
    it->second = count;
  } else {
    clock.insert(it, {device, count});
  }
}

Recorder::Clock Recorder::own_entry_only(const Clock& clock, std::int32_t device) {
  Clock own;
  for (const auto& entry : clock) {
    if (entry.first == device) own.push_back(entry);
  }
  return own;
}

// Entries strictly ascending by device index, no zero counts.
void Recorder::check_clock(const Clock& clock) {
  for (std::size_t i = 0; i < clock.size(); i++) {
    IMSIM_ASSERT(clock[i].second > 0);
    IMSIM_ASSERT(i == 0 || clock[i - 1].first < clock[i].first);
  }
}

history::ClockSpec Recorder::spec(const Clock& clock) const {
  history::ClockSpec result;
  result.reserve(clock.size());
  for (const auto& [device, count] : clock) {
    result.emplace_back(population_.device_plan(device).name, count);
  }
  return result;
}

Recorder::Clock Recorder::conv_clock(std::int32_t device, std::int32_t conv) const {
  IMSIM_ASSERT(device >= 0 && static_cast<std::size_t>(device) < clocks_.size());
  const auto& by_conv = clocks_[static_cast<std::size_t>(device)].conv;
  auto it = by_conv.find(conv);
  return it == by_conv.end() ? Clock{} : it->second;
}

void Recorder::send(DeviceRef device, std::int32_t conv_i, const engine::ClientMsgId& msg) {
  DeviceClocks& clocks = clocks_of(device.index);
  Clock& vc = clocks.conv[conv_i];
  assign(vc, device.index, ++clocks.sends_by_conv[conv_i]);
  if (record_gvc_) assign(clocks.global, device.index, ++clocks.sends_total);
  clocks.reply_conv.reset();
  replies_.note_reply_candidate(device.index);
  const std::string name = msg_name(msg);
  // An engine that hands out a client message id twice breaks the history's "one send per
  // msg" rule: the history is then malformed, which `imsim check` reports with the line.
  if (messages_.contains(name)) counters_.count("model.client_msg_id_reused");
  messages_[name] = MessageInfo{conv_i, device.index, vc, clocks.global};
  sent_++;
  sim_.trace(kTraceSend, device.node, sim::hash_bytes(name));
  if (writer_ == nullptr) return;
  const std::string& conv_name = population_.conv(conv_i).name;
  if (!record_gvc_) {
    writer_->send(now_ns(), device_name(device), conv_name, name, spec(vc));
    return;
  }
  const history::ClockSpec gvc = spec(clocks.global);
  writer_->send(now_ns(), device_name(device), conv_name, name, spec(vc), &gvc);
}

void Recorder::observe(DeviceRef device, const engine::Observation& observation) {
  const std::string& dname = device_name(device);
  if (const auto* displayed = std::get_if<engine::Displayed>(&observation)) {
    write_display(device, population_.conv_index(displayed->conv), msg_name(displayed->msg),
                  displayed->at == engine::DisplayAt::top, displayed->conv_seq.value);
    return;
  }
  if (const auto* top = std::get_if<engine::TopReached>(&observation)) {
    write_top_reached(device, population_.conv_index(top->conv));
    return;
  }
  std::string name;
  std::optional<std::uint64_t> conv_seq;
  const char* what = "echo";
  if (const auto* acked = std::get_if<engine::Acked>(&observation)) {
    name = msg_name(acked->msg);
    conv_seq = acked->conv_seq.value;
    what = "ack";
  } else if (const auto* failed = std::get_if<engine::Failed>(&observation)) {
    name = msg_name(failed->msg);
    what = "fail";
  } else {
    // The send is accepted (its outbox entry is durable): that is the history's `send`.
    const auto& echo = std::get<engine::LocalEcho>(observation);
    send(device, population_.conv_index(echo.conv), echo.msg);
    name = msg_name(echo.msg);
  }
  sim_.trace(kTraceObservation, device.node,
             sim::hash_bytes(name) ^ static_cast<std::uint64_t>(what[0]));
  if (trace_ != nullptr) trace_->node_event(lane_of(device.node), std::string(what) + " " + name);
  if (what[0] == 'e') return;
  auto it = messages_.find(name);
  if (it == messages_.end() || it->second.sender != device.index) {
    counters_.count("model.status_for_foreign_messages");
    return;
  }
  final_status_acked_[name] = conv_seq.has_value();
  if (writer_ == nullptr) return;
  if (conv_seq.has_value()) {
    writer_->ack(now_ns(), dname, name, *conv_seq);
  } else {
    writer_->fail(now_ns(), dname, name);
  }
}

void Recorder::write_display(DeviceRef device, std::int32_t conv_i, const std::string& name,
                             bool top, std::optional<std::uint64_t> conv_seq) {
  DeviceClocks& clocks = clocks_of(device.index);
  if (auto it = messages_.find(name); it != messages_.end()) {
    merge(clocks.conv[conv_i], it->second.vc);
    if (record_gvc_) merge(clocks.global, it->second.gvc);
    const std::int32_t sender_user = population_.device_plan(it->second.sender).user;
    if (sender_user != population_.device_plan(device.index).user) {
      clocks.reply_conv = conv_i;
      replies_.note_reply_candidate(device.index);
    }
  } else {
    counters_.count("model.displays_of_unknown_messages");
  }
  auto& view = clocks.views[conv_i];
  top ? view.push_front(name) : view.push_back(name);
  displays_++;
  sim_.trace(kTraceObservation, device.node, sim::hash_bytes(name) ^ (top ? 1 : 2));
  if (trace_ != nullptr) {
    trace_->node_event(lane_of(device.node), std::string(top ? "display^ " : "display ") + name);
  }
  if (writer_ == nullptr) return;
  writer_->display(now_ns(), device_name(device), population_.conv(conv_i).name, name,
                   top ? history::DisplayAt::top : history::DisplayAt::bottom, conv_seq);
}

void Recorder::write_top_reached(DeviceRef device, std::int32_t conv_i) {
  if (!clocks_of(device.index).tops.insert(conv_i).second) return;  // once per incarnation
  const std::string& conv_name = population_.conv(conv_i).name;
  sim_.trace(kTraceObservation, device.node, sim::hash_bytes(conv_name) ^ 't');
  if (trace_ != nullptr) trace_->node_event(lane_of(device.node), "top " + conv_name);
  if (writer_ == nullptr) return;
  writer_->top_reached(now_ns(), device_name(device), conv_name);
}

void Recorder::reconcile_views(DeviceRef device, const engine::Device& engine_device) {
  const std::int32_t user = population_.device_plan(device.index).user;
  const engine::UserId user_id = population_.user(user).id;
  for (const engine::ConvId conv : population_.topology().conversations_of(user_id)) {
    const std::int32_t conv_i = population_.conv_index(conv);
    std::vector<std::string> actual;
    for (const auto& msg : engine_device.view(conv)) actual.push_back(msg_name(msg));
    const auto recorded = clocks_of(device.index).views[conv_i];  // a copy: writes extend it
    std::size_t anchor = 0;
    if (!recorded.empty()) {
      const auto it = std::find(actual.begin(), actual.end(), recorded.front());
      anchor = static_cast<std::size_t>(it - actual.begin());
      const bool contains = it != actual.end() && actual.size() - anchor >= recorded.size() &&
                            std::equal(recorded.begin(), recorded.end(), it);
      if (!contains) {
        counters_.count("model.views_not_reconcilable");
        continue;
      }
    }
    for (std::size_t i = anchor; i-- > 0;) write_display(device, conv_i, actual[i], true, {});
    for (std::size_t i = anchor + recorded.size(); i < actual.size(); i++) {
      write_display(device, conv_i, actual[i], false, {});
    }
    if (actual.size() != recorded.size()) counters_.count("model.views_reconciled");
    if (engine_device.top_reached(conv)) write_top_reached(device, conv_i);
  }
}

void Recorder::lifecycle(DeviceRef device, const char* what) {
  const std::string kind(what);
  if (kind == "reinstall") {
    DeviceClocks& clocks = clocks_of(device.index);
    // A new incarnation has displayed nothing yet; its own send counts go on.
    for (auto& [conv, clock] : clocks.conv) clock = own_entry_only(clock, device.index);
    clocks.global = own_entry_only(clocks.global, device.index);
    clocks.reply_conv.reset();
    replies_.note_reply_candidate(device.index);
    clocks.views.clear();
    clocks.tops.clear();
  }
  if (trace_ != nullptr) trace_->node_event(lane_of(device.node), kind);
  if (writer_ == nullptr) return;
  const std::int64_t t = now_ns();
  const std::string& name = device_name(device);
  if (kind == "online") writer_->online(t, name);
  if (kind == "offline") writer_->offline(t, name);
  if (kind == "kill") writer_->kill(t, name);
  if (kind == "reinstall") writer_->reinstall(t, name);
}

std::optional<std::int32_t> Recorder::reply_target(std::int32_t device) const {
  if (device < 0 || static_cast<std::size_t>(device) >= clocks_.size()) return std::nullopt;
  return clocks_[static_cast<std::size_t>(device)].reply_conv;
}

void Recorder::phase_liveness() {
  if (writer_ != nullptr) writer_->phase(now_ns(), history::PhaseKind::liveness);
}

void Recorder::fault(const std::string& label) {
  if (writer_ != nullptr) writer_->extension(now_ns(), "x-fault", {{"fault", label}});
}

void Recorder::finish(bool quiesced, const std::map<std::string, std::uint64_t>& counters,
                      const Hosts& hosts) {
  if (writer_ == nullptr) return;
  const std::int64_t t = now_ns();
  const engine::Topology& topology = population_.topology();
  writer_->metrics(t, counters);
  for (const auto& conv : population_.convs()) {
    const ServerHost* store = hosts.server_at(topology.store_for_conv(conv.id));
    IMSIM_ASSERT(store != nullptr && store->store() != nullptr);
    std::vector<std::string> msgs;
    const auto timeline = store->store()->timeline(conv.id);
    for (const auto& entry : timeline) msgs.push_back(msg_name(entry.msg.id));
    // The store numbers its timeline from 1 and keeps it whole; say where it starts anyway so
    // a checker judges numbering (misnumbered) against the store's own conv_seqs.
    const std::uint64_t first = timeline.empty() ? 1 : timeline.front().conv_seq.value;
    writer_->timeline(t, conv.name, msgs, first);
  }
  // The sync timelines too (`x-inbox`, docs/history-format.md): a message twice in one inbox
  // is a duplicate the devices may hide (they dedup), but the server stored it twice.
  for (const auto& user : population_.users()) {
    const ServerHost* store = hosts.server_at(topology.store_for_user(user.id));
    IMSIM_ASSERT(store != nullptr && store->store() != nullptr);
    nlohmann::json msgs = nlohmann::json::array();
    for (const auto& entry : store->store()->inbox(user.id)) msgs.push_back(msg_name(entry.msg.id));
    writer_->extension(t, "x-inbox", {{"user", user.name}, {"msgs", std::move(msgs)}});
  }
  writer_->end(t, quiesced);
}

}  // namespace imsim::model::detail
