// The `swarm.world` section: the ranges the world swarm draws the world from
// (model::WorldSwarm, docs/scenario-format.md "World swarm").
#include <fmt/format.h>

#include <cmath>

#include "loader.hpp"

namespace imsim::scenarios::detail {

namespace {

// `[min, max]` of integers within [lo, hi].
model::Range read_int_range(const json& value, const std::string& path, std::int64_t lo,
                            std::int64_t hi) {
  const std::string expectation =
      fmt::format("a range [min, max] of integers in [{}, {}] with min <= max", lo, hi);
  if (!value.is_array() || value.size() != 2) fail_expected(path, expectation, value);
  model::Range range;
  for (std::size_t i = 0; i < 2; i++) {
    const json& v = value[i];
    if (!v.is_number_integer() && !v.is_number_unsigned()) fail_expected(path, expectation, value);
    const auto x = v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(hi)
                       ? hi + 1
                       : v.get<std::int64_t>();
    if (x < lo || x > hi) fail_expected(index_path(path, i), expectation, v);
    (i == 0 ? range.min : range.max) = x;
  }
  if (range.min > range.max) fail_expected(path, expectation, value);
  return range;
}

// `[min, max]` of a time in the unit the key names (`_s`, `_ms`), as nanoseconds; both ends
// must stay positive after rounding to a nanosecond.
model::Range read_time_range(const json& value, const std::string& path, std::string_view key) {
  const double max_units = double(model::kRunDurationMax_ns) / ns_per_unit(key);
  const std::string expectation =
      fmt::format("a range [min, max] of times in (0, {}] with min <= max", max_units);
  if (!value.is_array() || value.size() != 2) fail_expected(path, expectation, value);
  model::Range range;
  for (std::size_t i = 0; i < 2; i++) {
    const double x = read_number(value[i], index_path(path, i), NumberRange{0.0, max_units, true});
    const std::int64_t ns = to_ns(x, key);
    if (ns <= 0) fail_expected(index_path(path, i), "a time of at least 1 ns", value[i]);
    (i == 0 ? range.min : range.max) = ns;
  }
  if (range.min > range.max) fail_expected(path, expectation, value);
  return range;
}

json time_range_to_json(const model::Range& range, std::string_view key) {
  return json::array({time_to_json(range.min, key), time_to_json(range.max, key)});
}

}  // namespace

model::WorldSwarm read_world_swarm(const json& value, const std::string& path,
                                   const model::WorldConfig& config) {
  ObjectReader r(value, path);
  r.allow({"enable_p", "page_size", "inbox_ttl_s", "retry_budget", "send_timeout_ms",
           "request_timeout_ms", "page_bytes_max", "queue_length_max", "push_buffer_max",
           "outbox_length_max", "buggify_p", "dedup_key_retention_s", "message_bytes",
           "servers_per_role", "group_size", "threshold_edge_p", "long_offline", "pair_cuts"});
  model::WorldSwarm w;
  w.enable_p = r.number("enable_p", w.enable_p, kProbability);
  if (r.has("page_size")) {
    w.page_size = read_int_range(r.get("page_size"), r.field_path("page_size"), 1,
                                 config.engine.page_size_max);
  }
  if (r.has("inbox_ttl_s")) {
    w.inbox_ttl_ns = read_time_range(r.get("inbox_ttl_s"), r.field_path("inbox_ttl_s"), "_s");
  }
  if (r.has("retry_budget")) {
    w.retry_budget = read_int_range(r.get("retry_budget"), r.field_path("retry_budget"), 1, 1000);
  }
  if (r.has("send_timeout_ms")) {
    w.send_timeout_ns =
        read_time_range(r.get("send_timeout_ms"), r.field_path("send_timeout_ms"), "_ms");
  }
  if (r.has("request_timeout_ms")) {
    w.request_timeout_ns =
        read_time_range(r.get("request_timeout_ms"), r.field_path("request_timeout_ms"), "_ms");
  }
  const engine::Config& e = config.engine;
  if (r.has("page_bytes_max")) {
    // The engine's rules: a page holds one largest body, and fits a frame with its headers.
    const std::int64_t room = std::int64_t(e.frame_bytes_max) - 128 * std::int64_t(e.page_size_max);
    w.page_bytes_max = read_int_range(r.get("page_bytes_max"), r.field_path("page_bytes_max"),
                                      e.message_body_bytes_max, room);
  }
  const auto bound = [&r](const char* key, std::optional<model::Range>& out) {
    if (r.has(key)) out = read_int_range(r.get(key), r.field_path(key), 1, 1'000'000);
  };
  bound("queue_length_max", w.queue_length_max);
  bound("push_buffer_max", w.push_buffer_max);
  bound("outbox_length_max", w.outbox_length_max);
  w.buggify_p = r.number("buggify_p", w.buggify_p, kProbability);
  if (r.has("dedup_key_retention_s")) {
    w.dedup_key_retention_ns = read_time_range(r.get("dedup_key_retention_s"),
                                               r.field_path("dedup_key_retention_s"), "_s");
  }
  if (r.has("message_bytes")) {
    w.message_bytes = read_int_range(r.get("message_bytes"), r.field_path("message_bytes"), 1,
                                     e.message_body_bytes_max);
  }
  if (r.has("servers_per_role")) {
    w.servers_per_role = read_int_range(r.get("servers_per_role"), r.field_path("servers_per_role"),
                                        1, model::kServersPerRoleMax);
  }
  if (r.has("group_size")) {
    if (!config.generated_conversations) {
      fail(r.field_path("group_size"),
           "draws the sizes of generated groups, and this scenario lists its conversations "
           "(use threshold_edge_p to move the large-group threshold to a listed group's size)");
    }
    const std::int64_t users =
        config.generated_users ? config.generated_users->count : std::int64_t(config.users.size());
    w.group_size = read_int_range(r.get("group_size"), r.field_path("group_size"), 2, users);
  }
  w.threshold_edge_p = r.number("threshold_edge_p", w.threshold_edge_p, kProbability);
  if (w.threshold_edge_p > 0 && !config.generated_conversations) {
    bool has_group = false;
    for (const auto& conv : config.conversations) {
      has_group = has_group || conv.kind == model::ConversationKind::kGroup;
    }
    if (!has_group) {
      fail(r.field_path("threshold_edge_p"),
           "moves the large-group threshold to a group's size, and this scenario has no group");
    }
  }
  if (r.has("long_offline")) {
    ObjectReader o(r.get("long_offline"), r.field_path("long_offline"));
    o.allow({"max", "for_s"});
    w.long_offline_max = std::int32_t(o.integer("max", 1, 1, model::kFaultsMax));
    w.long_offline_ns = read_time_range(o.get("for_s"), o.field_path("for_s"), "_s");
  }
  if (r.has("pair_cuts")) {
    ObjectReader o(r.get("pair_cuts"), r.field_path("pair_cuts"));
    o.allow({"max", "for_s", "one_way_p"});
    w.pair_cuts_max = std::int32_t(o.integer("max", 1, 1, model::kFaultsMax));
    w.pair_cut_ns = read_time_range(o.get("for_s"), o.field_path("for_s"), "_s");
    w.pair_cut_one_way_p = o.number("one_way_p", w.pair_cut_one_way_p, kProbability);
  }
  return w;
}

json world_swarm_to_json(const model::WorldSwarm& w) {
  json out = json::object();
  if (w.any()) out["enable_p"] = w.enable_p;
  const auto ints = [](const model::Range& range) { return json::array({range.min, range.max}); };
  if (w.page_size) out["page_size"] = ints(*w.page_size);
  if (w.inbox_ttl_ns) out["inbox_ttl_s"] = time_range_to_json(*w.inbox_ttl_ns, "_s");
  if (w.retry_budget) out["retry_budget"] = ints(*w.retry_budget);
  if (w.send_timeout_ns) out["send_timeout_ms"] = time_range_to_json(*w.send_timeout_ns, "_ms");
  if (w.request_timeout_ns) {
    out["request_timeout_ms"] = time_range_to_json(*w.request_timeout_ns, "_ms");
  }
  if (w.page_bytes_max) out["page_bytes_max"] = ints(*w.page_bytes_max);
  if (w.queue_length_max) out["queue_length_max"] = ints(*w.queue_length_max);
  if (w.push_buffer_max) out["push_buffer_max"] = ints(*w.push_buffer_max);
  if (w.outbox_length_max) out["outbox_length_max"] = ints(*w.outbox_length_max);
  if (w.buggify_p > 0) out["buggify_p"] = w.buggify_p;
  if (w.dedup_key_retention_ns) {
    out["dedup_key_retention_s"] = time_range_to_json(*w.dedup_key_retention_ns, "_s");
  }
  if (w.message_bytes) out["message_bytes"] = ints(*w.message_bytes);
  if (w.servers_per_role) out["servers_per_role"] = ints(*w.servers_per_role);
  if (w.group_size) out["group_size"] = ints(*w.group_size);
  if (w.threshold_edge_p > 0) out["threshold_edge_p"] = w.threshold_edge_p;
  if (w.long_offline_max > 0) {
    out["long_offline"] = {{"max", w.long_offline_max},
                           {"for_s", time_range_to_json(w.long_offline_ns, "_s")}};
  }
  if (w.pair_cuts_max > 0) {
    out["pair_cuts"] = {{"max", w.pair_cuts_max},
                        {"for_s", time_range_to_json(w.pair_cut_ns, "_s")},
                        {"one_way_p", w.pair_cut_one_way_p}};
  }
  return out;
}

}  // namespace imsim::scenarios::detail
