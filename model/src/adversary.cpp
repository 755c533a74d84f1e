// Adversarial devices (WorldConfig::adversaries): compromised clients with a valid install
// token that speak raw frames to a gateway over the simulated connections, one attack at a
// time, and tally the gateway's answer to each. They are not in the history.
#include <algorithm>
#include <imsim/sim/distributions.hpp>

#include "hosts.hpp"

namespace imsim::model::detail {

namespace {

constexpr std::int64_t kReconnectDelay_ns = 500'000'000;
constexpr std::int64_t kFirstAttackMax_ns = 1'000'000'000;  // after login, uniformly
constexpr std::size_t kGarbageBytesMax = 64;
constexpr std::int64_t kPullWait_ns = 5'000'000'000;  // no_ack: a page later than this is lost
// Impersonating sends use counters far above any honest device's, so even a gateway that let
// one through would not collide with a real message id.
constexpr std::uint64_t kForgedCounterBase = std::uint64_t{1} << 40;

std::size_t kind_index(AttackKind kind) { return static_cast<std::size_t>(kind); }

}  // namespace

// ---- AdversaryHost ---------------------------------------------------------------------------

AdversaryHost::AdversaryHost(HostEnv& env, engine::DeviceId id, std::string name, sim::NodeId node,
                             sim::EndpointId endpoint, std::int32_t lane,
                             std::vector<AttackKind> mix)
    : NodeHost(env, std::move(name), node, endpoint, lane),
      id_(id),
      mix_(std::move(mix)),
      rng_(env.sim.fork_rng("adversary/" + this->name())) {}

void AdversaryHost::start() {
  connect();
  const auto first = sim::uniform_int(rng_, 0, kFirstAttackMax_ns);
  env_.sim.schedule_after(node(), sim::Duration::from_ns(first), [this] { attack(); });
}

void AdversaryHost::stop() { stopped_ = true; }

void AdversaryHost::connect() {
  IMSIM_ASSERT(!conn_.has_value());
  const auto gateway = static_cast<std::uint32_t>(
      sim::uniform_int(rng_, 0, std::int64_t{env_.population.topology().gateway_count} - 1));
  const ServerHost* host =
      env_.hosts.server_at(engine::Address{engine::RoleKind::gateway, gateway});
  IMSIM_ASSERT(host != nullptr);
  authenticated_ = false;
  conn_ = env_.sim.network().connect(endpoint(), host->endpoint());
}

void AdversaryHost::schedule_reconnect() {
  env_.sim.schedule_after(node(), sim::Duration::from_ns(kReconnectDelay_ns), [this] {
    if (!conn_.has_value()) connect();
  });
}

void AdversaryHost::schedule_attack() {
  if (stopped_) return;
  const double mean = static_cast<double>(env_.config.adversaries.attack_interval_mean_ns);
  const auto delay = static_cast<std::int64_t>(sim::exponential(rng_, mean));
  env_.sim.schedule_after(node(), sim::Duration::from_ns(std::max<std::int64_t>(delay, 1)),
                          [this] { attack(); });
}

void AdversaryHost::send_bytes(engine::Bytes bytes) {
  IMSIM_ASSERT(conn_.has_value());
  engine::Effects fx;
  fx.frames.push_back(engine::SendFrame{to_engine(*conn_), std::move(bytes)});
  apply(fx);
}

void AdversaryHost::send_own_hello() {
  const engine::Incarnation first{0};
  const engine::Hello hello{
      id_, first,
      engine::hello_proof(env_.population.topology().device_token(id_, first), nonce_, id_, first)};
  const engine::Bytes bytes = engine::encode(hello);
  captured_hello_ = std::string(bytes.begin(), bytes.end());
  send_bytes(bytes);
}

void AdversaryHost::begin(AttackKind kind) {
  attacks_begun_++;
  tallies_[kind_index(kind)].attempted++;
  env_.counters.count(std::string("adversary.attempted.") + kAttackKindNames[kind_index(kind)]);
}

void AdversaryHost::settle(AttackKind kind, std::uint64_t AttackTally::*outcome) {
  tallies_[kind_index(kind)].*outcome += 1;
}

engine::ClientMsgId AdversaryHost::own_msg_id() {
  return engine::ClientMsgId{id_, engine::Incarnation{0}, ++next_counter_};
}

std::optional<engine::ConvId> AdversaryHost::member_conv() {
  const std::vector<engine::ConvId> mine = env_.population.topology().conversations_of(id_.user);
  if (mine.empty()) return std::nullopt;
  return mine[uniform_index(rng_, mine.size())];
}

// A conversation its user is not in; an id no conversation has when it is in every one.
engine::ConvId AdversaryHost::foreign_conv() {
  std::vector<engine::ConvId> others;
  std::uint32_t highest = 0;
  for (const auto& [conv, members] : env_.population.topology().conversations) {
    highest = std::max(highest, conv.value);
    if (!env_.population.topology().is_member(id_.user, conv)) others.push_back(conv);
  }
  if (others.empty()) return engine::ConvId{highest + 1};
  return others[uniform_index(rng_, others.size())];
}

engine::MessageData AdversaryHost::own_send(engine::ConvId conv, std::size_t body_bytes) {
  return engine::MessageData{own_msg_id(), conv, engine::LaneSeq{1}, 0,
                             std::string(body_bytes, 'x')};
}

void AdversaryHost::attack() {
  if (stopped_) return;
  schedule_attack();
  // One attack at a time, on an authenticated connection.
  if (!conn_.has_value() || !authenticated_ || outstanding_count() != 0) {
    env_.counters.count("adversary.attack_ticks_skipped");
    return;
  }
  const AttackKind kind = mix_[uniform_index(rng_, mix_.size())];
  const engine::Config& config = env_.engine_config;
  switch (kind) {
    case AttackKind::kImpersonate: {
      // Another user's device, into one of that user's conversations.
      std::vector<engine::DeviceId> victims;
      for (const auto& [user, devices] : env_.population.topology().users) {
        if (user == id_.user) continue;
        victims.insert(victims.end(), devices.begin(), devices.end());
      }
      IMSIM_ASSERT(!victims.empty());  // the honest population has at least one user
      const engine::DeviceId victim = victims[uniform_index(rng_, victims.size())];
      const auto convs = env_.population.topology().conversations_of(victim.user);
      const engine::ConvId conv =
          convs.empty() ? engine::ConvId{1} : convs[uniform_index(rng_, convs.size())];
      engine::MessageData msg{
          engine::ClientMsgId{victim, engine::Incarnation{0}, kForgedCounterBase + ++next_counter_},
          conv, engine::LaneSeq{1}, 0, "forged"};
      begin(kind);
      sends_[msg.id] = kind;
      send_frame(engine::Send{msg});
      break;
    }
    case AttackKind::kForeignConv: {
      engine::MessageData msg = own_send(foreign_conv(), 16);
      begin(kind);
      sends_[msg.id] = kind;
      send_frame(engine::Send{msg});
      break;
    }
    case AttackKind::kForeignInbox: {
      std::vector<engine::UserId> others;
      for (const auto& [user, devices] : env_.population.topology().users) {
        if (user != id_.user) others.push_back(user);
      }
      const engine::UserId victim = others[uniform_index(rng_, others.size())];
      begin(kind);
      single_ = kind;
      send_frame(engine::PullInbox{engine::ReqId{++next_req_}, engine::ConnId{0}, victim,
                                   engine::InboxSeq{0}, config.page_size});
      break;
    }
    case AttackKind::kReplay: {
      IMSIM_ASSERT(captured_hello_.has_value());  // authenticated: its Hello went out
      if (sim::bernoulli(rng_, 0.5)) {
        // Its Hello of this connection, replayed on a new connection (another nonce).
        replay_hello_next_ = true;
        env_.sim.network().close(*conn_, endpoint());
        conn_.reset();
        connect();
        break;  // begins when the new connection's Challenge arrives
      }
      begin(kind);
      single_ = kind;
      const std::string& captured =
          captured_server_frame_.has_value() ? *captured_server_frame_ : *captured_hello_;
      send_bytes(engine::Bytes(captured.begin(), captured.end()));
      break;
    }
    case AttackKind::kOversized: {
      begin(kind);
      const std::optional<engine::ConvId> conv = member_conv();
      if (sim::bernoulli(rng_, 0.5)) {
        // A body over the message limit in a frame the decoder takes.
        const auto extra = static_cast<std::size_t>(sim::uniform_int(rng_, 1, 1024));
        engine::MessageData msg =
            own_send(conv.value_or(engine::ConvId{1}), config.message_body_bytes_max + extra);
        sends_[msg.id] = kind;
        send_frame(engine::Send{msg});
      } else {
        // A frame over frame_bytes_max: refused before it is decoded.
        single_ = kind;
        send_frame(
            engine::Send{own_send(conv.value_or(engine::ConvId{1}), config.frame_bytes_max)});
      }
      break;
    }
    case AttackKind::kTruncated: {
      // A Send the gateway would take, cut short, its length prefix patched to match.
      const std::optional<engine::ConvId> conv = member_conv();
      engine::Bytes bytes =
          engine::encode(engine::Send{own_send(conv.value_or(engine::ConvId{1}), 32)});
      const auto cut = static_cast<std::size_t>(sim::uniform_int(
          rng_, 1, static_cast<std::int64_t>(bytes.size() - engine::kFrameHeaderBytes)));
      bytes.resize(bytes.size() - cut);
      const auto length = static_cast<std::uint32_t>(bytes.size() - 4);
      for (std::size_t i = 0; i < 4; i++) bytes[i] = static_cast<std::uint8_t>(length >> (8 * i));
      begin(kind);
      single_ = kind;
      send_bytes(std::move(bytes));
      break;
    }
    case AttackKind::kGarbage: {
      const auto size = static_cast<std::size_t>(
          sim::uniform_int(rng_, 1, static_cast<std::int64_t>(kGarbageBytesMax)));
      engine::Bytes bytes(size);
      for (auto& b : bytes) b = static_cast<std::uint8_t>(rng_.next_u64());
      if (size >= engine::kFrameHeaderBytes && sim::bernoulli(rng_, 0.5)) {
        // A well-formed header (length, version, a valid type) over random fields.
        const auto length = static_cast<std::uint32_t>(size - 4);
        for (std::size_t i = 0; i < 4; i++) bytes[i] = static_cast<std::uint8_t>(length >> (8 * i));
        bytes[4] = engine::kWireVersion;
        bytes[5] = static_cast<std::uint8_t>(sim::uniform_int(rng_, 1, engine::kFrameTypeMax));
      }
      begin(kind);
      single_ = kind;
      send_bytes(std::move(bytes));
      break;
    }
    case AttackKind::kFlood: {
      const engine::ConvId conv = foreign_conv();
      for (std::int32_t i = 0; i < env_.config.adversaries.flood_frames; i++) {
        engine::MessageData msg = own_send(conv, 8);
        begin(kind);
        sends_[msg.id] = kind;
        send_frame(engine::Send{msg});
      }
      break;
    }
    case AttackKind::kNoAck: {
      // Always the first page: the next pull never moves past it (no acknowledgement).
      begin(kind);
      single_ = kind;
      send_frame(engine::PullInbox{engine::ReqId{++next_req_}, engine::ConnId{0}, id_.user,
                                   engine::InboxSeq{0}, config.page_size});
      // The gateway forwards this pull (it is allowed): a store down or a datagram lost leaves
      // it without a page, which is not the gateway's to answer.
      const std::uint64_t serial = attacks_begun_;
      env_.sim.schedule_after(node(), sim::Duration::from_ns(kPullWait_ns), [this, serial] {
        if (serial != attacks_begun_ || single_ != AttackKind::kNoAck) return;
        settle(AttackKind::kNoAck, &AttackTally::timed_out);
        single_.reset();
      });
      break;
    }
  }
}

void AdversaryHost::on_rejected(engine::RejectReason reason,
                                std::optional<engine::ClientMsgId> msg) {
  const auto tally = [&](AttackKind kind) {
    settle(kind, &AttackTally::rejected);
    tallies_[kind_index(kind)].reasons[engine::to_string(reason)]++;
  };
  if (msg.has_value()) {
    if (auto it = sends_.find(*msg); it != sends_.end()) {
      tally(it->second);
      sends_.erase(it);
      return;
    }
  }
  // A Reject, or a SendNack for bytes it did not track as a Send (garbage that decoded).
  if (single_.has_value()) {
    tally(*single_);
    single_.reset();
    if (hello_after_reject_) {
      hello_after_reject_ = false;
      send_own_hello();
    }
    return;
  }
  env_.counters.count("adversary.unmatched_refusals");
}

void AdversaryHost::on_frame(const std::string& bytes) {
  const engine::DecodeResult decoded = engine::decode(as_span(bytes), ~std::uint32_t{0});
  if (!decoded.ok()) {
    env_.counters.count("adversary.undecodable_frames_received");
    return;
  }
  const engine::Frame& frame = *decoded.frame;
  if (const auto* c = std::get_if<engine::Challenge>(&frame)) {
    nonce_ = c->nonce;
    if (replay_hello_next_ && captured_hello_.has_value()) {
      // The Hello of the previous connection answers the previous nonce: it must be refused.
      replay_hello_next_ = false;
      begin(AttackKind::kReplay);
      single_ = AttackKind::kReplay;
      hello_after_reject_ = true;
      const std::string old = *captured_hello_;
      send_bytes(engine::Bytes(old.begin(), old.end()));
    } else {
      send_own_hello();
    }
    return;
  }
  if (std::holds_alternative<engine::HelloOk>(frame)) {
    if (hello_after_reject_ && single_ == AttackKind::kReplay) {
      settle(AttackKind::kReplay, &AttackTally::accepted);  // the replayed Hello opened it
      single_.reset();
      hello_after_reject_ = false;
    }
    authenticated_ = true;
    return;
  }
  if (const auto* r = std::get_if<engine::Reject>(&frame)) {
    if (r->reason == engine::RejectReason::superseded) return;  // not an answer to an attack
    return on_rejected(r->reason, std::nullopt);
  }
  if (const auto* nack = std::get_if<engine::SendNack>(&frame)) {
    return on_rejected(nack->reason, nack->msg);
  }
  if (const auto* ack = std::get_if<engine::SendAck>(&frame)) {
    if (auto it = sends_.find(ack->msg); it != sends_.end()) {
      settle(it->second, &AttackTally::accepted);
      sends_.erase(it);
    }
    return;
  }
  // Pages, pushes and notices: captured for replay.
  captured_server_frame_ = bytes;
  if (const auto* page = std::get_if<engine::InboxPage>(&frame)) {
    if (single_ == AttackKind::kForeignInbox && page->user != id_.user) {
      settle(AttackKind::kForeignInbox, &AttackTally::accepted);
      single_.reset();
    } else if (single_ == AttackKind::kNoAck && page->user == id_.user) {
      settle(AttackKind::kNoAck, &AttackTally::served);
      single_.reset();
    }
  }
}

void AdversaryHost::on_conn_event(sim::ConnId conn, sim::ConnEvent event) {
  if (!conn_.has_value() || conn != *conn_) return;  // an older connection it closed
  switch (event.kind) {
    case sim::ConnEventKind::opened:
      break;  // the gateway speaks first (Challenge)
    case sim::ConnEventKind::data:
      if (env_.trace != nullptr) {
        env_.trace->frame_arrived(env_.sim.network().peer_of(conn, endpoint()), endpoint(),
                                  event.bytes);
      }
      on_frame(event.bytes);
      break;
    case sim::ConnEventKind::failed:
    case sim::ConnEventKind::closed:
    case sim::ConnEventKind::reset:
      // What was waiting for an answer will never get one.
      for (const auto& [msg, kind] : sends_) settle(kind, &AttackTally::conn_lost);
      sends_.clear();
      if (single_.has_value()) settle(*single_, &AttackTally::conn_lost);
      single_.reset();
      hello_after_reject_ = false;
      conn_.reset();
      authenticated_ = false;
      schedule_reconnect();
      break;
  }
}

void AdversaryHost::report(AdversaryReport& out) const {
  for (std::size_t k = 0; k < kAttackKinds; k++) {
    AttackTally& t = out.attacks[kAttackKindNames[k]];
    const AttackTally& mine = tallies_[k];
    t.attempted += mine.attempted;
    t.rejected += mine.rejected;
    t.accepted += mine.accepted;
    t.served += mine.served;
    t.conn_lost += mine.conn_lost;
    t.timed_out += mine.timed_out;
    t.unanswered += mine.unanswered;
    for (const auto& [reason, n] : mine.reasons) t.reasons[reason] += n;
  }
  for (const auto& [msg, kind] : sends_)
    out.attacks[kAttackKindNames[kind_index(kind)]].unanswered++;
  if (single_.has_value()) out.attacks[kAttackKindNames[kind_index(*single_)]].unanswered++;
  auto& mix = out.mixes[name()];
  for (AttackKind kind : mix_) mix.push_back(kAttackKindNames[kind_index(kind)]);
}

}  // namespace imsim::model::detail
