#pragma once
// IMSIM_ASSERT: on in every build (tests, benchmarks, release). A failed assertion prints the
// expression, the source location and whatever context the host registered (the simulator
// registers the seed and the simulated time), then aborts.
#include <cstdio>
#include <cstdlib>

namespace imsim::base {

// Appends host context to an assertion report: writes at most `size` bytes into `buf`.
using AssertContextFn = void (*)(char* buf, unsigned long size);

inline AssertContextFn& assert_context_fn() {
  static AssertContextFn fn = nullptr;
  return fn;
}

// Registers the function that describes the current run (seed, sim time) in assertion reports.
inline void set_assert_context(AssertContextFn fn) { assert_context_fn() = fn; }

[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line,
                                     const char* msg) {
  char context[256] = {0};
  if (assert_context_fn() != nullptr) assert_context_fn()(context, sizeof(context));
  std::fprintf(stderr, "IMSIM_ASSERT failed: %s%s%s\n  at %s:%d\n  %s\n", expr, msg ? " — " : "",
               msg ? msg : "", file, line, context);
  std::fflush(stderr);
  std::abort();
}

}  // namespace imsim::base

#define IMSIM_ASSERT(expr)                                                       \
  do {                                                                           \
    if (!(expr)) ::imsim::base::assert_fail(#expr, __FILE__, __LINE__, nullptr); \
  } while (0)

#define IMSIM_ASSERT_MSG(expr, msg)                                          \
  do {                                                                       \
    if (!(expr)) ::imsim::base::assert_fail(#expr, __FILE__, __LINE__, msg); \
  } while (0)
