#pragma once
// Counters every role keeps and the host reads (metrics: network messages per chat message, store
// reads and writes per message on each fan-out path, bytes stored, rejected frames by reason).
#include <array>
#include <cstdint>
#include <imsim/engine/coverage.hpp>
#include <imsim/engine/frames.hpp>

namespace imsim::engine {

inline constexpr std::size_t kRejectReasonCount = static_cast<std::size_t>(RejectReason::count_);

struct RoleCounters {
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t frames_rejected = 0;
  std::array<std::uint64_t, kRejectReasonCount> rejected_by_reason{};  // index = RejectReason
  std::uint64_t storage_writes = 0;                                    // every StorageWrite issued
  std::uint64_t storage_erases = 0;
  std::uint64_t timers_set = 0;
  CoverageCounts coverage{};  // decision branches passed (coverage.hpp), index = CoveragePoint

  std::uint64_t rejected(RejectReason reason) const {
    return rejected_by_reason[static_cast<std::size_t>(reason)];
  }
};

// Timeline store: reads and writes by path. A "read" is one pull served; entries are counted too.
struct StoreCounters {
  std::uint64_t timeline_writes = 0;  // conversation store timeline appends (durable)
  std::uint64_t inbox_writes = 0;     // write fan-out: inbox entries appended
  std::uint64_t inbox_reads = 0;      // inbox pulls served (write fan-out path)
  std::uint64_t inbox_entries_read = 0;
  std::uint64_t timeline_reads_read_fanout = 0;  // conv pulls of large (read fan-out) convs
  std::uint64_t timeline_reads_other = 0;        // conv pulls of small convs (roaming, resync)
  std::uint64_t timeline_entries_read = 0;
  std::uint64_t dedup_hits = 0;             // appends answered from the idempotency index
  std::uint64_t dedup_scans = 0;            // duplicates found by scanning past the retention
  std::uint64_t fanout_duplicates = 0;      // inbox appends already present (redelivery)
  std::uint64_t fifo_gaps = 0;              // appends refused because they overtook their lane
  std::uint64_t inbox_entries_expired = 0;  // by the TTL or by inbox_entries_max
  std::uint64_t inbox_entries_evicted = 0;  // of those, by inbox_entries_max
  std::uint64_t bytes_stored = 0;           // value bytes of live records
};

struct QueueCounters {
  std::uint64_t enqueued = 0;
  std::uint64_t duplicates_dropped = 0;  // enqueue of a msg id already pending
  std::uint64_t overflow_dropped = 0;    // partition at queue_length_max
  std::uint64_t deliveries = 0;
  std::uint64_t redeliveries = 0;
  std::uint64_t completed = 0;
};

struct ProcessorCounters {
  std::uint64_t jobs_started = 0;
  std::uint64_t jobs_completed = 0;
  std::uint64_t jobs_abandoned = 0;  // retry budget exhausted: the queue will redeliver
  std::uint64_t requests_sent = 0;   // including retries
  std::uint64_t requests_retried = 0;
  std::uint64_t acks_sent = 0;
  std::uint64_t nacks_sent = 0;
  std::uint64_t write_fanout_messages = 0;
  std::uint64_t read_fanout_messages = 0;
  std::uint64_t fanout_repairs = 0;  // timeline reads to refill an inbox gap (see processor.cpp)
};

struct DeviceCounters {
  std::uint64_t sends = 0;
  std::uint64_t transmissions = 0;     // Send frames written (first + retries)
  std::uint64_t fast_retransmits = 0;  // lane heads resent early because a successor was refused
  std::uint64_t acks = 0;
  std::uint64_t failures = 0;
  std::uint64_t pushes_applied = 0;
  std::uint64_t pushes_buffered = 0;
  std::uint64_t pushes_ignored = 0;
  std::uint64_t pulls = 0;  // pull requests sent (inbox + conv)
  std::uint64_t pages_applied = 0;
  std::uint64_t duplicates_ignored = 0;
  std::uint64_t ttl_resyncs = 0;
  std::uint64_t reconciled = 0;    // own messages whose status was learned from the inbox
  std::uint64_t tops_reached = 0;  // views paged back to their conversation's first message
};

}  // namespace imsim::engine
