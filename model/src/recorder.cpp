// Recorder: turns what the devices observably did into a history (shared/HISTORY.md v2), keeps
// the sparse vector clocks of every send, and (optionally) the trace log for the diagrams.
#include <algorithm>
#include <imsim/engine/codec.hpp>
#include <nlohmann/json.hpp>

#include "world_impl.hpp"

namespace imsim::model::detail {
namespace {

// Model-level records folded into the trace hash (beside the kernel's own).
constexpr sim::TraceKind kTraceSend = sim::model_trace_kind(1);
constexpr sim::TraceKind kTraceObservation = sim::model_trace_kind(2);

std::string frame_label(const std::string& bytes) {
  const std::span<const std::uint8_t> span(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size());
  const engine::DecodeResult decoded = engine::decode(span, UINT32_MAX);
  if (!decoded.ok()) return std::string("malformed: ") + engine::to_string(decoded.error);
  return engine::to_string(engine::type_of(*decoded.frame));
}

std::string flight_key(sim::EndpointId from, sim::EndpointId to, const std::string& bytes) {
  return std::to_string(from.value) + ">" + std::to_string(to.value) + ":" +
         std::to_string(sim::hash_bytes(bytes));
}

}  // namespace

Recorder::Recorder(World& world, const RunOptions& options) : world_(world), options_(options) {
  if (options_.history_out != nullptr) {
    writer_ = std::make_unique<history::HistoryWriter>(*options_.history_out);
  }
}

std::int64_t Recorder::now_ns() const { return world_.sim.now().ns(); }

void Recorder::header() {
  clocks_.resize(world_.device_plans.size());
  record_gvc_ = world_.device_plans.size() <= kGlobalClockDevicesMax;
  if (writer_ == nullptr) return;
  history::HeaderSpec header;
  for (const auto& plan : world_.device_plans) {
    header.devices.emplace_back(plan.name, world_.users[plan.user].name);
  }
  for (const auto& conv : world_.convs) {
    history::ConversationSpec spec;
    spec.name = conv.name;
    for (std::int32_t member : conv.members) spec.members.push_back(world_.users[member].name);
    spec.kind = conv.direct  ? history::ConvKind::direct
                : conv.large ? history::ConvKind::large
                             : history::ConvKind::group;
    header.conversations.push_back(std::move(spec));
  }
  header.scenario = world_.config.name;
  header.seed = world_.config.seed;
  writer_->write_header(header);
}

std::string Recorder::msg_name(const engine::ClientMsgId& msg) const {
  const std::int32_t device = world_.device_index.at(msg.device);
  return world_.device_plans[device].name + ".i" + std::to_string(msg.incarnation.value) + ".m" +
         std::to_string(msg.counter);
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
}

void Recorder::assign(Clock& clock, std::int32_t device, std::uint64_t count) {
  auto it = std::lower_bound(clock.begin(), clock.end(), std::make_pair(device, std::uint64_t{0}));
  if (it != clock.end() && it->first == device) {
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

history::ClockSpec Recorder::spec(const Clock& clock) const {
  history::ClockSpec result;
  result.reserve(clock.size());
  for (const auto& [device, count] : clock) {
    result.emplace_back(world_.device_plans[device].name, count);
  }
  return result;
}

void Recorder::send(const DeviceHost& device, const ConvEntry& conv,
                    const engine::ClientMsgId& msg) {
  const std::int32_t conv_i = world_.conv_index.at(conv.id.value);
  DeviceClocks& clocks = clocks_[device.index()];
  Clock& vc = clocks.conv[conv_i];
  assign(vc, device.index(), ++clocks.sends_by_conv[conv_i]);
  if (record_gvc_) assign(clocks.global, device.index(), ++clocks.sends_total);
  clocks.reply_conv.reset();
  world_.note_reply_candidate(device.index());
  const std::string name = msg_name(msg);
  // An engine that hands out a client message id twice breaks the history's "one send per
  // msg" rule: the history is then malformed, which `imsim check` reports with the line.
  if (messages_.contains(name)) world_.count("model.client_msg_id_reused");
  messages_[name] = MessageInfo{conv_i, device.index(), vc, clocks.global};
  sent++;
  world_.sim.trace(kTraceSend, device.node(), sim::hash_bytes(name));
  if (writer_ == nullptr) return;
  if (!record_gvc_) {
    writer_->send(now_ns(), device.name(), conv.name, name, spec(vc));
    return;
  }
  const history::ClockSpec gvc = spec(clocks.global);
  writer_->send(now_ns(), device.name(), conv.name, name, spec(vc), &gvc);
}

void Recorder::observe(const DeviceHost& device, const engine::Observation& observation) {
  const std::string& dname = device.name();
  if (const auto* displayed = std::get_if<engine::Displayed>(&observation)) {
    write_display(device, world_.conv_index.at(displayed->conv.value), msg_name(displayed->msg),
                  displayed->at == engine::DisplayAt::top, displayed->conv_seq.value);
    return;
  }
  if (const auto* top = std::get_if<engine::TopReached>(&observation)) {
    write_top_reached(device, world_.conv_index.at(top->conv.value));
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
    send(device, world_.convs[world_.conv_index.at(echo.conv.value)], echo.msg);
    name = msg_name(echo.msg);
  }
  world_.sim.trace(kTraceObservation, device.node(), sim::hash_bytes(name) ^ what[0]);
  if (world_.record_trace) node_event(device.lane(), std::string(what) + " " + name);
  if (what[0] == 'e') return;
  auto it = messages_.find(name);
  if (it == messages_.end() || it->second.sender != device.index()) {
    world_.count("model.status_for_foreign_messages");
    return;
  }
  final_status_acked[name] = conv_seq.has_value();
  if (writer_ == nullptr) return;
  if (conv_seq.has_value()) {
    writer_->ack(now_ns(), dname, name, *conv_seq);
  } else {
    writer_->fail(now_ns(), dname, name);
  }
}

void Recorder::write_display(const DeviceHost& device, std::int32_t conv_i, const std::string& name,
                             bool top, std::optional<std::uint64_t> conv_seq) {
  DeviceClocks& clocks = clocks_[device.index()];
  if (auto it = messages_.find(name); it != messages_.end()) {
    merge(clocks.conv[conv_i], it->second.vc);
    if (record_gvc_) merge(clocks.global, it->second.gvc);
    const std::int32_t sender_user = world_.device_plans[it->second.sender].user;
    if (sender_user != device.user()) {
      clocks.reply_conv = conv_i;
      world_.note_reply_candidate(device.index());
    }
  } else {
    world_.count("model.displays_of_unknown_messages");
  }
  auto& view = clocks.views[conv_i];
  top ? view.push_front(name) : view.push_back(name);
  displays++;
  world_.sim.trace(kTraceObservation, device.node(), sim::hash_bytes(name) ^ (top ? 1 : 2));
  if (world_.record_trace) {
    node_event(device.lane(), std::string(top ? "display^ " : "display ") + name);
  }
  if (writer_ == nullptr) return;
  writer_->display(now_ns(), device.name(), world_.convs[conv_i].name, name,
                   top ? history::DisplayAt::top : history::DisplayAt::bottom, conv_seq);
}

void Recorder::write_top_reached(const DeviceHost& device, std::int32_t conv_i) {
  if (!clocks_[device.index()].tops.insert(conv_i).second) return;  // once per incarnation
  world_.sim.trace(kTraceObservation, device.node(),
                   sim::hash_bytes(world_.convs[conv_i].name) ^ 't');
  if (world_.record_trace) node_event(device.lane(), "top " + world_.convs[conv_i].name);
  if (writer_ == nullptr) return;
  writer_->top_reached(now_ns(), device.name(), world_.convs[conv_i].name);
}

void Recorder::reconcile_views(const DeviceHost& device) {
  const engine::UserId user = world_.users[device.user()].id;
  for (const engine::ConvId conv : world_.topology.conversations_of(user)) {
    const std::int32_t conv_i = world_.conv_index.at(conv.value);
    std::vector<std::string> actual;
    for (const auto& msg : device.device()->view(conv)) actual.push_back(msg_name(msg));
    const auto recorded = clocks_[device.index()].views[conv_i];  // a copy: writes extend it
    std::size_t anchor = 0;
    if (!recorded.empty()) {
      const auto it = std::find(actual.begin(), actual.end(), recorded.front());
      anchor = static_cast<std::size_t>(it - actual.begin());
      const bool contains = it != actual.end() && actual.size() - anchor >= recorded.size() &&
                            std::equal(recorded.begin(), recorded.end(), it);
      if (!contains) {
        world_.count("model.views_not_reconcilable");
        continue;
      }
    }
    for (std::size_t i = anchor; i-- > 0;) write_display(device, conv_i, actual[i], true, {});
    for (std::size_t i = anchor + recorded.size(); i < actual.size(); i++) {
      write_display(device, conv_i, actual[i], false, {});
    }
    if (actual.size() != recorded.size()) world_.count("model.views_reconciled");
    if (device.device()->top_reached(conv)) write_top_reached(device, conv_i);
  }
}

void Recorder::lifecycle(const DeviceHost& device, const char* what) {
  const std::string kind(what);
  if (kind == "reinstall") {
    DeviceClocks& clocks = clocks_[device.index()];
    // A new incarnation has displayed nothing yet; its own send counts go on.
    for (auto& [conv, clock] : clocks.conv) clock = own_entry_only(clock, device.index());
    clocks.global = own_entry_only(clocks.global, device.index());
    clocks.reply_conv.reset();
    world_.note_reply_candidate(device.index());
    clocks.views.clear();
    clocks.tops.clear();
  }
  if (world_.record_trace) node_event(device.lane(), kind);
  if (writer_ == nullptr) return;
  const std::int64_t t = now_ns();
  if (kind == "online") writer_->online(t, device.name());
  if (kind == "offline") writer_->offline(t, device.name());
  if (kind == "kill") writer_->kill(t, device.name());
  if (kind == "reinstall") writer_->reinstall(t, device.name());
}

std::optional<std::int32_t> Recorder::reply_target(std::int32_t device) const {
  if (device >= static_cast<std::int32_t>(clocks_.size())) return std::nullopt;
  return clocks_[device].reply_conv;
}

void Recorder::phase_liveness() {
  if (world_.record_trace) fault(-1, "heal: liveness phase");
  if (writer_ != nullptr) writer_->phase(now_ns(), history::PhaseKind::liveness);
}

void Recorder::fault(std::int32_t lane, const std::string& label) {
  if (world_.record_trace) {
    world_.trace_log.add(TraceLogRecord{.t_ns = now_ns(),
                                     .t_send_ns = now_ns(),
                                     .kind = TraceLogKind::kFault,
                                     .from = lane,
                                     .label = label});
  }
  if (writer_ != nullptr) writer_->extension(now_ns(), "x-fault", {{"fault", label}});
}

void Recorder::node_event(std::int32_t lane, const std::string& label) {
  const bool lifecycle = label == "online" || label == "offline" || label == "kill" ||
                         label == "reinstall" || label == "crash" || label == "restart";
  world_.trace_log.add(
      TraceLogRecord{.t_ns = now_ns(),
                  .t_send_ns = now_ns(),
                  .kind = lifecycle ? TraceLogKind::kLifecycle : TraceLogKind::kObservation,
                  .from = lane,
                  .label = label});
}

void Recorder::frame_sent(const NodeHost& from, sim::EndpointId to, const std::string& bytes) {
  frames_in_flight_[flight_key(from.endpoint(), to, bytes)].push_back(now_ns());
}

void Recorder::frame_arrived(sim::EndpointId from, const NodeHost& to, const std::string& bytes) {
  auto it = frames_in_flight_.find(flight_key(from, to.endpoint(), bytes));
  std::int64_t sent_ns = now_ns();
  if (it != frames_in_flight_.end() && !it->second.empty()) {
    sent_ns = it->second.front();
    it->second.erase(it->second.begin());
    if (it->second.empty()) frames_in_flight_.erase(it);
  }
  const NodeHost* sender = world_.host_at(from);
  world_.trace_log.add(TraceLogRecord{.t_ns = now_ns(),
                                   .t_send_ns = sent_ns,
                                   .kind = TraceLogKind::kFrame,
                                   .from = sender != nullptr ? sender->lane() : -1,
                                   .to = to.lane(),
                                   .label = frame_label(bytes)});
}

void Recorder::finish(bool quiesced, const std::map<std::string, std::uint64_t>& counters) {
  const std::int64_t t = now_ns();
  if (world_.record_trace) {
    // Frames never delivered (lost, or dropped with their connection), then time order.
    for (const auto& [key, times] : frames_in_flight_) {
      const auto gt = key.find('>');
      const auto colon = key.find(':');
      const sim::EndpointId from(std::stoul(key.substr(0, gt)));
      const sim::EndpointId to(std::stoul(key.substr(gt + 1, colon - gt - 1)));
      for (std::int64_t sent_ns : times) {
        world_.trace_log.add(TraceLogRecord{.t_ns = sent_ns,
                                         .t_send_ns = sent_ns,
                                         .kind = TraceLogKind::kFrameLost,
                                         .from = world_.host_at(from)->lane(),
                                         .to = world_.host_at(to)->lane(),
                                         .label = "lost"});
      }
    }
    std::stable_sort(world_.trace_log.records.begin(), world_.trace_log.records.end(),
                     [](const TraceLogRecord& a, const TraceLogRecord& b) { return a.t_ns < b.t_ns; });
  }
  if (writer_ == nullptr) return;
  writer_->metrics(t, counters);
  for (const auto& conv : world_.convs) {
    const ServerHost* store = world_.server_at(world_.topology.store_for_conv(conv.id));
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
  for (const auto& user : world_.users) {
    const ServerHost* store = world_.server_at(world_.topology.store_for_user(user.id));
    nlohmann::json msgs = nlohmann::json::array();
    for (const auto& entry : store->store()->inbox(user.id)) msgs.push_back(msg_name(entry.msg.id));
    writer_->extension(t, "x-inbox", {{"user", user.name}, {"msgs", std::move(msgs)}});
  }
  writer_->end(t, quiesced);
}

}  // namespace imsim::model::detail
