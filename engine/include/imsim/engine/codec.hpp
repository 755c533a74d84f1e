#pragma once
// Frame codec: encode a Frame to bytes and decode bytes to a Frame. Decoding never crashes and
// never allocates more than the input justifies; any defect is a DecodeError.
//
// Wire format (version 1), little-endian:
//   u32 length      bytes that follow (version + type + fields)
//   u8  version     kWireVersion
//   u8  type        FrameType
//   fields          fixed-width integers; strings and vectors as u32 count + elements
#include <cstdint>
#include <imsim/engine/effects.hpp>
#include <imsim/engine/frames.hpp>
#include <optional>
#include <span>

namespace imsim::engine {

inline constexpr std::uint8_t kWireVersion = 2;        // 2: Challenge, Hello.proof (issue 17)
inline constexpr std::uint32_t kFrameHeaderBytes = 6;  // length + version + type

enum class DecodeError : std::uint8_t {
  none = 0,
  truncated = 1,        // fewer bytes than a field or the header needs
  length_mismatch = 2,  // the length prefix disagrees with the byte count
  too_large = 3,        // frame longer than the limit
  bad_version = 4,
  unknown_type = 5,
  bad_value = 6,       // an enum or bool outside its domain
  trailing_bytes = 7,  // fields ended before the frame did
};

struct DecodeResult {
  std::optional<Frame> frame;
  DecodeError error = DecodeError::none;
  bool ok() const { return frame.has_value(); }
};

Bytes encode(const Frame& frame);
DecodeResult decode(std::span<const std::uint8_t> bytes, std::uint32_t frame_bytes_max);
const char* to_string(DecodeError error);

}  // namespace imsim::engine
