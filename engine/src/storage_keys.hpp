#pragma once
// Every key a role writes to its durable storage, in one place (as LevelDB's db/filename.h): the
// writer builds a key here, recovery classifies it here, and nothing else spells a key literal.
// Each role has its own storage, so keys of different roles never meet; still, all prefixes are
// distinct so that a key names its record kind on its own (tests/engine/storage_keys_test.cpp).
//
// Numbers are zero-padded to 20 digits so that the byte order of keys is their numeric order
// (recovery iterates a std::map<std::string, ...>).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imsim::engine::storage_keys {

// What a key holds: one enumerator per key below.
enum class KeyKind : std::uint8_t {
  // Device.
  checkpoint,      // "k": CheckpointRecord (sync cursor, bootstrapped, incarnation)
  id_reservation,  // "r": IdReservationRecord (message ids handed out up to here)
  outbox,          // "o/<counter>": OutboxRecord (an unacknowledged or acked send)
  conv_anchor,     // "a/<conv>": ConvAnchorRecord (where the view of a conversation starts)
  local_msg,       // "m/<conv>/<conv_seq>": LocalMsgRecord (a message in the local store)
  // Processor.
  processor_epoch,  // "p/epoch": CheckpointRecord whose checkpoint is the epoch
  // Queue.
  queue_entry,  // "q/<partition>/<offset>": QueueRecord (a pending delivery)
  // TimelineStore.
  timeline,     // "t/<conv>/<conv_seq>": TimelineRecord (one entry of a conversation timeline)
  inbox,        // "i/<user>/<inbox_seq>": InboxRecord (one entry of a user's sync inbox)
  inbox_floor,  // "f/<user>": InboxFloorRecord (inbox low mark and per-conversation watermarks)
};

// Device keys.
std::string checkpoint();
std::string id_reservation();
std::string outbox(std::uint64_t counter);
std::string conv_anchor(std::uint64_t conv);
std::string local_msg(std::uint64_t conv, std::uint64_t conv_seq);
// Processor keys.
std::string processor_epoch();
// Queue keys.
std::string queue_entry(std::uint64_t partition, std::uint64_t offset);
// TimelineStore keys.
std::string timeline(std::uint64_t conv, std::uint64_t conv_seq);
std::string inbox(std::uint64_t user, std::uint64_t inbox_seq);
std::string inbox_floor(std::uint64_t user);

// The kind a key belongs to, by its prefix alone (recovery's dispatch: it decodes the record,
// not the key, so a key whose numbers do not parse is still classified). nullopt: not a key any
// role writes.
std::optional<KeyKind> kind_of(std::string_view key);

// A key taken apart: its kind and its numbers (`a` first, `b` second; 0 when absent).
struct ParsedKey {
  KeyKind kind;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  bool operator==(const ParsedKey&) const = default;
};
// nullopt unless `key` is exactly what the builder of its kind produces.
std::optional<ParsedKey> parse(std::string_view key);

}  // namespace imsim::engine::storage_keys
