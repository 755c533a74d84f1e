#pragma once
// An up-front estimate of a run's peak memory, from the loaded scenario alone, so that a world
// that asks for more than the machine can give is refused with a clear message (imsim run,
// replay, explore; the bindings' run) instead of growing to many GB. docs/cli.md,
// "--memory-limit"; docs/scenario-format.md, "Limits".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imsim/base/status.hpp"
#include "imsim/model/world_config.hpp"

namespace imsim::scenarios {

struct MemoryEstimate {
  std::uint64_t bytes = 0;  // estimated peak resident memory of one run
  // The counts it comes from (expected values, for the message):
  double devices = 0;        // devices at the end (new logins included)
  double messages = 0;       // workload sends (min of messages_max and rate x window) + probes
  double displays = 0;       // messages x members per message x devices per user
  double inbox_entries = 0;  // retained at once: messages x members, cut by the inbox TTL
  bool trace_log = false;    // the run keeps a trace log (outputs written)
};

// `record_trace`: the run writes outputs (trace.json, lamport.svg), so it keeps a trace log.
MemoryEstimate estimate_memory(const model::WorldConfig& config, bool record_trace);

// "8G", "500M", "1.5G", "64K", "1T", "1048576" (bytes); K/M/G/T are powers of 1024 and may be
// followed by "B" or "iB" ("8GiB"). Absent: not a size (empty, negative, no digits, unknown
// suffix, zero, or beyond 2^63 bytes).
std::optional<std::uint64_t> parse_memory_size(std::string_view text);
// "11.5 GiB", "500.0 MiB", "812 KiB".
std::string format_memory_size(std::uint64_t bytes);

// The limit when --memory-limit is not given: half the physical memory, at most
// kDefaultMemoryLimitMax (a shared machine), or kDefaultMemoryLimitUnknown when the caller
// could not read it (physical_bytes == 0).
inline constexpr std::uint64_t kDefaultMemoryLimitMax = 16ULL << 30;
inline constexpr std::uint64_t kDefaultMemoryLimitUnknown = 4ULL << 30;
std::uint64_t default_memory_limit(std::uint64_t physical_bytes);

// Ok if `runs` concurrent runs of `estimate` fit within `limit_bytes`; else limit_exceeded with
// the one-line refusal naming the estimate, the limit, where the limit came from and the flag.
base::Status memory_refusal(const MemoryEstimate& estimate, std::uint64_t limit_bytes,
                            std::string_view limit_origin, int runs = 1);

}  // namespace imsim::scenarios
