#pragma once
// Internal pieces of the scenario loader and writer, shared by their translation units.
#include <string>
#include <string_view>
#include <vector>

#include "imsim/model/world_config.hpp"
#include "json_reader.hpp"

namespace imsim::scenarios::detail {

// Units a Distribution can be written in: its JSON fields are `value_<unit>`, `min_<unit>`..
enum class Unit : std::uint8_t { kSeconds, kMilliseconds, kBytes };

model::Distribution read_distribution(const json& value, const std::string& path, Unit unit);
json distribution_to_json(const model::Distribution& distribution, Unit unit);

model::LinkModel read_link_model(const json& value, const std::string& path,
                                 const model::LinkModel& defaults);
json link_model_to_json(const model::LinkModel& link);

// A time in the unit of its JSON field (key ends in _s or _ms), as written by to_json:
// an integer when exact, else a number.
json time_to_json(std::int64_t ns, std::string_view key);

const std::vector<std::string>& fault_kind_names();        // indexed by model::FaultKind
const std::vector<std::string>& link_class_names();        // indexed by model::LinkClass
const std::vector<std::string>& device_transport_names();  // indexed by model::DeviceTransport
json network_to_json(const model::NetworkModel& network);
// Why dup_p / reorder_p on a device link with the stream transport is refused.
inline constexpr const char* kStreamDupReorder =
    "device connections use network.device_transport \"stream\" (TCP-like), which never "
    "duplicates or reorders a frame; set network.device_transport to \"datagram\" for a "
    "transport that does, or remove this field";

// The nodes of a world, for cross-reference checks.
class NodeSet {
 public:
  explicit NodeSet(const model::WorldConfig& config);
  bool is_server(std::string_view name) const;
  bool is_gateway(std::string_view name) const;
  bool is_device(std::string_view name) const;
  bool exists(std::string_view name) const { return is_server(name) || is_device(name); }
  // "gateway0 .. gateway1, queue0 .. queue1, ..., devices u1/d1 .. u3/d2" for error messages.
  std::string summary() const;
  const model::WorldConfig& config() const { return config_; }

 private:
  const model::WorldConfig& config_;
  std::vector<std::string> servers_;
};

// Faults (the `faults` array), with `for_s` expanded and sorted by time. The config's
// durations, topology and users must already be loaded.
std::vector<model::Fault> read_faults(const json& value, const std::string& path,
                                      const model::WorldConfig& config);
json faults_to_json(const std::vector<model::Fault>& faults);

model::Swarm read_swarm(const json& value, const std::string& path,
                        const model::WorldConfig& config);
json swarm_to_json(const model::Swarm& swarm);
model::WorldSwarm read_world_swarm(const json& value, const std::string& path,
                                   const model::WorldConfig& config);
json world_swarm_to_json(const model::WorldSwarm& world);

}  // namespace imsim::scenarios::detail

namespace imsim::scenarios::detail {
// The whole scenario document at `path` ("" for a document of its own). Throws LoadFailure.
model::WorldConfig read_world(const json& document, std::string_view default_name,
                              const std::string& path);
}  // namespace imsim::scenarios::detail

namespace imsim::scenarios::detail {
// The `engine` section (engine_config.cpp). finish_engine sets what the topology decides
// (queue_partitions); it runs for every scenario.
void read_engine(const json& value, const std::string& path, engine::Config& config);
void finish_engine(const model::Topology& topology, engine::Config& config);
json engine_to_json(const engine::Config& config);
std::vector<std::string> engine_mutation_names();
}  // namespace imsim::scenarios::detail
