// What several subcommands share: the error exit, and the non-determinism verdict of a replay.
#include <fmt/format.h>

#include "commands.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::cli {

int fail(const std::string& message) {
  fmt::print(stderr, "imsim: error: {}\n", message);
  return scenarios::kExitError;
}

std::string nondeterminism(const scenarios::FailureFile& failure, std::uint64_t replayed_hash) {
  return fmt::format(
      "NON-DETERMINISM: trace hash {} differs from the recorded {} (recorded by {}, replayed by "
      "{})",
      scenarios::format_trace_hash(replayed_hash),
      scenarios::format_trace_hash(failure.expected_trace_hash), failure.code_version,
      scenarios::code_version());
}

}  // namespace imsim::cli
