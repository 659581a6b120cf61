#include "training/TrainingCurves.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rnnc::training {

namespace {

constexpr double kPanelWidth = 460;
constexpr double kPanelHeight = 320;
constexpr double kTitleHeight = 36;
// Plot area inside a panel: room on the left for tick labels and the axis
// title, at the bottom for the epochs, at the top for the panel's title and
// the legend (above the plot, so that it never hides a curve).
constexpr double kLeft = 70, kRight = 24, kTop = 54, kBottom = 52;
constexpr char kTrainColor[] = "#1f77b4";
constexpr char kValidationColor[] = "#ff7f0e";

// 1, 2 or 5 times a power of ten, so that about `count` ticks span `range`.
double NiceStep(double range, int count) {
  const double raw = range / count;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (raw <= factor * magnitude) return factor * magnitude;
  }
  return 10 * magnitude;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

struct Series {
  std::string label;
  const std::vector<double>* values;
  const char* color;
  bool dashed;
};

// One panel at (x0, y0): `name`'s series against the epochs.
std::string Panel(double x0, double y0, const std::string& name,
                  const std::vector<int64_t>& epochs, const std::vector<Series>& series) {
  const double plot_x = x0 + kLeft, plot_y = y0 + kTop;
  const double plot_w = kPanelWidth - kLeft - kRight, plot_h = kPanelHeight - kTop - kBottom;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series) {
    for (double v : *s.values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  const double y_step = NiceStep(hi - lo, 5);
  lo = std::floor(lo / y_step) * y_step;
  hi = std::ceil(hi / y_step) * y_step;
  const int64_t first = epochs.front(), last = epochs.back();
  const double x_span = std::max<double>(1, last - first);
  auto px = [&](double epoch) { return plot_x + (epoch - first) / x_span * plot_w; };
  auto py = [&](double v) { return plot_y + (hi - v) / (hi - lo) * plot_h; };

  std::string svg = absl::StrFormat(
      "<g class=\"panel\" id=\"%s\">\n"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"15\" "
      "font-weight=\"bold\">%s</text>\n",
      Escape(name), plot_x + plot_w / 2, y0 + 20, Escape(name));
  // Grid lines and tick labels, y.
  const int y_ticks = static_cast<int>(std::llround((hi - lo) / y_step));
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(y_step))));
  for (int i = 0; i <= y_ticks; ++i) {
    const double v = lo + i * y_step;
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%.*f</text>\n",
                          plot_x, py(v), plot_x + plot_w, py(v), plot_x - 6, py(v) + 4, decimals, v);
  }
  // Ticks and labels, x: every epoch, or every k-th when there are many.
  const int64_t x_step = std::max<int64_t>(1, static_cast<int64_t>(NiceStep(x_span, 8)));
  for (int64_t e = first; e <= last; e += x_step) {
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%d</text>\n",
                          px(e), plot_y + plot_h, px(e), plot_y + plot_h + 5, px(e),
                          plot_y + plot_h + 18, e);
  }
  // Axes and their titles.
  absl::StrAppendFormat(
      &svg,
      "<polyline class=\"axes\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" "
      "stroke=\"#000\"/>\n"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">epoch</text>\n"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
      "transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
      plot_x, plot_y, plot_x, plot_y + plot_h, plot_x + plot_w, plot_y + plot_h,
      plot_x + plot_w / 2, plot_y + plot_h + 38, x0 + 18, plot_y + plot_h / 2, x0 + 18,
      plot_y + plot_h / 2, Escape(name));
  // The curves, one point per epoch, and the legend, side by side above.
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    std::string points, markers;
    for (size_t i = 0; i < s.values->size() && i < epochs.size(); ++i) {
      const double v = (*s.values)[i];
      if (!std::isfinite(v)) continue;
      absl::StrAppendFormat(&points, "%s%.1f,%.1f", points.empty() ? "" : " ", px(epochs[i]),
                            py(v));
      absl::StrAppendFormat(&markers, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                            px(epochs[i]), py(v), s.color);
    }
    absl::StrAppendFormat(&svg,
                          "<polyline class=\"series\" data-label=\"%s\" points=\"%s\" fill=\"none\" "
                          "stroke=\"%s\" stroke-width=\"2\"%s/>\n%s",
                          Escape(s.label), points, s.color,
                          s.dashed ? " stroke-dasharray=\"6 4\"" : "", markers);
    const double ly = y0 + 38;
    const double lx = plot_x + plot_w / 2 - 110 + 120 * k;
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"2\"%s/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s</text>\n",
                          lx, ly, lx + 24, ly, s.color,
                          s.dashed ? " stroke-dasharray=\"6 4\"" : "", lx + 30, ly + 4,
                          Escape(s.label));
  }
  svg += "</g>\n";
  return svg;
}

}  // namespace

std::string TrainingCurvesSvg(const History& history, const std::string& title) {
  // Panels: loss first, then the other training metrics in name order.
  std::vector<std::string> names;
  if (history.metrics.count("loss")) names.push_back("loss");
  for (const auto& [name, values] : history.metrics) {
    if (name != "loss" && !name.starts_with("val_")) names.push_back(name);
  }
  const double width = kPanelWidth * std::max<size_t>(1, names.size());
  const double height = kTitleHeight + kPanelHeight + 8;
  std::string svg = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
      "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"17\">%s</text>\n",
      width, height, width, height, width / 2, Escape(title));
  if (!history.epochs.empty()) {
    for (size_t p = 0; p < names.size(); ++p) {
      std::vector<Series> series = {{"train", &history.metrics.at(names[p]), kTrainColor, false}};
      auto validation = history.metrics.find("val_" + names[p]);
      if (validation != history.metrics.end()) {
        series.push_back({"validation", &validation->second, kValidationColor, true});
      }
      svg += Panel(kPanelWidth * p, kTitleHeight, names[p], history.epochs, series);
    }
  }
  svg += "</svg>\n";
  return svg;
}

absl::Status WriteTrainingCurves(const std::string& path, const History& history,
                                 const std::string& title) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot open for writing"));
  out << TrainingCurvesSvg(history, title);
  out.close();
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace rnnc::training
