// One libFuzzer program per entry of imsim::fuzz::targets(): IMSIM_FUZZ_ENTRY names the entry
// function (fuzz/CMakeLists.txt builds this file once per target). A finding the entry reports
// (a wrong rejection, a failed round trip) aborts, so libFuzzer saves the input as a crash.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "imsim/fuzz/entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string finding = imsim::fuzz::IMSIM_FUZZ_ENTRY(imsim::fuzz::Input(data, size));
  if (!finding.empty()) {
    std::fprintf(stderr, "imsim fuzz finding: %s\n", finding.c_str());
    std::abort();
  }
  return 0;
}
