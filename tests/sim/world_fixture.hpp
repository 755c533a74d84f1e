#pragma once
// A small fixed world that exercises every kernel feature (timers, datagrams with lossy,
// duplicating, reordering lognormal links, connections, disks, crashes and restarts, clocks,
// partitions, clogs, model trace records) for the determinism tests.
#include <cstdint>
#include <imsim/sim/simulator.hpp>
#include <memory>
#include <string>
#include <vector>

namespace imsim::sim::test {

struct WorldOutcome {
  std::uint64_t trace_hash;
  std::uint64_t events_executed;
  std::uint64_t trace_count;
};

class PingWorld {
 public:
  static constexpr int kNodes = 4;

  explicit PingWorld(std::uint64_t seed) : sim_(seed), rng_(sim_.fork_rng("workload")) {
    LinkParams link;
    link.latency = LatencyModel::lognormal(Duration::from_ms(5), 0.6)
                       .with_tail(0.05, Duration::from_ms(20), 1.5)
                       .with_floor(Duration::from_us(200));
    link.loss_probability = 0.05;
    link.duplicate_probability = 0.03;
    link.reorder_probability = 0.1;
    sim_.network().set_default_link(link);
    for (int i = 0; i < kNodes; ++i) {
      nodes_.push_back(sim_.add_node("n" + std::to_string(i)));
      eps_.push_back(sim_.network().add_endpoint(nodes_.back()));
      sim_.clock(nodes_.back()).set_drift_ppm(sim_.now(), 10.0 * i);
    }
    sim_.on_restart([this](NodeId node) { boot(static_cast<int>(node.value)); });
    for (int i = 0; i < kNodes; ++i) boot(i);
    schedule_faults();
  }

  WorldOutcome run() {
    sim_.run_until(SimTime::zero() + Duration::from_s(5));
    return {sim_.trace_hash(), sim_.events_executed(), sim_.trace_count()};
  }

 private:
  // (Re)starts node i's volatile behaviour: handlers and a periodic ping timer.
  void boot(int i) {
    Network& net = sim_.network();
    net.set_datagram_handler(eps_[i], [this, i](EndpointId from, std::string bytes) {
      sim_.disk(nodes_[i]).write("last", bytes);
      if (bytes.rfind("ping", 0) == 0) sim_.network().send(eps_[i], from, "pong" + bytes);
      sim_.trace(model_trace_kind(1), nodes_[i], bytes.size());
    });
    net.set_conn_handler(eps_[i], [this, i](ConnId conn, ConnEvent event) {
      if (event.kind == ConnEventKind::opened && sim_.network().is_open_at(conn, eps_[i])) {
        sim_.network().send_on(conn, eps_[i], "hello from " + std::to_string(i));
      }
    });
    tick(i);
  }

  void tick(int i) {
    const Duration think = Duration::from_ns(uniform_int(rng_, 1'000'000, 20'000'000));
    sim_.schedule_after(nodes_[i], think, [this, i] {
      const int to = static_cast<int>(uniform_below(rng_, kNodes));
      sim_.network().send(eps_[i], eps_[to], "ping" + std::to_string(sim_.events_executed()));
      if (bernoulli(rng_, 0.05)) sim_.disk(nodes_[i]).sync();
      if (bernoulli(rng_, 0.02) && to != i) sim_.network().connect(eps_[i], eps_[to]);
      tick(i);
    });
  }

  void schedule_faults() {
    auto at = [this](std::int64_t ms, auto f) {
      sim_.schedule_at(SimTime::zero() + Duration::from_ms(ms), std::move(f));
    };
    at(500, [this] { sim_.network().set_partition({{nodes_[0], nodes_[1]}, {nodes_[2]}}); });
    at(900, [this] { sim_.network().heal(); });
    at(1200, [this] { sim_.crash(nodes_[3], CrashOptions{.tear_last_write = true}); });
    at(1700, [this] { sim_.restart(nodes_[3]); });
    at(2000, [this] {
      sim_.network().clog(nodes_[1], nodes_[0], SimTime::zero() + Duration::from_ms(2300));
    });
    at(2500, [this] { sim_.clock(nodes_[2]).step(sim_.now(), -Duration::from_ms(40)); });
    at(3000, [this] { sim_.network().block(nodes_[2], nodes_[0]); });
    at(3600, [this] {
      const auto conns = sim_.network().conns_of(eps_[1]);
      if (!conns.empty()) sim_.network().reset(conns.front());
      sim_.network().unblock(nodes_[2], nodes_[0]);
    });
  }

  Simulator sim_;
  Rng rng_;
  std::vector<NodeId> nodes_;
  std::vector<EndpointId> eps_;
};

inline WorldOutcome run_ping_world(std::uint64_t seed) { return PingWorld(seed).run(); }

}  // namespace imsim::sim::test
