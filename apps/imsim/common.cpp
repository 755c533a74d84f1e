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
  return scenarios::nondeterminism_message(failure, replayed_hash);
}

}  // namespace imsim::cli
