// What several subcommands share: the error exit, and the non-determinism verdict of a replay.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "commands.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::cli {

int fail(const std::string& message) {
  fmt::print(stderr, "imsim: error: {}\n", message);
  return scenarios::kExitError;
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

std::string nondeterminism(const scenarios::FailureFile& failure, std::uint64_t replayed_hash) {
  return scenarios::nondeterminism_message(failure, replayed_hash);
}

}  // namespace imsim::cli
