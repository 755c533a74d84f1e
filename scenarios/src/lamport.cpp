// Lamport diagram (SVG) of a window of a TraceLog.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "imsim/base/assert.hpp"
#include "imsim/scenarios/outputs.hpp"

namespace imsim::scenarios {

namespace {

// Layout, in SVG pixels.
constexpr int kMarginLeft = 90;  // time labels
constexpr int kLaneSpacing = 120;
constexpr int kHeaderHeight = 60;
constexpr int kRowHeight = 16;
constexpr int kFooterHeight = 60;
constexpr std::size_t kLabelLengthMax = 28;  // characters of a record label drawn

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, std::min(text.size(), kLabelLengthMax))) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  if (text.size() > kLabelLengthMax) out += "...";
  return out;
}

std::string seconds(std::int64_t ns) { return fmt::format("{:.6f} s", double(ns) / 1e9); }

class LamportDrawing {
 public:
  LamportDrawing(const model::TraceLog& log, std::size_t begin, std::size_t end)
      : log_(log), begin_(begin), end_(end) {
    choose_lanes();
    for (std::size_t i = begin; i < end; i++) {
      const model::TraceRecord& r = log.records[i];
      if (!visible(r)) continue;
      rows_[r.t_ns] = 0;
      if (is_frame(r)) rows_[r.t_send_ns] = 0;
    }
    int row = 0;
    for (auto& [t, r] : rows_) r = row++;
  }

  std::string draw();

 private:
  static bool is_frame(const model::TraceRecord& r) {
    return r.kind == model::TraceKind::kFrame || r.kind == model::TraceKind::kFrameLost;
  }
  int y(std::int64_t t_ns) const { return kHeaderHeight + 20 + rows_.at(t_ns) * kRowHeight; }
  int x(std::int32_t lane) const {
    return kMarginLeft + 60 + x_slot_.at(std::size_t(lane)) * kLaneSpacing;
  }
  int width() const { return kMarginLeft + 60 + std::max(1, lanes_shown_) * kLaneSpacing; }
  bool shown(std::int32_t lane) const { return x_slot_.at(std::size_t(lane)) >= 0; }
  // Drawn unless it touches a lane that is not shown (a fault on every lane always is).
  bool visible(const model::TraceRecord& r) const {
    return (r.from < 0 || shown(r.from)) && (r.to < 0 || !is_frame(r) || shown(r.to));
  }
  int height() const { return kHeaderHeight + 40 + int(rows_.size()) * kRowHeight + kFooterHeight; }
  void choose_lanes();
  void lanes(std::string& svg) const;
  void time_axis(std::string& svg) const;
  void record(std::string& svg, const model::TraceRecord& r) const;
  void note(std::string& svg) const;

  const model::TraceLog& log_;
  std::size_t begin_;
  std::size_t end_;
  std::map<std::int64_t, int> rows_;  // distinct instant -> row
  std::vector<int> x_slot_;           // lane -> column, -1 if not shown
  int lanes_shown_ = 0;
  std::size_t lanes_idle_ = 0;  // lanes without a record in the window: not drawn
  std::size_t lanes_over_ = 0;  // lanes beyond kLamportLanesMax: not drawn
};

// The lanes that have records in the window, at most kLamportLanesMax of them: servers first,
// then devices, then the nemesis and any other group; stable inside a group.
void LamportDrawing::choose_lanes() {
  const auto lane_count = std::int32_t(log_.lanes.size());
  std::vector<bool> used(log_.lanes.size(), false);
  for (std::size_t i = begin_; i < end_; i++) {
    const model::TraceRecord& r = log_.records[i];
    IMSIM_ASSERT(r.from < lane_count);
    IMSIM_ASSERT(r.to < lane_count);
    if (r.from >= 0) used[std::size_t(r.from)] = true;
    if (r.to >= 0 && is_frame(r)) used[std::size_t(r.to)] = true;
  }
  const auto rank = [](const std::string& group) {
    return group == "servers" ? 0 : group == "devices" ? 1 : 2;
  };
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < used.size(); i++) {
    if (used[i]) order.push_back(i);
  }
  lanes_idle_ = used.size() - order.size();
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return rank(log_.lanes[a].group) < rank(log_.lanes[b].group);
  });
  if (order.size() > kLamportLanesMax) {
    lanes_over_ = order.size() - kLamportLanesMax;
    order.resize(kLamportLanesMax);
  }
  x_slot_.assign(used.size(), -1);
  for (std::size_t slot = 0; slot < order.size(); slot++) x_slot_[order[slot]] = int(slot);
  lanes_shown_ = int(order.size());
}

void LamportDrawing::lanes(std::string& svg) const {
  const int bottom = height() - kFooterHeight;
  for (std::size_t i = 0; i < log_.lanes.size(); i++) {
    if (!shown(std::int32_t(i))) continue;
    const int lx = x(std::int32_t(i));
    const model::TraceLane& lane = log_.lanes[i];
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"lane\"/>\n"
        "<text x=\"{0}\" y=\"{3}\" class=\"lanename\">{4}</text>\n"
        "<text x=\"{0}\" y=\"{5}\" class=\"group\">{6}</text>\n",
        lx, kHeaderHeight, bottom, kHeaderHeight - 8, escape(lane.name), kHeaderHeight - 26,
        escape(lane.group));
  }
}

void LamportDrawing::time_axis(std::string& svg) const {
  std::int64_t last_label_row = -1000;
  for (const auto& [t, row] : rows_) {
    if (row - last_label_row < 4) continue;  // a label every 4 rows at most
    last_label_row = row;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"time\">{}</text>\n", kMarginLeft, y(t) + 4,
                       seconds(t));
  }
}

void LamportDrawing::record(std::string& svg, const model::TraceRecord& r) const {
  const std::string label = escape(r.label);
  switch (r.kind) {
    case model::TraceKind::kFrame: {
      const int x1 = x(r.from), y1 = y(r.t_send_ns), x2 = x(r.to), y2 = y(r.t_ns);
      svg += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"frame\" "
          "marker-end=\"url(#arrow)\"/>\n<text x=\"{}\" y=\"{}\" class=\"flabel\">{}</text>\n",
          x1, y1, x2, y2, (x1 + x2) / 2, (y1 + y2) / 2 - 2, label);
      break;
    }
    case model::TraceKind::kFrameLost: {
      const int x1 = x(r.from), y1 = y(r.t_send_ns);
      const int x2 = x1 + (x(r.to) - x1) / 2, y2 = y1 + (y(r.t_ns) - y1) / 2;
      svg += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"lost\"/>\n"
          "<text x=\"{}\" y=\"{}\" class=\"cross\">&#x2715;</text>\n"
          "<text x=\"{}\" y=\"{}\" class=\"flabel lostlabel\">lost: {}</text>\n",
          x1, y1, x2, y2, x2, y2 + 4, (x1 + x2) / 2, (y1 + y2) / 2 - 2, label);
      break;
    }
    case model::TraceKind::kFault:
      if (r.from < 0) {
        svg += fmt::format(
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"globalfault\"/>\n"
            "<text x=\"{0}\" y=\"{3}\" class=\"fault\">{4}</text>\n",
            kMarginLeft + 10, y(r.t_ns), width() - 10, y(r.t_ns) - 3, label);
      } else {
        svg += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" class=\"faultmark\" "
            "transform=\"rotate(45 {} {})\"/>\n<text x=\"{}\" y=\"{}\" class=\"fault\">{}</text>\n",
            x(r.from) - 5, y(r.t_ns) - 5, x(r.from), y(r.t_ns), x(r.from) + 9, y(r.t_ns) + 4,
            label);
      }
      break;
    case model::TraceKind::kObservation:
      svg += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" class=\"obs\"/>\n"
          "<text x=\"{}\" y=\"{}\" class=\"obslabel\">{}</text>\n",
          x(r.from), y(r.t_ns), x(r.from) + 6, y(r.t_ns) + 4, label);
      break;
    case model::TraceKind::kLifecycle:
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"9\" class=\"life\"/>\n"
          "<text x=\"{}\" y=\"{}\" class=\"lifelabel\">{}</text>\n",
          x(r.from) - 4, y(r.t_ns) - 4, x(r.from) + 8, y(r.t_ns) + 4, label);
      break;
  }
}

void LamportDrawing::note(std::string& svg) const {
  const std::size_t total = log_.records.size();
  std::string text;
  if (begin_ == end_) {
    text = fmt::format("No record in the window ({} records in the log).", total);
  } else {
    text = fmt::format("Records {}..{} of {} (t = {} .. {}).", begin_, end_ - 1, total,
                       seconds(log_.records[begin_].t_ns), seconds(log_.records[end_ - 1].t_ns));
  }
  if (begin_ > 0) text += fmt::format(" {} earlier records not drawn.", begin_);
  if (end_ < total) {
    text += fmt::format(" {} later records not drawn (limit: {} records).", total - end_,
                        end_ - begin_);
  }
  if (lanes_idle_ > 0)
    text += fmt::format(" {} lanes without records here not drawn.", lanes_idle_);
  if (lanes_over_ > 0) {
    std::size_t hidden = 0;
    for (std::size_t i = begin_; i < end_; i++) hidden += visible(log_.records[i]) ? 0 : 1;
    text += fmt::format(" {} more lanes not drawn (limit: {} lanes), with {} records.", lanes_over_,
                        kLamportLanesMax, hidden);
  }
  if (log_.records_dropped > 0) {
    text += fmt::format(" {} records were never kept (trace log full).", log_.records_dropped);
  }
  svg += fmt::format("<text x=\"10\" y=\"{}\" class=\"note\">{}</text>\n", height() - 20, text);
}

std::string LamportDrawing::draw() {
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"monospace\">\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" "
      "fill=\"#333\"/></marker></defs>\n"
      "<style>.lane{{stroke:#bbb;stroke-width:1}} .lanename{{font-size:11px;text-anchor:middle;"
      "font-weight:bold}} .group{{font-size:9px;text-anchor:middle;fill:#888}} "
      ".time{{font-size:9px;text-anchor:end;fill:#888}} .frame{{stroke:#333;stroke-width:1}} "
      ".flabel{{font-size:8px;fill:#555;text-anchor:middle}} .lost{{stroke:#d00;"
      "stroke-dasharray:4 3}} .cross{{fill:#d00;font-size:12px;text-anchor:middle}} "
      ".lostlabel{{fill:#d00}} .fault{{fill:#d00;font-size:9px}} .faultmark{{fill:#d00}} "
      ".globalfault{{stroke:#d00;stroke-dasharray:6 4}} .obs{{fill:#17c}} "
      ".obslabel{{fill:#17c;font-size:8px}} .life{{fill:#e80}} .lifelabel{{fill:#e80;"
      "font-size:8px}} .note{{font-size:11px;fill:#444}}</style>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width(), height());
  lanes(svg);
  time_axis(svg);
  for (std::size_t i = begin_; i < end_; i++) {
    if (visible(log_.records[i])) record(svg, log_.records[i]);
  }
  note(svg);
  svg += "</svg>\n";
  return svg;
}

}  // namespace

std::int64_t lamport_default_start_ns(const model::TraceLog& log) {
  const std::size_t n = log.records.size();
  for (std::size_t i = 0; i < n; i++) {
    if (log.records[i].kind != model::TraceKind::kFault) continue;
    std::size_t start = i > kLamportContextRecords ? i - kLamportContextRecords : 0;
    // Near the end (the final heal is a fault too), back up so that the window is full.
    if (n > kLamportRecordsMax) start = std::min(start, n - kLamportRecordsMax);
    return log.records[start].t_ns;
  }
  return 0;
}

std::string lamport_svg(const model::TraceLog& log, const LamportWindow& window) {
  const auto first =
      std::lower_bound(log.records.begin(), log.records.end(), window.start_ns,
                       [](const model::TraceRecord& r, std::int64_t t) { return r.t_ns < t; });
  const auto begin = std::size_t(first - log.records.begin());
  const std::size_t end = std::min(log.records.size(), begin + window.records_max);
  return LamportDrawing(log, begin, end).draw();
}

}  // namespace imsim::scenarios
