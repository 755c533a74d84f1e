// Queue: durable, partitioned by conversation, at-least-once delivery to processors.
#include <algorithm>
#include <imsim/engine/queue.hpp>
#include <sstream>

#include "records.hpp"
#include "role_io.hpp"
#include "storage_keys.hpp"

namespace imsim::engine {

struct Queue::Impl {
  struct Entry {
    Origin origin;
    MessageData msg;
    bool durable = false;  // delivered only once durable: a processor never sees a send
                           // that a queue crash could forget
    bool in_flight = false;
    LocalTime deadline;  // redelivery deadline while in flight
    std::uint32_t attempts = 0;
  };
  struct Partition {
    std::map<std::uint64_t, Entry> entries;  // by offset
    std::map<ClientMsgId, std::uint64_t> by_msg;
    std::uint64_t next_offset = 1;
    std::uint32_t in_flight = 0;
  };

  Impl(const Config& c, const Topology& t, std::uint32_t i, Random* r)
      : config(c), topology(t), index(i), io(c.frame_bytes_max), buggify(r, c.buggify) {}

  bool hosts(std::uint32_t partition) const {
    return partition < config.queue_partitions &&
           topology.queue_for_partition(partition).index == index;
  }

  void recover(const DurableMap& durable, LocalTime now, Effects& fx);
  void on_enqueue(const Enqueue& e, Effects& fx);
  void on_done(const Done& d, LocalTime now, Effects& fx);
  void on_timer(LocalTime now, Effects& fx);
  void pump(std::uint32_t p, LocalTime now, Effects& fx);
  void arm(LocalTime now, Effects& fx);

  const Config& config;
  const Topology& topology;
  std::uint32_t index;
  RoleIo io;
  Buggify buggify;
  QueueCounters queue_counters;
  std::map<std::uint32_t, Partition> partitions;
  std::map<OpId, std::pair<std::uint32_t, std::uint64_t>> write_ops;
  TimerSlot redelivery;
  bool recovered = false;
};

void Queue::Impl::recover(const DurableMap& durable, LocalTime now, Effects& fx) {
  IMSIM_ASSERT_MSG(!recovered, "recover is called once");
  recovered = true;
  for (const auto& [key, value] : durable) {
    if (storage_keys::kind_of(key) != storage_keys::KeyKind::queue_entry) continue;
    records::QueueRecord r;
    if (!records::unseal(records::Kind::queue_entry, value, r)) continue;  // torn: absent
    if (!hosts(r.partition)) continue;
    Partition& p = partitions[r.partition];
    if (p.by_msg.count(r.msg.id) != 0) continue;
    p.entries[r.offset] = Entry{r.origin, r.msg, true, false, LocalTime{}, 0};
    p.by_msg[r.msg.id] = r.offset;
    p.next_offset = std::max(p.next_offset, r.offset + 1);
    io.cover(CoveragePoint::queue_recover_pending);
  }
  for (auto& [p, partition] : partitions) pump(p, now, fx);
}

void Queue::Impl::on_enqueue(const Enqueue& e, Effects& fx) {
  if (!topology.has_conv(e.msg.conv)) return io.count_reject(RejectReason::unknown_conv);
  const std::uint32_t p = topology.partition_of(e.msg.conv, config);
  if (!hosts(p)) return io.count_reject(RejectReason::bad_field);
  if (!topology.is_member(e.msg.id.device.user, e.msg.conv)) {
    return io.count_reject(RejectReason::not_member);
  }
  if (e.msg.body.size() > config.message_body_bytes_max) {
    return io.count_reject(RejectReason::oversized);
  }
  Partition& partition = partitions[p];
  if (auto it = partition.by_msg.find(e.msg.id); it != partition.by_msg.end()) {
    // A resend while the first copy is pending: keep one entry, but route the ACK to the
    // connection the device uses now.
    partition.entries[it->second].origin = e.origin;
    io.cover(CoveragePoint::queue_duplicate_enqueue);
    queue_counters.duplicates_dropped++;
    return;
  }
  if (partition.entries.size() >= config.queue_length_max) {
    io.cover(CoveragePoint::queue_overflow);
    queue_counters.overflow_dropped++;
    io.count_reject(RejectReason::overloaded);
    // Tell the sender (through its gateway): it resends later without spending its budget,
    // where silence would have cost it one timeout per refusal.
    if (e.origin.gateway < topology.gateway_count) {
      io.send(fx, topology.gateway(e.origin.gateway),
              SendResult{e.origin, e.msg.id, RejectReason::overloaded, ConvSeq{0}});
    }
    return;
  }
  const std::uint64_t offset = partition.next_offset++;
  const records::QueueRecord record{p, offset, e.origin, e.msg};
  const OpId op = io.write(fx, storage_keys::queue_entry(p, offset),
                           records::seal(records::Kind::queue_entry, record));
  write_ops[op] = {p, offset};
  partition.entries[offset] = Entry{e.origin, e.msg, false, false, LocalTime{}, 0};
  partition.by_msg[e.msg.id] = offset;
  queue_counters.enqueued++;
}

void Queue::Impl::on_done(const Done& d, LocalTime now, Effects& fx) {
  if (!hosts(d.partition)) return io.count_reject(RejectReason::bad_field);
  Partition& partition = partitions[d.partition];
  auto it = partition.entries.find(d.offset);
  // A late Done for an entry already erased, or for a reused offset holding another message.
  if (it == partition.entries.end() || it->second.msg.id != d.msg) {
    return io.cover(CoveragePoint::queue_late_done);
  }
  if (!it->second.durable) return;  // cannot be: never delivered before durable
  if (it->second.in_flight) partition.in_flight--;
  partition.by_msg.erase(it->second.msg.id);
  partition.entries.erase(it);
  io.erase(fx, storage_keys::queue_entry(d.partition, d.offset));
  queue_counters.completed++;
  pump(d.partition, now, fx);
}

// Delivers waiting entries until the window is full, those delivered least often first (offset
// order among equals). Offset order alone can deadlock: conv_seqs are assigned in processing
// order, so the window's entries may all wait (fan-out `gap`) for an earlier conv_seq whose entry
// stands past the window; giving fresh entries precedence over much-retried ones reaches it.
void Queue::Impl::pump(std::uint32_t p, LocalTime now, Effects& fx) {
  Partition& partition = partitions[p];
  std::vector<std::pair<std::uint32_t, std::uint64_t>> waiting;  // (attempts, offset)
  for (const auto& [offset, entry] : partition.entries) {
    if (entry.durable && !entry.in_flight) waiting.emplace_back(entry.attempts, offset);
  }
  std::sort(waiting.begin(), waiting.end());
  for (const auto& [attempts, offset] : waiting) {
    if (partition.in_flight >= config.queue_delivery_window) {
      io.cover(CoveragePoint::queue_window_full);
      break;
    }
    Entry& entry = partition.entries.at(offset);
    const Address to = topology.processor_for_partition(p, entry.attempts);
    io.send(fx, to, Deliver{p, offset, entry.origin, entry.msg});
    queue_counters.deliveries++;
    if (entry.attempts > 0) {
      io.cover(CoveragePoint::queue_redelivery);
      queue_counters.redeliveries++;
    }
    entry.attempts++;
    entry.in_flight = true;
    partition.in_flight++;
    const bool early = buggify(BuggifySite::queue_early_redelivery);
    entry.deadline = now + (early ? Duration::zero() : config.queue_redelivery_timeout);
  }
  arm(now, fx);
}

void Queue::Impl::arm(LocalTime now, Effects& fx) {
  for (const auto& [p, partition] : partitions) {
    for (const auto& [offset, entry] : partition.entries) {
      if (entry.in_flight) redelivery.arm_by(io, fx, now, entry.deadline);
    }
  }
}

void Queue::Impl::on_timer(LocalTime now, Effects& fx) {
  for (auto& [p, partition] : partitions) {
    for (auto& [offset, entry] : partition.entries) {
      if (entry.in_flight && entry.deadline <= now) {
        entry.in_flight = false;  // no Done in time: deliver again
        partition.in_flight--;
      }
    }
  }
  for (auto& [p, partition] : partitions) pump(p, now, fx);
}

// --- Queue facade ---

Queue::Queue(const Config& config, const Topology& topology, std::uint32_t index, Random* random)
    : impl_(std::make_unique<Impl>(config, topology, index, random)) {
  validate(config);
  IMSIM_ASSERT(index < topology.queue_count);
}
Queue::~Queue() = default;

Address Queue::address() const { return Address{RoleKind::queue, impl_->index}; }

void Queue::recover(const DurableMap& durable, LocalTime now, Effects& fx) {
  impl_->recover(durable, now, fx);
}

void Queue::on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                        Effects& fx) {
  IMSIM_ASSERT(impl_->recovered);
  std::optional<Frame> frame = impl_->io.receive(bytes);
  if (!frame) return;
  if (auto* e = std::get_if<Enqueue>(&*frame); e && from.kind == RoleKind::gateway) {
    impl_->on_enqueue(*e, fx);
  } else if (auto* d = std::get_if<Done>(&*frame); d && from.kind == RoleKind::processor) {
    impl_->on_done(*d, now, fx);
  } else {
    impl_->io.count_reject(RejectReason::unexpected_frame);
  }
}

void Queue::on_timer(TimerId timer, LocalTime now, Effects& fx) {
  if (!impl_->redelivery.take(timer)) return;  // stale
  impl_->on_timer(now, fx);
}

void Queue::on_storage_done(OpId op, LocalTime now, Effects& fx) {
  auto it = impl_->write_ops.find(op);
  if (it == impl_->write_ops.end()) return;  // an erase
  const auto [p, offset] = it->second;
  impl_->write_ops.erase(it);
  auto& partition = impl_->partitions[p];
  auto entry = partition.entries.find(offset);
  IMSIM_ASSERT(entry != partition.entries.end());  // never Done before durable
  entry->second.durable = true;
  impl_->pump(p, now, fx);
}

const RoleCounters& Queue::counters() const { return impl_->io.counters; }
const QueueCounters& Queue::queue_counters() const { return impl_->queue_counters; }

std::size_t Queue::pending_count() const {
  std::size_t n = 0;
  for (const auto& [p, partition] : impl_->partitions) n += partition.entries.size();
  return n;
}

std::string Queue::state_digest() const {
  std::ostringstream out;
  for (const auto& [p, partition] : impl_->partitions) {
    out << p << ":" << partition.entries.size() << ":" << partition.next_offset << ";";
  }
  return out.str();
}

}  // namespace imsim::engine
