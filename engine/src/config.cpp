// Config validation and the mutation catalog.
#include <imsim/base/assert.hpp>
#include <imsim/engine/config.hpp>
#include <imsim/engine/mutations.hpp>

namespace imsim::engine {

namespace {

// Keep in step with `Mutations` (tests/engine/mutations_test.cpp checks that every entry flips
// a distinct switch and that the table covers the struct).
constexpr MutationInfo kCatalog[] = {
    {"push_before_store", &Mutations::push_before_store,
     "online devices get a push before the sync-timeline entry is durable (push, then persist)"},
    {"checkpoint_from_push", &Mutations::checkpoint_from_push,
     "a push moves the device's checkpoint past unsynced entries (push during offline sync)"},
    {"ack_before_durable", &Mutations::ack_before_durable,
     "the store ACKs an append before its write is durable"},
    {"no_server_dedup", &Mutations::no_server_dedup,
     "the store keeps a retried send again (ACK lost, the sender retries)"},
    {"no_client_dedup", &Mutations::no_client_dedup,
     "a device displays re-pulled or re-pushed entries again"},
    {"checkpoint_before_apply", &Mutations::checkpoint_before_apply,
     "the page ACK (checkpoint) is saved before the page is durably applied"},
    {"order_by_timestamp", &Mutations::order_by_timestamp,
     "a device orders messages by the sender's clock, not by conv_seq (skewed clocks)"},
    {"no_fifo_holdback", &Mutations::no_fifo_holdback,
     "the store accepts a later send of a device before an earlier lost one"},
    {"volatile_seq_allocator", &Mutations::volatile_seq_allocator,
     "the conv_seq allocator is not durable: a restarted store reuses seqs"},
    {"short_page_is_end", &Mutations::short_page_is_end,
     "a page shorter than the limit is taken as the end of the backlog"},
    {"ttl_gap_ignored", &Mutations::ttl_gap_ignored,
     "an expired inbox range goes unnoticed; the device carries on from the retained part"},
    {"fanout_not_idempotent", &Mutations::fanout_not_idempotent,
     "a redelivered fan-out appends inbox entries again"},
    {"cursor_from_client_id", &Mutations::cursor_from_client_id,
     "the inbox pull cursor is taken from the device's own message id, not the server seq"},
    {"resume_counter_reset", &Mutations::resume_counter_reset,
     "on reconnect the device's acknowledged (resume) counter restarts at 0 and re-sent "
     "entries are shown as new"},
};

}  // namespace

std::span<const MutationInfo> mutation_catalog() { return kCatalog; }

const MutationInfo* find_mutation(std::string_view name) {
  for (const MutationInfo& m : kCatalog) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool set_mutation(Mutations& mutations, std::string_view name) {
  const MutationInfo* m = find_mutation(name);
  if (m == nullptr) return false;
  mutations.*(m->flag) = true;
  return true;
}

std::vector<std::string> mutation_names() {
  std::vector<std::string> names;
  for (const MutationInfo& m : kCatalog) names.emplace_back(m.name);
  return names;
}

std::vector<std::string> enabled_mutations(const Mutations& mutations) {
  std::vector<std::string> names;
  for (const MutationInfo& m : kCatalog) {
    if (mutations.*(m.flag)) names.emplace_back(m.name);
  }
  return names;
}

std::optional<std::string> config_problem(const Config& c) {
  struct Rule {
    bool ok;
    const char* text;
  };
  const Rule rules[] = {
      {c.message_body_bytes_max > 0, "message_body_bytes_max > 0"},
      {c.frame_bytes_max > c.message_body_bytes_max, "frame_bytes_max > message_body_bytes_max"},
      {c.page_size > 0, "page_size > 0"},
      {c.page_size <= c.page_size_max, "page_size <= page_size_max"},
      {c.page_bytes_max >= c.message_body_bytes_max, "page_bytes_max >= message_body_bytes_max"},
      // A page must always fit in one frame, with room for per-entry headers.
      {std::uint64_t(c.page_bytes_max) + std::uint64_t(c.page_size_max) * 128u <= c.frame_bytes_max,
       "page_bytes_max + 128 * page_size_max <= frame_bytes_max"},
      {c.outbox_length_max > 0, "outbox_length_max > 0"},
      {c.client_id_block_size >= 2, "client_id_block_size >= 2"},
      {c.retry_budget > 0, "retry_budget > 0"},
      {c.send_timeout > Duration::zero(), "send_timeout > 0"},
      {c.send_backoff_factor >= 1, "send_backoff_factor >= 1"},
      {c.send_timeout_max >= c.send_timeout, "send_timeout_max >= send_timeout"},
      {c.pull_timeout > Duration::zero(), "pull_timeout > 0"},
      {c.hello_timeout > Duration::zero(), "hello_timeout > 0"},
      {c.sync_poll_interval >= Duration::zero(), "sync_poll_interval >= 0"},
      {c.push_buffer_max > 0, "push_buffer_max > 0"},
      {c.reconnect_backoff > Duration::zero(), "reconnect_backoff > 0"},
      {c.reconnect_backoff_max >= c.reconnect_backoff,
       "reconnect_backoff_max >= reconnect_backoff"},
      {c.inbox_ttl > Duration::zero(), "inbox_ttl > 0"},
      {c.dedup_key_retention > Duration::zero(), "dedup_key_retention > 0"},
      {c.queue_partitions > 0, "queue_partitions > 0"},
      {c.queue_length_max > 0, "queue_length_max > 0"},
      {c.queue_delivery_window > 0, "queue_delivery_window > 0"},
      {c.queue_redelivery_timeout > Duration::zero(), "queue_redelivery_timeout > 0"},
      {c.request_timeout > Duration::zero(), "request_timeout > 0"},
      {c.request_retry_budget > 0, "request_retry_budget > 0"},
      {c.request_timeout_max >= c.request_timeout, "request_timeout_max >= request_timeout"},
      {c.conn_frames_per_s > 0, "conn_frames_per_s > 0"},
      {c.conn_frames_per_s <= kNsPerS, "conn_frames_per_s <= 1000000000"},
      {c.conn_frame_burst > 0, "conn_frame_burst > 0"},
      {c.inbox_entries_max > 0, "inbox_entries_max > 0"},
      {c.conn_pending_max > 0, "conn_pending_max > 0"},
  };
  for (const Rule& r : rules) {
    if (!r.ok) return std::string("engine config: ") + r.text;
  }
  return std::nullopt;
}

void validate(const Config& c) {
  const std::optional<std::string> problem = config_problem(c);
  IMSIM_ASSERT_MSG(!problem.has_value(), problem->c_str());
}

}  // namespace imsim::engine
