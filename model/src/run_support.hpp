#pragma once
// What every part of a run (model/src/world_impl.hpp) shares: byte and id conversions between
// the kernel and the engine, the model's named limits, the run's model counters and its log.
#include <cstdint>
#include <imsim/base/assert.hpp>
#include <imsim/engine/coverage.hpp>
#include <imsim/engine/ids.hpp>
#include <imsim/model/world.hpp>
#include <imsim/sim/distributions.hpp>
#include <imsim/sim/network.hpp>
#include <imsim/sim/simulator.hpp>
#include <map>
#include <ostream>
#include <span>
#include <string>

namespace imsim::model::detail {

class ServerHost;
class DeviceHost;

// The kernel carries frames as std::string bytes; the engine reads them as a byte span.
inline std::span<const std::uint8_t> as_span(const std::string& bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

// Engine connection ids start at 1 (0 means "none"); the kernel's start at 0.
inline engine::ConnId to_engine(sim::ConnId conn) { return engine::ConnId(conn.value + 1); }
inline sim::ConnId to_sim(engine::ConnId conn) {
  IMSIM_ASSERT(conn.value != 0);
  return sim::ConnId(conn.value - 1);
}

// Per-run limits of the model itself (named, so a runaway run fails loudly, not slowly).
// The all-conversation clock (`gvc`) only feeds a metric, and it grows dense: every device
// soon knows of every other. Above this many devices it is not recorded (the metric is then
// absent from the report) so that histories stay linear in the messages they describe.
inline constexpr std::size_t kGlobalClockDevicesMax = 64;
// sim::Network link classes: gateway <-> device links are mobile, everything else the servers'.
inline constexpr std::uint8_t kLinkClassGateway = 1;
inline constexpr std::uint8_t kLinkClassDevice = 2;
inline constexpr std::uint8_t kLinkClassAdversary = 3;
inline constexpr std::uint64_t kEventsPerRunMax = 2'000'000'000;
inline constexpr std::int64_t kServerStorageLatencyMin_ns = 50'000;
inline constexpr std::int64_t kServerStorageLatencyMax_ns = 500'000;
inline constexpr std::int64_t kDeviceStorageLatencyMin_ns = 500'000;
inline constexpr std::int64_t kDeviceStorageLatencyMax_ns = 3'000'000;

// The model's own counters ("workload.sends", "nemesis.crash", ...) and the counters of role
// lives that ended (a crash, app kill or reinstall retires them here so totals cover every
// life of every node).
class RunCounters {
 public:
  void count(const std::string& name, std::uint64_t n = 1) { model_[name] += n; }
  void retire(const ServerHost& server);  // before its role is dropped
  void retire(const DeviceHost& device);  // before its engine Device is dropped

  const std::map<std::string, std::uint64_t>& model() const { return model_; }
  const std::map<std::string, std::uint64_t>& retired() const { return retired_; }
  const engine::CoverageCounts& retired_coverage() const { return retired_coverage_; }

 private:
  std::map<std::string, std::uint64_t> model_;
  std::map<std::string, std::uint64_t> retired_;
  engine::CoverageCounts retired_coverage_{};
};

// Human-readable lines in RunOptions::log_out (if set), stamped with the sim time.
class RunLog {
 public:
  RunLog(std::ostream* out, const sim::Simulator& sim) : out_(out), sim_(sim) {}
  void line(const std::string& text) const;

 private:
  std::ostream* out_;
  const sim::Simulator& sim_;
};

// A uniform index into a non-empty container of `size` elements (the draw of
// uniform_int(rng, 0, size - 1), so never negative).
inline std::size_t uniform_index(sim::Rng& rng, std::size_t size) {
  IMSIM_ASSERT(size > 0 && size <= static_cast<std::size_t>(INT64_MAX));
  return static_cast<std::size_t>(sim::uniform_int(rng, 0, static_cast<std::int64_t>(size) - 1));
}

sim::LatencyModel latency_model(const Distribution& distribution);
sim::NetworkConfig network_config(const NetworkModel& model);
void add_server_counters(const ServerHost& server, std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage);
void add_device_counters(const DeviceHost& device, std::map<std::string, std::uint64_t>& c,
                         engine::CoverageCounts& coverage);
const char* fault_kind_name(FaultKind kind);
std::string describe_fault(const Fault& fault);
std::int64_t sample(const Distribution& distribution, sim::Rng& rng);

}  // namespace imsim::model::detail
