#include <imsim/engine/frames.hpp>

namespace imsim::engine {

const char* to_string(FrameType type) {
  static constexpr const char* kNames[] = {
      "invalid",     "hello",      "hello_ok",       "reject",       "send",
      "send_ack",    "send_nack",  "pull_inbox",     "inbox_page",   "pull_conv",
      "conv_page",   "push",       "notice",         "enqueue",      "deliver",
      "done",        "append",     "append_reply",   "inbox_append", "inbox_append_reply",
      "send_result", "deliveries", "deliveries_ack", "challenge"};
  const auto i = static_cast<std::size_t>(type);
  return i < std::size(kNames) ? kNames[i] : "invalid";
}

const char* to_string(RejectReason reason) {
  static constexpr const char* kNames[] = {
      "none",        "malformed",     "unexpected_frame", "not_authenticated",
      "auth_failed", "forged_sender", "unknown_conv",     "not_member",
      "oversized",   "bad_limit",     "forbidden_inbox",  "bad_field",
      "fifo_gap",    "stale_lane",    "overloaded",       "rate_limited",
      "superseded"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(RejectReason::count_));
  const auto i = static_cast<std::size_t>(reason);
  return i < std::size(kNames) ? kNames[i] : "invalid";
}

const char* to_string(AppendStatus status) {
  switch (status) {
    case AppendStatus::appended:
      return "appended";
    case AppendStatus::duplicate:
      return "duplicate";
    case AppendStatus::fifo_gap:
      return "fifo_gap";
    case AppendStatus::stale:
      return "stale";
    case AppendStatus::gap:
      return "gap";
  }
  return "invalid";
}

}  // namespace imsim::engine
