#pragma once
// One checker per anomaly of HISTORY.md (one file each), and the metrics.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imsim/properties/check.hpp"
#include "index.hpp"

namespace imsim::properties {

void check_duplicated(const HistoryIndex& index, AnomalySink& sink);
void check_reordered(const HistoryIndex& index, AnomalySink& sink);
void check_lost(const HistoryIndex& index, AnomalySink& sink);
void check_fifo(const HistoryIndex& index, AnomalySink& sink);
void check_causal(const HistoryIndex& index, AnomalySink& sink);
void check_ghost(const HistoryIndex& index, AnomalySink& sink);
void check_liveness(const HistoryIndex& index, AnomalySink& sink);
void check_misnumbered(const HistoryIndex& index, AnomalySink& sink);  // version 2
void check_gap(const HistoryIndex& index, AnomalySink& sink);          // version 2
void check_unavailable(const HistoryIndex& index, AnomalySink& sink);  // version 2

// Pairs (x before y in a view, both with gvc) where y happened-before x through any
// conversation; nullopt when no send carries a gvc.
std::optional<std::uint64_t> count_cross_conv_inversions(const HistoryIndex& index);
Metrics compute_metrics(const HistoryIndex& index);
// The stable latency of each message displayed on every required device of its conversation,
// by message id (the samples of Metrics::stable_latency).
std::vector<MessageLatency> stable_latency_samples(const HistoryIndex& index);

// "the view of c1 on u1/d1 (incarnation 0)"
std::string view_name(const HistoryIndex& index, const View& view);

}  // namespace imsim::properties
