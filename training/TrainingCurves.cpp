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
  const std::vector<int64_t>* epochs;
  const std::vector<double>* values;
  const char* color;
  bool dashed;
  double width = 2;
  double opacity = 1;
  bool markers = true;
};

// An entry of a panel's legend.
struct Key {
  std::string label;
  const char* color;
  bool dashed;
  double width;
};

// One panel at (x0, y0): `name`'s series against the epochs, with `keys`
// side by side above the plot.
std::string Panel(double x0, double y0, const std::string& name, const std::vector<Series>& series,
                  const std::vector<Key>& keys) {
  const double plot_x = x0 + kLeft, plot_y = y0 + kTop;
  const double plot_w = kPanelWidth - kLeft - kRight, plot_h = kPanelHeight - kTop - kBottom;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
  for (const Series& s : series) {
    for (double v : *s.values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (!s.epochs->empty()) {
      first = std::min(first, s.epochs->front());
      last = std::max(last, s.epochs->back());
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  if (first > last) first = last = 1;
  const double y_step = NiceStep(hi - lo, 5);
  lo = std::floor(lo / y_step) * y_step;
  hi = std::ceil(hi / y_step) * y_step;
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
    absl::StrAppendFormat(
        &svg,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%.*f</text>\n",
        plot_x, py(v), plot_x + plot_w, py(v), plot_x - 6, py(v) + 4, decimals, v);
  }
  // Ticks and labels, x: every epoch, or every k-th when there are many.
  const int64_t x_step = std::max<int64_t>(1, static_cast<int64_t>(NiceStep(x_span, 8)));
  for (int64_t e = first; e <= last; e += x_step) {
    absl::StrAppendFormat(
        &svg,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%d</text>\n",
        px(e), plot_y + plot_h, px(e), plot_y + plot_h + 5, px(e), plot_y + plot_h + 18, e);
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
  // The curves, one point per epoch.
  for (const Series& s : series) {
    std::string points, markers;
    for (size_t i = 0; i < s.values->size() && i < s.epochs->size(); ++i) {
      const double v = (*s.values)[i];
      if (!std::isfinite(v)) continue;
      const double x = px((*s.epochs)[i]), y = py(v);
      absl::StrAppendFormat(&points, "%s%.1f,%.1f", points.empty() ? "" : " ", x, y);
      if (s.markers) {
        absl::StrAppendFormat(&markers, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                              x, y, s.color);
      }
    }
    absl::StrAppendFormat(
        &svg,
        "<polyline class=\"series\" data-label=\"%s\" points=\"%s\" fill=\"none\" "
        "stroke=\"%s\" stroke-width=\"%g\"%s%s/>\n%s",
        Escape(s.label), points, s.color, s.width, s.dashed ? " stroke-dasharray=\"6 4\"" : "",
        s.opacity < 1 ? absl::StrFormat(" stroke-opacity=\"%g\"", s.opacity) : "", markers);
  }
  // The legend, centred above the plot.
  constexpr double kKeyWidth = 120;
  for (size_t k = 0; k < keys.size(); ++k) {
    const Key& key = keys[k];
    const double ly = y0 + 38;
    const double lx = plot_x + plot_w / 2 - kKeyWidth * keys.size() / 2 + 10 + kKeyWidth * k;
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"%g\"%s/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s</text>\n",
                          lx, ly, lx + 24, ly, key.color, key.width,
                          key.dashed ? " stroke-dasharray=\"6 4\"" : "", lx + 30, ly + 4,
                          Escape(key.label));
  }
  svg += "</g>\n";
  return svg;
}

// The SVG document around `body`: white background, `title` on top.
std::string Document(double width, double height, const std::string& title,
                     const std::string& body) {
  return absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
      "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"17\">%s</text>\n"
      "%s</svg>\n",
      width, height, width, height, width / 2, Escape(title), body);
}

absl::Status WriteSvg(const std::string& path, const std::string& svg) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot open for writing"));
  out << svg;
  out.close();
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

// The training metrics of `history` (not val_*), loss first.
std::vector<std::string> TrainingMetricNames(const History& history) {
  std::vector<std::string> names;
  if (history.metrics.count("loss")) names.push_back("loss");
  for (const auto& [name, values] : history.metrics) {
    if (name != "loss" && !name.starts_with("val_")) names.push_back(name);
  }
  return names;
}

}  // namespace

std::string TrainingCurvesSvg(const History& history, const std::string& title) {
  const std::vector<std::string> names = TrainingMetricNames(history);
  std::string body;
  if (!history.epochs.empty()) {
    for (size_t p = 0; p < names.size(); ++p) {
      std::vector<Series> series = {
          {"train", &history.epochs, &history.metrics.at(names[p]), kTrainColor, false}};
      std::vector<Key> keys = {{"train", kTrainColor, false, 2}};
      auto validation = history.metrics.find("val_" + names[p]);
      if (validation != history.metrics.end()) {
        series.push_back(
            {"validation", &history.epochs, &validation->second, kValidationColor, true});
        keys.push_back({"validation", kValidationColor, true, 2});
      }
      body += Panel(kPanelWidth * p, kTitleHeight, names[p], series, keys);
    }
  }
  return Document(kPanelWidth * std::max<size_t>(1, names.size()), kTitleHeight + kPanelHeight + 8,
                  title, body);
}

absl::Status WriteTrainingCurves(const std::string& path, const History& history,
                                 const std::string& title) {
  return WriteSvg(path, TrainingCurvesSvg(history, title));
}

std::string ComparisonCurvesSvg(const std::map<std::string, std::vector<History>>& runs,
                                const std::string& title) {
  constexpr const char* kGroupColors[] = {kTrainColor, kValidationColor, "#2ca02c",
                                          "#d62728",   "#9467bd",        "#8c564b"};
  constexpr size_t kColors = sizeof(kGroupColors) / sizeof(kGroupColors[0]);
  // Rows: the training metrics of the first run, loss first; columns: the
  // metric, then its val_ counterpart when the runs have one.
  std::vector<std::string> rows;
  for (const auto& [group, histories] : runs) {
    if (!histories.empty()) {
      rows = TrainingMetricNames(histories.front());
      break;
    }
  }
  // Per group and metric, the mean over the runs at each epoch index that
  // every run reached.
  std::map<std::pair<std::string, std::string>, std::vector<double>> means;
  std::map<std::string, std::vector<int64_t>> mean_epochs;
  for (const auto& [group, histories] : runs) {
    if (histories.empty()) continue;
    size_t epochs = std::numeric_limits<size_t>::max();
    for (const History& h : histories) epochs = std::min(epochs, h.epochs.size());
    mean_epochs[group].assign(histories.front().epochs.begin(),
                              histories.front().epochs.begin() + epochs);
    for (const auto& [name, values] : histories.front().metrics) {
      std::vector<double>& mean = means[{group, name}];
      for (size_t e = 0; e < epochs; ++e) {
        double sum = 0;
        for (const History& h : histories) {
          auto it = h.metrics.find(name);
          sum += it != h.metrics.end() && e < it->second.size()
                     ? it->second[e]
                     : std::numeric_limits<double>::quiet_NaN();
        }
        mean.push_back(sum / static_cast<double>(histories.size()));
      }
    }
  }
  bool validation = false;
  for (const std::string& row : rows) {
    for (const auto& [key, values] : means) validation |= key.second == "val_" + row;
  }
  const size_t columns = validation ? 2 : 1;
  std::string body;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < columns; ++c) {
      const std::string metric = c == 0 ? rows[r] : "val_" + rows[r];
      std::vector<Series> series;
      std::vector<Key> keys;
      size_t g = 0;
      for (const auto& [group, histories] : runs) {
        const char* color = kGroupColors[g++ % kColors];
        keys.push_back({group, color, false, 3});
        for (size_t i = 0; i < histories.size(); ++i) {
          auto it = histories[i].metrics.find(metric);
          if (it == histories[i].metrics.end()) continue;
          series.push_back({absl::StrCat(group, " run ", i + 1), &histories[i].epochs, &it->second,
                            color, false, 1.2, 0.45, false});
        }
        auto mean = means.find({group, metric});
        if (mean != means.end()) {
          series.push_back({absl::StrCat(group, " mean"), &mean_epochs.at(group), &mean->second,
                            color, false, 3});
        }
      }
      body += Panel(kPanelWidth * c, kTitleHeight + kPanelHeight * r, metric, series, keys);
    }
  }
  // A note under the panels says what the two line widths are.
  const double panels_bottom = kTitleHeight + kPanelHeight * std::max<size_t>(1, rows.size());
  absl::StrAppendFormat(&body,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">"
                        "thin lines: one run each; bold: the mean of the runs</text>\n",
                        kPanelWidth * columns / 2, panels_bottom + 12);
  return Document(kPanelWidth * columns, panels_bottom + 24, title, body);
}

absl::Status WriteComparisonCurves(const std::string& path,
                                   const std::map<std::string, std::vector<History>>& runs,
                                   const std::string& title) {
  return WriteSvg(path, ComparisonCurvesSvg(runs, title));
}

}  // namespace rnnc::training
