#pragma once
// TimelineStore: one shard of the timeline storage. Conversation c lives on store
// c % store_count, the inbox of user u on store u % store_count.
// - Store timelines are permanent. An append is answered only once its record is durable; it is
//   deduplicated by client message id (an index kept for dedup_key_retention, then a scan),
//   refused when it overtakes its sender's lane (FIFO), and otherwise gets conv_seq = last + 1.
//   Appends of one conversation are written one at a time, so durable conv_seqs are contiguous.
// - Inboxes (sync timelines) get entries with contiguous inbox_seq; per (user, conversation) they
//   are appended in conv_seq order, which makes fan-out idempotent (a redelivered fan-out is
//   recognised by its conv_seq). Entries older than inbox_ttl expire; pulls report the lowest
//   retained inbox_seq.
// - Seq allocation is durable: conv heads and inbox heads are rebuilt from the records.
#include <imsim/engine/config.hpp>
#include <imsim/engine/frames.hpp>
#include <imsim/engine/random.hpp>
#include <imsim/engine/server_role.hpp>
#include <imsim/engine/topology.hpp>
#include <memory>
#include <vector>

namespace imsim::engine {

class TimelineStore final : public ServerRole {
 public:
  TimelineStore(const Config& config, const Topology& topology, std::uint32_t index,
                Random* random);
  ~TimelineStore() override;

  Address address() const override;
  void recover(const DurableMap& durable, LocalTime now, Effects& fx) override;
  void on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                   Effects& fx) override;
  void on_timer(TimerId timer, LocalTime now, Effects& fx) override;
  void on_storage_done(OpId op, LocalTime now, Effects& fx) override;

  const RoleCounters& counters() const override;
  const StoreCounters& store_counters() const;
  std::string state_digest() const override;

  // Inspection for hosts and tests (the final store timelines go into the history).
  std::vector<ConvId> conversations() const;               // conversations with at least one entry
  std::vector<TimelineEntry> timeline(ConvId conv) const;  // ascending conv_seq
  std::vector<InboxEntry> inbox(UserId user) const;        // retained entries, ascending
  InboxSeq inbox_low(UserId user) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imsim::engine
