#pragma once
// Helpers for driving one role by hand in unit tests.
#include <gtest/gtest.h>

#include <imsim/engine/codec.hpp>

#include "harness.hpp"

namespace imsim::engine::testing {

// The frames of `fx` of type T, decoded, with their destinations.
template <typename T>
std::vector<std::pair<Destination, T>> frames_of(const Effects& fx) {
  std::vector<std::pair<Destination, T>> out;
  for (const SendFrame& f : fx.frames) {
    DecodeResult r = decode(f.bytes, 1 << 20);
    EXPECT_TRUE(r.ok());
    if (r.ok() && std::holds_alternative<T>(*r.frame))
      out.emplace_back(f.to, std::get<T>(*r.frame));
  }
  return out;
}

template <typename T>
T only_frame(const Effects& fx) {
  auto all = frames_of<T>(fx);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? T{} : all.front().second;
}

// Completes every storage op of `fx` against `durable` and reports it to `role`.
template <typename Role>
Effects complete_storage(Role& role, Effects& fx, DurableMap& durable, LocalTime now = {}) {
  Effects out;
  std::vector<StorageOp> ops = std::move(fx.storage);
  fx.storage.clear();
  for (StorageOp& op : ops) {
    OpId id;
    if (auto* w = std::get_if<StorageWrite>(&op)) {
      durable[w->key] = w->value;
      id = w->op;
    } else {
      auto& e = std::get<StorageErase>(op);
      durable.erase(e.key);
      id = e.op;
    }
    role.on_storage_done(id, now, out);
  }
  return out;
}

inline MessageData message(DeviceId from, ConvId conv, std::uint64_t counter, std::uint64_t lane,
                           std::string body = "b") {
  return MessageData{ClientMsgId{from, Incarnation{0}, counter}, conv, LaneSeq{lane}, 0,
                     std::move(body)};
}

}  // namespace imsim::engine::testing
