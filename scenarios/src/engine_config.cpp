// The `engine` section: engine::Config field by field (times in ms or s in JSON), and the
// mutation switches by name (the engine's catalog, imsim/engine/mutations.hpp). The loader checks
// every field rule engine::validate() asserts, so a bad scenario is an error message, never an
// assertion failure.
#include <fmt/format.h>

#include <optional>

#include "imsim/base/assert.hpp"
#include "imsim/engine/mutations.hpp"
#include "loader.hpp"

namespace imsim::scenarios::detail {

namespace {

using engine::Config;

// One settable field. Exactly one member pointer is set. `_ms`/`_s` names are times.
struct EngineField {
  const char* name;
  std::uint32_t Config::*count = nullptr;
  engine::Duration Config::*time = nullptr;
  bool Config::*flag = nullptr;
  double min = 1;  // counts: smallest value; times: 0 means ">= 0", 1 means "> 0"
};

const std::vector<EngineField>& engine_fields() {
  static const std::vector<EngineField> fields = {
      {"message_body_bytes_max", &Config::message_body_bytes_max},
      {"frame_bytes_max", &Config::frame_bytes_max},
      {"page_size_max", &Config::page_size_max},
      {"page_size", &Config::page_size},
      {"page_bytes_max", &Config::page_bytes_max},
      {"outbox_length_max", &Config::outbox_length_max},
      {"retry_budget", &Config::retry_budget},
      {"send_timeout_ms", nullptr, &Config::send_timeout},
      {"send_backoff_factor", &Config::send_backoff_factor},
      {"send_timeout_max_ms", nullptr, &Config::send_timeout_max},
      {"pull_timeout_ms", nullptr, &Config::pull_timeout},
      {"sync_poll_interval_ms", nullptr, &Config::sync_poll_interval, nullptr, 0},
      {"push_buffer_max", &Config::push_buffer_max},
      {"roam_messages_max", &Config::roam_messages_max, nullptr, nullptr, 0},
      {"reconnect_backoff_ms", nullptr, &Config::reconnect_backoff},
      {"reconnect_backoff_max_ms", nullptr, &Config::reconnect_backoff_max},
      {"hello_timeout_ms", nullptr, &Config::hello_timeout},
      {"inbox_ttl_s", nullptr, &Config::inbox_ttl},
      {"dedup_key_retention_s", nullptr, &Config::dedup_key_retention},
      {"large_group_threshold", &Config::large_group_threshold},
      {"queue_length_max", &Config::queue_length_max},
      {"queue_delivery_window", &Config::queue_delivery_window},
      {"queue_redelivery_timeout_ms", nullptr, &Config::queue_redelivery_timeout},
      {"request_timeout_ms", nullptr, &Config::request_timeout},
      {"request_retry_budget", &Config::request_retry_budget},
      {"request_timeout_max_ms", nullptr, &Config::request_timeout_max},
      {"conn_frames_per_s", &Config::conn_frames_per_s},
      {"conn_frame_burst", &Config::conn_frame_burst},
      {"conn_pending_max", &Config::conn_pending_max},
      {"inbox_entries_max", &Config::inbox_entries_max},
      {"buggify", nullptr, nullptr, &Config::buggify},
  };
  return fields;
}

void read_field(const ObjectReader& r, const EngineField& f, Config& c) {
  if (f.count != nullptr) {
    c.*f.count = std::uint32_t(r.integer(f.name, c.*f.count, std::int64_t(f.min), UINT32_MAX));
  } else if (f.time != nullptr) {
    const double max = double(model::kRunDurationMax_ns) / ns_per_unit(f.name);
    c.*f.time = engine::Duration::from_ns(
        r.duration_ns(f.name, (c.*f.time).ns(), NumberRange{0.0, max, f.min > 0}));
  } else {
    c.*f.flag = r.boolean(f.name, c.*f.flag);
  }
}

void read_mutations(const json& value, const std::string& path, engine::Mutations& m) {
  const std::vector<std::string> names = engine::mutation_names();
  if (!value.is_array()) fail_expected(path, "an array of mutation names", value);
  for (std::size_t i = 0; i < value.size(); i++) {
    const std::string& name = names[read_enum(value[i], index_path(path, i), names)];
    engine::Mutations once = m;
    if (engine::set_mutation(once, name) && once == m) {
      fail(index_path(path, i), fmt::format("\"{}\" listed twice", name));
    }
    m = once;
  }
}

// Bounds the engine checks a peer against (a frame longer than frame_bytes_max is refused at
// decode, a pull asking for more than page_size_max entries or a page holding more is refused).
// No modelled peer exceeds them — the other fields' rules keep every honest frame and page
// within — so another value could not change a run: only the engine's own is accepted (it is
// still written out, so failure files state the bounds in force).
void check_peer_bounds(const ObjectReader& r, const Config& c) {
  const Config defaults;
  const auto fixed = [&r](const char* field, std::uint32_t value, std::uint32_t engine_value) {
    if (value == engine_value) return;
    fail(r.field_path(field),
         fmt::format("only {} (the engine's bound) is accepted: it bounds what a peer may send, "
                     "no modelled device or server exceeds it, so another value would change "
                     "nothing",
                     engine_value));
  };
  fixed("frame_bytes_max", c.frame_bytes_max, defaults.frame_bytes_max);
  fixed("page_size_max", c.page_size_max, defaults.page_size_max);
}

// The rules of engine::validate() that relate two fields.
void check_engine_relations(const ObjectReader& r, const Config& c) {
  const auto require = [&r](bool ok, const char* field, const std::string& rule) {
    if (!ok) fail(r.field_path(field), rule);
  };
  require(c.frame_bytes_max > c.message_body_bytes_max, "frame_bytes_max",
          "must be > message_body_bytes_max");
  require(c.page_size <= c.page_size_max, "page_size", "must be <= page_size_max");
  require(c.page_bytes_max >= c.message_body_bytes_max, "page_bytes_max",
          "must be >= message_body_bytes_max");
  require(
      std::uint64_t(c.page_bytes_max) + std::uint64_t(c.page_size_max) * 128u <= c.frame_bytes_max,
      "frame_bytes_max", "must be >= page_bytes_max + 128 * page_size_max (a page fits a frame)");
  require(c.send_timeout_max >= c.send_timeout, "send_timeout_max_ms",
          "must be >= send_timeout_ms");
  require(c.reconnect_backoff_max >= c.reconnect_backoff, "reconnect_backoff_max_ms",
          "must be >= reconnect_backoff_ms");
  require(c.request_timeout_max >= c.request_timeout, "request_timeout_max_ms",
          "must be >= request_timeout_ms");
}

}  // namespace

void read_engine(const json& value, const std::string& path, engine::Config& c) {
  ObjectReader r(value, path);
  if (r.raw().contains("queue_partitions")) {
    fail(r.field_path("queue_partitions"), "set by topology.queue_partitions, not here");
  }
  std::vector<std::string> allowed = {"mutations"};
  for (const EngineField& f : engine_fields()) allowed.emplace_back(f.name);
  r.allow(allowed);
  for (const EngineField& f : engine_fields()) read_field(r, f, c);
  if (r.has("mutations"))
    read_mutations(r.get("mutations"), r.field_path("mutations"), c.mutations);
  check_peer_bounds(r, c);
  check_engine_relations(r, c);
  // Every rule of engine::validate(), reported instead of aborting (the ones above name the
  // field; this catches any rule they do not cover).
  if (std::optional<std::string> problem = engine::config_problem(c)) fail(path, *problem);
}

void finish_engine(const model::Topology& topology, engine::Config& c) {
  c.queue_partitions = std::uint32_t(topology.queue_partitions);
  // read_engine() reported every rule of engine::validate(); the model validates again when it
  // builds the engine.
  IMSIM_ASSERT(!engine::config_problem(c).has_value());
  IMSIM_ASSERT(c.queue_partitions > 0);
}

json engine_to_json(const engine::Config& c) {
  json out = json::object();
  for (const EngineField& f : engine_fields()) {
    if (f.count != nullptr) out[f.name] = c.*f.count;
    if (f.time != nullptr) out[f.name] = time_to_json((c.*f.time).ns(), f.name);
    if (f.flag != nullptr) out[f.name] = c.*f.flag;
  }
  json mutations = json::array();
  for (const std::string& name : engine::enabled_mutations(c.mutations)) mutations.push_back(name);
  out["mutations"] = mutations;
  return out;
}

std::vector<std::string> engine_mutation_names() { return engine::mutation_names(); }

}  // namespace imsim::scenarios::detail
