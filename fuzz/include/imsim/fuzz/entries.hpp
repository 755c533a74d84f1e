#pragma once
// The fuzz entry functions: one per parser that takes hostile input. Each feeds the bytes
// through the same code the CLI uses and checks what a correct parser must do with them:
// accept (and then round-trip what it accepted), or reject with a clear error value. They return
// "" when the input was handled, else a description of the finding. A crash, an assertion or a
// sanitizer report inside is a finding too (the process dies).
//
// The libFuzzer programs (fuzz/targets, IMSIM_FUZZ=ON) abort on a non-empty result; the
// regression test (tests/fuzz) feeds every saved input through the same functions in the
// normal build.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imsim/engine/codec.hpp"

namespace imsim::fuzz {

using Input = std::span<const std::uint8_t>;

// scenarios::load_scenario_text (the scenario loader, from a JSON string). Accepted: the fully
// expanded document (to_json) loads again to the same document.
std::string scenario_loader(Input data);
// properties::check_stream (what `imsim check` runs: the history reader, v1 and v2, then the
// checkers and the report). Rejected: an error Status with a message and exit code 2.
std::string history_reader(Input data);
// scenarios::load_failure_text (the failure file `imsim explore` writes, `imsim replay` reads).
// Accepted: to_json of it loads again to the same document.
std::string failure_file(Input data);
// engine::decode with the engine's default frame limit (device <-> gateway and server frames
// share one codec). Accepted: encode gives back exactly the input (one encoding per frame).
std::string frame_decoder(Input data);

struct Target {
  const char* name;
  std::string (*entry)(Input);
};
// Every target, by name (the directory names under tests/fuzz-regressions/ and the corpora).
const std::vector<Target>& targets();

// The oracles, separate so their tests can show each one fails on a bad outcome.
// A loader's rejection must name where it came from (`origin: ...`) and must not be an internal
// error (an exception the loader did not anticipate: no JSON path, no expectation). The error
// text quotes the input (keys as JSON paths, excerpts), so the second check is only made when
// the input does not itself contain the words "internal loader error".
std::string check_rejection(std::string_view origin, std::string_view error,
                            std::string_view input);
// A document accepted once must be accepted again from its own expansion, unchanged.
std::string check_round_trip(std::string_view what, std::string_view first_expansion, bool reloaded,
                             std::string_view reload_error, std::string_view second_expansion);
// A decode result is consistent (ok iff no error) and canonical (re-encodes to the input).
std::string check_decoded(Input data, const engine::DecodeResult& result);

}  // namespace imsim::fuzz
