// `imsim bench`: a fixed performance suite with the figures issue 14 names, each measured in
// this process (or a child it forks, for peak memory) so ratios come from one session.
//
//   kernel        the hold model (Vaucher & Duval: P events pending, each executed event
//                 schedules one more) on sim::Simulator, and on a naive std::priority_queue of
//                 std::function in the same process: events/s and the ratio.
//   world         the generated world of docs/performance.md (U users x 2 devices, U/2 direct
//                 chats, U/50 groups of 20, 0.1 x U msg/s for 10 s, as scripts/gen-world
//                 writes it), run as `imsim run --no-out` runs it (history checked in memory),
//                 in a forked child: deliveries (displays)/s, simulated s per wall s, peak RSS.
//   memory        the same world idle (no workload) at two sizes: peak RSS difference per
//                 device; and (busy - idle) peak RSS per delivery.
//   check         a recorded history parsed and checked by every checker: events/s.
//   explore       `imsim explore default --jobs 2`: seeds/s.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <imsim/base/assert.hpp>
#include <imsim/history/reader.hpp>
#include <imsim/model/world.hpp>
#include <imsim/properties/check.hpp>
#include <imsim/scenarios/explore.hpp>
#include <imsim/scenarios/run.hpp>
#include <imsim/scenarios/scenario.hpp>
#include <imsim/sim/distributions.hpp>
#include <imsim/sim/simulator.hpp>
#include <nlohmann/json.hpp>
#include <queue>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace imsim::cli {
namespace {

using WallClock = std::chrono::steady_clock;

double seconds_since(WallClock::time_point start) {
  return std::chrono::duration<double>(WallClock::now() - start).count();
}

// ---- Kernel: the hold model ------------------------------------------------------------------

constexpr std::int64_t kHoldDelayMeanNs = 1'000'000;

std::int64_t hold_delay_ns(sim::Rng& rng) { return sim::uniform_int(rng, 0, 2 * kHoldDelayMeanNs); }

double kernel_events_per_s(std::uint64_t pending, std::uint64_t events) {
  struct Hold {
    sim::Simulator sim{42};
    sim::Rng rng{7};
    void schedule_one() {
      sim.schedule_after(sim::Duration::from_ns(hold_delay_ns(rng)), [this] { schedule_one(); });
    }
  } hold;
  for (std::uint64_t i = 0; i < pending; i++) hold.schedule_one();
  const auto start = WallClock::now();
  for (std::uint64_t i = 0; i < events; i++) hold.sim.step();
  return static_cast<double>(events) / seconds_since(start);
}

double naive_events_per_s(std::uint64_t pending, std::uint64_t events) {
  struct Event {
    std::int64_t time_ns;
    std::uint64_t seq;
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time_ns > b.time_ns || (a.time_ns == b.time_ns && a.seq > b.seq);
    }
  };
  struct Hold {
    std::priority_queue<Event, std::vector<Event>, Later> queue;
    std::int64_t now_ns = 0;
    std::uint64_t seq = 0;
    sim::Rng rng{7};
    void schedule_one() {
      queue.push(Event{now_ns + hold_delay_ns(rng), seq++, [this] { schedule_one(); }});
    }
  } hold;
  for (std::uint64_t i = 0; i < pending; i++) hold.schedule_one();
  const auto start = WallClock::now();
  for (std::uint64_t i = 0; i < events; i++) {
    Event e = hold.queue.top();
    hold.queue.pop();
    hold.now_ns = e.time_ns;
    e.fn();
  }
  return static_cast<double>(events) / seconds_since(start);
}

// ---- Worlds ----------------------------------------------------------------------------------

// The world scripts/gen-world writes (docs/performance.md), through the scenario loader.
model::WorldConfig generated_world(std::int64_t users, double messages_per_s) {
  const nlohmann::json document = {
      {"name", fmt::format("bench-world-{}", users)},
      {"durations", {{"safety_s", 10.0}, {"quiescence_s", 30.0}}},
      {"users", {{"count", users}, {"devices_min", 2}, {"devices_max", 2}}},
      {"conversations",
       {{"direct", users / 2},
        {"groups",
         {{{"count", std::max<std::int64_t>(1, users / 50)},
           {"size", std::min<std::int64_t>(20, users)}}}}}},
      {"workload",
       {{"messages_per_s", messages_per_s},
        {"size", {{"kind", "constant"}, {"value_bytes", 200}}}}},
  };
  auto loaded = scenarios::load_scenario(document, "bench");
  if (!loaded.ok()) throw std::runtime_error("bench world: " + loaded.status().message());
  return std::move(loaded).value();
}

struct ChildRun {
  double wall_s = 0;
  double sim_s = 0;
  std::uint64_t displays = 0;
  std::uint64_t events = 0;
  double max_rss_bytes = 0;
};

// Runs the world as `imsim run --no-out` does, in a forked child so that its peak RSS is its
// own (getrusage of the child).
ChildRun run_in_child(const model::WorldConfig& config) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    const auto start = WallClock::now();
    const scenarios::RunOutcome outcome = scenarios::run_scenario(config, {});
    const double wall = seconds_since(start);
    const std::string line = fmt::format("{} {} {} {} {}\n", outcome.exit_code, wall,
                                         static_cast<double>(outcome.result.sim_time_ns) / 1e9,
                                         outcome.result.displays, outcome.result.events_executed);
    if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("bench child for " + config.name + " failed");
  }
  std::istringstream in(text);
  int exit_code = 0;
  ChildRun run;
  in >> exit_code >> run.wall_s >> run.sim_s >> run.displays >> run.events;
  if (!in || exit_code != scenarios::kExitValid) {
    throw std::runtime_error("bench world " + config.name + " did not run valid");
  }
  run.max_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux: kilobytes
  return run;
}

std::uint64_t device_count(const model::WorldConfig& config) {
  IMSIM_ASSERT(config.generated_users.has_value() &&
               config.generated_users->devices_min == config.generated_users->devices_max);
  return static_cast<std::uint64_t>(config.generated_users->count) *
         static_cast<std::uint64_t>(config.generated_users->devices_min);
}

// ---- Check -----------------------------------------------------------------------------------

struct CheckRates {
  std::uint64_t events = 0;
  double parse_events_per_s = 0;
  double check_events_per_s = 0;  // parse and every checker
};

CheckRates check_rates(const model::WorldConfig& config) {
  std::ostringstream history_text;
  model::RunOptions options;
  options.history_out = &history_text;
  (void)model::run_world(config, options);
  const std::string text = std::move(history_text).str();
  CheckRates rates;
  for (char c : text) rates.events += c == '\n';
  rates.events -= 1;  // the header
  const auto parse_start = WallClock::now();
  auto parsed = history::parse_history(std::string_view(text));
  const double parse_s = seconds_since(parse_start);
  if (!parsed.ok()) throw std::runtime_error("bench history does not parse");
  const auto check_start = WallClock::now();
  const properties::Report report = properties::check(parsed.value());
  const double check_s = seconds_since(check_start);
  (void)report;
  rates.parse_events_per_s = static_cast<double>(rates.events) / parse_s;
  rates.check_events_per_s = static_cast<double>(rates.events) / (parse_s + check_s);
  return rates;
}

struct Sizes {
  std::uint64_t kernel_pending;
  std::uint64_t kernel_events;
  std::int64_t world_users;
  std::int64_t idle_small_users;
  std::int64_t idle_large_users;
  std::int64_t check_users;
  std::uint64_t explore_seeds;
};

}  // namespace

int bench_command(const BenchArgs& args) {
  const Sizes sizes = args.quick ? Sizes{1'000, 200'000, 300, 100, 300, 200, 40}
                                 : Sizes{10'000, 3'000'000, 10'000, 1'000, 10'000, 3'000, 400};
  auto say = [&](const std::string& what) {
    if (!args.json) fmt::print(stderr, "bench: {}\n", what);
  };
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json detail = nlohmann::json::object();

  say(fmt::format("kernel hold model, {} pending, {} events", sizes.kernel_pending,
                  sizes.kernel_events));
  const double kernel = kernel_events_per_s(sizes.kernel_pending, sizes.kernel_events);
  const double naive = naive_events_per_s(sizes.kernel_pending, sizes.kernel_events);
  out["kernel_events_per_s"] = kernel;
  out["kernel_vs_naive_ratio"] = kernel / naive;
  detail["naive_events_per_s"] = naive;

  say(fmt::format("world of {} users (busy)", sizes.world_users));
  const model::WorldConfig busy_config =
      generated_world(sizes.world_users, 0.1 * static_cast<double>(sizes.world_users));
  const ChildRun busy = run_in_child(busy_config);
  out["deliveries_per_s"] = static_cast<double>(busy.displays) / busy.wall_s;
  out["sim_seconds_per_wall_second"] = busy.sim_s / busy.wall_s;
  detail["world_users"] = sizes.world_users;
  detail["world_deliveries"] = busy.displays;
  detail["world_events"] = busy.events;
  detail["world_wall_s"] = busy.wall_s;
  detail["world_peak_rss_bytes"] = busy.max_rss_bytes;

  say(fmt::format("idle worlds of {} and {} users", sizes.idle_small_users,
                  sizes.idle_large_users));
  const model::WorldConfig idle_small_config = generated_world(sizes.idle_small_users, 0);
  const model::WorldConfig idle_large_config = generated_world(sizes.idle_large_users, 0);
  const ChildRun idle_small = run_in_child(idle_small_config);
  const ChildRun idle_large = run_in_child(idle_large_config);
  const double devices_small = static_cast<double>(device_count(idle_small_config));
  const double devices_large = static_cast<double>(device_count(idle_large_config));
  out["bytes_per_device"] =
      (idle_large.max_rss_bytes - idle_small.max_rss_bytes) / (devices_large - devices_small);
  // The busy world's memory above the idle world of the same size (idle_large_users).
  out["bytes_per_delivery"] =
      (busy.max_rss_bytes - idle_large.max_rss_bytes) / static_cast<double>(busy.displays);
  detail["idle_peak_rss_bytes"] = {
      {std::to_string(sizes.idle_small_users), idle_small.max_rss_bytes},
      {std::to_string(sizes.idle_large_users), idle_large.max_rss_bytes}};

  say(fmt::format("history of a {}-user world: parse and check", sizes.check_users));
  const CheckRates rates =
      check_rates(generated_world(sizes.check_users, 0.1 * static_cast<double>(sizes.check_users)));
  out["check_events_per_s"] = rates.check_events_per_s;
  detail["parse_events_per_s"] = rates.parse_events_per_s;
  detail["check_history_events"] = rates.events;

  say(fmt::format("explore default, {} seeds, --jobs 2", sizes.explore_seeds));
  auto base = scenarios::load_scenario_named("default");
  if (!base.ok()) return fail("bench: " + base.status().message());
  scenarios::ExploreOptions explore_options;
  explore_options.seeds = sizes.explore_seeds;
  explore_options.jobs = 2;
  explore_options.stop_at_first_failure = false;
  const scenarios::ExploreResult explored = scenarios::explore(base.value(), explore_options);
  if (!explored.error.empty()) return fail("bench: explore: " + explored.error);
  out["explore_seeds_per_s"] = explored.seeds_per_s();
  detail["explore_seeds"] = explored.verdicts.size();

  out["detail"] = detail;
  out["suite"] = args.quick ? "quick" : "full";
  if (args.json) {
    fmt::print("{}\n", out.dump(2));
    return scenarios::kExitValid;
  }
  const auto row = [](std::string_view key, double value, std::string_view unit) {
    fmt::print("{:<30} {:>14.4g}  {}\n", key, value, unit);
  };
  fmt::print("imsim bench ({} suite)\n", args.quick ? "quick" : "full");
  row("kernel_events_per_s", kernel,
      "hold model, " + std::to_string(sizes.kernel_pending) + " pending");
  row("kernel_vs_naive_ratio", kernel / naive, "vs std::priority_queue<std::function>");
  row("deliveries_per_s", out["deliveries_per_s"].get<double>(),
      fmt::format("{}-user world, displays per wall s", sizes.world_users));
  row("sim_seconds_per_wall_second", out["sim_seconds_per_wall_second"].get<double>(), "");
  row("bytes_per_device", out["bytes_per_device"].get<double>(), "idle, peak RSS per device");
  row("bytes_per_delivery", out["bytes_per_delivery"].get<double>(), "busy minus idle peak RSS");
  row("check_events_per_s", rates.check_events_per_s, "parse + every checker");
  row("explore_seeds_per_s", explored.seeds_per_s(), "default, --jobs 2");
  return scenarios::kExitValid;
}

}  // namespace imsim::cli
