#include <array>
#include <imsim/base/assert.hpp>
#include <imsim/engine/codec.hpp>
#include <utility>

#include "archive.hpp"

namespace imsim::engine {
namespace {

static_assert(std::variant_size_v<Frame> == kFrameTypeMax,
              "every FrameType has one alternative, in FrameType order");

template <std::size_t... I>
constexpr auto make_factories(std::index_sequence<I...>) {
  return std::array<Frame (*)(), sizeof...(I)>{
      +[]() -> Frame { return Frame{std::in_place_index<I>}; }...};
}

// Default-constructs the alternative for a wire type byte (1-based).
Frame frame_for_type(std::uint8_t type) {
  static constexpr auto factories =
      make_factories(std::make_index_sequence<std::variant_size_v<Frame>>{});
  IMSIM_ASSERT(type >= 1);
  IMSIM_ASSERT(type <= factories.size());
  return factories[type - 1]();
}

}  // namespace

FrameType type_of(const Frame& frame) { return static_cast<FrameType>(frame.index() + 1); }

Bytes encode(const Frame& frame) {
  Bytes out;
  out.reserve(64);
  wire::ByteWriter w(out);
  w.put_uint(std::uint32_t{0});  // length, patched below
  w.put_uint(kWireVersion);
  w.put_uint(static_cast<std::uint8_t>(type_of(frame)));
  std::visit([&](const auto& f) { w.field(f); }, frame);
  IMSIM_ASSERT(out.size() >= kFrameHeaderBytes);
  const auto length = static_cast<std::uint32_t>(out.size() - 4);
  for (std::size_t i = 0; i < 4; i++) out[i] = static_cast<std::uint8_t>(length >> (8 * i));
  return out;
}

DecodeResult decode(std::span<const std::uint8_t> bytes, std::uint32_t frame_bytes_max) {
  DecodeResult result;
  if (bytes.size() > frame_bytes_max) {
    result.error = DecodeError::too_large;
    return result;
  }
  wire::ByteReader r(bytes);
  std::uint32_t length = 0;
  std::uint8_t version = 0;
  std::uint8_t type = 0;
  r.get_uint(length);
  r.get_uint(version);
  r.get_uint(type);
  if (r.error() != DecodeError::none) {
    result.error = r.error();
    return result;
  }
  if (length != bytes.size() - 4) {
    result.error = DecodeError::length_mismatch;
  } else if (version != kWireVersion) {
    result.error = DecodeError::bad_version;
  } else if (type < 1 || type > kFrameTypeMax) {
    result.error = DecodeError::unknown_type;
  }
  if (result.error != DecodeError::none) return result;
  Frame frame = frame_for_type(type);
  std::visit([&](auto& f) { r.field(f); }, frame);
  if (r.error() == DecodeError::none && r.remaining() != 0) r.fail(DecodeError::trailing_bytes);
  if (r.error() != DecodeError::none) {
    result.error = r.error();
    return result;
  }
  result.frame = std::move(frame);
  return result;
}

const char* to_string(DecodeError error) {
  switch (error) {
    case DecodeError::none:
      return "none";
    case DecodeError::truncated:
      return "truncated";
    case DecodeError::length_mismatch:
      return "length_mismatch";
    case DecodeError::too_large:
      return "too_large";
    case DecodeError::bad_version:
      return "bad_version";
    case DecodeError::unknown_type:
      return "unknown_type";
    case DecodeError::bad_value:
      return "bad_value";
    case DecodeError::trailing_bytes:
      return "trailing_bytes";
  }
  return "invalid";
}

}  // namespace imsim::engine
