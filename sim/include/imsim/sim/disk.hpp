#pragma once
// Disk: one node's durable key -> bytes store. Synchronous and simple on purpose: latency of a
// write or a sync is the model's business (it completes storage ops with timers).
// - write/erase are visible to read() at once but are volatile until sync();
// - sync() makes every prior write durable (in order); sync_key(key) makes only the prior
//   writes and erases of `key` durable, so writes to different keys can become durable in any
//   order (a disk with a volatile cache that flushes blocks out of order, or one file per key);
// - crash() drops every unsynced write. With tear_last, the last unsynced write is instead
//   applied *partially*: its bytes are truncated to a random length in [0, size) and that
//   prefix becomes durable, as if the crash came mid-write. Readers must detect torn values
//   (the engine's records carry checksums); a torn erase is not a thing (erases are atomic).
#include <cstdint>
#include <imsim/sim/rng.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imsim::sim {

struct DiskCounters {
  std::uint64_t writes = 0;
  std::uint64_t erases = 0;
  std::uint64_t syncs = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t writes_lost = 0;  // unsynced writes/erases dropped by crashes
  std::uint64_t writes_torn = 0;
};

class Disk {
 public:
  using Contents = std::map<std::string, std::string, std::less<>>;
  // Unsynced operations a disk holds before it must be synced (a bound, not a tuning knob).
  static constexpr std::size_t unsynced_max = 1'000'000;

  explicit Disk(Rng rng) : rng_(rng) {}

  void write(std::string key, std::string bytes);
  void erase(std::string key);
  void sync();
  void sync_key(std::string_view key);
  // The latest value, unsynced writes included (the newest unsynced op on `key`, else the
  // durable value: a scan of the unsynced ops, for tests and tools; the model never reads).
  std::optional<std::string> read(std::string_view key) const;
  bool contains(std::string_view key) const { return read(key).has_value(); }
  // What survives a crash right now (torn writes aside).
  const Contents& durable_contents() const { return durable_; }
  // What read() sees: durable contents with unsynced operations applied (built on demand: the
  // disk keeps one copy of its contents, the durable one, plus the unsynced ops).
  Contents contents() const;
  std::size_t unsynced_count() const { return unsynced_.size(); }

  // Drops unsynced operations (see the header comment for tear_last). Returns how many.
  std::size_t crash(bool tear_last);

  const DiskCounters& counters() const { return counters_; }

 private:
  struct Op {
    std::string key;
    std::optional<std::string> bytes;  // nullopt: erase
  };

  void make_durable(Op& op);  // applies an unsynced op to the durable contents (consumes it)

  Rng rng_;
  Contents durable_;
  std::vector<Op> unsynced_;
  DiskCounters counters_;
};

}  // namespace imsim::sim
