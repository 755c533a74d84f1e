#pragma once
// Named coverage points at the engine's decision branches: the rare situations a world must
// reach before a bug hiding there can show (a duplicate append, a multi-page backlog, an inbox
// range expired under a device, a read fan-out, a refused send that overtook its lane, ...).
// Each role counts the points it passes in its RoleCounters; the host sums them over every
// node and life, and exploration reports which points a set of seeds reached and which it never
// did (docs/explore.md, "Coverage"). Counting is one array increment: no allocation, no effect
// on any output of the role.
//
// This list is the one home of the names. A name is "<role>.<situation>"; add new points at the
// end of their role's block (the numeric values are not persisted anywhere).
#include <array>
#include <cstddef>
#include <cstdint>

namespace imsim::engine {

#define IMSIM_COVERAGE_POINTS(X)                                                                 \
  /* device: sending */                                                                          \
  X(device_send_not_ready, "device.send_not_ready") /* before ids are reserved */                \
  X(device_send_outbox_full, "device.send_outbox_full")                                          \
  X(device_admit_queued, "device.admit_queued") /* a send waits for an earlier admission */      \
  X(device_lane_revived, "device.lane_revived") /* failed messages of a lane sent again */       \
  X(device_transmit_offline, "device.transmit_offline") /* a send's clock runs while away */     \
  X(device_retransmit_timeout, "device.retransmit_timeout")                                      \
  X(device_timeout_offline, "device.timeout_offline")   /* no budget spent while away */         \
  X(device_timeout_gap_held, "device.timeout_gap_held") /* held by fifo_gap: no budget spent */  \
  X(device_fail_budget, "device.fail_budget")           /* retry budget exhausted: lane fails */ \
  X(device_head_outlived, "device.head_outlived") /* kept past its budget for a younger send */  \
  X(device_fail_refused, "device.fail_refused")   /* a permanent nack fails the lane */          \
  X(device_nack_fifo_gap, "device.nack_fifo_gap")                                                \
  X(device_nack_overloaded, "device.nack_overloaded")                                            \
  X(device_nack_rate_limited, "device.nack_rate_limited")                                        \
  X(device_fast_retransmit, "device.fast_retransmit")                                            \
  X(device_gap_held_released, "device.gap_held_released") /* an ack releases a refused send */   \
  X(device_recover_outbox, "device.recover_outbox")       /* relaunch finds unsent messages */   \
  X(device_reconcile_own, "device.reconcile_own")         /* own status learned from a page */   \
  X(device_reconcile_earlier_install, "device.reconcile_earlier_install")                        \
  /* device: sync */                                                                             \
  X(device_first_sync, "device.first_sync") /* not bootstrapped: full resync */                  \
  X(device_reconnect_backoff, "device.reconnect_backoff")                                        \
  X(device_hello_timeout, "device.hello_timeout") /* no session within hello_timeout */          \
  X(device_pull_retransmit, "device.pull_retransmit")                                            \
  X(device_stale_page, "device.stale_page") /* a page for a pull no longer asked */              \
  X(device_backlog_multi_page, "device.backlog_multi_page") /* a full inbox page: more */        \
  X(device_ttl_resync, "device.ttl_resync") /* entries expired past the checkpoint */            \
  X(device_push_in_order, "device.push_in_order")                                                \
  X(device_push_old, "device.push_old") /* at or below the cursor */                             \
  X(device_push_gap, "device.push_gap") /* ahead of the cursor: buffered, pull */                \
  X(device_push_buffer_full, "device.push_buffer_full")                                          \
  X(device_push_buffer_drained, "device.push_buffer_drained")                                    \
  X(device_notice_pull, "device.notice_pull") /* read fan-out: notice -> conv pull */            \
  X(device_conv_forward_more, "device.conv_forward_more")                                        \
  X(device_roam_page, "device.roam_page") /* a history page paged backwards */                   \
  X(device_top_reached, "device.top_reached")                                                    \
  X(device_duplicate_seq, "device.duplicate_seq")       /* a conv_seq already held */            \
  X(device_duplicate_id, "device.duplicate_id")         /* one id at two conv_seqs */            \
  X(device_checkpoint_waits, "device.checkpoint_waits") /* page not durable yet */               \
  X(device_checkpoint_merged, "device.checkpoint_merged")                                        \
  /* gateway */                                                                                  \
  X(gateway_result_conn_gone, "gateway.result_conn_gone") /* ack for a closed connection */      \
  X(gateway_page_conn_gone, "gateway.page_conn_gone")                                            \
  /* queue */                                                                                    \
  X(queue_duplicate_enqueue, "queue.duplicate_enqueue") /* a resend while pending */             \
  X(queue_overflow, "queue.overflow")                                                            \
  X(queue_redelivery, "queue.redelivery")                                                        \
  X(queue_window_full, "queue.window_full")                                                      \
  X(queue_late_done, "queue.late_done")                                                          \
  X(queue_recover_pending, "queue.recover_pending") /* restart with undelivered work */          \
  /* processor */                                                                                \
  X(processor_job_running, "processor.job_running")     /* redelivery of a running job */        \
  X(processor_repeat_answer, "processor.repeat_answer") /* second answer to one append */        \
  X(processor_write_fanout, "processor.write_fanout")                                            \
  X(processor_read_fanout, "processor.read_fanout")                                              \
  X(processor_nack_fifo_gap, "processor.nack_fifo_gap")                                          \
  X(processor_nack_stale, "processor.nack_stale")                                                \
  X(processor_inbox_gap, "processor.inbox_gap") /* fan-out waits for an earlier seq */           \
  X(processor_repair, "processor.repair")       /* timeline read to refill an inbox */           \
  X(processor_request_retry, "processor.request_retry")                                          \
  X(processor_job_abandoned, "processor.job_abandoned")                                          \
  X(processor_push_given_up, "processor.push_given_up")                                          \
  /* store */                                                                                    \
  X(store_append_waits, "store.append_waits") /* behind an append in flight */                   \
  X(store_append_joins, "store.append_joins") /* a retry of the append in flight */              \
  X(store_overloaded, "store.overloaded")                                                        \
  X(store_dedup_hit, "store.dedup_hit")                                                          \
  X(store_dedup_scan, "store.dedup_scan") /* past the retention horizon */                       \
  X(store_stale_lane, "store.stale_lane")                                                        \
  X(store_stale_install, "store.stale_install") /* an earlier install's late send */             \
  X(store_fifo_gap_refused, "store.fifo_gap_refused")                                            \
  X(store_fifo_gap_late_copy, "store.fifo_gap_late_copy")                                        \
  X(store_recover_timelines, "store.recover_timelines") /* restart with stored messages */       \
  X(store_inbox_duplicate, "store.inbox_duplicate")     /* redelivered fan-out */                \
  X(store_inbox_gap, "store.inbox_gap")                                                          \
  X(store_inbox_expired, "store.inbox_expired")       /* TTL erased entries */                   \
  X(store_page_full, "store.page_full")               /* a pull answered with a full page */     \
  X(store_page_bytes_cut, "store.page_bytes_cut")     /* a page cut short at its bytes */        \
  X(store_conv_backward, "store.conv_backward")       /* history paged backwards */              \
  X(store_conv_read_fanout, "store.conv_read_fanout") /* a large conversation pulled */

enum class CoveragePoint : std::uint16_t {
#define IMSIM_COVERAGE_ENUM(id, name) id,
  IMSIM_COVERAGE_POINTS(IMSIM_COVERAGE_ENUM)
#undef IMSIM_COVERAGE_ENUM
      count_
};

inline constexpr std::size_t kCoveragePointCount = static_cast<std::size_t>(CoveragePoint::count_);

inline constexpr std::array<const char*, kCoveragePointCount> kCoveragePointNames = {
#define IMSIM_COVERAGE_NAME(id, name) name,
    IMSIM_COVERAGE_POINTS(IMSIM_COVERAGE_NAME)
#undef IMSIM_COVERAGE_NAME
};

inline const char* coverage_point_name(CoveragePoint point) {
  return kCoveragePointNames[static_cast<std::size_t>(point)];
}

// Hits per point, indexed by CoveragePoint.
using CoverageCounts = std::array<std::uint64_t, kCoveragePointCount>;

}  // namespace imsim::engine
