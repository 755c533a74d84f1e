#pragma once
// A parsed (and validated) history: the header and the events in file order. Names are
// interned; the tables below map each dense id back to its string.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imsim/history/event.hpp"
#include "imsim/history/ids.hpp"

namespace imsim::history {

inline constexpr std::string_view format_name = "imsim-history";
// The versions this reader reads (shared/HISTORY.md); writers write the newest.
inline constexpr int format_version_min = 1;
inline constexpr int format_version = 2;

enum class ConvKind : std::uint8_t { unspecified, direct, group, large };

struct Conversation {
  std::string name;
  std::vector<UserId> members;  // fixed for the whole run in version 1
  ConvKind kind = ConvKind::unspecified;

  bool operator==(const Conversation&) const = default;
};

struct Header {
  std::vector<std::string> device_names;    // by DeviceId
  std::vector<UserId> device_user;          // by DeviceId
  std::vector<std::string> user_names;      // by UserId
  std::vector<Conversation> conversations;  // by ConvId
  std::optional<std::string> scenario;
  std::optional<std::uint64_t> seed;
  int version = format_version;  // the file's; the version-2 rules apply only to version 2

  bool operator==(const Header&) const = default;
};

struct History {
  Header header;
  std::vector<std::string> msg_names;  // by MsgId
  std::vector<Event> events;           // file order (lines 2..)

  std::size_t device_count() const { return header.device_names.size(); }
  std::size_t user_count() const { return header.user_names.size(); }
  std::size_t conv_count() const { return header.conversations.size(); }
  std::size_t msg_count() const { return msg_names.size(); }

  const std::string& name(DeviceId id) const;
  const std::string& name(UserId id) const;
  const std::string& name(ConvId id) const;
  const std::string& name(MsgId id) const;

  // Is `user` a member of `conv`?
  bool is_member(UserId user, ConvId conv) const;

  // Same header, names and events (what a reader must reproduce exactly).
  bool operator==(const History&) const = default;
};

std::string_view conv_kind_name(ConvKind kind);

}  // namespace imsim::history
