#pragma once
// TimelineStore internals: one ConvTimeline per conversation of this shard, one UserInbox per
// user of this shard. Writes to one timeline (and to one inbox) are issued one at a time: the
// next append waits until the previous record is durable, so durable seqs are always contiguous
// and a crash can only lose a suffix that was never acknowledged.
#include <deque>
#include <imsim/engine/timeline_store.hpp>
#include <map>
#include <optional>
#include <vector>

#include "records.hpp"
#include "role_io.hpp"
#include "storage_keys.hpp"

namespace imsim::engine {

struct ReplyTo {
  Address to;
  ReqId req;
};

inline constexpr std::size_t kRefusedMax = 4096;

struct ConvTimeline {
  std::vector<records::TimelineRecord> entries;  // entries[i].entry.conv_seq == i + 1
  ConvSeq allocated;  // last conv_seq handed out (== entries.size() unless a mutation is on)
  std::map<ClientMsgId, ConvSeq> dedup;  // idempotency index for recent entries
  std::size_t dedup_floor = 0;           // entries below this index left the index
  std::map<LaneId, LaneSeq> lane_last;   // highest lane position stored per sender lane
  // Newest install of each device that stored into this conversation. HISTORY judges FIFO per
  // device across reinstalls, so once a newer install stored, an older one's late sends are
  // refused (never stored, so never shown: no anomaly) rather than stored after it.
  std::map<DeviceId, Incarnation> newest_install;
  // Appends refused with fifo_gap, by (processor, request id): the refusal is final for that
  // request. A processor retransmits a request with the same id, and the network may delay a
  // copy past the moment the gap is filled; storing that copy would leave a message in the
  // timeline whose job has ended, with nobody to fan it out. Kept while the lane position is
  // above the lane's last stored one (then dedup or the stale rule answers any copy), at most
  // kRefusedMax per timeline.
  std::map<std::pair<Address, ReqId>, std::pair<LaneId, LaneSeq>> refused;
  // The one append being made durable, and the requests waiting for its answer.
  struct InFlight {
    OpId op;
    records::TimelineRecord record;
    std::vector<ReplyTo> replies;
  };
  std::optional<InFlight> in_flight;
  std::deque<std::pair<ReplyTo, MessageData>> waiting;  // appends behind the in-flight one
};

struct UserInbox {
  std::deque<records::InboxRecord> entries;  // retained, contiguous from `low`
  InboxSeq low{1};                           // lowest retained inbox_seq
  InboxSeq durable_low{1};                   // lowest inbox_seq whose record may be on disk
  std::map<ConvId, ConvSeq> watermark;       // highest conv_seq fanned in per conversation
  struct InFlight {
    OpId op;
    records::InboxRecord record;
    std::vector<ReplyTo> replies;
  };
  std::optional<InFlight> in_flight;
  std::deque<std::pair<ReplyTo, InboxAppend>> waiting;
  std::optional<OpId> floor_op;  // floor record being written before erasing expired records
  InboxSeq floor_low;            // the low that floor_op records

  InboxSeq head() const { return InboxSeq{low.value - 1 + entries.size()}; }
};

struct TimelineStore::Impl {
  Impl(const Config& c, const Topology& t, std::uint32_t i, Random* r)
      : config(c), topology(t), index(i), io(c.frame_bytes_max), buggify(r, c.buggify) {}

  // timeline_store.cpp: dispatch, recovery, reads.
  void recover(const DurableMap& durable, LocalTime now);
  void on_datagram(Address from, std::span<const std::uint8_t> bytes, LocalTime now, Effects& fx);
  void on_storage_done(OpId op, LocalTime now, Effects& fx);
  void serve_inbox(Address from, const PullInbox& pull, LocalTime now, Effects& fx);
  void serve_conv(Address from, const PullConv& pull, Effects& fx);
  bool owns_conv(ConvId conv) const;
  bool owns_user(UserId user) const;

  // store_append.cpp: conversation appends.
  void on_append(ReplyTo reply, const MessageData& msg, LocalTime now, Effects& fx);
  void start_append(ConvTimeline& tl, ReplyTo reply, const MessageData& msg, LocalTime now,
                    Effects& fx);
  bool finish_append(OpId op, LocalTime now, Effects& fx);
  void reply_append(Effects& fx, ReplyTo to, const MessageData& msg, AppendStatus status,
                    ConvSeq seq, LaneSeq expected);
  std::optional<ConvSeq> find_duplicate(ConvTimeline& tl, const MessageData& msg, LocalTime now);
  void prune_dedup(ConvTimeline& tl, LocalTime now);

  // store_inbox.cpp: write fan-out into inboxes, TTL.
  void on_inbox_append(ReplyTo reply, const InboxAppend& append, LocalTime now, Effects& fx);
  void start_inbox_append(UserInbox& inbox, ReplyTo reply, const InboxAppend& append, LocalTime now,
                          Effects& fx);
  bool finish_inbox_append(OpId op, LocalTime now, Effects& fx);
  bool finish_floor(OpId op, Effects& fx);
  // Drops entries past the TTL, and the oldest beyond inbox_entries_max - room (room: entries
  // about to be appended).
  void expire(UserId user, UserInbox& inbox, LocalTime now, Effects& fx, std::size_t room = 0);
  void write_floor(UserId user, UserInbox& inbox, Effects& fx);
  void reply_inbox(Effects& fx, ReplyTo to, UserId user, AppendStatus status, InboxSeq seq);

  const Config& config;
  const Topology& topology;
  std::uint32_t index;
  RoleIo io;
  Buggify buggify;
  StoreCounters store_counters;
  std::map<ConvId, ConvTimeline> timelines;
  std::map<UserId, UserInbox> inboxes;
  std::map<OpId, ConvId> timeline_ops;  // in-flight timeline record writes
  std::map<OpId, UserId> inbox_ops;     // in-flight inbox record writes
  std::map<OpId, UserId> floor_ops;     // in-flight inbox floor writes
  bool recovered = false;
};

}  // namespace imsim::engine
