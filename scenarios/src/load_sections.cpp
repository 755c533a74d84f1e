// Scenario sections: conversations, device behaviour, workload, checks.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "imsim/properties/anomaly.hpp"
#include "loader.hpp"

namespace imsim::scenarios::detail {

namespace {

std::int64_t user_count(const model::WorldConfig& config) {
  if (config.generated_users) return config.generated_users->count;
  return std::int64_t(config.users.size());
}

bool user_exists(const model::WorldConfig& config, const std::string& id) {
  if (config.generated_users) {
    if (id.size() < 2 || id[0] != 'u' || id[1] == '0' || id.size() > 7) return false;
    if (!std::all_of(id.begin() + 1, id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return false;
    }
    return std::stoll(id.substr(1)) <= config.generated_users->count;
  }
  return std::any_of(config.users.begin(), config.users.end(),
                     [&id](const model::UserSpec& u) { return u.id == id; });
}

model::ConversationSpec read_conversation(const json& value, const std::string& path,
                                          const model::WorldConfig& config) {
  ObjectReader r(value, path);
  r.allow({"id", "kind", "members"});
  model::ConversationSpec conv;
  conv.id = read_id(r.get("id"), r.field_path("id"));
  conv.kind =
      model::ConversationKind(read_enum(r.get("kind"), r.field_path("kind"), {"direct", "group"}));
  const json& members = r.get("members");
  const std::string mpath = r.field_path("members");
  const bool direct = conv.kind == model::ConversationKind::kDirect;
  const std::string expectation =
      direct ? std::string("an array of 2 user ids")
             : fmt::format("an array of 2 to {} user ids", model::kConversationMembersMax);
  const std::size_t max = direct ? 2 : std::size_t(model::kConversationMembersMax);
  if (!members.is_array() || members.size() < 2 || members.size() > max) {
    fail_expected(mpath, expectation, members);
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < members.size(); i++) {
    std::string user = read_id(members[i], index_path(mpath, i));
    if (!user_exists(config, user)) {
      fail(index_path(mpath, i), fmt::format("no user \"{}\" in users", user));
    }
    if (!seen.insert(user).second) {
      fail(index_path(mpath, i), fmt::format("user \"{}\" listed twice", user));
    }
    conv.members.push_back(std::move(user));
  }
  return conv;
}

void read_generated_conversations(const json& value, const std::string& path,
                                  model::WorldConfig& config) {
  ObjectReader r(value, path);
  r.allow({"direct", "groups"});
  model::GeneratedConversations g;
  const std::int64_t users = user_count(config);
  g.direct = std::int32_t(r.integer("direct", 0, 0, model::kConversationsMax));
  if (g.direct > 0 && users < 2) fail(r.field_path("direct"), "direct chats need 2 users");
  std::int64_t total = g.direct;
  if (r.has("groups")) {
    const json& groups = r.get("groups");
    const std::string gpath = r.field_path("groups");
    if (!groups.is_array()) fail_expected(gpath, "an array of {\"count\", \"size\"}", groups);
    for (std::size_t i = 0; i < groups.size(); i++) {
      ObjectReader gr(groups[i], index_path(gpath, i));
      gr.allow({"count", "size"});
      model::GeneratedGroups group;
      group.count = std::int32_t(gr.integer("count", 1, 1, model::kConversationsMax));
      const std::int64_t size_max = std::min<std::int64_t>(users, model::kConversationMembersMax);
      if (size_max < 2) fail(gr.field_path("size"), "groups need at least 2 users");
      group.size = std::int32_t(gr.integer("size", 0, 2, size_max));
      if (!gr.has("size")) fail(gr.path(), "missing required field \"size\"");
      total += group.count;
      g.groups.push_back(group);
    }
  }
  if (total < 1 || total > model::kConversationsMax) {
    fail(path, fmt::format("expected 1 to {} conversations in all, got {}",
                           model::kConversationsMax, total));
  }
  config.generated_conversations = std::move(g);
}

}  // namespace

void read_conversations(const json& value, const std::string& path, model::WorldConfig& config) {
  if (value.is_object()) {
    read_generated_conversations(value, path, config);
    return;
  }
  const std::string expectation = fmt::format(
      "an array of 1 to {} conversations or a generator object {{\"direct\": K, \"groups\": "
      "[...]}}",
      model::kConversationsMax);
  if (!value.is_array() || value.empty() || value.size() > std::size_t(model::kConversationsMax)) {
    fail_expected(path, expectation, value);
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < value.size(); i++) {
    model::ConversationSpec conv = read_conversation(value[i], index_path(path, i), config);
    if (!ids.insert(conv.id).second) {
      fail(index_path(path, i) + ".id", fmt::format("conversation \"{}\" listed twice", conv.id));
    }
    config.conversations.push_back(std::move(conv));
  }
}

void read_device_behaviour(const json& value, const std::string& path, model::DeviceBehaviour& b) {
  ObjectReader r(value, path);
  r.allow({"churn", "online_session", "offline_session", "app_kill_mean_interval_s",
           "reinstall_mean_interval_s", "new_device_mean_interval_s", "page_back_p"});
  b.churn = r.boolean("churn", b.churn);
  for (const char* session : {"online_session", "offline_session"}) {
    if (r.has(session) && !b.churn) {
      fail(r.field_path(session),
           "has no effect without \"churn\": true (sessions are drawn "
           "only for churning devices)");
    }
  }
  if (r.has("online_session")) {
    b.online_session_ns =
        read_distribution(r.get("online_session"), r.field_path("online_session"), Unit::kSeconds);
  }
  if (r.has("offline_session")) {
    b.offline_session_ns = read_distribution(r.get("offline_session"),
                                             r.field_path("offline_session"), Unit::kSeconds);
  }
  const NumberRange interval{0.0, double(model::kRunDurationMax_ns) / 1e9, false};
  b.app_kill_interval_mean_ns =
      r.duration_ns("app_kill_mean_interval_s", b.app_kill_interval_mean_ns, interval);
  b.reinstall_interval_mean_ns =
      r.duration_ns("reinstall_mean_interval_s", b.reinstall_interval_mean_ns, interval);
  b.new_device_interval_mean_ns =
      r.duration_ns("new_device_mean_interval_s", b.new_device_interval_mean_ns, interval);
  b.page_back_p = r.number("page_back_p", b.page_back_p, kProbability);
}

void read_workload(const json& value, const std::string& path, model::Workload& w) {
  ObjectReader r(value, path);
  r.allow({"messages_per_s", "size", "kind_weights", "reply_p", "messages_max"});
  w.messages_per_s = r.number("messages_per_s", w.messages_per_s,
                              NumberRange{0.0, model::kMessagesPerSecondMax, false});
  // The mean gap between sends (1 / rate) must be a time the run can hold.
  const double run_max_s = double(model::kRunDurationMax_ns) / 1e9;
  if (w.messages_per_s > 0.0 && w.messages_per_s * run_max_s < 1.0) {
    fail(r.field_path("messages_per_s"),
         fmt::format("{} is below one message per {} s, the longest run (expected 0 or at least "
                     "{:.3g})",
                     describe(r.get("messages_per_s")), run_max_s, 1.0 / run_max_s));
  }
  if (r.has("size"))
    w.size_bytes = read_distribution(r.get("size"), r.field_path("size"), Unit::kBytes);
  if (r.has("kind_weights")) {
    ObjectReader k(r.get("kind_weights"), r.field_path("kind_weights"));
    k.allow({"direct", "group", "large"});
    w.kind_weights.direct = k.number("direct", w.kind_weights.direct, kNonNegative);
    w.kind_weights.group = k.number("group", w.kind_weights.group, kNonNegative);
    w.kind_weights.large = k.number("large", w.kind_weights.large, kNonNegative);
    const model::KindWeights& kw = w.kind_weights;
    const double sum = kw.direct + kw.group + kw.large;
    if (!std::isfinite(sum)) {
      fail(k.path(), "the weights must add up to a finite number (their sum overflows a double)");
    }
    if (sum <= 0.0) fail(k.path(), "at least one weight must be > 0");
  }
  w.reply_p = r.number("reply_p", w.reply_p, kProbability);
  w.messages_max = r.integer("messages_max", w.messages_max, 0, std::int64_t(1) << 40);
}

namespace {

std::vector<std::string> read_checker_list(const json& value, const std::string& path,
                                           const char* all_word) {
  const std::vector<std::string> names = properties::checker_names();
  const std::string expectation =
      fmt::format("\"{}\" or a non-empty array of {}", all_word, quoted_list(names));
  if (value.is_string() && value.get<std::string>() == all_word) return {};
  if (!value.is_array() || value.empty()) fail_expected(path, expectation, value);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); i++) {
    std::string name = names[read_enum(value[i], index_path(path, i), names)];
    if (std::find(out.begin(), out.end(), name) != out.end()) {
      fail(index_path(path, i), fmt::format("\"{}\" listed twice", name));
    }
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace

void read_checks(const json& value, const std::string& path, model::Checks& c) {
  ObjectReader r(value, path);
  r.allow({"checkers", "expect"});
  if (r.has("checkers"))
    c.checkers = read_checker_list(r.get("checkers"), r.field_path("checkers"), "all");
  if (r.has("expect")) {
    c.expect_anomalies = read_checker_list(r.get("expect"), r.field_path("expect"), "valid");
    c.expect_valid = c.expect_anomalies.empty();
  }
  if (c.checkers.empty()) return;
  for (std::size_t i = 0; i < c.expect_anomalies.size(); i++) {
    const std::string& name = c.expect_anomalies[i];
    if (std::find(c.checkers.begin(), c.checkers.end(), name) == c.checkers.end()) {
      fail(index_path(r.field_path("expect"), i),
           fmt::format("\"{}\" is expected but its checker is not in checks.checkers", name));
    }
  }
}

// The `adversaries` section (docs/scenario-format.md): adversarial devices.
void read_adversaries(const json& value, const std::string& path, model::Adversaries& a) {
  ObjectReader r(value, path);
  r.allow({"count", "conversations", "attacks", "attack_enable_p", "attack_mean_interval_s",
           "flood_frames"});
  a.count = std::int32_t(r.integer("count", a.count, 0, model::kAdversariesMax));
  a.conversations =
      std::int32_t(r.integer("conversations", a.conversations, 0, model::kConversationsMax));
  if (r.has("attacks")) {
    const std::vector<std::string> names(std::begin(model::kAttackKindNames),
                                         std::end(model::kAttackKindNames));
    const json& list = r.get("attacks");
    const std::string lpath = r.field_path("attacks");
    a.attacks.clear();
    if (list.is_string() && list.get<std::string>() == "all") {
      for (std::size_t k = 0; k < model::kAttackKinds; k++) {
        a.attacks.push_back(model::AttackKind(k));
      }
    } else {
      if (!list.is_array() || list.empty()) {
        fail_expected(lpath, fmt::format("\"all\" or a non-empty array of {}", quoted_list(names)),
                      list);
      }
      for (std::size_t i = 0; i < list.size(); i++) {
        const auto kind = model::AttackKind(read_enum(list[i], index_path(lpath, i), names));
        if (std::find(a.attacks.begin(), a.attacks.end(), kind) != a.attacks.end()) {
          fail(index_path(lpath, i), fmt::format("\"{}\" listed twice", names[std::size_t(kind)]));
        }
        a.attacks.push_back(kind);
      }
    }
  }
  a.attack_enable_p = r.number("attack_enable_p", a.attack_enable_p, kProbability);
  a.attack_interval_mean_ns =
      r.duration_ns("attack_mean_interval_s", a.attack_interval_mean_ns,
                    NumberRange{0.0, double(model::kRunDurationMax_ns) / 1e9, true});
  a.flood_frames =
      std::int32_t(r.integer("flood_frames", a.flood_frames, 1, model::kFloodFramesMax));
}

}  // namespace imsim::scenarios::detail
