#pragma once
// Gateway: holds device connections, authenticates devices (Hello + token), checks every device
// frame (sender identity, membership, sizes), forwards sends to the queue partition of their
// conversation, forwards pulls to the store shard and pages back, and delivers pushes, notices
// and send results to connected devices. Stateless: it keeps no durable state, and retries are
// end to end (the device resends a send or a pull that went unanswered).
#include <imsim/engine/config.hpp>
#include <imsim/engine/random.hpp>
#include <imsim/engine/server_role.hpp>
#include <imsim/engine/topology.hpp>
#include <memory>

namespace imsim::engine {

class Gateway final : public ServerRole {
 public:
  Gateway(const Config& config, const Topology& topology, std::uint32_t index, Random* random);
  ~Gateway() override;

  Address address() const override;
  void recover(const DurableMap& durable, LocalTime now, Effects& fx) override;
  void on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                   Effects& fx) override;
  void on_timer(TimerId timer, LocalTime now, Effects& fx) override;
  void on_storage_done(OpId op, LocalTime now, Effects& fx) override;

  // Connections from devices.
  void on_conn_opened(ConnId conn, LocalTime now, Effects& fx);
  void on_conn_closed(ConnId conn, LocalTime now, Effects& fx);
  void on_conn_frame(ConnId conn, std::span<const std::uint8_t> bytes, LocalTime now, Effects& fx);

  const RoleCounters& counters() const override;
  std::string state_digest() const override;
  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsim::engine
