#include <algorithm>
#include <imsim/base/assert.hpp>
#include <imsim/engine/topology.hpp>

namespace imsim::engine {

bool Topology::has_device(DeviceId device) const {
  auto it = users.find(device.user);
  if (it == users.end()) return false;
  return std::find(it->second.begin(), it->second.end(), device) != it->second.end();
}

bool Topology::has_conv(ConvId conv) const { return conversations.count(conv) == 1; }

bool Topology::is_member(UserId user, ConvId conv) const {
  auto it = conversations.find(conv);
  if (it == conversations.end()) return false;
  return std::binary_search(it->second.begin(), it->second.end(), user);
}

const std::vector<UserId>& Topology::members(ConvId conv) const {
  auto it = conversations.find(conv);
  IMSIM_ASSERT_MSG(it != conversations.end(), "members of an unknown conversation");
  return it->second;
}

const std::vector<ConvId>& Topology::conversations_of(UserId user) const {
  // Walking every conversation per call made a world's cost quadratic (issue 14): every poll,
  // resync and quiescence check asks this.
  IMSIM_ASSERT_MSG(indexed_conversations_ == conversations.size(),
                   "conversations changed since normalize()");
  static const std::vector<ConvId> none;
  auto it = conversations_of_.find(user);
  return it == conversations_of_.end() ? none : it->second;
}

bool Topology::is_large(ConvId conv, const Config& config) const {
  return members(conv).size() > config.large_group_threshold;
}

namespace {

std::uint64_t mix64(std::uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t identity(DeviceId device, Incarnation incarnation) {
  return mix64((std::uint64_t{device.user.value} << 32) ^ device.index) ^ incarnation.value;
}

}  // namespace

std::uint64_t Topology::device_token(DeviceId device, Incarnation incarnation) const {
  // Deterministic, and not guessable from the identity alone without the secret.
  return mix64(auth_secret ^ mix64(identity(device, incarnation)));
}

std::uint64_t hello_proof(std::uint64_t token, std::uint64_t nonce, DeviceId device,
                          Incarnation incarnation) {
  return mix64(token ^ mix64(nonce ^ mix64(identity(device, incarnation))));
}

std::uint64_t challenge_nonce(std::uint64_t secret, std::uint32_t gateway, std::uint64_t serial,
                              std::uint64_t drawn) {
  return mix64(secret ^ mix64(drawn ^ mix64((std::uint64_t{gateway} << 48) ^ serial)));
}

std::uint32_t Topology::partition_of(ConvId conv, const Config& config) const {
  IMSIM_ASSERT(config.queue_partitions > 0);
  return conv.value % config.queue_partitions;
}

Address Topology::queue_for_partition(std::uint32_t partition) const {
  IMSIM_ASSERT(queue_count > 0);
  return Address{RoleKind::queue, partition % queue_count};
}

Address Topology::processor_for_partition(std::uint32_t partition, std::uint32_t attempt) const {
  IMSIM_ASSERT(processor_count > 0);
  // Processors are stateless: a redelivery moves on to the next one, so one dead processor
  // cannot stall a partition.
  return Address{RoleKind::processor, (partition + attempt) % processor_count};
}

Address Topology::store_for_conv(ConvId conv) const {
  IMSIM_ASSERT(store_count > 0);
  return Address{RoleKind::store, conv.value % store_count};
}

Address Topology::store_for_user(UserId user) const {
  IMSIM_ASSERT(store_count > 0);
  return Address{RoleKind::store, user.value % store_count};
}

Address Topology::gateway(std::uint32_t index) const {
  IMSIM_ASSERT(index < gateway_count);
  return Address{RoleKind::gateway, index};
}

void Topology::normalize() {
  IMSIM_ASSERT(gateway_count > 0);
  IMSIM_ASSERT(queue_count > 0);
  IMSIM_ASSERT(processor_count > 0);
  IMSIM_ASSERT(store_count > 0);
  for (auto& [user, devices] : users) {
    std::sort(devices.begin(), devices.end());
    for (const DeviceId& d : devices) IMSIM_ASSERT_MSG(d.user == user, "device of another user");
  }
  for (auto& [conv, members] : conversations) {
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    IMSIM_ASSERT_MSG(!members.empty(), "conversation without members");
    for (UserId u : members) IMSIM_ASSERT_MSG(users.count(u) == 1, "member is not a user");
  }
  conversations_of_.clear();
  for (const auto& [conv, members] : conversations) {  // ascending conv: each list is sorted
    for (UserId u : members) conversations_of_[u].push_back(conv);
  }
  indexed_conversations_ = conversations.size();
}

}  // namespace imsim::engine
