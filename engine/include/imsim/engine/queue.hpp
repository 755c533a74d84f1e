#pragma once
// Queue: a durable log partitioned by conversation (partition = conv % queue_partitions; this
// node hosts the partitions p with p % queue_count == index). An Enqueue is written durably,
// then delivered to the partition's processor; an entry is erased only when a processor reports
// it Done, and is redelivered (to the next processor in turn) after queue_redelivery_timeout.
// At-least-once: duplicates are harmless because every processor step is idempotent.
#include <imsim/engine/config.hpp>
#include <imsim/engine/random.hpp>
#include <imsim/engine/server_role.hpp>
#include <imsim/engine/topology.hpp>
#include <memory>

namespace imsim::engine {

class Queue final : public ServerRole {
 public:
  Queue(const Config& config, const Topology& topology, std::uint32_t index, Random* random);
  ~Queue() override;

  Address address() const override;
  void recover(const DurableMap& durable, LocalTime now, Effects& fx) override;
  void on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                   Effects& fx) override;
  void on_timer(TimerId timer, LocalTime now, Effects& fx) override;
  void on_storage_done(OpId op, LocalTime now, Effects& fx) override;

  const RoleCounters& counters() const override;
  const QueueCounters& queue_counters() const;
  std::string state_digest() const override;
  std::size_t pending_count() const;  // durable entries not yet Done

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsim::engine
