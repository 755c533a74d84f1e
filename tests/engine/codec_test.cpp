// Frame codec: round trip, canonical encoding, garbage bytes, truncation, each DecodeError.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <imsim/engine/codec.hpp>

// White-box: the field lists drive a random filler, so a new field is covered automatically.
#include "../../engine/src/archive.hpp"
#include "harness.hpp"

namespace imsim::engine {
namespace {

// Fills any wire type with RapidCheck-generated values (valid enums, short strings and vectors).
class RandomFiller {
 public:
  template <typename... Ts>
  void operator()(Ts&... fields) {
    (field(fields), ...);
  }

  template <typename T>
  void field(T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      v = *rc::gen::arbitrary<bool>();
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(*rc::gen::inRange<int>(wire::enum_min(T{}), wire::enum_max(T{}) + 1));
    } else if constexpr (std::is_integral_v<T>) {
      v = *rc::gen::arbitrary<T>();
    } else if constexpr (wire::is_strong_id<T>::value) {
      v.value = *rc::gen::arbitrary<typename T::rep_type>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = *rc::gen::resize(40, rc::gen::arbitrary<std::string>());
    } else if constexpr (wire::is_vector<T>::value) {
      v.resize(*rc::gen::inRange<std::size_t>(0, 4));
      for (auto& e : v) field(e);
    } else {
      wire::visit(*this, v);
    }
  }
};

template <std::size_t... I>
Frame random_frame_impl(std::size_t index, std::index_sequence<I...>) {
  Frame f;
  ((index == I ? (f = Frame{std::in_place_index<I>}, void()) : void()), ...);
  std::visit([](auto& alt) { RandomFiller{}.field(alt); }, f);
  return f;
}

Frame random_frame() {
  const auto index = *rc::gen::inRange<std::size_t>(0, std::variant_size_v<Frame>);
  return random_frame_impl(index, std::make_index_sequence<std::variant_size_v<Frame>>{});
}

constexpr std::uint32_t kMax = 1 << 20;

RC_GTEST_PROP(Codec, RoundTripEveryFrameType, ()) {
  const Frame f = random_frame();
  const Bytes bytes = encode(f);
  RC_ASSERT(bytes.size() >= kFrameHeaderBytes);
  const DecodeResult r = decode(bytes, kMax);
  RC_ASSERT(r.error == DecodeError::none);
  RC_ASSERT(r.frame.has_value());
  RC_ASSERT(*r.frame == f);
  RC_ASSERT(encode(*r.frame) == bytes);  // canonical: one encoding per frame
}

// Arbitrary bytes never crash the decoder; whatever decodes re-encodes to exactly those bytes.
RC_GTEST_PROP(Codec, GarbageBytesNeverCrashAndAreCanonical,
              (const std::vector<std::uint8_t>& garbage)) {
  const DecodeResult r = decode(garbage, kMax);
  RC_ASSERT(r.ok() == (r.error == DecodeError::none));
  if (r.ok()) RC_ASSERT(encode(*r.frame) == garbage);
}

// Garbage behind a valid header (length, version and type right) reaches the field decoders.
RC_GTEST_PROP(Codec, GarbageFieldsBehindAValidHeader, (const std::vector<std::uint8_t>& tail)) {
  const auto type = *rc::gen::inRange<int>(1, kFrameTypeMax + 1);
  Bytes bytes;
  const auto length = static_cast<std::uint32_t>(2 + tail.size());
  for (int i = 0; i < 4; i++) bytes.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
  bytes.push_back(kWireVersion);
  bytes.push_back(static_cast<std::uint8_t>(type));
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  const DecodeResult r = decode(bytes, kMax);
  if (r.ok()) {
    RC_ASSERT(encode(*r.frame) == bytes);
  } else {
    RC_ASSERT(r.error != DecodeError::length_mismatch);
    RC_ASSERT(r.error != DecodeError::bad_version);
  }
}

// One corrupted byte: a clear error, or another valid frame that encodes to the corrupted bytes.
RC_GTEST_PROP(Codec, CorruptedByteIsDetectedOrCanonical, ()) {
  Bytes bytes = encode(random_frame());
  const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
  bytes[at] ^= *rc::gen::inRange<std::uint8_t>(1, 255);
  const DecodeResult r = decode(bytes, kMax);
  if (r.ok()) RC_ASSERT(encode(*r.frame) == bytes);
}

RC_GTEST_PROP(Codec, EveryStrictPrefixFails, ()) {
  const Bytes bytes = encode(random_frame());
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
  const DecodeResult r = decode(std::span(bytes.data(), cut), kMax);
  RC_ASSERT(!r.ok());
  RC_ASSERT(r.error == DecodeError::truncated || r.error == DecodeError::length_mismatch);
}

Bytes sample() { return encode(Notice{ConvId{7}, ConvSeq{9}}); }

TEST(Codec, NamesEachError) {
  Bytes b = sample();
  b[4] = kWireVersion + 1;  // version
  EXPECT_EQ(decode(b, kMax).error, DecodeError::bad_version);
  b = sample();
  b[5] = 0;  // type
  EXPECT_EQ(decode(b, kMax).error, DecodeError::unknown_type);
  b[5] = 200;
  EXPECT_EQ(decode(b, kMax).error, DecodeError::unknown_type);
  b = sample();
  b.push_back(0);  // one byte more than the length says
  EXPECT_EQ(decode(b, kMax).error, DecodeError::length_mismatch);
  b[0] += 1;  // now the length covers it, but no field does
  EXPECT_EQ(decode(b, kMax).error, DecodeError::trailing_bytes);
  EXPECT_EQ(decode(sample(), 5).error, DecodeError::too_large);
  EXPECT_EQ(decode({}, kMax).error, DecodeError::truncated);
  Bytes nack = encode(SendNack{ClientMsgId{}, RejectReason::fifo_gap});
  nack.back() = 99;  // reason out of range
  EXPECT_EQ(decode(nack, kMax).error, DecodeError::bad_value);
  Bytes del = encode(Deliveries{});
  del.back() = 2;  // bool out of range
  EXPECT_EQ(decode(del, kMax).error, DecodeError::bad_value);
  for (DecodeError e : {DecodeError::truncated, DecodeError::bad_value}) {
    EXPECT_STRNE(to_string(e), "invalid");
  }
}

TEST(Codec, HugeCountsDoNotAllocate) {
  // A page claiming four billion entries in a few bytes is refused before any allocation.
  Bytes b = encode(InboxPage{});
  b[b.size() - 4] = b[b.size() - 3] = b[b.size() - 2] = b[b.size() - 1] = 0xff;
  EXPECT_EQ(decode(b, kMax).error, DecodeError::truncated);
}

TEST(Ids, StringForms) {
  EXPECT_EQ(to_string(UserId{1}), "u1");
  EXPECT_EQ(to_string(DeviceId{UserId{1}, 2}), "u1/d2");
  EXPECT_EQ(to_string(ConvId{3}), "c3");
  EXPECT_EQ(to_string(ClientMsgId{DeviceId{UserId{1}, 2}, Incarnation{0}, 7}), "u1/d2.i0.m7");
  EXPECT_EQ(to_string(Address{RoleKind::store, 1}), "store/1");
}

}  // namespace
}  // namespace imsim::engine
