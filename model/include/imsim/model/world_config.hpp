#pragma once
// WorldConfig: everything the modelled world needs to run, as pure data. It is what a scenario
// file (docs/scenario-format.md) becomes after loading and validation by imsim::scenarios, and
// what model::run_world consumes. Nothing here depends on sim/ or on a JSON library (only on
// engine::Config).
//
// Conventions
// - Times are int64 nanoseconds of *true* simulated time, named `*_ns`, measured from the start
//   of the run (t = 0); engine::Config's times are local-clock nanoseconds. The JSON format
//   uses seconds or milliseconds with the unit in the field name (`at_s`, `median_ms`); the
//   loader converts and rounds to the nearest nanosecond.
// - Probabilities are doubles in [0, 1], named `*_p`.
// - The loader guarantees every invariant written "Valid:" below; the model may assert them.
// - Node names (used by faults, clocks and partitions): servers are `gateway<i>`, `queue<i>`,
//   `processor<i>`, `store<i>` (i from 0); a device is `<user id>/<device id>`, e.g. `u1/d1`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imsim/engine/config.hpp"

namespace imsim::model {

// ---- Named limits (the loader rejects anything beyond them) -------------------------------
inline constexpr std::int32_t kServersPerRoleMax = 64;  // gateways, queues, processors, stores
inline constexpr std::int32_t kUsersMax = 1'000'000;
inline constexpr std::int32_t kDevicesPerUserMax = 16;  // includes devices added by new logins
inline constexpr std::int32_t kConversationsMax = 1'000'000;
inline constexpr std::int32_t kConversationMembersMax = 100'000;
inline constexpr std::int32_t kFaultsMax = 100'000;  // scheduled + swarm-drawn
inline constexpr std::int64_t kRunDurationMax_ns = 30LL * 24 * 3600 * 1'000'000'000;  // 30 days
inline constexpr std::int64_t kClockOffsetMax_ns = 24LL * 3600 * 1'000'000'000;       // |offset|
inline constexpr double kClockDriftMax_ppm = 100'000.0;  // |drift| (10 %)
inline constexpr std::int32_t kIdLengthMax = 64;         // user, device, conversation ids

// ---- Distributions ------------------------------------------------------------------------
enum class DistributionKind : std::uint8_t { kConstant, kUniform, kExponential, kLognormal };

// A distribution of non-negative integers. Its unit is the one named by the member holding it
// (`Distribution latency_ns` -> nanoseconds, `Distribution size_bytes` -> bytes).
// Sampling: draw x from the base distribution, then with probability tail_p add `tail`.
// The model clamps samples to [0, kRunDurationMax_ns] (durations) or [1, kMessageSizeMax_bytes]
// (sizes).
struct Distribution {
  DistributionKind kind = DistributionKind::kConstant;
  std::int64_t value = 0;   // kConstant: the value
  std::int64_t min = 0;     // kUniform: inclusive lower bound
  std::int64_t max = 0;     // kUniform: inclusive upper bound. Valid: min <= max
  std::int64_t mean = 0;    // kExponential: the mean. Valid: > 0
  std::int64_t median = 0;  // kLognormal: exp(mu). Valid: > 0
  double sigma = 0.0;       // kLognormal: standard deviation of ln(x). Valid: >= 0, <= 10
  double tail_p = 0.0;      // probability that a sample gets `tail` added (a slow path, a spike)
  std::int64_t tail = 0;    // Valid: >= 0
};
inline constexpr std::int64_t kMessageSizeMax_bytes = 1 << 20;

// ---- Durations ----------------------------------------------------------------------------
// Phases: [0, safety_ns) is the safety phase: workload, device behaviour, scheduled faults and
// swarm faults happen here. At safety_ns the model heals everything (network back to the
// scenario's model, crashed servers restarted, every existing device online) and records
// `phase: liveness`; the liveness phase then lasts until the world is quiescent (see
// Quiescence) or quiescence_ns has passed, whichever comes first.
struct Durations {
  std::int64_t safety_ns = 10'000'000'000;      // Valid: > 0, <= kRunDurationMax_ns
  std::int64_t quiescence_ns = 30'000'000'000;  // max liveness window. Valid: > 0, <= max
  // The workload sends no new message at or after this time. Valid: <= safety_ns.
  // Absent: workload_stop = safety_ns.
  std::optional<std::int64_t> workload_stop_ns;
};

// ---- Topology -----------------------------------------------------------------------------
struct ClockSpec {
  std::int64_t offset_ns = 0;  // local clock = true time + offset (at t = 0). Valid: |.| <= max
  double drift_ppm = 0.0;      // local clock runs (1 + drift_ppm / 1e6) times true speed
};

struct Topology {
  std::int32_t gateways = 2;          // gateway0 .. gateway<n-1>. Valid: 1..kServersPerRoleMax
  std::int32_t queue_partitions = 2;  // queue0 ..; conversations map to partitions by the model
  std::int32_t processors = 2;        // processor0 ..
  std::int32_t stores = 1;            // store0 ..
  // Clock of a server node, by node name (absent node: perfect clock).
  // Valid: every key names an existing server node; offset_ns == 0 (servers only measure
  // intervals on their own clock, so an offset would have no effect: the loader refuses it).
  std::map<std::string, ClockSpec> server_clocks;
};

// Every server node name of a topology, in role order (gateways, queues, processors, stores).
inline std::vector<std::string> server_node_names(const Topology& topology) {
  std::vector<std::string> names;
  const auto add = [&names](const char* role, std::int32_t count) {
    for (std::int32_t i = 0; i < count; i++) names.push_back(role + std::to_string(i));
  };
  add("gateway", topology.gateways);
  add("queue", topology.queue_partitions);
  add("processor", topology.processors);
  add("store", topology.stores);
  return names;
}

// ---- Engine -------------------------------------------------------------------------------
// The engine configuration is engine::Config itself (limits, timeouts, mutation switches).
// The loader guarantees the field rules of engine::validate() (not its refusal of mutation
// switches the engine has not wired yet: the model still calls validate()), and that
// engine.queue_partitions == topology.queue_partitions (the topology decides it).

// ---- Users and devices --------------------------------------------------------------------
struct DeviceSpec {
  std::string id;               // unique within its user, e.g. "d1"; node name "u1/d1"
  bool online_at_start = true;  // ignored when login_at_ns is set
  // If set, the device does not exist before this time: it logs in then, as a new device
  // (history `reinstall`, empty local state, then `online`). Valid: < safety_ns.
  std::optional<std::int64_t> login_at_ns;
  ClockSpec clock;
};

struct UserSpec {
  std::string id;                   // unique, e.g. "u1"
  std::vector<DeviceSpec> devices;  // Valid: 1..kDevicesPerUserMax, ids distinct
};

// A generated population: users u1..u<count>; user i gets k devices d1..dk with k drawn
// uniformly in [devices_min, devices_max] from the seed (by the model), all online at start,
// no login time, perfect clocks.
struct GeneratedUsers {
  std::int32_t count = 0;        // Valid: 1..kUsersMax
  std::int32_t devices_min = 1;  // Valid: 1 <= devices_min <= devices_max <= kDevicesPerUserMax
  std::int32_t devices_max = 1;
};

// ---- Conversations ------------------------------------------------------------------------
enum class ConversationKind : std::uint8_t {
  kDirect,  // exactly two distinct users
  kGroup,   // two or more distinct users. The model treats a group as "large" (read fan-out)
            // when it has more members than the engine's large-group threshold; users never
            // declare "large" themselves.
};

struct ConversationSpec {
  std::string id;  // unique, e.g. "c1"
  ConversationKind kind = ConversationKind::kGroup;
  std::vector<std::string> members;  // user ids. Valid: exist, distinct, count fits the kind
};

struct GeneratedGroups {
  std::int32_t count = 0;  // how many groups of this size
  std::int32_t size = 0;   // members per group. Valid: 2 <= size <= number of users
};

// Generated conversations: ids c1.. in order: the `direct` direct chats first, then each
// entry of `groups` in order. Members are drawn from the seed by the model (distinct users).
struct GeneratedConversations {
  std::int32_t direct = 0;  // Valid: 0 if there is only one user
  std::vector<GeneratedGroups> groups;
};

// ---- Device behaviour (safety phase only) --------------------------------------------------
// Every interval below is the mean of an exponential (Poisson process) per device or per user;
// 0 turns the behaviour off.
struct DeviceBehaviour {
  // Churn: an online device stays online for a sample of online_session_ns, then offline for a
  // sample of offline_session_ns, and so on. Off: devices change state only by faults.
  bool churn = false;
  Distribution online_session_ns{.kind = DistributionKind::kExponential, .mean = 30'000'000'000};
  Distribution offline_session_ns{.kind = DistributionKind::kExponential, .mean = 10'000'000'000};
  std::int64_t app_kill_interval_mean_ns = 0;   // per device: app killed, relaunched at once
  std::int64_t reinstall_interval_mean_ns = 0;  // per device: local state wiped, relaunched
  // Per user: a new device (next free id d<k+1>) logs in, up to kDevicesPerUserMax devices.
  std::int64_t new_device_interval_mean_ns = 0;
  // After a reinstall or a new login, the probability that the user scrolls every
  // conversation back to its first message (history paged past engine.roam_messages_max; the
  // device then records top_reached). Valid: 0..1.
  double page_back_p = 0.5;
};

// ---- Adversarial devices ------------------------------------------------------------------
// Devices that misbehave on purpose. Each adversary is a user of its own (x1, x2, ...) with one
// device (x1/d1) holding a valid install token: a compromised client, not an outsider. It
// joins `conversations` conversations drawn from the seed (as a member: it receives their
// pushes and inbox entries), connects to a gateway drawn from the seed, authenticates, then
// during the safety phase speaks raw frames: one attack at a time (it waits for the answer
// before the next one; a flood waits for all of its frames), at Poisson times of mean
// attack_interval_mean_ns. Its mix: each kind of `attacks` is enabled with probability
// attack_enable_p (at least one), drawn per adversary from the seed. Adversaries are not in
// the history: their actions are tallied in RunResult::adversary (results.json "adversary").
// Faults never name them (their links are mobile links of the scenario's network model).
enum class AttackKind : std::uint8_t {
  kImpersonate,   // a Send whose message id names another user's device
  kForeignConv,   // a Send as itself into a conversation it is not a member of
  kForeignInbox,  // a PullInbox of another user's inbox
  kReplay,        // a frame captured earlier on its own connection sent again: its Hello of an
                  // earlier connection on a new one, or a frame the gateway sent it
  kOversized,     // a Send whose body exceeds message_body_bytes_max, or a frame longer than
                  // frame_bytes_max
  kTruncated,     // a valid Send cut short (length prefix patched to the cut length)
  kGarbage,       // random bytes, half of them behind a well-formed header
  kFlood,         // flood_frames Sends back to back (into a conversation it is not in)
  kNoAck,         // pulls the first page of its inbox again and again, never acknowledging it
                  // (never asks for the next page); pushes are ignored too
};
inline constexpr std::size_t kAttackKinds = 9;
inline const char* const kAttackKindNames[kAttackKinds] = {
    "impersonate", "foreign_conv", "foreign_inbox", "replay", "oversized",
    "truncated",   "garbage",      "flood",         "no_ack"};
inline constexpr std::int32_t kAdversariesMax = 64;
inline constexpr std::int32_t kFloodFramesMax = 100'000;

struct Adversaries {
  std::int32_t count = 0;          // Valid: 0..kAdversariesMax. 0: no adversary (the default)
  std::int32_t conversations = 1;  // joined per adversary (fewer if the world has fewer). >= 0
  std::vector<AttackKind> attacks = {AttackKind::kImpersonate,  AttackKind::kForeignConv,
                                     AttackKind::kForeignInbox, AttackKind::kReplay,
                                     AttackKind::kOversized,    AttackKind::kTruncated,
                                     AttackKind::kGarbage,      AttackKind::kFlood,
                                     AttackKind::kNoAck};  // Valid: distinct, >= 1
  double attack_enable_p = 1.0;                            // Valid: 0..1
  std::int64_t attack_interval_mean_ns = 200'000'000;      // Valid: > 0
  std::int32_t flood_frames = 1500;                        // Valid: 1..kFloodFramesMax
};

// ---- Workload (safety phase, before workload_stop) -----------------------------------------
struct KindWeights {
  // Relative weight of choosing a conversation of each kind for a fresh (non-reply) send. A
  // kind without conversations is skipped. Valid: >= 0 and at least one positive.
  double direct = 1.0;
  double group = 1.0;
  double large = 1.0;  // groups above the engine's large-group threshold
};

// Sends form a Poisson process of total rate messages_per_s over the whole world. Each send is
// a reply with probability reply_p, else fresh:
// - fresh: a kind by weight, a conversation of that kind uniformly, a member uniformly, then
//   one of that user's online devices uniformly (none online: the send is skipped, counted).
// - reply: a device is chosen uniformly among the online devices that displayed a message of
//   another user since their own last send; it sends into the conversation of that latest
//   display (this creates happened-before edges). No such device: it becomes a fresh send.
struct Workload {
  double messages_per_s = 5.0;  // Valid: >= 0, <= kMessagesPerSecondMax
  Distribution size_bytes{.kind = DistributionKind::kConstant, .value = 200};
  KindWeights kind_weights;
  double reply_p = 0.3;
  std::int64_t messages_max = 1'000'000;  // the workload stops after this many sends
};
inline constexpr double kMessagesPerSecondMax = 1'000'000.0;

// ---- Network ------------------------------------------------------------------------------
struct LinkModel {
  Distribution latency_ns;  // one-way delay per frame
  // A frame (a datagram, a datagram-transport data frame) is dropped; on a stream connection a
  // segment's transmission is lost and retransmitted after an RTO (docs/sim.md).
  double loss_p = 0.0;
  // Datagrams and datagram-transport data frames only: a stream never duplicates or reorders
  // (the loader refuses these on mobile links with the stream transport).
  double dup_p = 0.0;      // a frame is delivered twice (the copy with its own latency)
  double reorder_p = 0.0;  // a frame gets an extra latency sample, so later frames overtake it
};

// How devices talk to gateways (servers always talk in datagrams with their own retries).
enum class DeviceTransport : std::uint8_t {
  kStream,    // TCP-like connections: mobile loss costs retransmission timeouts
  kDatagram,  // QUIC-datagram-like: data frames lost, duplicated, reordered; no retransmission
};

// The stream transport's retransmission (RFC 6298; sim::NetworkConfig).
struct StreamModel {
  std::int64_t rto_initial_ns = 1'000'000'000;
  std::int64_t rto_min_ns = 200'000'000;
  std::int64_t rto_max_ns = 60'000'000'000;
  std::int64_t retransmit_max = 5;  // consecutive losses of a segment beyond this reset
};

struct NetworkModel {
  DeviceTransport device_transport = DeviceTransport::kStream;
  StreamModel stream;
  // device <-> gateway links
  LinkModel mobile{
      .latency_ns = {.kind = DistributionKind::kLognormal, .median = 40'000'000, .sigma = 0.5}};
  // server <-> server links
  LinkModel servers{
      .latency_ns = {.kind = DistributionKind::kUniform, .min = 200'000, .max = 1'000'000}};
};

// ---- Faults -------------------------------------------------------------------------------
enum class FaultKind : std::uint8_t {
  kPartition,        // groups: nodes in different groups cannot exchange frames (both ways);
                     // nodes named in no group are unaffected. Cumulative with earlier cuts.
  kPartitionOneway,  // from -> to frames are dropped (to -> from still flows)
  kHeal,             // removes every partition, one-way partition, clog and link change
  kClog,             // from -> to frames are held for for_ns, then released in order
  kLink,             // changes the link model of the selected links (until heal)
  kCrash,            // server node `node` crashes (volatile state, timers, unsynced writes lost)
  kRestart,          // server node `node` restarts and recovers from durable state
  kKill,             // device `node`: app killed and relaunched at once (durable state kept)
  kReinstall,        // device `node`: local state wiped, relaunched as a new incarnation
  kOffline,          // device `node` goes offline (until `online` or the final heal)
  kOnline,           // device `node` goes online
  kReset,            // device `node`'s connection is reset (both ends see it); it reconnects
  kClockStep,        // node `node`'s local clock jumps by by_ns (may be negative)
  kCut,              // from -> to frames (and to -> from if both_ways) are dropped for for_ns,
                     // then that pair's blocks are lifted: a targeted cut that heals on its own
                     // (a heal or the final heal ends it earlier)
};

enum class LinkClass : std::uint8_t { kNone, kMobile, kServers, kAll };

// One scheduled fault. Which fields a kind takes and requires, which node it names and what
// undoes it: the table of model/fault_kinds.hpp (kFaultKinds), one row per kind. In short
// (the loader rejects any other field):
//   partition: groups | partition_oneway: from, to | heal: - | clog: from, to, for_ns
//   cut: from, to, for_ns, both_ways (from/to: a device and a gateway, or two servers)
//   link: (links or link_class) and at least one of latency_ns, loss_p, dup_p, reorder_p
//   crash, restart: node (a server) | kill, reinstall, offline, online, reset: node (a device)
//   clock_step: node (server or device), by_ns
// The scenario format's `for_s` on crash / offline / partition / partition_oneway / link is
// sugar: the loader expands it into a second fault (restart / online / heal — a heal undoes
// every cut, not just this one) at at_ns + for_ns, so each entry here is atomic.
struct Fault {
  std::int64_t at_ns = 0;  // Valid: 0 <= at_ns < safety_ns
  FaultKind kind = FaultKind::kHeal;
  std::vector<std::vector<std::string>> groups;  // partition. Valid: >= 2 groups, disjoint
  std::string from;                              // partition_oneway, clog
  std::string to;                                // partition_oneway, clog
  std::int64_t for_ns = 0;                       // clog, cut. Valid: > 0
  bool both_ways = false;                        // cut
  std::string node;                              // crash .. clock_step
  std::int64_t by_ns = 0;                        // clock_step
  // link: the links it changes, each {a, b} meaning both directions between a and b ...
  std::vector<std::pair<std::string, std::string>> links;
  LinkClass link_class = LinkClass::kNone;  // ... or a whole class of links
  std::optional<Distribution> latency_ns;   // link: replaces the latency if set
  std::optional<double> loss_p;             // link: replaces loss_p if set
  std::optional<double> dup_p;
  std::optional<double> reorder_p;
};

// ---- World swarm ----------------------------------------------------------------------------
// With the swarm on and any of these set, the model first draws the world itself from the
// seed (or from swarm.world_seed) within the scenario's ranges, so exploration reaches the rare
// situations a fixed world never does: pages of a few entries, inbox TTLs short enough that
// devices must resync, groups exactly at the large-group threshold, long offline periods that
// build multi-page backlogs for devices that synced before, and long cuts of one pair of nodes.
// Every drawn value goes into RunResult::swarm_parameters ("world.*") and into the drawn
// config the run used (RunResult::drawn_config), which a failure file records.
struct Range {
  std::int64_t min = 0;  // inclusive
  std::int64_t max = 0;  // inclusive. Valid: min <= max
};

struct WorldSwarm {
  // Swarm testing applied to the world: each dimension set below is drawn with this
  // probability per seed, else left as the scenario writes it (some seeds keep the written
  // world, and no combination of dimensions is always on). Valid: 0..1
  double enable_p = 0.5;
  std::optional<Range> page_size;           // engine.page_size. Valid: 1..engine.page_size_max
  std::optional<Range> inbox_ttl_ns;        // engine.inbox_ttl_ns, log-uniform. Valid: min > 0
  std::optional<Range> retry_budget;        // engine.retry_budget. Valid: min >= 1
  std::optional<Range> send_timeout_ns;     // engine.send_timeout_ns (the cap follows). Valid: > 0
  std::optional<Range> request_timeout_ns;  // engine.request_timeout_ns (the cap follows)
  // Bounds, small enough that the paths behind them run: a page cut at its bytes, a full queue
  // partition or store backlog (overloaded), a full push buffer, a full outbox.
  std::optional<Range> page_bytes_max;          // Valid: message_body_bytes_max .. the frame's room
  std::optional<Range> queue_length_max;        // Valid: >= 1
  std::optional<Range> push_buffer_max;         // Valid: >= 1
  std::optional<Range> outbox_length_max;       // Valid: >= 1
  std::optional<Range> dedup_key_retention_ns;  // short: late duplicates need the scan
  std::optional<Range> message_bytes;  // workload.size_bytes, a constant. Valid: 1..body max
  // With this probability the run has engine.buggify on (BUGGIFY sites may fire). Valid: 0..1
  double buggify_p = 0.0;
  // Each role's server count (gateways, queue partitions, processors, stores), drawn per role;
  // never below what the scenario names (a fault on store1 keeps two stores).
  // Valid: 1 <= min <= max <= kServersPerRoleMax
  std::optional<Range> servers_per_role;
  // Generated groups: each entry's size. Valid: 2 <= min <= max <= users
  std::optional<Range> group_size;
  // The write/read fan-out edge (engine.large_group_threshold: more members => read fan-out).
  // Where groups can have threshold + 1 members, each generated group's size is drawn from
  // threshold-1 .. threshold+1 with this probability; otherwise (explicit conversations, or a
  // threshold above the population) with this probability the threshold moves to one group's
  // size or size - 1. Valid: 0..1
  double threshold_edge_p = 0.0;
  // Up to this many long offline periods, each of a device online at the start, starting in
  // the second fifth of the safety phase (it has synced) and lasting a sample of this range.
  std::int32_t long_offline_max = 0;  // Valid: 0..kFaultsMax
  Range long_offline_ns;              // Valid: 0 < min <= max (when long_offline_max > 0)
  // Up to this many `cut` faults of one pair (a device and its gateways, or two servers), each
  // lasting a sample of pair_cut_ns and healing on its own; one way with pair_cut_one_way_p.
  std::int32_t pair_cuts_max = 0;  // Valid: 0..kFaultsMax
  Range pair_cut_ns;               // Valid: 0 < min <= max (when pair_cuts_max > 0)
  double pair_cut_one_way_p = 0.5;

  bool any() const {
    return page_size || inbox_ttl_ns || retry_budget || send_timeout_ns || request_timeout_ns ||
           page_bytes_max || dedup_key_retention_ns || message_bytes || queue_length_max ||
           push_buffer_max || outbox_length_max || buggify_p > 0 || servers_per_role ||
           group_size || threshold_edge_p > 0 || long_offline_max > 0 || pair_cuts_max > 0;
  }
};

// ---- Swarm (FoundationDB-style swarm testing) ----------------------------------------------
// When enabled, the model draws extra faults for the safety phase from the seed, on top of
// the scheduled ones: first it enables each kind of `kinds` with probability kind_enable_p
// (at least one), then draws faults as a Poisson process of mean interval
// fault_interval_mean_ns, each of an enabled kind with its parameters drawn uniformly within
// the maxima below. Every drawn parameter goes into RunResult::swarm_parameters.
struct Swarm {
  bool enabled = false;
  std::vector<FaultKind> kinds;  // empty = every kind except kHeal (heals follow each cut)
  // Faults that name one node (crash, kill, reinstall, offline, reset, clock_step) pick it among
  // these; empty = any node. A kind left without a candidate is not drawn. Cuts, clogs and
  // links are not narrowed. Valid: each a server or device node, distinct.
  std::vector<std::string> nodes;
  double kind_enable_p = 0.5;
  std::int64_t fault_interval_mean_ns = 2'000'000'000;  // Valid: > 0
  std::int32_t faults_max = 100;                        // Valid: 0..kFaultsMax
  std::int64_t partition_max_ns = 5'000'000'000;        // a cut lasts up to this, then heals
  std::int64_t clog_max_ns = 2'000'000'000;
  std::int64_t down_max_ns = 5'000'000'000;         // crash -> restart, offline -> online
  std::int64_t clock_step_max_ns = 10'000'000'000;  // |step|
  double loss_p_max = 0.3;                          // `link` faults
  double dup_p_max = 0.1;
  double reorder_p_max = 0.3;
  std::int64_t latency_max_ns = 2'000'000'000;
  WorldSwarm world;  // the world's own draw (above); empty = the scenario's world as written
  // The seed of the world draw; absent = the run's seed. Guided exploration keeps a world that
  // reached rare coverage and varies the run's seed (faults, workload), or the other way round.
  std::optional<std::uint64_t> world_seed;
};

// ---- Checks -------------------------------------------------------------------------------
struct Checks {
  // Checkers to run, by anomaly name (HISTORY.md; the names are properties::anomaly_kinds,
  // which the loader validates against). Empty = all.
  std::vector<std::string> checkers;
  // What the run must show: valid (no anomaly at all), or, for mutant scenarios, these
  // anomaly names: each must be found (further anomalies are allowed and reported).
  bool expect_valid = true;
  std::vector<std::string> expect_anomalies;  // Valid: non-empty iff !expect_valid
};

// ---- Quiescence ---------------------------------------------------------------------------
// The world is quiescent when every device is online, every outbox is empty, every device has
// applied its inbox up to the head and displays every stored message of its conversations
// that it is required to (see HISTORY.md), and no storage op is in flight. The model tests
// this every check_interval_ns of the liveness phase and ends the run at the first success.
// The liveness phase checks quiescence at most this many times (each check reads every
// device and store): a tiny interval in a long window would otherwise run for hours.
inline constexpr std::int64_t kQuiescenceChecksMax = 1'000'000;

struct Quiescence {
  // Valid: > 0, and durations.quiescence_ns / check_interval_ns <= kQuiescenceChecksMax.
  std::int64_t check_interval_ns = 100'000'000;
  // Availability probes: at the start of the liveness phase, up to this many devices (all of
  // them when there are fewer; otherwise a seeded sample) each send one message into every
  // conversation of their user. The history's `unavailable` rule requires each acked and
  // stored, `lost` requires it shown everywhere. 0 turns the probes off. Valid: >= 0.
  std::int32_t probe_devices_max = 32;
};

// ---- The world ----------------------------------------------------------------------------
struct WorldConfig {
  std::string name;  // scenario name (file stem for library scenarios)
  std::string description;
  std::uint64_t seed = 1;
  Durations durations;
  Topology topology;
  engine::Config engine;  // mutation switches included (engine.mutations)
  // Users: exactly one of the two forms (explicit `users` non-empty, or `generated_users`).
  std::vector<UserSpec> users;
  std::optional<GeneratedUsers> generated_users;
  // Conversations: exactly one of the two forms (explicit `conversations` non-empty, or
  // `generated_conversations` with at least one conversation).
  std::vector<ConversationSpec> conversations;
  std::optional<GeneratedConversations> generated_conversations;
  DeviceBehaviour device_behaviour;
  Workload workload;
  NetworkModel network;
  std::vector<Fault> faults;  // scheduled, sorted by at_ns (stable: file order breaks ties)
  Swarm swarm;
  Checks checks;
  Quiescence quiescence;
  Adversaries adversaries;
};

}  // namespace imsim::model
