#include <imsim/base/assert.hpp>
#include <imsim/engine/config.hpp>

namespace imsim::engine {

void validate(const Config& c) {
  IMSIM_ASSERT(c.message_body_bytes_max > 0);
  IMSIM_ASSERT(c.frame_bytes_max > c.message_body_bytes_max);
  IMSIM_ASSERT(c.page_size > 0);
  IMSIM_ASSERT(c.page_size <= c.page_size_max);
  IMSIM_ASSERT(c.page_bytes_max >= c.message_body_bytes_max);
  // A page must always fit in one frame, with room for per-entry headers.
  IMSIM_ASSERT(c.page_bytes_max + c.page_size_max * 128u <= c.frame_bytes_max);
  IMSIM_ASSERT(c.outbox_length_max > 0);
  IMSIM_ASSERT(c.client_id_block_size >= 2);
  IMSIM_ASSERT(c.retry_budget > 0);
  IMSIM_ASSERT(c.send_timeout_ns > 0);
  IMSIM_ASSERT(c.send_backoff_factor >= 1);
  IMSIM_ASSERT(c.send_timeout_max_ns >= c.send_timeout_ns);
  IMSIM_ASSERT(c.pull_timeout_ns > 0);
  IMSIM_ASSERT(c.sync_poll_interval_ns >= 0);
  IMSIM_ASSERT(c.push_buffer_max > 0);
  IMSIM_ASSERT(c.reconnect_backoff_ns > 0);
  IMSIM_ASSERT(c.reconnect_backoff_max_ns >= c.reconnect_backoff_ns);
  IMSIM_ASSERT(c.inbox_ttl_ns > 0);
  IMSIM_ASSERT(c.dedup_key_retention_ns > 0);
  IMSIM_ASSERT(c.queue_partitions > 0);
  IMSIM_ASSERT(c.queue_length_max > 0);
  IMSIM_ASSERT(c.queue_delivery_window > 0);
  IMSIM_ASSERT(c.queue_redelivery_timeout_ns > 0);
  IMSIM_ASSERT(c.request_timeout_ns > 0);
  IMSIM_ASSERT(c.request_retry_budget > 0);
  IMSIM_ASSERT(c.request_timeout_max_ns >= c.request_timeout_ns);
  // Catalog entries without a branch yet: refuse them rather than run the reference engine
  // under a mutation's name.
  IMSIM_ASSERT_MSG(!c.mutations.push_before_store, "mutation push_before_store: not wired yet");
  IMSIM_ASSERT_MSG(!c.mutations.order_by_timestamp, "mutation order_by_timestamp: not wired yet");
  IMSIM_ASSERT_MSG(!c.mutations.cursor_from_client_id,
                   "mutation cursor_from_client_id: not wired yet");
}

}  // namespace imsim::engine
