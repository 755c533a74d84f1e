#pragma once
// A small SVG plotting kit for the run and explore pictures (latency.svg, rates.svg,
// explore.svg): stacked panels, each with ticked axes (units in the labels), line / step /
// scatter series, shaded vertical bands (fault windows) and vertical markers, and a legend.
// The output is plain SVG 1.1 that a browser shows as is; tests parse it as XML. Element
// classes the tests count: `<g class="series" data-name=.. data-points=N>` per series and
// `<rect class="band" data-kind=..>` per band.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imsim::scenarios::svg {

struct Point {
  double x = 0.0;
  double y = 0.0;
};

enum class Style { kLine, kStep, kScatter };

struct Series {
  std::string name{};  // legend text
  std::string colour{};
  Style style = Style::kLine;
  std::vector<Point> points{};  // in x order for lines and steps
};

// A shaded window [x0, x1] of the x axis; x1 == x0 draws a thin band (an instant). Bands of one
// `kind` share a colour and a legend entry.
struct Band {
  double x0 = 0.0;
  double x1 = 0.0;
  std::string kind{};
  std::string label{};  // tooltip
};

// A dashed vertical line with a label at the top (e.g. "liveness phase").
struct Marker {
  double x = 0.0;
  std::string label{};
};

struct Axis {
  std::string label{};          // e.g. "simulated time (s)"
  std::optional<double> min{};  // absent: from the data (0 if every value is >= 0)
  std::optional<double> max{};  // absent: from the data
};

struct Panel {
  std::string title{};
  Axis x{};
  Axis y{};
  std::vector<Series> series{};
  std::vector<Band> bands{};
  std::vector<Marker> markers{};
  std::string note{};  // a line under the panel (what was cut, what is not drawn)
};

struct Figure {
  std::string title{};
  std::vector<Panel> panels{};  // stacked top to bottom
};

std::string render(const Figure& figure);

// At most `max_points` of `points`, evenly spaced by index, the first and the last kept.
std::vector<Point> downsample(const std::vector<Point>& points, std::size_t max_points);

// Ticks for [lo, hi]: multiples of 1, 2 or 5 x 10^k, about `count_wanted` of them.
std::vector<double> nice_ticks(double lo, double hi, int count_wanted = 6);

// XML text escaping (&, <, >, ").
std::string escape(std::string_view text);

// The colours of series and band kinds, by index (cycled).
const char* series_colour(std::size_t index);
const char* band_colour(std::size_t index);

}  // namespace imsim::scenarios::svg
