// The parts of the modelled world (model/src/world_impl.hpp), each built and driven alone:
// Population from a small WorldConfig, the Recorder's vector clocks after hand-driven sends
// and displays, the TraceRecorder's send -> arrival pairing.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "population.hpp"
#include "recorder.hpp"

namespace imsim::model::detail {
namespace {

DeviceSpec device(std::string id) {
  DeviceSpec d;
  d.id = std::move(id);
  return d;
}

// u1 (d1, d2), u2 (d1), u3 (d1); c1 direct u1-u2, c2 group of all three (large above 2).
WorldConfig explicit_world(std::uint32_t large_group_threshold = 100) {
  WorldConfig c;
  c.name = "parts";
  c.seed = 7;
  c.engine.large_group_threshold = large_group_threshold;
  c.users.push_back(UserSpec{.id = "u1", .devices = {device("d1"), device("d2")}});
  c.users.push_back(UserSpec{.id = "u2", .devices = {device("d1")}});
  c.users.push_back(UserSpec{.id = "u3", .devices = {device("d1")}});
  c.conversations.push_back(
      ConversationSpec{.id = "c1", .kind = ConversationKind::kDirect, .members = {"u2", "u1"}});
  c.conversations.push_back(ConversationSpec{
      .id = "c2", .kind = ConversationKind::kGroup, .members = {"u3", "u1", "u2"}});
  return c;
}

TEST(PopulationTest, ExplicitUsersDevicesAndConversations) {
  const WorldConfig config = explicit_world();
  const sim::Simulator sim(config.seed);
  const Population population(config, sim);

  ASSERT_EQ(population.users().size(), 3u);
  ASSERT_EQ(population.device_count(), 4);
  EXPECT_EQ(population.user(0).devices, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(population.user(2).devices, (std::vector<std::int32_t>{3}));
  EXPECT_EQ(population.device_plan(1).name, "u1/d2");
  EXPECT_EQ(population.device_plan(1).id, (engine::DeviceId{engine::UserId(1), 2}));
  EXPECT_EQ(population.device_plan(2).name, "u2/d1");
  EXPECT_EQ(population.device_plan(2).user, 1);
  // Indices round-trip for every device and conversation.
  for (std::int32_t d = 0; d < population.device_count(); d++) {
    EXPECT_EQ(population.device_index(population.device_plan(d).id), d);
  }
  ASSERT_EQ(population.convs().size(), 2u);
  for (std::int32_t i = 0; i < 2; i++) {
    EXPECT_EQ(population.conv_index(population.conv(i).id), i);
  }
  // Members are user indices in ascending order, whatever order the spec listed them in.
  EXPECT_EQ(population.conv(0).members, (std::vector<std::int32_t>{0, 1}));
  EXPECT_TRUE(population.conv(0).direct);
  EXPECT_EQ(population.conv(1).members, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_FALSE(population.conv(1).large);
  // The engine's topology: u3 is only in c2; u1 has both devices.
  const auto& topology = population.topology();
  EXPECT_EQ(topology.conversations_of(engine::UserId(3)),
            (std::vector<engine::ConvId>{population.conv(1).id}));
  EXPECT_EQ(topology.users.at(engine::UserId(1)).size(), 2u);
  EXPECT_TRUE(population.adversary_plans().empty());
}

TEST(PopulationTest, LargeGroupsFollowTheEngineThreshold) {
  const WorldConfig config = explicit_world(/*large_group_threshold=*/2);
  const Population population(config, sim::Simulator(config.seed));
  EXPECT_FALSE(population.conv(0).large);  // 2 members: not above the threshold
  EXPECT_TRUE(population.conv(1).large);   // 3 members
}

WorldConfig generated_world(std::uint64_t seed) {
  WorldConfig c;
  c.seed = seed;
  c.generated_users = GeneratedUsers{.count = 6, .devices_min = 1, .devices_max = 3};
  c.generated_conversations =
      GeneratedConversations{.direct = 3, .groups = {GeneratedGroups{.count = 2, .size = 4}}};
  return c;
}

TEST(PopulationTest, GeneratedPopulationIsDrawnFromTheSeed) {
  const WorldConfig config = generated_world(11);
  const Population a(config, sim::Simulator(config.seed));
  const Population b(config, sim::Simulator(config.seed));
  ASSERT_EQ(a.users().size(), 6u);
  ASSERT_EQ(a.convs().size(), 5u);
  std::int32_t devices = 0;
  for (const UserEntry& user : a.users()) {
    EXPECT_GE(user.devices.size(), 1u);
    EXPECT_LE(user.devices.size(), 3u);
    devices += static_cast<std::int32_t>(user.devices.size());
  }
  EXPECT_EQ(devices, a.device_count());
  for (std::size_t i = 0; i < a.convs().size(); i++) {
    const ConvEntry& conv = a.convs()[i];
    EXPECT_EQ(conv.name, "c" + std::to_string(i + 1));
    EXPECT_EQ(conv.members.size(), i < 3 ? 2u : 4u);
    EXPECT_EQ(std::set<std::int32_t>(conv.members.begin(), conv.members.end()).size(),
              conv.members.size());
    EXPECT_TRUE(std::is_sorted(conv.members.begin(), conv.members.end()));
    EXPECT_EQ(conv.members, b.convs()[i].members);  // same seed, same draw
  }
  // Another seed draws another population (members or device counts differ).
  const Population c(generated_world(12), sim::Simulator(12));
  bool differs = c.device_count() != a.device_count();
  for (std::size_t i = 0; i < a.convs().size(); i++) {
    differs = differs || c.convs()[i].members != a.convs()[i].members;
  }
  EXPECT_TRUE(differs);
}

// ---- Recorder --------------------------------------------------------------------------------

struct Replies final : ReplyListener {
  void note_reply_candidate(std::int32_t device) override { noted.push_back(device); }
  std::vector<std::int32_t> noted;
};

class RecorderTest : public ::testing::Test {
 protected:
  RecorderTest()
      : config_(explicit_world()),
        sim_(config_.seed),
        population_(config_, sim_),
        recorder_(population_, sim_, counters_, replies_, &history_, nullptr) {
    for (const DevicePlan& plan : population_.device_plans()) sim_.add_node(plan.name);
    recorder_.header(config_.name, config_.seed);
  }

  DeviceRef ref(std::int32_t index) const {
    return DeviceRef{index, sim::NodeId(static_cast<std::uint32_t>(index))};
  }
  engine::ClientMsgId msg(std::int32_t device, std::uint64_t counter) const {
    return engine::ClientMsgId{population_.device_plan(device).id, engine::Incarnation(0), counter};
  }
  void send(std::int32_t device, std::int32_t conv, std::uint64_t counter) {
    recorder_.observe(ref(device),
                      engine::LocalEcho{msg(device, counter), population_.conv(conv).id});
  }
  void display(std::int32_t device, std::int32_t conv, engine::ClientMsgId shown) {
    recorder_.observe(
        ref(device),
        engine::Displayed{population_.conv(conv).id, shown, engine::DisplayAt::bottom, {}});
  }

  WorldConfig config_;
  sim::Simulator sim_;
  Population population_;
  RunCounters counters_;
  Replies replies_;
  std::ostringstream history_;
  Recorder recorder_;
};

using Clock = Recorder::Clock;

TEST_F(RecorderTest, VectorClocksFollowSendsAndDisplays) {
  // u1/d1 (device 0) sends m1 in c1; u2/d1 (device 2) displays it, then replies.
  send(0, 0, 1);
  EXPECT_EQ(recorder_.msg_name(msg(0, 1)), "u1/d1.i0.m1");
  EXPECT_EQ(recorder_.conv_clock(0, 0), (Clock{{0, 1}}));
  EXPECT_EQ(recorder_.reply_target(2), std::nullopt);
  display(2, 0, msg(0, 1));
  EXPECT_EQ(recorder_.conv_clock(2, 0), (Clock{{0, 1}}));
  EXPECT_EQ(recorder_.reply_target(2), 0);  // another user's message: a reply target
  EXPECT_EQ(replies_.noted.back(), 2);
  send(2, 0, 1);
  EXPECT_EQ(recorder_.conv_clock(2, 0), (Clock{{0, 1}, {2, 1}}));
  EXPECT_EQ(recorder_.reply_target(2), std::nullopt);  // it replied
  // u1/d2 (device 1) displays the reply only: it learns of both sends through its clock.
  display(1, 0, msg(2, 1));
  EXPECT_EQ(recorder_.conv_clock(1, 0), (Clock{{0, 1}, {2, 1}}));
  // Clocks are per conversation: nothing happened in c2.
  EXPECT_EQ(recorder_.conv_clock(1, 1), Clock{});
  EXPECT_EQ(recorder_.sent(), 2u);
  EXPECT_EQ(recorder_.displays(), 2u);
  // The history's send of the reply carries the merged clock.
  const std::string history = history_.str();
  EXPECT_NE(history.find("\"u2/d1.i0.m1\""), std::string::npos) << history;
  EXPECT_NE(history.find("\"vc\":{\"u1/d1\":1,\"u2/d1\":1}"), std::string::npos) << history;
}

TEST_F(RecorderTest, ReinstallKeepsOnlyTheDevicesOwnCounts) {
  send(0, 0, 1);
  display(2, 0, msg(0, 1));
  send(2, 0, 1);
  recorder_.lifecycle(ref(2), "reinstall");
  EXPECT_EQ(recorder_.conv_clock(2, 0), (Clock{{2, 1}}));
  EXPECT_EQ(recorder_.reply_target(2), std::nullopt);
}

TEST_F(RecorderTest, DisplaysOfUnknownMessagesAreCounted) {
  display(2, 0, msg(0, 9));
  EXPECT_EQ(counters_.model().at("model.displays_of_unknown_messages"), 1u);
  EXPECT_EQ(recorder_.conv_clock(2, 0), Clock{});
}

// ---- TraceRecorder ---------------------------------------------------------------------------

TEST(TraceRecorderTest, PairsArrivalsWithSendsAndReportsTheLost) {
  sim::Simulator sim(1);
  const sim::NodeId a = sim.add_node("a");
  const sim::NodeId b = sim.add_node("b");
  const sim::EndpointId ea = sim.network().add_endpoint(a);
  const sim::EndpointId eb = sim.network().add_endpoint(b);
  TraceRecorder trace(sim);
  trace.add_lane("a", "servers");
  trace.add_lane("b", "servers");
  trace.frame_sent(ea, eb, "x");
  trace.frame_sent(ea, eb, "y");
  trace.frame_arrived(ea, eb, "x");
  ASSERT_EQ(trace.log().records.size(), 1u);
  const TraceLogRecord& frame = trace.log().records[0];
  EXPECT_EQ(frame.kind, TraceLogKind::kFrame);
  EXPECT_EQ(frame.from, 0);
  EXPECT_EQ(frame.to, 1);
  EXPECT_EQ(frame.label.rfind("malformed", 0), 0u);  // not an engine frame
  trace.finish();
  const TraceLog log = trace.take();
  ASSERT_EQ(log.records.size(), 2u);
  EXPECT_EQ(log.records[1].kind, TraceLogKind::kFrameLost);  // "y" never arrived
  EXPECT_EQ(log.lanes.size(), 2u);
}

}  // namespace
}  // namespace imsim::model::detail
