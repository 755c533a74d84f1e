// Writes the synthetic history of history/synthetic.hpp with about EVENTS events to stdout, for
// measuring `imsim check` on large files (docs/performance.md).
//
//   <build>/bench/imsim_synthetic_history 10000000 > /tmp/h10m.jsonl
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string_view>

#include "imsim/history/synthetic.hpp"

int main(int argc, char** argv) {
  std::uint64_t events = 0;
  const std::string_view arg = argc == 2 ? argv[1] : "";
  const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), events);
  if (arg.empty() || ec != std::errc{} || end != arg.data() + arg.size()) {
    std::fprintf(stderr, "usage: imsim_synthetic_history EVENTS > history.jsonl\n");
    return 2;
  }
  std::ios::sync_with_stdio(false);
  imsim::history::write_synthetic_history(std::cout, events);
  std::cout.flush();
  return std::cout ? 0 : 2;
}
