// explore: many seeds of one scenario, in forked worker processes, one pipe per worker.
//
// Worker j of J runs the shard's seeds j, j+J, j+2J, ... (static striping: no coordination,
// and a seed's run does not depend on which worker runs it) and writes one line per seed on
// its pipe. The parent polls the pipes and collects the verdicts. At a failure (if asked to
// stop) it kills the workers it forked whose next seed is above the smallest failing seed, and
// lets the others run up to it: the failure reported is the shard's smallest failing seed up
// to there, the same for any number of workers. A worker that dies without finishing its seeds (an
// assertion in the engine, say) is a failure of the seed it was running.
#include "imsim/scenarios/explore.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "imsim/base/assert.hpp"
#include "imsim/sim/distributions.hpp"
#include "imsim/sim/rng.hpp"

namespace imsim::scenarios {

namespace {

using Clock = std::chrono::steady_clock;

// A verdict line is short; a longer one means a broken pipe protocol.
constexpr std::size_t kVerdictLineBytesMax = 4096;
constexpr const char* kBudgetLine = "budget";

// One run to make: its seed (its identity) and, guided, the world seed it keeps.
struct Candidate {
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> world_seed;
};

struct Worker {
  pid_t pid = -1;
  int fd = -1;  // read end of its pipe; -1 once closed
  std::vector<Candidate> seeds;
  std::size_t reported = 0;  // verdicts received
  bool budget_stop = false;  // it said it stopped for the time budget
  bool killed = false;       // we stopped it (first failure)
  std::string buffer;
};

bool write_all(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += std::size_t(n);
  }
  return true;
}

bool past(const std::optional<Clock::time_point>& deadline) {
  return deadline && Clock::now() >= *deadline;
}

[[noreturn]] void worker_main(int fd, const model::WorldConfig& base, const ExploreOptions& options,
                              const std::vector<Candidate>& seeds,
                              std::optional<Clock::time_point> deadline) {
  for (const Candidate& c : seeds) {
    if (past(deadline)) {
      write_all(fd, std::string(kBudgetLine) + "\n");
      ::_exit(0);
    }
    const SeedVerdict verdict = verdict_of(run_seed(base, c.seed, options.swarm, c.world_seed));
    if (!write_all(fd, encode_verdict(verdict) + "\n")) ::_exit(3);
  }
  ::_exit(0);
}

class Explorer {
 public:
  // `seeds` in increasing seed order; `start` and `deadline` may come from an enclosing
  // guided exploration (its rounds share one clock and budget).
  Explorer(const model::WorldConfig& base, const ExploreOptions& options,
           std::vector<Candidate> seeds, Clock::time_point start,
           std::optional<Clock::time_point> deadline)
      : base_(base),
        options_(options),
        seeds_(std::move(seeds)),
        start_(start),
        deadline_(deadline) {}

  ExploreResult run() {
    const std::vector<Candidate>& seeds = seeds_;
    result_.seeds_planned = seeds.size();
    if (start_workers(seeds)) {
      while (poll_once()) {
      }
    }
    stop_workers();
    finish();
    return std::move(result_);
  }

 private:
  bool start_workers(const std::vector<Candidate>& seeds) {
    const std::size_t jobs = std::min<std::size_t>(std::size_t(options_.jobs), seeds.size());
    workers_.resize(jobs);
    for (std::size_t i = 0; i < seeds.size(); i++) workers_[i % jobs].seeds.push_back(seeds[i]);
    std::fflush(nullptr);  // a child must not flush the parent's buffered output again
    for (Worker& w : workers_) {
      int fds[2];
      if (::pipe(fds) != 0) return broken(fmt::format("pipe: {}", std::strerror(errno)));
      const pid_t pid = ::fork();
      if (pid < 0) return broken(fmt::format("fork: {}", std::strerror(errno)));
      if (pid == 0) {
        ::close(fds[0]);
        for (const Worker& other : workers_) {
          if (other.fd >= 0) ::close(other.fd);
        }
        worker_main(fds[1], base_, options_, w.seeds, deadline_);
      }
      ::close(fds[1]);
      w.pid = pid;
      w.fd = fds[0];
    }
    return true;
  }

  bool broken(std::string error) {
    result_.error = std::move(error);
    return false;
  }

  // Waits for output of any worker; false once every pipe is closed or we should stop.
  bool poll_once() {
    std::vector<pollfd> fds;
    std::vector<Worker*> owners;
    for (Worker& w : workers_) {
      if (w.fd < 0) continue;
      fds.push_back({.fd = w.fd, .events = POLLIN, .revents = 0});
      owners.push_back(&w);
    }
    if (fds.empty()) return false;
    const int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0 && errno == EINTR) return true;
    if (n < 0) return broken(fmt::format("poll: {}", std::strerror(errno)));
    for (std::size_t i = 0; i < fds.size(); i++) {
      if (fds[i].revents == 0) continue;
      if (!read_worker(*owners[i])) return false;
    }
    if (options_.stop_at_first_failure && result_.failures > 0) stop_workers_past_failure();
    return true;
  }

  // Kills each worker whose next seed is above the smallest failing seed so far. Workers still
  // below it run on: the failure reported is then the smallest failing seed of the shard up to
  // that one, whatever the number of workers and their timing.
  void stop_workers_past_failure() {
    std::uint64_t first_failing = UINT64_MAX;
    for (const SeedVerdict& v : result_.verdicts) {
      if (v.failed()) first_failing = std::min(first_failing, v.seed);
    }
    for (Worker& w : workers_) {
      if (w.pid <= 0 || w.killed || w.reported >= w.seeds.size()) continue;
      if (w.seeds[w.reported].seed < first_failing) continue;
      w.killed = true;
      ::kill(w.pid, SIGKILL);
    }
  }

  // Reads what is there; handles complete lines, and the end of the pipe. False: stop.
  bool read_worker(Worker& w) {
    char chunk[4096];
    const ssize_t n = ::read(w.fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return true;
    if (n > 0) {
      w.buffer.append(chunk, std::size_t(n));
      std::size_t newline;
      while ((newline = w.buffer.find('\n')) != std::string::npos) {
        const std::string line = w.buffer.substr(0, newline);
        w.buffer.erase(0, newline + 1);
        if (!handle_line(w, line)) return false;
      }
      if (w.buffer.size() > kVerdictLineBytesMax) return broken("worker line too long");
      return true;
    }
    ::close(w.fd);
    w.fd = -1;
    reap(w);
    return true;
  }

  bool handle_line(Worker& w, const std::string& line) {
    if (line == kBudgetLine) {
      w.budget_stop = true;
      return true;
    }
    std::optional<SeedVerdict> verdict = decode_verdict(line);
    if (!verdict || w.reported >= w.seeds.size() || verdict->seed != w.seeds[w.reported].seed) {
      return broken(fmt::format("bad line from a worker: {}", line));
    }
    w.reported++;
    add(std::move(*verdict));
    return true;
  }

  void add(SeedVerdict verdict) {
    if (verdict.failed()) result_.failures++;
    result_.verdicts.push_back(std::move(verdict));
    if (options_.on_progress) {
      options_.on_progress({.done = result_.verdicts.size(),
                            .total = result_.seeds_planned,
                            .failures = result_.failures,
                            .elapsed_s = elapsed_s()});
    }
  }

  // The worker's pipe is closed: collect its status; a death before its last seed is a
  // failure of the seed it was running.
  void reap(Worker& w) {
    int status = 0;
    while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    w.pid = -1;
    if (w.killed || w.budget_stop || w.reported == w.seeds.size()) return;
    SeedVerdict crash;
    crash.seed = w.seeds[w.reported].seed;
    crash.world_seed = w.seeds[w.reported].world_seed;
    crash.error = true;
    crash.detail = WIFSIGNALED(status)
                       ? fmt::format("worker killed by signal {} ({})", WTERMSIG(status),
                                     ::strsignal(WTERMSIG(status)))
                       : fmt::format("worker exited with status {}", WEXITSTATUS(status));
    w.reported = w.seeds.size();
    add(std::move(crash));
  }

  void stop_workers() {
    for (Worker& w : workers_) {
      if (w.pid > 0 && !w.killed) {
        w.killed = true;
        ::kill(w.pid, SIGKILL);
      }
    }
    for (Worker& w : workers_) {
      if (w.fd >= 0) ::close(w.fd);
      w.fd = -1;
      if (w.pid > 0) reap(w);
    }
  }

  void finish() {
    std::sort(result_.verdicts.begin(), result_.verdicts.end(),
              [](const SeedVerdict& a, const SeedVerdict& b) { return a.seed < b.seed; });
    for (const SeedVerdict& v : result_.verdicts) {
      if (v.failed()) {
        result_.first_failure = v;
        break;
      }
    }
    result_.stopped_at_failure = options_.stop_at_first_failure && result_.failures > 0 &&
                                 result_.verdicts.size() < result_.seeds_planned;
    result_.budget_exhausted = !result_.stopped_at_failure &&
                               result_.verdicts.size() < result_.seeds_planned &&
                               std::any_of(workers_.begin(), workers_.end(),
                                           [](const Worker& w) { return w.budget_stop; });
    result_.wall_time_s = elapsed_s();
  }

  double elapsed_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  const model::WorldConfig& base_;
  const ExploreOptions& options_;
  const std::vector<Candidate> seeds_;
  const Clock::time_point start_;
  std::optional<Clock::time_point> deadline_;
  std::vector<Worker> workers_;
  ExploreResult result_;
};

// "k=v,k=v" -> out; false if malformed.
bool decode_metrics(const std::string& text, std::map<std::string, double>& out) {
  std::istringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    double value = 0;
    const char* end = item.data() + item.size();
    const auto [ptr, ec] = std::from_chars(item.data() + eq + 1, end, value);
    if (ec != std::errc{} || ptr != end) return false;
    out[item.substr(0, eq)] = value;
  }
  return true;
}

}  // namespace

CoverageBits coverage_bits(const engine::CoverageCounts& counts) {
  CoverageBits bits;
  for (std::size_t i = 0; i < counts.size(); i++) bits[i] = counts[i] > 0;
  return bits;
}

model::WorldConfig seed_config(const model::WorldConfig& base, std::uint64_t seed, bool swarm,
                               std::optional<std::uint64_t> world_seed) {
  model::WorldConfig config = base;
  config.seed = seed;
  if (swarm) config.swarm.enabled = true;
  if (world_seed) config.swarm.world_seed = world_seed;
  return config;
}

RunOutcome run_seed(const model::WorldConfig& base, std::uint64_t seed, bool swarm,
                    std::optional<std::uint64_t> world_seed) {
  return run_scenario(seed_config(base, seed, swarm, world_seed), RunSettings{});
}

SeedVerdict verdict_of(const RunOutcome& outcome) {
  SeedVerdict verdict;
  verdict.seed = outcome.config.seed;
  verdict.trace_hash = outcome.result.trace_hash;
  verdict.as_expected = outcome.as_expected;
  verdict.error = !outcome.error.empty();
  verdict.anomalies_found = outcome.anomalies_found;
  verdict.detail = outcome.error;
  verdict.world_seed = outcome.config.swarm.world_seed;
  verdict.covered = coverage_bits(outcome.result.coverage);
  if (!outcome.report) return verdict;
  const properties::Metrics& m = outcome.report->metrics;
  verdict.metrics["sent"] = double(m.sent);
  if (m.stable_latency) {
    verdict.metrics["stable_latency_p50_ms"] = double(m.stable_latency->p50_ns) / 1e6;
    verdict.metrics["stable_latency_p99_ms"] = double(m.stable_latency->p99_ns) / 1e6;
  }
  if (m.safety_failed_rate) verdict.metrics["safety_failed_rate"] = *m.safety_failed_rate;
  for (const auto& [name, value] : m.engine_ratios) verdict.metrics[name] = value;
  return verdict;
}

std::vector<std::uint64_t> shard_seeds(std::uint64_t first_seed, std::uint64_t seeds,
                                       const Shard& shard) {
  IMSIM_ASSERT(shard.count >= 1);
  IMSIM_ASSERT(shard.index >= 1);
  IMSIM_ASSERT(shard.index <= shard.count);
  IMSIM_ASSERT(seeds <= kExploreSeedsMax);
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = shard.index - 1; i < seeds; i += shard.count)
    out.push_back(first_seed + i);
  return out;
}

double ExploreResult::seeds_per_s() const {
  return wall_time_s > 0 ? double(verdicts.size()) / wall_time_s : 0.0;
}

std::size_t ExploreResult::points_reached() const {
  return std::size_t(std::count_if(runs_reaching.begin(), runs_reaching.end(),
                                   [](std::uint64_t n) { return n > 0; }));
}

namespace {

std::optional<Clock::time_point> deadline_of(Clock::time_point start,
                                             const ExploreOptions& options) {
  if (!options.time_budget_s) return std::nullopt;
  return start + std::chrono::duration_cast<Clock::duration>(
                     std::chrono::duration<double>(*options.time_budget_s));
}

void count_coverage(ExploreResult& result) {
  result.runs_reaching.fill(0);
  for (const SeedVerdict& v : result.verdicts) {
    for (std::size_t i = 0; i < v.covered.size(); i++) result.runs_reaching[i] += v.covered[i];
  }
}

// How rare what a run reached is: the sum over its points of 1 / (runs reaching the point).
double rarity(const SeedVerdict& v, const ExploreResult& so_far) {
  double score = 0;
  for (std::size_t i = 0; i < v.covered.size(); i++) {
    if (v.covered[i] && so_far.runs_reaching[i] > 0) {
      score += 1.0 / double(so_far.runs_reaching[i]);
    }
  }
  return score;
}

// Rounds of kGuidedRound seeds. Each round's candidates depend only on the verdicts of the
// rounds before it (and the first seed), never on timing or the number of workers.
ExploreResult explore_guided(const model::WorldConfig& base, const ExploreOptions& options) {
  constexpr std::size_t kCorpusMax = 64;
  const Clock::time_point start = Clock::now();
  const std::optional<Clock::time_point> deadline = deadline_of(start, options);
  sim::Rng rng = sim::Rng(options.first_seed).fork("guided");
  ExploreResult result;
  result.seeds_planned = options.seeds;
  std::vector<SeedVerdict> corpus;
  std::uint64_t next = options.first_seed;
  ExploreOptions round_options = options;
  round_options.on_progress = nullptr;
  while (next - options.first_seed < options.seeds) {
    const std::uint64_t n = std::min(kGuidedRound, options.seeds - (next - options.first_seed));
    // Parents weighted by rarity, recomputed against every run so far.
    std::vector<double> weights;
    double total = 0;
    for (const SeedVerdict& v : corpus) {
      weights.push_back(rarity(v, result));
      total += weights.back();
    }
    std::vector<Candidate> round;
    for (std::uint64_t i = 0; i < n; i++) {
      Candidate c{next++, std::nullopt};
      if (!corpus.empty() && total > 0 && i % 4 != 0) {
        double x = sim::uniform_real(rng, 0.0, total);
        std::size_t k = 0;
        while (k + 1 < corpus.size() && x >= weights[k]) x -= weights[k++];
        c.world_seed = corpus[k].world_seed.value_or(corpus[k].seed);
      }
      round.push_back(c);
    }
    ExploreResult part = Explorer(base, round_options, std::move(round), start, deadline).run();
    if (!part.error.empty()) {
      result.error = part.error;
      break;
    }
    for (SeedVerdict& v : part.verdicts) {
      if (v.failed()) result.failures++;
      result.verdicts.push_back(std::move(v));
    }
    count_coverage(result);
    if (options.on_progress) {
      options.on_progress(
          {.done = result.verdicts.size(),
           .total = result.seeds_planned,
           .failures = result.failures,
           .elapsed_s = std::chrono::duration<double>(Clock::now() - start).count()});
    }
    // The corpus: the runs whose coverage is rarest so far (ties keep their order: the old
    // corpus first). Each run is scored once, not once per comparison.
    std::vector<std::pair<double, const SeedVerdict*>> pool;
    for (const SeedVerdict& v : corpus) pool.emplace_back(rarity(v, result), &v);
    for (const SeedVerdict& v : result.verdicts) {
      if (v.seed >= next - n && !v.failed()) pool.emplace_back(rarity(v, result), &v);
    }
    std::stable_sort(pool.begin(), pool.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (pool.size() > kCorpusMax) pool.resize(kCorpusMax);
    std::vector<SeedVerdict> kept;
    for (const auto& [score, v] : pool) kept.push_back(*v);
    corpus = std::move(kept);
    if (part.budget_exhausted || (options.stop_at_first_failure && result.failures > 0)) {
      result.budget_exhausted = part.budget_exhausted;
      result.stopped_at_failure = options.stop_at_first_failure && result.failures > 0 &&
                                  result.verdicts.size() < result.seeds_planned;
      break;
    }
  }
  std::sort(result.verdicts.begin(), result.verdicts.end(),
            [](const SeedVerdict& a, const SeedVerdict& b) { return a.seed < b.seed; });
  for (const SeedVerdict& v : result.verdicts) {
    if (v.failed()) {
      result.first_failure = v;
      break;
    }
  }
  result.wall_time_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace

ExploreResult explore(const model::WorldConfig& base, const ExploreOptions& options) {
  IMSIM_ASSERT(options.jobs >= 1);
  IMSIM_ASSERT(options.jobs <= kExploreJobsMax);
  IMSIM_ASSERT(options.seeds >= 1);
  if (options.guided) return explore_guided(base, options);
  std::vector<Candidate> seeds;
  for (std::uint64_t seed : shard_seeds(options.first_seed, options.seeds, options.shard)) {
    seeds.push_back(Candidate{seed, std::nullopt});
  }
  const Clock::time_point start = Clock::now();
  ExploreResult result =
      Explorer(base, options, std::move(seeds), start, deadline_of(start, options)).run();
  count_coverage(result);
  return result;
}

// "v <seed> <hash> <as_expected 0|1> <error 0|1> <anomalies a,b|-> <world seed|-> <coverage
// bits, point 0 last> <metrics k=v,k=v|-> <detail...>". Metric values are written
// shortest-round-trip, so they decode exactly.
std::string encode_verdict(const SeedVerdict& v) {
  std::string anomalies = v.anomalies_found.empty() ? "-" : "";
  for (const std::string& name : v.anomalies_found) {
    anomalies += (anomalies.empty() ? "" : ",") + name;
  }
  std::string metrics = v.metrics.empty() ? "-" : "";
  for (const auto& [name, value] : v.metrics) {
    metrics += fmt::format("{}{}={}", metrics.empty() ? "" : ",", name, value);
  }
  std::string detail = v.detail;
  std::replace(detail.begin(), detail.end(), '\n', ' ');
  const std::string world = v.world_seed ? std::to_string(*v.world_seed) : "-";
  return fmt::format("v {} {} {} {} {} {} {} {} {}", v.seed, v.trace_hash, v.as_expected ? 1 : 0,
                     v.error ? 1 : 0, anomalies, world, v.covered.to_string(), metrics, detail);
}

std::optional<SeedVerdict> decode_verdict(const std::string& line) {
  std::istringstream in(line);
  std::string tag, anomalies, world, covered, metrics;
  int as_expected = -1, error = -1;
  SeedVerdict v;
  if (!(in >> tag >> v.seed >> v.trace_hash >> as_expected >> error >> anomalies >> world >>
        covered >> metrics)) {
    return std::nullopt;
  }
  if (tag != "v" || as_expected < 0 || as_expected > 1 || error < 0 || error > 1) {
    return std::nullopt;
  }
  if (covered.size() != v.covered.size() || covered.find_first_not_of("01") != std::string::npos) {
    return std::nullopt;
  }
  v.covered = CoverageBits(covered);
  if (world != "-") {
    std::uint64_t world_seed = 0;
    const auto [end, ec] = std::from_chars(world.data(), world.data() + world.size(), world_seed);
    if (ec != std::errc() || end != world.data() + world.size()) return std::nullopt;
    v.world_seed = world_seed;
  }
  v.as_expected = as_expected == 1;
  v.error = error == 1;
  if (anomalies != "-") {
    std::istringstream names(anomalies);
    for (std::string name; std::getline(names, name, ',');) v.anomalies_found.push_back(name);
  }
  if (metrics != "-" && !decode_metrics(metrics, v.metrics)) return std::nullopt;
  std::getline(in >> std::ws, v.detail);
  return v;
}

}  // namespace imsim::scenarios
