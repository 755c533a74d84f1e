#pragma once
// Processor: a stateless worker. For each delivered queue entry it runs the pipeline
//   append to the conversation's store timeline (the store dedups by client message id and
//   enforces the sender's lane FIFO, then allocates the next conv_seq, durably)
//   -> write fan-out: one inbox entry per member, the sender's own user included
//      (skipped for large conversations: read fan-out)
//   -> ACK the sender (through the gateway the send came from)
//   -> Deliveries to every gateway (pushes, or notices for read fan-out)
//   -> Done to the queue.
// Every step is idempotent and every request is retried on timeout; a job whose retry budget runs
// out is dropped and the queue redelivers it. A crash loses only volatile jobs.
#include <imsim/engine/config.hpp>
#include <imsim/engine/random.hpp>
#include <imsim/engine/server_role.hpp>
#include <imsim/engine/topology.hpp>
#include <memory>

namespace imsim::engine {

class Processor final : public ServerRole {
 public:
  Processor(const Config& config, const Topology& topology, std::uint32_t index, Random* random);
  ~Processor() override;

  Address address() const override;
  void recover(const DurableMap& durable, LocalTime now, Effects& fx) override;
  void on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                   Effects& fx) override;
  void on_timer(TimerId timer, LocalTime now, Effects& fx) override;
  void on_storage_done(OpId op, LocalTime now, Effects& fx) override;

  const RoleCounters& counters() const override;
  const ProcessorCounters& processor_counters() const;
  std::string state_digest() const override;
  std::size_t job_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsim::engine
