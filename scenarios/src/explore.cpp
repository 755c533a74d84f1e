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
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "imsim/base/assert.hpp"

namespace imsim::scenarios {

namespace {

using Clock = std::chrono::steady_clock;

// A verdict line is short; a longer one means a broken pipe protocol.
constexpr std::size_t kVerdictLineBytesMax = 4096;
constexpr const char* kBudgetLine = "budget";

struct Worker {
  pid_t pid = -1;
  int fd = -1;  // read end of its pipe; -1 once closed
  std::vector<std::uint64_t> seeds;
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
                              const std::vector<std::uint64_t>& seeds,
                              std::optional<Clock::time_point> deadline) {
  for (std::uint64_t seed : seeds) {
    if (past(deadline)) {
      write_all(fd, std::string(kBudgetLine) + "\n");
      ::_exit(0);
    }
    const SeedVerdict verdict = verdict_of(run_seed(base, seed, options.swarm));
    if (!write_all(fd, encode_verdict(verdict) + "\n")) ::_exit(3);
  }
  ::_exit(0);
}

class Explorer {
 public:
  Explorer(const model::WorldConfig& base, const ExploreOptions& options)
      : base_(base), options_(options), start_(Clock::now()) {
    if (options.time_budget_s) {
      deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(*options.time_budget_s));
    }
  }

  ExploreResult run() {
    const std::vector<std::uint64_t> seeds =
        shard_seeds(options_.first_seed, options_.seeds, options_.shard);
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
  bool start_workers(const std::vector<std::uint64_t>& seeds) {
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
      if (w.seeds[w.reported] < first_failing) continue;
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
    if (!verdict || w.reported >= w.seeds.size() || verdict->seed != w.seeds[w.reported]) {
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
    crash.seed = w.seeds[w.reported];
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
  const Clock::time_point start_;
  std::optional<Clock::time_point> deadline_;
  std::vector<Worker> workers_;
  ExploreResult result_;
};

}  // namespace

model::WorldConfig seed_config(const model::WorldConfig& base, std::uint64_t seed, bool swarm) {
  model::WorldConfig config = base;
  config.seed = seed;
  if (swarm) config.swarm.enabled = true;
  return config;
}

RunOutcome run_seed(const model::WorldConfig& base, std::uint64_t seed, bool swarm) {
  return run_scenario(seed_config(base, seed, swarm), RunSettings{});
}

SeedVerdict verdict_of(const RunOutcome& outcome) {
  SeedVerdict verdict;
  verdict.seed = outcome.config.seed;
  verdict.trace_hash = outcome.result.trace_hash;
  verdict.as_expected = outcome.as_expected;
  verdict.error = !outcome.error.empty();
  verdict.anomalies_found = outcome.anomalies_found;
  verdict.detail = outcome.error;
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

ExploreResult explore(const model::WorldConfig& base, const ExploreOptions& options) {
  IMSIM_ASSERT(options.jobs >= 1);
  IMSIM_ASSERT(options.jobs <= kExploreJobsMax);
  IMSIM_ASSERT(options.seeds >= 1);
  return Explorer(base, options).run();
}

// "v <seed> <hash> <as_expected 0|1> <error 0|1> <anomalies a,b|-> <detail...>"
std::string encode_verdict(const SeedVerdict& v) {
  std::string anomalies = v.anomalies_found.empty() ? "-" : "";
  for (const std::string& name : v.anomalies_found) {
    anomalies += (anomalies.empty() ? "" : ",") + name;
  }
  std::string detail = v.detail;
  std::replace(detail.begin(), detail.end(), '\n', ' ');
  return fmt::format("v {} {} {} {} {} {}", v.seed, v.trace_hash, v.as_expected ? 1 : 0,
                     v.error ? 1 : 0, anomalies, detail);
}

std::optional<SeedVerdict> decode_verdict(const std::string& line) {
  std::istringstream in(line);
  std::string tag, anomalies;
  int as_expected = -1, error = -1;
  SeedVerdict v;
  if (!(in >> tag >> v.seed >> v.trace_hash >> as_expected >> error >> anomalies)) {
    return std::nullopt;
  }
  if (tag != "v" || as_expected < 0 || as_expected > 1 || error < 0 || error > 1) {
    return std::nullopt;
  }
  v.as_expected = as_expected == 1;
  v.error = error == 1;
  if (anomalies != "-") {
    std::istringstream names(anomalies);
    for (std::string name; std::getline(names, name, ',');) v.anomalies_found.push_back(name);
  }
  std::getline(in >> std::ws, v.detail);
  return v;
}

}  // namespace imsim::scenarios
