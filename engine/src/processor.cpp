// Processor: the send pipeline. See processor.hpp for the steps and docs/engine.md for the crash
// analysis of each one.
#include <imsim/engine/processor.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "backoff.hpp"
#include "records.hpp"
#include "role_io.hpp"
#include "storage_keys.hpp"

namespace imsim::engine {
namespace {

using JobKey = std::tuple<std::uint32_t, std::uint64_t, ClientMsgId>;  // partition, offset, msg

enum class Stage : std::uint8_t { appending, fanning_out, delivering };

struct Job {
  Address queue;
  Deliver delivery;
  Stage stage = Stage::appending;
  ConvSeq conv_seq;
  std::map<UserId, InboxSeq> fanned;  // members whose inbox entry is durable
  std::set<ReqId> requests;           // outstanding requests of this job
};

struct Request {
  JobKey job;
  Address to;
  Frame frame;
  std::uint32_t attempts = 1;
  LocalTime deadline;
};

}  // namespace

struct Processor::Impl {
  Impl(const Config& c, const Topology& t, std::uint32_t i, Random* r)
      : config(c), topology(t), index(i), io(c.frame_bytes_max), buggify(r, c.buggify) {}

  void recover(const DurableMap& durable, Effects& fx);
  void on_frame(Address from, Frame& frame, LocalTime now, Effects& fx);
  void on_deliver(Address from, const Deliver& d, LocalTime now, Effects& fx);
  void on_append_reply(const AppendReply& r, LocalTime now, Effects& fx);
  void on_inbox_reply(const InboxAppendReply& r, LocalTime now, Effects& fx);
  void on_deliveries_ack(const DeliveriesAck& a, LocalTime now, Effects& fx);
  void start_fanout(Job& job, LocalTime now, Effects& fx);
  void after_fanout(Job& job, LocalTime now, Effects& fx);
  void complete(const JobKey& key, Effects& fx);
  void abandon(const JobKey& key);
  ReqId request(Job& job, const JobKey& key, Address to, Frame frame, LocalTime now, Effects& fx);
  std::optional<Request> take_request(ReqId req);
  void on_timer(LocalTime now, Effects& fx);
  Duration backoff(std::uint32_t attempts) const;
  void send_result(const Job& job, RejectReason reason, Effects& fx);
  void start_repair(UserId user, ConvId conv, ConvSeq below, Effects& fx);
  void on_repair_page(const ConvPage& page, Effects& fx);
  bool on_repair_reply(const InboxAppendReply& r, Effects& fx);
  ReqId next_request_id() { return ReqId{(epoch << 32) | next_req++}; }

  const Config& config;
  const Topology& topology;
  std::uint32_t index;
  RoleIo io;
  Buggify buggify;
  ProcessorCounters processor_counters;
  std::map<JobKey, Job> jobs;
  std::map<ReqId, Request> requests;
  TimerSlot retry;
  // Request ids are (epoch << 32 | counter); the epoch is bumped durably at every start, so a
  // reply to a request of an earlier life can never be taken for a reply to a new one.
  std::uint64_t epoch = 0;
  std::uint64_t next_req = 1;
  std::optional<OpId> epoch_op;  // inputs are ignored until the epoch is durable
  bool recovered = false;
  // Fan-out repair (see start_repair): timeline reads in flight, and for each repair page the
  // inbox append of its lowest entry, whose `gap` answer means the hole goes deeper.
  struct RepairTarget {
    UserId user;
    ConvId conv;
    ConvSeq lowest;
  };
  std::map<ReqId, RepairTarget> repair_reads;
  std::map<ReqId, RepairTarget> repair_appends;
  std::set<std::pair<UserId, ConvId>> repairing;  // one read in flight per (user, conv)
};

void Processor::Impl::recover(const DurableMap& durable, Effects& fx) {
  IMSIM_ASSERT_MSG(!recovered, "recover is called once");
  recovered = true;
  records::CheckpointRecord r;  // reuse: `checkpoint` holds the epoch
  if (auto it = durable.find(storage_keys::processor_epoch()); it != durable.end()) {
    if (records::unseal(records::Kind::checkpoint, it->second, r)) epoch = r.checkpoint.value;
  }
  epoch++;
  r.checkpoint = InboxSeq{epoch};
  epoch_op =
      io.write(fx, storage_keys::processor_epoch(), records::seal(records::Kind::checkpoint, r));
}

Duration Processor::Impl::backoff(std::uint32_t attempts) const {
  return capped_backoff(config.request_timeout, 2, steps_before(attempts),
                        config.request_timeout_max);
}

ReqId Processor::Impl::request(Job& job, const JobKey& key, Address to, Frame frame, LocalTime now,
                               Effects& fx) {
  IMSIM_ASSERT(epoch > 0);
  const ReqId req = next_request_id();
  std::visit(
      [&](auto& f) {
        if constexpr (requires { f.req; }) f.req = req;
      },
      frame);
  io.send(fx, to, frame);
  processor_counters.requests_sent++;
  const LocalTime deadline = now + backoff(1);
  requests.emplace(req, Request{key, to, std::move(frame), 1, deadline});
  job.requests.insert(req);
  retry.arm_by(io, fx, now, deadline);
  return req;
}

std::optional<Request> Processor::Impl::take_request(ReqId req) {
  auto it = requests.find(req);
  if (it == requests.end()) return std::nullopt;  // late reply of a finished request
  Request r = std::move(it->second);
  requests.erase(it);
  auto job = jobs.find(r.job);
  IMSIM_ASSERT(job != jobs.end());  // requests die with their job
  job->second.requests.erase(req);
  return r;
}

void Processor::Impl::on_frame(Address from, Frame& frame, LocalTime now, Effects& fx) {
  if (auto* d = std::get_if<Deliver>(&frame); d && from.kind == RoleKind::queue) {
    on_deliver(from, *d, now, fx);
  } else if (auto* a = std::get_if<AppendReply>(&frame); a && from.kind == RoleKind::store) {
    on_append_reply(*a, now, fx);
  } else if (auto* i = std::get_if<InboxAppendReply>(&frame); i && from.kind == RoleKind::store) {
    on_inbox_reply(*i, now, fx);
  } else if (auto* p = std::get_if<ConvPage>(&frame); p && from.kind == RoleKind::store) {
    on_repair_page(*p, fx);
  } else if (auto* g = std::get_if<DeliveriesAck>(&frame); g && from.kind == RoleKind::gateway) {
    on_deliveries_ack(*g, now, fx);
  } else {
    io.count_reject(RejectReason::unexpected_frame);
  }
}

void Processor::Impl::on_deliver(Address from, const Deliver& d, LocalTime now, Effects& fx) {
  if (d.partition >= config.queue_partitions) return io.count_reject(RejectReason::bad_field);
  if (!topology.has_conv(d.msg.conv)) return io.count_reject(RejectReason::unknown_conv);
  if (topology.partition_of(d.msg.conv, config) != d.partition) {
    return io.count_reject(RejectReason::bad_field);
  }
  if (!topology.is_member(d.msg.id.device.user, d.msg.conv)) {
    return io.count_reject(RejectReason::not_member);
  }
  const JobKey key{d.partition, d.offset, d.msg.id};
  if (jobs.count(key) != 0) {
    return io.cover(CoveragePoint::processor_job_running);  // its own retries drive it
  }
  Job& job = jobs[key];
  job.queue = from;
  job.delivery = d;
  processor_counters.jobs_started++;
  const Address store = topology.store_for_conv(d.msg.conv);
  const ReqId req = request(job, key, store, Append{ReqId{}, d.msg}, now, fx);
  if (buggify(BuggifySite::processor_repeat_append)) {
    io.send(fx, store, requests.at(req).frame);  // a second copy: the store must dedup
    processor_counters.requests_sent++;
  }
}

void Processor::Impl::on_append_reply(const AppendReply& r, LocalTime now, Effects& fx) {
  std::optional<Request> req = take_request(r.req);
  if (!req) return;
  Job& job = jobs.at(req->job);
  if (r.msg != job.delivery.msg.id) return io.count_reject(RejectReason::bad_field);
  if (job.stage != Stage::appending) {
    return io.cover(CoveragePoint::processor_repeat_answer);  // the repeated append's second answer
  }
  switch (r.status) {
    case AppendStatus::appended:
    case AppendStatus::duplicate:
      IMSIM_ASSERT(r.conv_seq.value > 0);
      job.conv_seq = r.conv_seq;
      return start_fanout(job, now, fx);
    case AppendStatus::fifo_gap:
      io.cover(CoveragePoint::processor_nack_fifo_gap);
      send_result(job, RejectReason::fifo_gap, fx);
      return complete(req->job, fx);
    case AppendStatus::stale:
      io.cover(CoveragePoint::processor_nack_stale);
      send_result(job, RejectReason::stale_lane, fx);
      return complete(req->job, fx);
    case AppendStatus::gap:
      return io.count_reject(RejectReason::bad_field);  // not an append answer
  }
}

// Durable in the store timeline: now one inbox entry per member (write fan-out), or nothing for
// a large conversation (read fan-out: members pull the timeline after a notice).
void Processor::Impl::start_fanout(Job& job, LocalTime now, Effects& fx) {
  for (ReqId other : std::set<ReqId>(job.requests)) requests.erase(other);  // repeated append
  job.requests.clear();
  job.stage = Stage::fanning_out;
  const JobKey key{job.delivery.partition, job.delivery.offset, job.delivery.msg.id};
  if (topology.is_large(job.delivery.msg.conv, config)) {
    io.cover(CoveragePoint::processor_read_fanout);
    processor_counters.read_fanout_messages++;
    return after_fanout(job, now, fx);
  }
  io.cover(CoveragePoint::processor_write_fanout);
  processor_counters.write_fanout_messages++;
  for (UserId member : topology.members(job.delivery.msg.conv)) {
    request(job, key, topology.store_for_user(member),
            InboxAppend{ReqId{}, member, job.conv_seq, job.delivery.msg}, now, fx);
  }
}

void Processor::Impl::on_inbox_reply(const InboxAppendReply& r, LocalTime now, Effects& fx) {
  if (on_repair_reply(r, fx)) return;
  auto it = requests.find(r.req);
  if (it == requests.end()) return;
  const auto* sent = std::get_if<InboxAppend>(&it->second.frame);
  if (sent == nullptr || sent->user != r.user) return io.count_reject(RejectReason::bad_field);
  if (r.status == AppendStatus::gap) {
    // An earlier conv_seq of this conversation is not in the user's inbox yet. Usually its own
    // job (or the queue's redelivery of it) puts it there; repair in case that job is gone.
    // Ask again after a backoff.
    io.cover(CoveragePoint::processor_inbox_gap);
    start_repair(r.user, sent->msg.conv, sent->conv_seq, fx);
    it->second.deadline = now + backoff(it->second.attempts);
    retry.arm_by(io, fx, now, it->second.deadline);
    return;
  }
  std::optional<Request> req = take_request(r.req);
  IMSIM_ASSERT(req.has_value());
  Job& job = jobs.at(req->job);
  if (r.status != AppendStatus::appended && r.status != AppendStatus::duplicate) {
    return io.count_reject(RejectReason::bad_field);
  }
  job.fanned[r.user] = r.inbox_seq;
  if (job.requests.empty()) after_fanout(job, now, fx);
}

// Fan-out repair. Inboxes take a conversation's entries in conv_seq order, so a stored message
// whose fan-out never happens stalls that conversation in every member's inbox. That can
// happen: a job whose append was refused (fifo_gap) completes, while an earlier copy of that
// append still travels the network and is stored later, with no job left to fan it out (and
// its sender may never resend: failed, or reinstalled). So on `gap` the processor reads the
// timeline just below its own conv_seq and appends those entries to the inbox itself; inbox
// appends are idempotent, so entries already there cost a `duplicate` answer. If the lowest of
// them is a `gap` too, the hole is deeper: repair below it.
void Processor::Impl::start_repair(UserId user, ConvId conv, ConvSeq below, Effects& fx) {
  if (below.value <= 1 || !repairing.insert({user, conv}).second) return;
  const ReqId req = next_request_id();
  repair_reads[req] = RepairTarget{user, conv, below};
  io.send(fx, topology.store_for_conv(conv),
          PullConv{req, ConnId{0}, conv, PullDirection::backward, below, config.page_size_max});
  io.cover(CoveragePoint::processor_repair);
  processor_counters.fanout_repairs++;
}

void Processor::Impl::on_repair_page(const ConvPage& page, Effects& fx) {
  auto it = repair_reads.find(page.req);
  if (it == repair_reads.end()) return;  // late or duplicated
  const RepairTarget target = it->second;
  repair_reads.erase(it);
  repairing.erase({target.user, target.conv});
  if (page.conv != target.conv) return io.count_reject(RejectReason::bad_field);
  for (const TimelineEntry& e : page.entries) {  // ascending conv_seq
    if (e.conv_seq >= target.lowest) continue;
    const ReqId req = next_request_id();
    if (&e == &page.entries.front()) {
      repair_appends[req] = RepairTarget{target.user, target.conv, e.conv_seq};
    }
    io.send(fx, topology.store_for_user(target.user),
            InboxAppend{req, target.user, e.conv_seq, e.msg});
  }
}

bool Processor::Impl::on_repair_reply(const InboxAppendReply& r, Effects& fx) {
  auto it = repair_appends.find(r.req);
  if (it == repair_appends.end()) return false;
  const RepairTarget target = it->second;
  repair_appends.erase(it);
  if (r.status == AppendStatus::gap) start_repair(target.user, target.conv, target.lowest, fx);
  return true;
}

// ACK the sender, then tell every gateway (pushes or notices), then Done once they answered.
void Processor::Impl::after_fanout(Job& job, LocalTime now, Effects& fx) {
  IMSIM_ASSERT(job.requests.empty());
  job.stage = Stage::delivering;
  send_result(job, RejectReason::none, fx);
  Deliveries d{ReqId{}, job.conv_seq, job.delivery.msg, {}, false};
  d.notice_only = topology.is_large(job.delivery.msg.conv, config);
  for (const auto& [user, seq] : job.fanned) d.recipients.push_back(Recipient{user, seq});
  const JobKey key{job.delivery.partition, job.delivery.offset, job.delivery.msg.id};
  for (std::uint32_t g = 0; g < topology.gateway_count; g++) {
    request(job, key, topology.gateway(g), d, now, fx);
  }
}

void Processor::Impl::on_deliveries_ack(const DeliveriesAck& a, LocalTime, Effects& fx) {
  std::optional<Request> req = take_request(a.req);
  if (!req) return;
  if (!std::holds_alternative<Deliveries>(req->frame)) {
    return io.count_reject(RejectReason::bad_field);
  }
  Job& job = jobs.at(req->job);
  if (job.requests.empty()) complete(req->job, fx);
}

void Processor::Impl::send_result(const Job& job, RejectReason reason, Effects& fx) {
  const Origin& origin = job.delivery.origin;
  if (origin.gateway >= topology.gateway_count) return;
  io.send(fx, topology.gateway(origin.gateway),
          SendResult{origin, job.delivery.msg.id, reason, job.conv_seq});
  if (reason == RejectReason::none) {
    processor_counters.acks_sent++;
  } else {
    processor_counters.nacks_sent++;
  }
}

void Processor::Impl::complete(const JobKey& key, Effects& fx) {
  auto it = jobs.find(key);
  IMSIM_ASSERT(it != jobs.end());
  for (ReqId req : it->second.requests) requests.erase(req);
  const Deliver& d = it->second.delivery;
  io.send(fx, it->second.queue, Done{d.partition, d.offset, d.msg.id});
  processor_counters.jobs_completed++;
  jobs.erase(it);
}

// The budget ran out: forget the job without Done. The queue redelivers it later, and every step
// already taken is recognised as done by the store.
void Processor::Impl::abandon(const JobKey& key) {
  auto it = jobs.find(key);
  if (it == jobs.end()) return;
  for (ReqId req : it->second.requests) requests.erase(req);
  jobs.erase(it);
  processor_counters.jobs_abandoned++;
}

void Processor::Impl::on_timer(LocalTime now, Effects& fx) {
  std::vector<ReqId> expired;
  for (const auto& [req, r] : requests) {
    if (r.deadline <= now) expired.push_back(req);
  }
  for (ReqId req : expired) {
    auto it = requests.find(req);
    if (it == requests.end()) continue;  // its job was dropped by an earlier one
    Request& r = it->second;
    if (r.attempts >= config.request_retry_budget) {
      if (std::holds_alternative<Deliveries>(r.frame)) {
        // Pushes are best effort: a device that missed one catches up by pulling.
        io.cover(CoveragePoint::processor_push_given_up);
        const JobKey key = r.job;
        take_request(req);
        Job& job = jobs.at(key);
        if (job.requests.empty()) complete(key, fx);
      } else {
        io.cover(CoveragePoint::processor_job_abandoned);
        const JobKey key = r.job;  // abandon erases `r`
        abandon(key);
      }
      continue;
    }
    io.cover(CoveragePoint::processor_request_retry);
    r.attempts++;
    r.deadline = now + backoff(r.attempts);
    io.send(fx, r.to, r.frame);
    processor_counters.requests_sent++;
    processor_counters.requests_retried++;
  }
  for (const auto& [req, r] : requests) retry.arm_by(io, fx, now, r.deadline);
}

// --- Processor facade ---

Processor::Processor(const Config& config, const Topology& topology, std::uint32_t index,
                     Random* random)
    : impl_(std::make_unique<Impl>(config, topology, index, random)) {
  validate(config);
  IMSIM_ASSERT(index < topology.processor_count);
}
Processor::~Processor() = default;

Address Processor::address() const { return Address{RoleKind::processor, impl_->index}; }

void Processor::recover(const DurableMap& durable, LocalTime, Effects& fx) {
  impl_->recover(durable, fx);
}

void Processor::on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now,
                            Effects& fx) {
  IMSIM_ASSERT(impl_->recovered);
  std::optional<Frame> frame = impl_->io.receive(bytes);
  if (!frame) return;
  if (impl_->epoch_op) return;  // not started yet: the sender retries
  impl_->on_frame(from, *frame, now, fx);
}

void Processor::on_timer(TimerId timer, LocalTime now, Effects& fx) {
  if (!impl_->retry.take(timer)) return;
  impl_->on_timer(now, fx);
}

void Processor::on_storage_done(OpId op, LocalTime, Effects&) {
  if (impl_->epoch_op == op) impl_->epoch_op.reset();
}

const RoleCounters& Processor::counters() const { return impl_->io.counters; }
const ProcessorCounters& Processor::processor_counters() const { return impl_->processor_counters; }
std::size_t Processor::job_count() const { return impl_->jobs.size(); }

std::string Processor::state_digest() const {
  std::ostringstream out;
  out << "epoch:" << impl_->epoch << ";jobs:" << impl_->jobs.size()
      << ";requests:" << impl_->requests.size() << ";";
  return out.str();
}

}  // namespace imsim::engine
