// Security: every forbidden action is rejected with its reason, counted, and changes no state
// (the role's state digest is the same before and after, and nothing is forwarded or stored).
#include <gtest/gtest.h>

#include <imsim/engine/codec.hpp>

#include "harness.hpp"

namespace imsim::engine::testing {
namespace {

const ConvId kC12{1};  // u1 + u2
const ConvId kC23{2};  // u2 + u3: u1 is not a member

struct GatewayFixture : ::testing::Test {
  Config config = fast_config();
  Topology topology =
      make_topology(3, 2, {{kC12, {UserId{1}, UserId{2}}}, {kC23, {UserId{2}, UserId{3}}}});
  Gateway gateway{config, topology, 0, nullptr};
  const ConnId conn{7};
  const DeviceId me = dev(1, 1);

  void SetUp() override {
    Effects fx;
    gateway.recover({}, LocalTime{}, fx);
    gateway.on_conn_opened(conn, LocalTime{}, fx);
  }

  Effects feed(const Frame& f) { return feed_bytes(encode(f)); }
  Effects feed_bytes(const Bytes& b) {
    Effects fx;
    gateway.on_conn_frame(conn, b, LocalTime{}, fx);
    return fx;
  }
  void hello() {
    Effects fx = feed(Hello{me, Incarnation{0}, topology.device_token(me)});
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
  expect_refused(Hello{me, Incarnation{0}, topology.device_token(me) + 1},
                 RejectReason::auth_failed);
  expect_refused(Hello{dev(9, 1), Incarnation{0}, 0}, RejectReason::auth_failed);
  // Another device's token does not open this one.
  expect_refused(Hello{me, Incarnation{0}, topology.device_token(dev(2, 1))},
                 RejectReason::auth_failed);
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
  expect_refused(Hello{me, Incarnation{0}, topology.device_token(me)},
                 RejectReason::unexpected_frame);
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

TEST_F(GatewayFixture, AllowedActionsAreForwarded) {
  hello();
  Effects fx = feed(Send{msg(me, kC12)});
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Address>(fx.frames[0].to).kind, RoleKind::queue);
  fx = feed(PullInbox{ReqId{1}, {}, me.user, InboxSeq{0}, 4});
  ASSERT_EQ(fx.frames.size(), 1u);
  EXPECT_EQ(std::get<Address>(fx.frames[0].to).kind, RoleKind::store);
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
