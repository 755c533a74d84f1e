// Security: every forbidden action is rejected with its reason, counted, and changes no state
// (the role's state digest is the same before and after, and nothing is forwarded or stored).
#include <gtest/gtest.h>

#include <algorithm>
#include <imsim/engine/codec.hpp>

#include "harness.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC12{1};  // u1 + u2
const ConvId kC23{2};  // u2 + u3: u1 is not a member

// The connections a set of effects sends frames to, in order.
std::vector<ConnId> frames_to_conns(const Effects& fx) {
  std::vector<ConnId> out;
  for (const auto& f : fx.frames) {
    if (const auto* c = std::get_if<ConnId>(&f.to)) out.push_back(*c);
  }
  return out;
}

struct GatewayFixture : ::testing::Test {
  Config config = fast_config();
  Topology topology =
      make_topology(3, 2, {{kC12, {UserId{1}, UserId{2}}}, {kC23, {UserId{2}, UserId{3}}}});
  Gateway gateway{config, topology, 0, nullptr};
  const ConnId conn{7};
  const DeviceId me = dev(1, 1);
  std::uint64_t nonce = 0;  // of `conn`'s Challenge

  void SetUp() override {
    Effects fx;
    gateway.recover({}, LocalTime{}, fx);
    nonce = open(conn);
  }

  // Opens a connection; returns the nonce of the Challenge the gateway sent on it.
  std::uint64_t open(ConnId c) {
    Effects fx;
    gateway.on_conn_opened(c, LocalTime{}, fx);
    EXPECT_EQ(fx.frames.size(), 1u);
    return std::get<Challenge>(*decode(fx.frames.at(0).bytes, 1 << 20).frame).nonce;
  }
  Effects feed(const Frame& f, ConnId c = ConnId{7}, LocalTime now = {}) {
    return feed_bytes(encode(f), c, now);
  }
  Effects feed_bytes(const Bytes& b, ConnId c = ConnId{7}, LocalTime now = {}) {
    Effects fx;
    gateway.on_conn_frame(c, b, now, fx);
    return fx;
  }
  // The Hello a device holding `token` sends to answer `challenge`.
  Hello hello_for(std::uint64_t challenge, Incarnation inc = Incarnation{0}) const {
    return Hello{me, inc, hello_proof(topology.device_token(me, inc), challenge, me, inc)};
  }
  void hello(ConnId c = ConnId{7}, std::uint64_t challenge = 0) {
    Effects fx = feed(hello_for(c == conn ? nonce : challenge), c);
    ASSERT_EQ(fx.frames.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<HelloOk>(*decode(fx.frames[0].bytes, 1 << 20).frame));
  }
  MessageData msg(DeviceId from, ConvId conv, std::string body = "hi") {
    return MessageData{ClientMsgId{from, Incarnation{0}, 1}, conv, LaneSeq{1}, 0, std::move(body)};
  }

  // Feeds `f`, expects a refusal for `reason` back to the device only, and no state change.
  void expect_refused(const Frame& f, RejectReason reason) {
    const std::string before = gateway.state_digest();
    const std::uint64_t count = gateway.counters().rejected(reason);
    Effects fx = feed(f);
    EXPECT_EQ(gateway.state_digest(), before);
    EXPECT_EQ(gateway.counters().rejected(reason), count + 1) << to_string(reason);
    EXPECT_TRUE(fx.storage.empty());
    ASSERT_EQ(fx.frames.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<ConnId>(fx.frames[0].to));  // nothing forwarded
    const Frame back = *decode(fx.frames[0].bytes, 1 << 20).frame;
    if (const auto* nack = std::get_if<SendNack>(&back)) {
      EXPECT_EQ(nack->reason, reason);
    } else {
      ASSERT_TRUE(std::holds_alternative<Reject>(back));
      EXPECT_EQ(std::get<Reject>(back).reason, reason);
    }
  }
};

TEST_F(GatewayFixture, NothingBeforeHello) {
  expect_refused(Send{msg(me, kC12)}, RejectReason::not_authenticated);
  expect_refused(PullInbox{ReqId{1}, {}, me.user, InboxSeq{0}, 4}, RejectReason::not_authenticated);
}

TEST_F(GatewayFixture, WrongTokenOrUnknownDevice) {
  const Incarnation first{0};
  Hello wrong = hello_for(nonce);
  wrong.proof += 1;
  expect_refused(wrong, RejectReason::auth_failed);
  expect_refused(Hello{dev(9, 1), first, 0}, RejectReason::auth_failed);
  // Another device's token does not open this one.
  expect_refused(
      Hello{me, first, hello_proof(topology.device_token(dev(2, 1), first), nonce, me, first)},
      RejectReason::auth_failed);
  // The token itself is not a proof (it never travels).
  expect_refused(Hello{me, first, topology.device_token(me, first)}, RejectReason::auth_failed);
}

// Issue 17: a Hello captured on one connection was accepted on another (static token).
TEST_F(GatewayFixture, AHelloReplayedOnAnotherConnectionIsRefused) {
  const Bytes captured = encode(hello_for(nonce));
  EXPECT_TRUE(std::holds_alternative<HelloOk>(
      *decode(feed_bytes(captured).frames.at(0).bytes, 1 << 20).frame));
  const ConnId attacker{8};
  const std::uint64_t other = open(attacker);
  EXPECT_NE(other, nonce);  // every connection gets its own challenge
  const std::uint64_t failed = gateway.counters().rejected(RejectReason::auth_failed);
  Effects fx = feed_bytes(captured, attacker);
  EXPECT_EQ(gateway.counters().rejected(RejectReason::auth_failed), failed + 1);
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Reject>(*decode(fx.frames[0].bytes, 1 << 20).frame).reason,
            RejectReason::auth_failed);
  // The attacker's connection stays unauthenticated: its sends go nowhere.
  fx = feed(Send{msg(me, kC12)}, attacker);
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ConnId>(fx.frames[0].to));
  EXPECT_EQ(gateway.counters().rejected(RejectReason::not_authenticated), 1u);
}

// Issue 17: a Hello claiming an arbitrary incarnation (999) was accepted and its sends forwarded.
// The token is the credential of one install: it cannot claim another incarnation.
TEST_F(GatewayFixture, AHelloClaimingAnotherIncarnationIsRefused) {
  const Incarnation first{0}, forged{999};
  expect_refused(
      Hello{me, forged, hello_proof(topology.device_token(me, first), nonce, me, forged)},
      RejectReason::auth_failed);
  expect_refused(Hello{me, forged, hello_proof(topology.device_token(me, first), nonce, me, first)},
                 RejectReason::auth_failed);
  // A reinstall logs in again: the new install's own token opens its incarnation.
  Effects fx = feed(hello_for(nonce, Incarnation{1}));
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<HelloOk>(*decode(fx.frames[0].bytes, 1 << 20).frame));
  MessageData from_new_install = msg(me, kC12);
  from_new_install.id.incarnation = Incarnation{1};
  fx = feed(Send{from_new_install});
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Address>(fx.frames[0].to).kind, RoleKind::queue);
  expect_refused(Send{msg(me, kC12)}, RejectReason::forged_sender);  // the old install's ids
}

// Issue 17: one device could be authenticated on many connections at once. The newest wins:
// the older connection is told (superseded), closed, and forgotten.
TEST_F(GatewayFixture, ANewerConnectionOfTheDeviceSupersedesTheOlder) {
  hello();
  const ConnId newer{8};
  const std::uint64_t newer_nonce = open(newer);
  Effects fx = feed(hello_for(newer_nonce), newer);
  ASSERT_EQ(fx.disconnects.size(), 1u);
  EXPECT_EQ(fx.disconnects[0].conn, conn);
  EXPECT_EQ(gateway.counters().rejected(RejectReason::superseded), 1u);
  ASSERT_EQ(fx.frames.size(), 2u);  // Reject(superseded) to the older, HelloOk to the newer
  EXPECT_EQ(std::get<ConnId>(fx.frames[0].to), conn);
  EXPECT_EQ(std::get<Reject>(*decode(fx.frames[0].bytes, 1 << 20).frame).reason,
            RejectReason::superseded);
  EXPECT_EQ(std::get<ConnId>(fx.frames[1].to), newer);
  EXPECT_EQ(gateway.connection_count(), 1u);
  // The older connection is gone: its frames are counted and dropped.
  const std::uint64_t unexpected = gateway.counters().rejected(RejectReason::unexpected_frame);
  fx = feed(Send{msg(me, kC12)});
  EXPECT_TRUE(fx.frames.empty());
  EXPECT_EQ(gateway.counters().rejected(RejectReason::unexpected_frame), unexpected + 1);
  // Pushes reach the newer connection only.
  Effects pushed;
  gateway.on_datagram(
      Address{RoleKind::processor, 0},
      encode(Deliveries{
          ReqId{1}, ConvSeq{1}, msg(dev(2, 1), kC12), {Recipient{me.user, InboxSeq{1}}}, false}),
      LocalTime{}, pushed);
  ASSERT_EQ(frames_to_conns(pushed), std::vector<ConnId>{newer});
}

// Issue 17: 100,000 sends on one connection were all forwarded. The per-connection token bucket
// (defaults: burst 1000, 1000 frames/s) forwards a burst, refuses the rest (counted), and
// refills with time.
TEST_F(GatewayFixture, OneConnectionCannotFloodTheQueue) {
  config = Config{};
  Gateway limited{config, topology, 0, nullptr};
  Effects fx;
  limited.recover({}, LocalTime{}, fx);
  limited.on_conn_opened(conn, LocalTime{}, fx);
  const std::uint64_t challenge =
      std::get<Challenge>(*decode(fx.frames.at(0).bytes, 1 << 20).frame).nonce;
  fx = {};
  limited.on_conn_frame(conn, encode(hello_for(challenge)), LocalTime{}, fx);
  std::uint64_t forwarded = 0;
  std::uint64_t nacked = 0;
  const auto flood = [&](std::uint64_t sends, LocalTime now) {
    for (std::uint64_t i = 0; i < sends; i++) {
      MessageData m = msg(me, kC12);
      m.id.counter = i + 1;
      Effects out;
      limited.on_conn_frame(conn, encode(Send{m}), now, out);
      ASSERT_EQ(out.frames.size(), 1u);
      if (std::holds_alternative<Address>(out.frames[0].to)) {
        forwarded++;
      } else {
        EXPECT_EQ(std::get<SendNack>(*decode(out.frames[0].bytes, 1 << 20).frame).reason,
                  RejectReason::rate_limited);
        nacked++;
      }
    }
  };
  flood(100'000, LocalTime::from_ns(0));
  EXPECT_EQ(forwarded, config.conn_frame_burst - 1);  // the Hello took one token
  EXPECT_EQ(nacked, 100'000 - forwarded);
  EXPECT_EQ(limited.counters().rejected(RejectReason::rate_limited), nacked);
  // Half a second later, 500 more tokens.
  forwarded = nacked = 0;
  flood(10'000, LocalTime::from_ns(kNsPerS / 2));
  EXPECT_EQ(forwarded, 500u);
  // A clock stepped back by 10 s costs the connection one burst's refill (1 s), not 10 s.
  const LocalTime stepped_back = LocalTime::from_ns(kNsPerS / 2 - 10 * kNsPerS);
  forwarded = nacked = 0;
  flood(10, stepped_back);
  EXPECT_EQ(forwarded, 0u);
  flood(10, LocalTime::from_ns(stepped_back.ns() + kNsPerS));
  EXPECT_EQ(forwarded, 10u);
}

// A gateway whose clock reads below zero (a negative offset) admits a new connection's frames:
// "no frame yet" is not time 0.
TEST_F(GatewayFixture, ANegativeClockReadingAdmitsFrames) {
  const LocalTime before_zero = LocalTime::from_ns(-3 * kNsPerS);
  Effects fx = feed(hello_for(nonce), conn, before_zero);
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<HelloOk>(*decode(fx.frames[0].bytes, 1 << 20).frame));
  fx = feed(Send{msg(me, kC12)}, conn, before_zero);
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Address>(fx.frames[0].to).kind, RoleKind::queue);
}

TEST_F(GatewayFixture, SendOnlyAsItselfIntoItsConversations) {
  hello();
  expect_refused(Send{msg(dev(2, 1), kC12)}, RejectReason::forged_sender);  // another user
  expect_refused(Send{msg(dev(1, 2), kC12)}, RejectReason::forged_sender);  // own other device
  MessageData other_install = msg(me, kC12);
  other_install.id.incarnation = Incarnation{5};
  expect_refused(Send{other_install}, RejectReason::forged_sender);
  expect_refused(Send{msg(me, kC23)}, RejectReason::not_member);
  expect_refused(Send{msg(me, ConvId{99})}, RejectReason::unknown_conv);
  expect_refused(Send{msg(me, kC12, std::string(config.message_body_bytes_max + 1, 'x'))},
                 RejectReason::oversized);
  MessageData zero_lane = msg(me, kC12);
  zero_lane.lane_seq = LaneSeq{0};
  expect_refused(Send{zero_lane}, RejectReason::bad_field);
  expect_refused(hello_for(nonce), RejectReason::unexpected_frame);
}

TEST_F(GatewayFixture, PullOnlyOwnInboxAndMemberConversations) {
  hello();
  expect_refused(PullInbox{ReqId{1}, {}, UserId{2}, InboxSeq{0}, 4}, RejectReason::forbidden_inbox);
  expect_refused(PullConv{ReqId{2}, {}, kC23, PullDirection::forward, ConvSeq{0}, 4},
                 RejectReason::not_member);
  expect_refused(PullInbox{ReqId{3}, {}, me.user, InboxSeq{0}, config.page_size_max + 1},
                 RejectReason::bad_limit);
  expect_refused(PullInbox{ReqId{4}, {}, me.user, InboxSeq{0}, 0}, RejectReason::bad_limit);
}

TEST_F(GatewayFixture, ServerFramesFromADeviceAreRefused) {
  hello();
  expect_refused(Deliveries{}, RejectReason::unexpected_frame);
  expect_refused(Append{ReqId{1}, msg(me, kC12)}, RejectReason::unexpected_frame);
}

TEST_F(GatewayFixture, MalformedBytesAreRejectedAndCounted) {
  hello();
  const std::string before = gateway.state_digest();
  Effects fx = feed_bytes(Bytes{1, 2, 3});
  EXPECT_EQ(gateway.state_digest(), before);
  EXPECT_EQ(gateway.counters().rejected(RejectReason::malformed), 1u);
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Reject>(*decode(fx.frames[0].bytes, 1 << 20).frame).reason,
            RejectReason::malformed);
}

// Issue 17: the return path checks the page's owner again. A store page for another user's inbox
// (or a conversation page for a non-member) is dropped and counted, never sent to the device.
TEST_F(GatewayFixture, StorePagesForAnotherUserNeverReachTheDevice) {
  hello();
  const Address store{RoleKind::store, 0};
  Effects fx;
  gateway.on_datagram(store,
                      encode(InboxPage{ReqId{1}, conn, UserId{2}, InboxSeq{0}, InboxSeq{1}, {}}),
                      LocalTime{}, fx);
  EXPECT_TRUE(fx.frames.empty());
  EXPECT_EQ(gateway.counters().rejected(RejectReason::forbidden_inbox), 1u);
  gateway.on_datagram(
      store, encode(ConvPage{ReqId{2}, conn, kC23, PullDirection::forward, ConvSeq{0}, {}}),
      LocalTime{}, fx);
  EXPECT_TRUE(fx.frames.empty());
  EXPECT_EQ(gateway.counters().rejected(RejectReason::not_member), 1u);
  // Its own page goes through, with the connection id cleared.
  gateway.on_datagram(store,
                      encode(InboxPage{ReqId{3}, conn, me.user, InboxSeq{0}, InboxSeq{1}, {}}),
                      LocalTime{}, fx);
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<ConnId>(fx.frames[0].to), conn);
  EXPECT_EQ(std::get<InboxPage>(*decode(fx.frames[0].bytes, 1 << 20).frame).conn, ConnId{0});
}

// Issue 17: a frame on a closed connection is counted and changes nothing.
TEST_F(GatewayFixture, SendingOnAClosedConnectionIsDropped) {
  hello();
  Effects fx;
  gateway.on_conn_closed(conn, LocalTime{}, fx);
  EXPECT_EQ(gateway.connection_count(), 0u);
  const std::string before = gateway.state_digest();
  fx = feed(Send{msg(me, kC12)});
  EXPECT_TRUE(fx.empty());
  EXPECT_EQ(gateway.state_digest(), before);
  EXPECT_EQ(gateway.counters().rejected(RejectReason::unexpected_frame), 1u);
  fx = feed(hello_for(nonce));  // nor can it be reopened by a Hello
  EXPECT_TRUE(fx.empty());
  EXPECT_EQ(gateway.counters().rejected(RejectReason::unexpected_frame), 2u);
}

TEST_F(GatewayFixture, AllowedActionsAreForwarded) {
  hello();
  Effects fx = feed(Send{msg(me, kC12)});
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Address>(fx.frames[0].to).kind, RoleKind::queue);
  fx = feed(PullInbox{ReqId{1}, {}, me.user, InboxSeq{0}, 4});
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Address>(fx.frames[0].to).kind, RoleKind::store);
}

// ---- The adversarial device's attacks (model/src/adversary.cpp), one test each. Each feeds
// what the adversary sends and expects the refusal, counted, with nothing forwarded. ----

TEST_F(GatewayFixture, AttackImpersonateAnotherUser) {
  hello();
  // Another user's device id, into that user's own conversation.
  MessageData forged{ClientMsgId{dev(2, 1), Incarnation{0}, (1ull << 40) + 1}, kC23, LaneSeq{1}, 0,
                     "forged"};
  expect_refused(Send{forged}, RejectReason::forged_sender);
}

TEST_F(GatewayFixture, AttackSendIntoAForeignConversation) {
  hello();
  expect_refused(Send{msg(me, kC23)}, RejectReason::not_member);
  expect_refused(Send{msg(me, ConvId{77})}, RejectReason::unknown_conv);
}

TEST_F(GatewayFixture, AttackPullAnotherUsersInbox) {
  hello();
  expect_refused(PullInbox{ReqId{1}, {}, UserId{3}, InboxSeq{0}, 4}, RejectReason::forbidden_inbox);
}

// A frame the gateway sent the device (a push, a page, the challenge), sent back to it.
TEST_F(GatewayFixture, AttackReplayAFrameTheGatewaySent) {
  hello();
  expect_refused(Challenge{nonce}, RejectReason::unexpected_frame);
  expect_refused(Push{me.user, InboxEntry{InboxSeq{1}, ConvSeq{1}, msg(dev(2, 1), kC12)}},
                 RejectReason::unexpected_frame);
  expect_refused(InboxPage{ReqId{1}, ConnId{0}, me.user, InboxSeq{1}, InboxSeq{1}, {}},
                 RejectReason::unexpected_frame);
  expect_refused(HelloOk{me}, RejectReason::unexpected_frame);
}

TEST_F(GatewayFixture, AttackOversizedBodyAndFrame) {
  hello();
  expect_refused(Send{msg(me, kC12, std::string(config.message_body_bytes_max + 1, 'x'))},
                 RejectReason::oversized);
  // Longer than frame_bytes_max: refused before decoding.
  const std::uint64_t before = gateway.counters().rejected(RejectReason::malformed);
  Effects fx = feed(Send{msg(me, kC12, std::string(config.frame_bytes_max, 'x'))});
  EXPECT_EQ(gateway.counters().rejected(RejectReason::malformed), before + 1);
  ASSERT_EQ(fx.frames.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ConnId>(fx.frames[0].to));
  EXPECT_EQ(std::get<Reject>(*decode(fx.frames[0].bytes, 1 << 20).frame).reason,
            RejectReason::malformed);
}

// A Send the gateway would forward, cut at every length, its length prefix patched to match.
TEST_F(GatewayFixture, AttackTruncatedFrames) {
  hello();
  const Bytes whole = encode(Send{msg(me, kC12)});
  ASSERT_EQ(std::get<Address>(feed_bytes(whole).frames.at(0).to).kind, RoleKind::queue);
  const std::string digest = gateway.state_digest();
  for (std::size_t size = 1; size < whole.size(); size++) {
    Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
    if (size >= 4) {
      for (std::size_t i = 0; i < 4; i++) cut[i] = static_cast<std::uint8_t>((size - 4) >> (8 * i));
    }
    const std::uint64_t before = gateway.counters().rejected(RejectReason::malformed);
    Effects fx =
        feed_bytes(cut, conn, LocalTime::from_ns(static_cast<std::int64_t>(size) * kNsPerS));
    EXPECT_EQ(gateway.counters().rejected(RejectReason::malformed), before + 1) << size;
    ASSERT_EQ(fx.frames.size(), 1u) << size;
    EXPECT_TRUE(std::holds_alternative<ConnId>(fx.frames[0].to)) << size;  // nothing forwarded
  }
  EXPECT_EQ(gateway.state_digest(), digest);
}

// Random bytes, half behind a well-formed header: each gets exactly one answer on the connection
// and none reaches a server.
TEST_F(GatewayFixture, AttackGarbageFrames) {
  hello();
  TestRandom random(42);
  std::uint64_t answered = 0;
  for (int i = 0; i < 2000; i++) {
    Bytes bytes(1 + random.next_u64() % 64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random.next_u64());
    if (bytes.size() >= kFrameHeaderBytes && i % 2 == 0) {
      for (std::size_t k = 0; k < 4; k++) {
        bytes[k] = static_cast<std::uint8_t>((bytes.size() - 4) >> (8 * k));
      }
      bytes[4] = kWireVersion;
      bytes[5] = static_cast<std::uint8_t>(1 + random.next_u64() % kFrameTypeMax);
    }
    Effects fx = feed_bytes(bytes, conn, LocalTime::from_ns(i * kNsPerS));
    ASSERT_EQ(fx.frames.size(), 1u) << i;
    ASSERT_TRUE(std::holds_alternative<ConnId>(fx.frames[0].to)) << i;
    answered++;
  }
  EXPECT_EQ(gateway.counters().frames_rejected, answered);
}

// Connections that never say Hello are bounded: beyond conn_pending_max a new connection is
// refused while the oldest is younger than hello_timeout, and the oldest is closed once it is
// older; the authenticated connection is never the one closed.
TEST_F(GatewayFixture, ConnectionsThatNeverSayHelloAreBounded) {
  config.conn_pending_max = 8;
  Gateway bounded{config, topology, 0, nullptr};
  Effects fx;
  bounded.on_conn_opened(conn, LocalTime{}, fx);
  const std::uint64_t challenge =
      std::get<Challenge>(*decode(fx.frames.at(0).bytes, 1 << 20).frame).nonce;
  fx = {};
  bounded.on_conn_frame(conn, encode(hello_for(challenge)), LocalTime{}, fx);
  std::vector<ConnId> closed;
  auto open_at = [&](std::uint64_t c, LocalTime t) {
    Effects opened;
    bounded.on_conn_opened(ConnId{c}, t, opened);
    for (const Disconnect& d : opened.disconnects) closed.push_back(d.conn);
    EXPECT_LE(bounded.connection_count(), config.conn_pending_max + 1u);  // + the authenticated
    return opened;
  };
  for (std::uint64_t c = 100; c < 100 + 1000; c++) open_at(c, LocalTime{});
  // All at once: the first conn_pending_max are handshakes under way; the rest are refused
  // without a Challenge.
  ASSERT_EQ(closed.size(), 1000u - config.conn_pending_max);
  EXPECT_EQ(closed.front(), ConnId{100 + config.conn_pending_max});
  // hello_timeout later the oldest has been abandoned (or is an attacker's): it makes room.
  const Effects later = open_at(5000, LocalTime::from_ns(config.hello_timeout.ns()));
  ASSERT_EQ(later.disconnects.size(), 1u);
  EXPECT_EQ(later.disconnects[0].conn, ConnId{100});
  ASSERT_EQ(later.frames.size(), 1u);  // the new one got its Challenge
  EXPECT_EQ(std::count(closed.begin(), closed.end(), conn), 0);
  EXPECT_EQ(bounded.counters().rejected(RejectReason::not_authenticated), closed.size());
}

// A login storm larger than conn_pending_max still makes progress: the handshakes under way
// complete (closing the oldest on every new connection closed each one before its Hello).
TEST_F(GatewayFixture, ALoginStormBeyondThePendingBoundStillAuthenticates) {
  config.conn_pending_max = 4;
  Gateway bounded{config, topology, 0, nullptr};
  std::map<ConnId, std::uint64_t> challenges;
  for (std::uint64_t c = 100; c < 140; c++) {  // 40 devices connect within one round trip
    Effects fx;
    bounded.on_conn_opened(ConnId{c}, LocalTime{}, fx);
    if (!fx.frames.empty()) {
      challenges[ConnId{c}] = std::get<Challenge>(*decode(fx.frames[0].bytes, 1 << 20).frame).nonce;
    }
  }
  ASSERT_EQ(challenges.size(), config.conn_pending_max);
  const std::vector<DeviceId> devices{dev(1, 1), dev(1, 2), dev(2, 1), dev(2, 2)};
  std::size_t authenticated = 0;
  std::size_t next = 0;
  for (const auto& [c, challenge] : challenges) {
    const DeviceId d = devices.at(next++);
    const Incarnation inc{0};
    Effects fx;
    bounded.on_conn_frame(
        c, encode(Hello{d, inc, hello_proof(topology.device_token(d, inc), challenge, d, inc)}),
        LocalTime::from_ns(kMs), fx);
    ASSERT_EQ(fx.frames.size(), 1u);
    authenticated += std::holds_alternative<HelloOk>(*decode(fx.frames[0].bytes, 1 << 20).frame);
  }
  EXPECT_EQ(authenticated, config.conn_pending_max);
}

// Server roles check their senders too: a frame from the wrong kind of role, or for a shard the
// node does not own, or from a non-member, changes nothing.
template <typename Role>
void expect_server_refuses(Role& role, Address from, const Frame& f, RejectReason reason) {
  const std::string before = role.state_digest();
  const std::uint64_t count = role.counters().rejected(reason);
  Effects fx;
  role.on_datagram(from, encode(f), LocalTime{}, fx);
  EXPECT_EQ(role.state_digest(), before);
  EXPECT_EQ(role.counters().rejected(reason), count + 1) << to_string(reason);
  EXPECT_TRUE(fx.frames.empty());
  EXPECT_TRUE(fx.storage.empty());
}

TEST(ServerSecurity, StoreQueueProcessorRefuseForgedDatagrams) {
  const Config config = fast_config();
  const Topology topology =
      make_topology(3, 1, {{kC12, {UserId{1}, UserId{2}}}, {kC23, {UserId{2}, UserId{3}}}});
  const MessageData forged{ClientMsgId{dev(1, 1), Incarnation{0}, 1}, kC23, LaneSeq{1}, 0, "x"};
  const MessageData good{ClientMsgId{dev(1, 1), Incarnation{0}, 1}, kC12, LaneSeq{1}, 0, "x"};
  const Address gw{RoleKind::gateway, 0}, proc{RoleKind::processor, 0}, q{RoleKind::queue, 0};
  Effects fx;
  TimelineStore store(config, topology, 0, nullptr);
  store.recover({}, LocalTime{}, fx);
  expect_server_refuses(store, gw, Append{ReqId{1}, good}, RejectReason::unexpected_frame);
  expect_server_refuses(store, proc, Append{ReqId{1}, forged}, RejectReason::not_member);
  expect_server_refuses(store, proc, InboxAppend{ReqId{1}, UserId{1}, ConvSeq{1}, forged},
                        RejectReason::not_member);
  expect_server_refuses(store, proc, Notice{}, RejectReason::unexpected_frame);
  Queue queue(config, topology, 0, nullptr);
  queue.recover({}, LocalTime{}, fx);
  expect_server_refuses(queue, proc, Enqueue{Origin{}, good}, RejectReason::unexpected_frame);
  expect_server_refuses(queue, gw, Enqueue{Origin{}, forged}, RejectReason::not_member);
  expect_server_refuses(queue, gw, Done{0, 1, good.id}, RejectReason::unexpected_frame);
  Processor processor(config, topology, 0, nullptr);
  processor.recover({}, LocalTime{}, fx);
  processor.on_storage_done(std::get<StorageWrite>(fx.storage.back()).op, LocalTime{}, fx);
  expect_server_refuses(processor, gw, Deliver{0, 1, Origin{}, good},
                        RejectReason::unexpected_frame);
  expect_server_refuses(processor, q,
                        Deliver{topology.partition_of(kC23, config), 1, Origin{}, forged},
                        RejectReason::not_member);
  // Garbage is malformed everywhere.
  Effects g;
  store.on_datagram(proc, Bytes{0xff, 0xff}, LocalTime{}, g);
  EXPECT_EQ(store.counters().rejected(RejectReason::malformed), 1u);
  EXPECT_TRUE(g.empty());
}

}  // namespace
}  // namespace imsim::engine::testing
