// Lamport diagram (SVG) of a window of a TraceLog.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "imsim/base/assert.hpp"
#include "imsim/scenarios/outputs.hpp"
#include "svg_plot.hpp"

namespace imsim::scenarios {

namespace {

// Layout, in SVG pixels.
constexpr int kMarginLeft = 90;  // time labels
constexpr int kLaneSpacing = 120;
constexpr int kHeaderHeight = 60;
constexpr int kRowHeight = 16;
constexpr int kFooterHeight = 60;
constexpr int kLegendRow = 14;
constexpr std::size_t kLabelLengthMax = 28;  // characters of a record label drawn
constexpr double kCharWidth = 0.62;          // of the font size: monospace glyphs
constexpr double kLabelPadding = 1.0;        // pixels kept free above and below a label

// A label as drawn: cut to kLabelLengthMax characters and escaped.
std::string escape(std::string_view text) {
  std::string out = svg::escape(text.substr(0, std::min(text.size(), kLabelLengthMax)));
  if (text.size() > kLabelLengthMax) out += "...";
  return out;
}

// Where labels already stand: a new label that would overlap one is not drawn (busy lanes,
// bursts of records at one instant).
class LabelPlacer {
 public:
  // Claims the box of a text of `chars` characters at (x, baseline y); false if it is taken.
  bool claim(double x, double y, std::size_t chars, int font_px, bool centred) {
    const double width = double(chars) * font_px * kCharWidth;
    const Box box{.x0 = centred ? x - width / 2 : x,
                  .x1 = centred ? x + width / 2 : x + width,
                  .y0 = y - font_px - kLabelPadding,
                  .y1 = y + kLabelPadding};
    const int bucket = int(y) / kRowHeight;
    for (int b = bucket - 1; b <= bucket + 1; b++) {
      auto it = boxes_.find(b);
      if (it == boxes_.end()) continue;
      for (const Box& o : it->second) {
        if (box.x0 < o.x1 && o.x0 < box.x1 && box.y0 < o.y1 && o.y0 < box.y1) return false;
      }
    }
    boxes_[bucket].push_back(box);
    return true;
  }

 private:
  struct Box {
    double x0, x1, y0, y1;
  };
  std::map<int, std::vector<Box>> boxes_;  // by row of their baseline
};

std::string seconds(std::int64_t ns) { return fmt::format("{:.6f} s", double(ns) / 1e9); }

class LamportDrawing {
 public:
  LamportDrawing(const model::TraceLog& log, std::size_t begin, std::size_t end,
                 const std::optional<LamportHighlight>& highlight)
      : log_(log), begin_(begin), end_(end), highlight_(highlight) {
    choose_lanes();
    for (std::size_t i = begin; i < end; i++) {
      const model::TraceLogRecord& r = log.records[i];
      if (!visible(r)) continue;
      rows_[r.t_ns] = 0;
      if (is_frame(r)) rows_[r.t_send_ns] = 0;
    }
    int row = 0;
    for (auto& [t, r] : rows_) r = row++;
    lane_highlighted_.assign(log.lanes.size(), false);
    if (highlight_) {
      for (std::size_t i = 0; i < log.lanes.size(); i++) {
        const auto& names = highlight_->lanes;
        lane_highlighted_[i] =
            std::find(names.begin(), names.end(), log.lanes[i].name) != names.end();
      }
    }
  }

  std::string draw();

 private:
  static bool is_frame(const model::TraceLogRecord& r) {
    return r.kind == model::TraceLogKind::kFrame || r.kind == model::TraceLogKind::kFrameLost;
  }
  int y(std::int64_t t_ns) const { return kHeaderHeight + 20 + rows_.at(t_ns) * kRowHeight; }
  int x(std::int32_t lane) const {
    return kMarginLeft + 60 + x_slot_.at(std::size_t(lane)) * kLaneSpacing;
  }
  int width() const {
    return std::max(900, kMarginLeft + 60 + std::max(1, lanes_shown_) * kLaneSpacing);
  }
  bool shown(std::int32_t lane) const { return x_slot_.at(std::size_t(lane)) >= 0; }
  // Drawn unless it touches a lane that is not shown (a fault on every lane always is).
  bool visible(const model::TraceLogRecord& r) const {
    return (r.from < 0 || shown(r.from)) && (r.to < 0 || !is_frame(r) || shown(r.to));
  }
  int rows_bottom() const { return kHeaderHeight + 40 + int(rows_.size()) * kRowHeight; }
  int legend_rows() const { return highlight_ ? 9 : 7; }
  int height() const { return rows_bottom() + legend_rows() * kLegendRow + 20 + kFooterHeight; }
  bool lane_highlighted(std::int32_t lane) const {
    return lane >= 0 && lane_highlighted_.at(std::size_t(lane));
  }
  bool highlighted(const model::TraceLogRecord& r) const;
  void choose_lanes();
  void lanes(std::string& svg) const;
  void time_axis(std::string& svg) const;
  void record(std::string& svg, const model::TraceLogRecord& r);
  // A record's label, unless it would overlap one already drawn.
  void label(std::string& svg, double lx, double ly, bool centred, std::string_view cls,
             int font_px, const std::string& text);
  void legend(std::string& svg) const;
  void note(std::string& svg) const;

  const model::TraceLog& log_;
  std::size_t begin_;
  std::size_t end_;
  const std::optional<LamportHighlight>& highlight_;
  std::map<std::int64_t, int> rows_;  // distinct instant -> row
  std::vector<int> x_slot_;           // lane -> column, -1 if not shown
  std::vector<bool> lane_highlighted_;
  int lanes_shown_ = 0;
  std::size_t lanes_idle_ = 0;  // lanes without a record in the window: not drawn
  std::size_t lanes_over_ = 0;  // lanes beyond kLamportLanesMax: not drawn
  LabelPlacer placer_;
  std::size_t labels_hidden_ = 0;
};

// Frames on a highlighted lane during the message's life; observations naming the message.
bool LamportDrawing::highlighted(const model::TraceLogRecord& r) const {
  if (!highlight_) return false;
  if (is_frame(r)) {
    return (lane_highlighted(r.from) || lane_highlighted(r.to)) &&
           r.t_send_ns >= highlight_->from_ns && r.t_send_ns <= highlight_->to_ns;
  }
  if (r.kind != model::TraceLogKind::kObservation) return false;
  const std::string& m = highlight_->msg;
  return r.label.size() > m.size() && r.label.ends_with(m) &&
         r.label[r.label.size() - m.size() - 1] == ' ';
}

// The lanes that have records in the window, at most kLamportLanesMax of them: servers first,
// then devices, then the nemesis and any other group; stable inside a group.
void LamportDrawing::choose_lanes() {
  const auto lane_count = std::int32_t(log_.lanes.size());
  std::vector<bool> used(log_.lanes.size(), false);
  for (std::size_t i = begin_; i < end_; i++) {
    const model::TraceLogRecord& r = log_.records[i];
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
  const int bottom = rows_bottom();
  for (std::size_t i = 0; i < log_.lanes.size(); i++) {
    if (!shown(std::int32_t(i))) continue;
    const int lx = x(std::int32_t(i));
    const model::TraceLane& lane = log_.lanes[i];
    const char* hl = lane_highlighted(std::int32_t(i)) ? " hl" : "";
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"lane{7}\"/>\n"
        "<text x=\"{0}\" y=\"{3}\" class=\"lanename{7}\">{4}</text>\n"
        "<text x=\"{0}\" y=\"{5}\" class=\"group\">{6}</text>\n",
        lx, kHeaderHeight, bottom, kHeaderHeight - 8, escape(lane.name), kHeaderHeight - 26,
        escape(lane.group), hl);
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

void LamportDrawing::label(std::string& svg, double lx, double ly, bool centred,
                           std::string_view cls, int font_px, const std::string& text) {
  const std::string shown_text = escape(text);
  const std::size_t chars = std::min(text.size(), kLabelLengthMax + 3);
  if (!placer_.claim(lx, ly, chars, font_px, centred)) {
    labels_hidden_++;
    return;
  }
  svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"{}\">{}</text>\n", lx, ly, cls,
                     shown_text);
}

void LamportDrawing::record(std::string& svg, const model::TraceLogRecord& r) {
  // Every mark carries its whole label as a tooltip, drawn or not.
  const std::string title = fmt::format("<title>{}</title>", svg::escape(r.label));
  const bool hl = highlighted(r);
  switch (r.kind) {
    case model::TraceLogKind::kFrame: {
      const int x1 = x(r.from), y1 = y(r.t_send_ns), x2 = x(r.to), y2 = y(r.t_ns);
      svg += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"frame{}\" "
          "marker-end=\"url(#{})\">{}</line>\n",
          x1, y1, x2, y2, hl ? " hl" : "", hl ? "arrowhl" : "arrow", title);
      label(svg, (x1 + x2) / 2, (y1 + y2) / 2 - 2, true, hl ? "flabel hltext" : "flabel", 8,
            r.label);
      break;
    }
    case model::TraceLogKind::kFrameLost: {
      const int x1 = x(r.from), y1 = y(r.t_send_ns);
      const int x2 = x1 + (x(r.to) - x1) / 2, y2 = y1 + (y(r.t_ns) - y1) / 2;
      svg += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"lost{}\">{}</line>\n"
          "<text x=\"{}\" y=\"{}\" class=\"cross\">&#x2715;</text>\n",
          x1, y1, x2, y2, hl ? " hl" : "", title, x2, y2 + 4);
      label(svg, (x1 + x2) / 2, (y1 + y2) / 2 - 2, true,
            hl ? "flabel lostlabel hltext" : "flabel lostlabel", 8, "lost: " + r.label);
      break;
    }
    case model::TraceLogKind::kFault:
      if (r.from < 0) {
        svg += fmt::format(
            "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"globalfault\">{3}"
            "</line>\n",
            kMarginLeft + 10, y(r.t_ns), width() - 10, title);
        label(svg, kMarginLeft + 10, y(r.t_ns) - 3, false, "fault", 9, r.label);
      } else {
        svg += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" class=\"faultmark\" "
            "transform=\"rotate(45 {} {})\">{}</rect>\n",
            x(r.from) - 5, y(r.t_ns) - 5, x(r.from), y(r.t_ns), title);
        label(svg, x(r.from) + 9, y(r.t_ns) + 4, false, "fault", 9, r.label);
      }
      break;
    case model::TraceLogKind::kObservation:
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" class=\"obs{}\">{}</circle>\n",
                         x(r.from), y(r.t_ns), hl ? " hlobs" : "", title);
      label(svg, x(r.from) + 6, y(r.t_ns) + 4, false, hl ? "obslabel hltext" : "obslabel", 8,
            r.label);
      break;
    case model::TraceLogKind::kLifecycle:
      svg +=
          fmt::format("<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"9\" class=\"life\">{}</rect>\n",
                      x(r.from) - 4, y(r.t_ns) - 4, title);
      label(svg, x(r.from) + 8, y(r.t_ns) + 4, false, "lifelabel", 8, r.label);
      break;
  }
}

// What the marks and the observation labels mean.
void LamportDrawing::legend(std::string& svg) const {
  const int x0 = 20, x1 = 20 + width() / 2;
  int y = rows_bottom() + 14;
  const auto row = [&](int x, const std::string& glyph, const std::string& text) {
    svg += fmt::format(
        "<g transform=\"translate({},{})\">{}</g><text x=\"{}\" y=\"{}\" "
        "class=\"ltext\">{}</text>\n",
        x, y, glyph, x + 26, y + 4, text);
  };
  svg += "<g class=\"legend\">\n";
  row(x0, "<line x1=\"0\" y1=\"0\" x2=\"20\" y2=\"0\" class=\"frame\" marker-end=\"url(#arrow)\"/>",
      "frame, labelled with its type (sent at the tail, received at the head)");
  row(x1, "<circle cx=\"10\" cy=\"0\" r=\"3.5\" class=\"obs\"/>",
      "echo m: the sender shows its own message m (local echo)");
  y += kLegendRow;
  row(x0, "<line x1=\"0\" y1=\"0\" x2=\"20\" y2=\"0\" class=\"lost\"/>",
      "lost: a frame that never arrived (cross: where it was dropped)");
  row(x1, "<circle cx=\"10\" cy=\"0\" r=\"3.5\" class=\"obs\"/>",
      "ack m / fail m: the sender learns m is stored / gives up on m");
  y += kLegendRow;
  row(x0, "<rect x=\"5\" y=\"-5\" width=\"10\" height=\"10\" class=\"faultmark\"/>",
      "fault on one node (crash, kill, reset, ...)");
  row(x1, "<circle cx=\"10\" cy=\"0\" r=\"3.5\" class=\"obs\"/>",
      "display m: m appended at the bottom of its conversation's view");
  y += kLegendRow;
  row(x0, "<line x1=\"0\" y1=\"0\" x2=\"20\" y2=\"0\" class=\"globalfault\"/>",
      "fault on the network or every lane (partition, heal, ...)");
  row(x1, "<circle cx=\"10\" cy=\"0\" r=\"3.5\" class=\"obs\"/>",
      "display^ m: older m inserted at the top (paged back, roaming)");
  y += kLegendRow;
  row(x0, "<rect x=\"5\" y=\"-4\" width=\"9\" height=\"9\" class=\"life\"/>",
      "lifecycle: online, offline, kill, reinstall, crash, restart");
  row(x1, "<circle cx=\"10\" cy=\"0\" r=\"3.5\" class=\"obs\"/>",
      "top c: the device paged back to conversation c's first message");
  y += kLegendRow;
  row(x0, "", "rows are distinct instants (time on the left), not to scale");
  row(x1, "", "a label that would overlap another is left out: hover a mark");
  if (highlight_) {
    y += kLegendRow;
    row(x0, "<line x1=\"0\" y1=\"0\" x2=\"20\" y2=\"0\" class=\"frame hl\"/>",
        fmt::format("anomaly {}: message {} (the first witness in results.json)",
                    svg::escape(highlight_->anomaly), svg::escape(highlight_->msg)));
    y += kLegendRow;
    row(x0, "",
        "highlighted: the lanes of its sender and of the witness's devices, the frames on them "
        "from its send to the witness's last event, its observations");
  }
  svg += "</g>\n";
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
    for (std::size_t i = begin_; i < end_; i++) hidden += visible(log_.records[i]) ? 0u : 1u;
    text += fmt::format(" {} more lanes not drawn (limit: {} lanes), with {} records.", lanes_over_,
                        kLamportLanesMax, hidden);
  }
  if (log_.records_dropped > 0) {
    text += fmt::format(" {} records were never kept (trace log full).", log_.records_dropped);
  }
  if (labels_hidden_ > 0) {
    text += fmt::format(" {} overlapping labels left out (hover a mark).", labels_hidden_);
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
      "fill=\"#333\"/></marker><marker id=\"arrowhl\" viewBox=\"0 0 10 10\" refX=\"10\" "
      "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path "
      "d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#93c\"/></marker></defs>\n"
      "<style>.lane{{stroke:#bbb;stroke-width:1}} .lanename{{font-size:11px;text-anchor:middle;"
      "font-weight:bold}} .group{{font-size:9px;text-anchor:middle;fill:#888}} "
      ".time{{font-size:9px;text-anchor:end;fill:#888}} .frame{{stroke:#333;stroke-width:1}} "
      ".flabel{{font-size:8px;fill:#555;text-anchor:middle}} .lost{{stroke:#d00;"
      "stroke-dasharray:4 3}} .cross{{fill:#d00;font-size:12px;text-anchor:middle}} "
      ".lostlabel{{fill:#d00}} .fault{{fill:#d00;font-size:9px}} .faultmark{{fill:#d00}} "
      ".globalfault{{stroke:#d00;stroke-dasharray:6 4}} .obs{{fill:#17c}} "
      ".obslabel{{fill:#17c;font-size:8px}} .life{{fill:#e80}} .lifelabel{{fill:#e80;"
      "font-size:8px}} .note{{font-size:11px;fill:#444}} .ltext{{font-size:10px;fill:#333}} "
      ".lane.hl{{stroke:#93c;stroke-width:3}} .lanename.hl{{fill:#93c}} "
      ".frame.hl,.lost.hl{{stroke:#93c;stroke-width:2}} .hltext{{fill:#93c;font-weight:bold}} "
      ".obs.hlobs{{fill:#93c}}</style>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width(), height());
  lanes(svg);
  time_axis(svg);
  for (std::size_t i = begin_; i < end_; i++) {
    if (visible(log_.records[i])) record(svg, log_.records[i]);
  }
  legend(svg);
  note(svg);
  svg += "</svg>\n";
  return svg;
}

}  // namespace

std::optional<LamportHighlight> lamport_highlight(const properties::Report& report,
                                                  const history::History* history) {
  for (const properties::AnomalyReport& a : report.anomalies) {
    for (const properties::Witness& w : a.witnesses) {
      if (w.msgs.empty()) continue;
      LamportHighlight h{.anomaly = a.name, .msg = w.msgs[0], .lanes = w.devices};
      h.from_ns = INT64_MAX;
      for (const properties::EventRef& e : w.events) {
        h.from_ns = std::min(h.from_ns, e.t_ns);
        h.to_ns = std::max(h.to_ns, e.t_ns);
      }
      if (history != nullptr) {
        const auto& names = history->msg_names;
        const auto id = std::uint32_t(std::find(names.begin(), names.end(), h.msg) - names.begin());
        for (const history::Event& e : history->events) {
          const auto* send = std::get_if<history::Send>(&e.body);
          if (send == nullptr || send->msg.value != id) continue;
          h.from_ns = std::min(h.from_ns, e.t_ns);
          h.lanes.push_back(history->name(send->device));
          break;
        }
      }
      if (h.from_ns == INT64_MAX) h.from_ns = 0;
      h.to_ns = std::max(h.to_ns, h.from_ns);
      return h;
    }
  }
  return std::nullopt;
}

std::int64_t lamport_default_start_ns(const model::TraceLog& log,
                                      std::optional<std::int64_t> focus_ns) {
  const std::size_t n = log.records.size();
  for (std::size_t i = 0; i < n; i++) {
    const model::TraceLogRecord& r = log.records[i];
    if (focus_ns ? r.t_ns < *focus_ns : r.kind != model::TraceLogKind::kFault) continue;
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
                       [](const model::TraceLogRecord& r, std::int64_t t) { return r.t_ns < t; });
  const auto begin = std::size_t(first - log.records.begin());
  const std::size_t end = std::min(log.records.size(), begin + window.records_max);
  return LamportDrawing(log, begin, end, window.highlight).draw();
}

}  // namespace imsim::scenarios
