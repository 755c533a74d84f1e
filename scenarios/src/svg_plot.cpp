// The SVG plotting kit (svg_plot.hpp): panels with ticked axes, series, bands, a legend.
#include "svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "imsim/base/assert.hpp"

namespace imsim::scenarios::svg {

namespace {

// Layout, in SVG pixels.
constexpr int kWidth = 980;
constexpr int kPlotLeft = 80;     // y tick labels and the y axis label
constexpr int kPlotWidth = 640;   // the legend goes to the right of it
constexpr int kTitleHeight = 40;  // the figure's title
constexpr int kPanelTop = 34;     // a panel's title above its plot
constexpr int kPlotHeight = 250;
constexpr int kPanelBottom = 62;  // x ticks, the x axis label and the note
constexpr int kPanelHeight = kPanelTop + kPlotHeight + kPanelBottom;
constexpr int kLegendRow = 16;
constexpr double kBandWidthMin = 2.0;  // an instant's band stays visible
constexpr int kTicksMax = 100;

struct Range {
  double lo = 0.0;
  double hi = 1.0;
  double step = 0.2;
};

// The range of the values, widened to whole ticks; min/max of the axis win when given.
Range axis_range(const Axis& axis, const std::vector<double>& values) {
  double lo = 0.0, hi = 1.0;
  if (!values.empty()) {
    const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
    lo = *min_it >= 0.0 ? 0.0 : *min_it;
    hi = *max_it;
  }
  if (axis.min) lo = *axis.min;
  if (axis.max) hi = *axis.max;
  if (!(hi > lo)) hi = lo + 1.0;
  const std::vector<double> ticks = nice_ticks(lo, hi);
  IMSIM_ASSERT(ticks.size() >= 2);
  const double step = ticks[1] - ticks[0];
  return {.lo = axis.min ? lo : std::floor(lo / step) * step,
          .hi = axis.max ? hi : std::ceil(hi / step - 1e-9) * step,
          .step = step};
}

// Ticks after the first one on a range (bounded: a degenerate range draws a few).
int tick_count(const Range& r) {
  return int(std::clamp(std::floor((r.hi - r.lo) / r.step + 1e-6), 0.0, double(kTicksMax)));
}

std::string tick_text(double value, double step) {
  if (std::abs(value) < step * 1e-6) value = 0.0;
  if (std::abs(value) >= 1e6) return fmt::format("{:.3g}", value);
  const int decimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

class PanelDrawing {
 public:
  PanelDrawing(const Panel& panel, int top) : panel_(panel), top_(top) {
    std::vector<double> xs, ys;
    for (const Series& s : panel.series) {
      for (const Point& p : s.points) {
        xs.push_back(p.x);
        ys.push_back(p.y);
      }
    }
    for (const Band& b : panel.bands) {
      xs.push_back(b.x0);
      xs.push_back(b.x1);
    }
    for (const Marker& m : panel.markers) xs.push_back(m.x);
    x_ = axis_range(panel.x, xs);
    y_ = axis_range(panel.y, ys);
    for (const Band& b : panel.bands) {
      auto it = std::find_if(kinds_.begin(), kinds_.end(),
                             [&](const auto& k) { return k.first == b.kind; });
      if (it == kinds_.end()) {
        kinds_.emplace_back(b.kind, 1);
      } else {
        it->second++;
      }
    }
  }

  void draw(std::string& svg, int index) const {
    const int plot_top = top_ + kPanelTop;
    svg += fmt::format("<g class=\"panel\">\n<text x=\"{}\" y=\"{}\" class=\"ptitle\">{}</text>\n",
                       kPlotLeft, top_ + 22, escape(panel_.title));
    svg += fmt::format(
        "<clipPath id=\"clip{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n",
        index, kPlotLeft, plot_top, kPlotWidth, kPlotHeight);
    axes(svg);
    svg += fmt::format("<g clip-path=\"url(#clip{})\">\n", index);
    bands(svg);
    markers(svg);
    for (const Series& s : panel_.series) series(svg, s);
    svg += "</g>\n";
    legend(svg);
    if (!panel_.note.empty()) {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"note\">{}</text>\n", kPlotLeft,
                         plot_top + kPlotHeight + 54, escape(panel_.note));
    }
    svg += "</g>\n";
  }

 private:
  double px(double x) const { return kPlotLeft + (x - x_.lo) / (x_.hi - x_.lo) * kPlotWidth; }
  double py(double y) const {
    return top_ + kPanelTop + kPlotHeight - (y - y_.lo) / (y_.hi - y_.lo) * kPlotHeight;
  }

  void axes(std::string& svg) const {
    const int plot_top = top_ + kPanelTop, plot_bottom = plot_top + kPlotHeight;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n",
                       kPlotLeft, plot_top, kPlotWidth, kPlotHeight);
    for (int i = 0; i <= tick_count(x_); i++) {
      const double t = x_.lo + i * x_.step;
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
          "<text x=\"{0:.1f}\" y=\"{3}\" class=\"xtick\">{4}</text>\n",
          px(t), plot_top, plot_bottom + 4, plot_bottom + 16, tick_text(t, x_.step));
    }
    for (int i = 0; i <= tick_count(y_); i++) {
      const double t = y_.lo + i * y_.step;
      svg += fmt::format(
          "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"grid\"/>"
          "<text x=\"{3}\" y=\"{4:.1f}\" class=\"ytick\">{5}</text>\n",
          kPlotLeft - 4, py(t), kPlotLeft + kPlotWidth, kPlotLeft - 7, py(t) + 3,
          tick_text(t, y_.step));
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"xlabel\">{}</text>\n",
                       kPlotLeft + kPlotWidth / 2, plot_bottom + 34, escape(panel_.x.label));
    svg += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" class=\"ylabel\" transform=\"rotate(-90 {0} {1})\">{2}</text>\n",
        kPlotLeft - 56, plot_top + kPlotHeight / 2, escape(panel_.y.label));
  }

  void bands(std::string& svg) const {
    const int plot_top = top_ + kPanelTop;
    for (const Band& b : panel_.bands) {
      const double x0 = px(b.x0);
      const double width = std::max(kBandWidthMin, px(b.x1) - x0);
      svg += fmt::format(
          "<rect class=\"band\" data-kind=\"{}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" "
          "height=\"{}\" fill=\"{}\" fill-opacity=\"0.3\"><title>{}</title></rect>\n",
          escape(b.kind), x0, plot_top, width, kPlotHeight, band_colour(kind_index(b.kind)),
          escape(b.label));
    }
  }

  void markers(std::string& svg) const {
    const int plot_top = top_ + kPanelTop;
    for (const Marker& m : panel_.markers) {
      // The label goes left of the line in the right half, so that the plot does not cut it.
      const bool left = px(m.x) > kPlotLeft + kPlotWidth / 2;
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"marker\"/>"
          "<text x=\"{3:.1f}\" y=\"{4}\" class=\"mlabel\" text-anchor=\"{6}\">{5}</text>\n",
          px(m.x), plot_top, plot_top + kPlotHeight, px(m.x) + (left ? -3 : 3), plot_top + 10,
          escape(m.label), left ? "end" : "start");
    }
  }

  void series(std::string& svg, const Series& s) const {
    svg += fmt::format("<g class=\"series\" data-name=\"{}\" data-points=\"{}\">", escape(s.name),
                       s.points.size());
    if (s.style == Style::kScatter) {
      for (const Point& p : s.points) {
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" fill=\"{}\"/>", px(p.x),
                           py(p.y), s.colour);
      }
    } else if (!s.points.empty()) {
      std::string d = fmt::format("M{:.1f} {:.1f}", px(s.points[0].x), py(s.points[0].y));
      for (std::size_t i = 1; i < s.points.size(); i++) {
        if (s.style == Style::kStep) {
          d += fmt::format("H{:.1f}V{:.1f}", px(s.points[i].x), py(s.points[i].y));
        } else {
          d += fmt::format("L{:.1f} {:.1f}", px(s.points[i].x), py(s.points[i].y));
        }
      }
      svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>", d,
                         s.colour);
    }
    svg += "</g>\n";
  }

  // Series first, then one entry per band kind with its count.
  void legend(std::string& svg) const {
    const int x = kPlotLeft + kPlotWidth + 16;
    int y = top_ + kPanelTop + 8;
    svg += "<g class=\"legend\">\n";
    for (const Series& s : panel_.series) {
      if (s.style == Style::kScatter) {
        svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>", x + 8, y, s.colour);
      } else {
        svg += fmt::format(
            "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
            "stroke-width=\"2\"/>",
            x, x + 16, y, s.colour);
      }
      svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"ltext\">{}</text>\n", x + 22, y + 4,
                         escape(s.name));
      y += kLegendRow;
    }
    for (const auto& [kind, count] : kinds_) {
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"10\" fill=\"{}\" fill-opacity=\"0.5\"/>"
          "<text x=\"{}\" y=\"{}\" class=\"ltext\">{} ({})</text>\n",
          x, y - 5, band_colour(kind_index(kind)), x + 22, y + 4, escape(kind), count);
      y += kLegendRow;
    }
    if (!panel_.markers.empty()) {
      svg += fmt::format(
          "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" class=\"marker\"/>"
          "<text x=\"{3}\" y=\"{4}\" class=\"ltext\">{5}</text>\n",
          x, x + 16, y, x + 22, y + 4, escape(panel_.markers[0].label));
    }
    svg += "</g>\n";
  }

  std::size_t kind_index(const std::string& kind) const {
    for (std::size_t i = 0; i < kinds_.size(); i++) {
      if (kinds_[i].first == kind) return i;
    }
    return 0;
  }

  const Panel& panel_;
  const int top_;
  Range x_;
  Range y_;
  std::vector<std::pair<std::string, std::size_t>> kinds_;  // band kinds, first seen first
};

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
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
  return out;
}

const char* series_colour(std::size_t index) {
  static constexpr const char* kColours[] = {"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd",
                                             "#d62728", "#8c564b", "#17becf", "#7f7f7f"};
  return kColours[index % std::size(kColours)];
}

const char* band_colour(std::size_t index) {
  static constexpr const char* kColours[] = {"#e6550d", "#9e9ac8", "#31a354", "#fd8d3c",
                                             "#6baed6", "#e377c2", "#bcbd22", "#969696"};
  return kColours[index % std::size(kColours)];
}

std::vector<double> nice_ticks(double lo, double hi, int count_wanted) {
  IMSIM_ASSERT(hi > lo);
  IMSIM_ASSERT(count_wanted >= 2);
  const double raw = (hi - lo) / count_wanted;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step) * step;
  const auto count = std::int64_t(std::ceil((hi - first) / step - 1e-9));
  // Rounding can only misbehave on a range tiny against its magnitude: two ticks, its ends.
  if (count > 100 * std::int64_t(count_wanted) || !(step > 0)) return {lo, hi};
  for (std::int64_t i = 0; i <= std::max<std::int64_t>(count, 1); i++) {
    ticks.push_back(first + double(i) * step);
  }
  return ticks;
}

std::vector<Point> downsample(const std::vector<Point>& points, std::size_t max_points) {
  IMSIM_ASSERT(max_points >= 2);
  if (points.size() <= max_points) return points;
  std::vector<Point> out;
  out.reserve(max_points);
  for (std::size_t i = 0; i < max_points; i++) {
    out.push_back(points[i * (points.size() - 1) / (max_points - 1)]);
  }
  return out;
}

std::string render(const Figure& figure) {
  const int height = kTitleHeight + int(figure.panels.size()) * kPanelHeight + 10;
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\">\n"
      "<style>.title{{font-size:16px;font-weight:bold}} .ptitle{{font-size:13px;"
      "font-weight:bold}} .frame{{fill:none;stroke:#444}} .grid{{stroke:#ddd}} "
      ".xtick{{font-size:10px;text-anchor:middle;fill:#444}} .ytick{{font-size:10px;"
      "text-anchor:end;fill:#444}} .xlabel,.ylabel{{font-size:11px;text-anchor:middle}} "
      ".ltext{{font-size:11px}} .note{{font-size:10px;fill:#666}} .marker{{stroke:#555;"
      "stroke-dasharray:5 4}} .mlabel{{font-size:10px;fill:#555}}</style>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"26\" class=\"title\">{3}</text>\n",
      kWidth, height, kPlotLeft, escape(figure.title));
  for (std::size_t i = 0; i < figure.panels.size(); i++) {
    PanelDrawing(figure.panels[i], kTitleHeight + int(i) * kPanelHeight).draw(svg, int(i));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace imsim::scenarios::svg
