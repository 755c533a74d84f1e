#pragma once
// The static world every role is told at construction: users and their devices, conversations
// and their (fixed) members, how many nodes of each server role exist, and the routing rules
// (which queue partition, store shard and processor serve what). Membership never changes.
#include <cstdint>
#include <imsim/engine/config.hpp>
#include <imsim/engine/ids.hpp>
#include <map>
#include <vector>

namespace imsim::engine {

struct Topology {
  std::map<UserId, std::vector<DeviceId>> users;        // user -> its devices
  std::map<ConvId, std::vector<UserId>> conversations;  // conv -> sorted members
  std::uint32_t gateway_count = 1;
  std::uint32_t queue_count = 1;
  std::uint32_t processor_count = 1;
  std::uint32_t store_count = 1;
  std::uint64_t auth_secret = 0x5eed'1234'abcd'0001;  // device tokens derive from it

  // --- Membership ---
  bool has_device(DeviceId device) const;
  bool has_conv(ConvId conv) const;
  bool is_member(UserId user, ConvId conv) const;
  const std::vector<UserId>& members(ConvId conv) const;  // asserts has_conv
  // Ascending; O(log users) from the index normalize() builds (asserts it is current).
  const std::vector<ConvId>& conversations_of(UserId user) const;
  bool is_large(ConvId conv, const Config& config) const;  // read fan-out?

  // --- Authentication ---
  // The credential of one install of a device (issued at login; a reinstall logs in again and
  // gets the token of its new incarnation), so a token cannot claim another incarnation.
  std::uint64_t device_token(DeviceId device, Incarnation incarnation) const;

  // --- Routing ---
  std::uint32_t partition_of(ConvId conv, const Config& config) const;
  Address queue_for_partition(std::uint32_t partition) const;
  Address processor_for_partition(std::uint32_t partition, std::uint32_t attempt) const;
  Address store_for_conv(ConvId conv) const;
  Address store_for_user(UserId user) const;
  Address gateway(std::uint32_t index) const;

  // Sorts member lists, asserts every member is a user and every count positive, and builds
  // the user -> conversations index. Call it again after changing `users` or `conversations`.
  void normalize();

 private:
  std::map<UserId, std::vector<ConvId>> conversations_of_;  // built by normalize()
  std::size_t indexed_conversations_ = 0;  // conversations.size() when the index was built
};

// What a Hello carries instead of the token: a keyed hash (standing in for an HMAC) of the
// gateway's per-connection nonce and the identity claimed. Replaying it on another connection
// (another nonce) or changing the device or incarnation makes it wrong.
std::uint64_t hello_proof(std::uint64_t token, std::uint64_t nonce, DeviceId device,
                          Incarnation incarnation);
// A gateway's Challenge nonce for its `serial`-th connection: distinct per gateway life and
// serial, and unpredictable once `drawn` comes from the host's randomness.
std::uint64_t challenge_nonce(std::uint64_t secret, std::uint32_t gateway, std::uint64_t serial,
                              std::uint64_t drawn);

}  // namespace imsim::engine
