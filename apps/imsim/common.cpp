// What several subcommands share: the error exit, and the non-determinism verdict of a replay.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "commands.hpp"
#include "imsim/base/assert.hpp"
#include "imsim/scenarios/memory.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::cli {

int fail(const std::string& message) {
  fmt::print(stderr, "imsim: error: {}\n", message);
  return scenarios::kExitError;
}

int fail(const base::Status& status) {
  IMSIM_ASSERT(!status.ok());
  return fail(status.message());
}

std::optional<std::uint64_t> parse_seed(std::string_view text) {
  constexpr std::size_t kDigitsMax = 20;  // 18446744073709551615
  if (text.empty() || text.size() > kDigitsMax) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

namespace {

// Physical memory, read here in the CLI layer (never in sim/, model/ or engine/); 0 if unknown.
std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return std::uint64_t(pages) * std::uint64_t(page_size);
}

}  // namespace

std::string memory_limit_error(const std::string& text) {
  if (scenarios::parse_memory_size(text)) return {};
  return "expected a memory size such as 8G, 500M or 1.5G (K, M, G, T: powers of 1024; no "
         "suffix: bytes), at least 1 byte, got \"" +
         text + "\"";
}

base::Status memory_check(const model::WorldConfig& config, bool record_trace,
                          const std::optional<std::string>& memory_limit, int runs) {
  std::uint64_t limit = 0;
  std::string origin;
  if (memory_limit) {
    limit = scenarios::parse_memory_size(*memory_limit).value_or(0);
    origin = "--memory-limit " + *memory_limit;
  } else {
    const std::uint64_t physical = physical_memory_bytes();
    limit = scenarios::default_memory_limit(physical);
    origin = physical == 0 ? std::string("the default: physical memory unknown")
             : limit < physical / 2
                 ? "the default cap " + scenarios::format_memory_size(limit)
                 : "the default: half of the " + scenarios::format_memory_size(physical) +
                       " of physical memory";
  }
  return scenarios::memory_refusal(scenarios::estimate_memory(config, record_trace), limit, origin,
                                   runs);
}

std::string nondeterminism(const scenarios::FailureFile& failure, std::uint64_t replayed_hash) {
  return scenarios::nondeterminism_message(failure, replayed_hash);
}

}  // namespace imsim::cli
