#pragma once
// Every limit and timing parameter of the engine, named, with units last. Times are Durations
// (checked nanoseconds) of the node's local clock. One Config is shared by every role of a run.
#include <cstdint>
#include <imsim/engine/ids.hpp>

namespace imsim::engine {

inline constexpr std::int64_t kNsPerMs = 1'000'000;
inline constexpr std::int64_t kNsPerS = 1'000'000'000;

// Pitfalls from the mutation catalog (DESIGN.md §5). Each switch re-introduces one bug as one
// branch of the reference code; all off is the reference engine. See docs/engine.md for the
// branch each one flips, docs/mutations.md for what each reproduces, mutations.hpp for the
// catalog by name.
struct Mutations {
  bool push_before_store = false;        // store answers an inbox append (-> push) before durable
  bool checkpoint_from_push = false;     // device moves its checkpoint to any pushed inbox_seq
  bool ack_before_durable = false;       // store answers an append before its write is durable
  bool no_server_dedup = false;          // store appends a client message id again
  bool no_client_dedup = false;          // device displays a message it already holds again
  bool checkpoint_before_apply = false;  // device saves the checkpoint before the page is durable
  bool order_by_timestamp = false;       // device displays by sender clock instead of conv_seq
  bool no_fifo_holdback = false;         // store accepts a send that overtakes its lane
  bool volatile_seq_allocator = false;   // store restarts conv_seq allocation after a crash
  bool short_page_is_end = false;        // device stops paging at a short page
  bool ttl_gap_ignored = false;          // device skips an expired inbox range without resync
  bool fanout_not_idempotent = false;    // store appends an inbox entry again on redelivery
  bool cursor_from_client_id = false;    // device resumes its pull cursor from its own msg counter
  bool resume_counter_reset = false;     // device's delivered counter restarts at 0 on reconnect

  friend bool operator==(const Mutations&, const Mutations&) = default;
};

struct Config {
  // --- Message and frame limits -------------------------------------------------------------
  std::uint32_t message_body_bytes_max = 4 * 1024;  // a Send with a longer body is rejected
  std::uint32_t frame_bytes_max = 256 * 1024;       // decode refuses a longer frame
  std::uint32_t page_size_max = 100;                // a pull asking for more entries is rejected
  std::uint32_t page_size = 50;                     // entries a device asks for per page
  std::uint32_t page_bytes_max = 64 * 1024;         // a page is cut short at this many body bytes

  // --- Device outbox ---------------------------------------------------------------------------
  std::uint32_t outbox_length_max = 256;        // pending (sending + failed) messages per device
  std::uint32_t client_id_block_size = 64;      // client ids reserved durably ahead of use
  std::uint32_t retry_budget = 6;               // timeouts before a message becomes failed
  Duration send_timeout = Duration::from_s(1);  // first retransmission timeout
  std::uint32_t send_backoff_factor = 2;        // timeout multiplier per attempt
  Duration send_timeout_max = Duration::from_s(8);  // backoff cap

  // --- Device sync -----------------------------------------------------------------------------
  Duration pull_timeout = Duration::from_s(1);          // a pull unanswered this long is resent
  Duration sync_poll_interval = Duration::from_s(5);    // backstop pull while idle (0 = never)
  std::uint32_t push_buffer_max = 256;                  // out-of-order pushes kept per device
  std::uint32_t roam_messages_max = 10'000;             // history paged backwards per conversation
  Duration reconnect_backoff = Duration::from_ms(200);  // first reconnect delay
  Duration reconnect_backoff_max = Duration::from_s(5);
  // An open connection with no session (Challenge / Hello / HelloOk lost, or a gateway that never
  // answers) this long after it opened is dropped, and the device reconnects with backoff.
  Duration hello_timeout = Duration::from_s(5);

  // --- Server ----------------------------------------------------------------------------------
  Duration inbox_ttl = Duration::from_s(3600);  // inbox entries expire after this
  // Entries retained per user inbox: beyond it the oldest expire early (as after the TTL; the
  // devices resync from the timelines). A user whose devices never pull, or never acknowledge a
  // page, cannot grow the store without limit.
  std::uint32_t inbox_entries_max = 100'000;
  Duration dedup_key_retention = Duration::from_s(24 * 3600);  // idempotency index horizon
  std::uint32_t large_group_threshold = 20;  // members > threshold => read fan-out
  std::uint32_t queue_partitions = 8;        // partition = conv % queue_partitions
  std::uint32_t queue_length_max = 10'000;   // entries per partition; beyond, sends are dropped
  std::uint32_t queue_delivery_window = 16;  // deliveries in flight per partition
  Duration queue_redelivery_timeout = Duration::from_s(1);
  Duration request_timeout = Duration::from_ms(200);   // server-to-server request timeout
  std::uint32_t request_retry_budget = 8;              // attempts before a job is abandoned
  Duration request_timeout_max = Duration::from_s(2);  // backoff cap for server requests
  // Gateway, per connection: a token bucket of conn_frame_burst frames refilled at
  // conn_frames_per_s (on the gateway's clock). A frame beyond it is refused (rate_limited) and
  // counted, not forwarded: one connection cannot flood the queue or the stores. Generous by
  // default: a device resending its whole outbox after a reconnect stays under it.
  std::uint32_t conn_frames_per_s = 1000;  // Valid: 1 .. 1e9
  std::uint32_t conn_frame_burst = 1000;
  // Gateway: connections not yet authenticated (no valid Hello). Opening one more closes the
  // oldest of them, so connections that never say Hello cannot pile up.
  std::uint32_t conn_pending_max = 1024;

  // --- Simulation hooks ------------------------------------------------------------------------
  bool buggify = false;  // let the host's Random enable BUGGIFY sites (never in production)

  Mutations mutations;
};

// Asserts that the configuration is usable (positive limits, page_size <= page_size_max, ...).
// `config_problem` (mutations.hpp) reports the same rules without aborting.
void validate(const Config& config);

}  // namespace imsim::engine
