// The training curves SVG: well-formed XML (every tag closed, in order),
// one panel per training metric, and in each a polyline per series with one
// point per epoch, plus axes, tick labels and a legend; and the comparison
// of groups of runs: a panel per metric and its validation counterpart,
// a thin line per run and a bold mean per group.
#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "training/TrainingCurves.h"

namespace rnnc::training {
namespace {

// The tags of `svg` nest: each opened one is closed, in reverse order.
bool TagsBalance(const std::string& svg) {
  std::vector<std::string> open;
  const std::regex tag(R"(<(/?)([a-zA-Z?][^\s/>]*)[^>]*?(/?)>)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    const std::string name = m[2];
    if (name.starts_with("?") || m[3] == "/") continue;  // <?xml ...?>, <line .../>
    if (m[1] == "/") {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  return open.empty();
}

std::vector<std::string> SeriesPoints(const std::string& svg) {
  std::vector<std::string> points;
  const std::regex series(R"re(<polyline class="series" data-label="([a-z]+)" points="([^"]*)")re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), series); it != std::sregex_iterator();
       ++it) {
    points.push_back((*it)[1].str() + ":" + (*it)[2].str());
  }
  return points;
}

TEST(TrainingCurves, PanelsPolylinesAndPointsPerEpoch) {
  History history;
  history.epochs = {1, 2, 3, 4};
  history.metrics = {{"loss", {2.0, 1.2, 0.9, 0.7}},
                     {"val_loss", {1.8, 1.1, 1.0, 0.95}},
                     {"accuracy", {0.3, 0.6, 0.7, 0.8}},
                     {"val_accuracy", {0.35, 0.62, 0.69, 0.71}}};
  const std::string svg = TrainingCurvesSvg(history, "a <test> & more");
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
  EXPECT_TRUE(TagsBalance(svg)) << svg;
  EXPECT_TRUE(absl::StrContains(svg, "a &lt;test&gt; &amp; more"));
  EXPECT_TRUE(absl::StrContains(svg, "<g class=\"panel\" id=\"loss\">"));
  EXPECT_TRUE(absl::StrContains(svg, "<g class=\"panel\" id=\"accuracy\">"));
  EXPECT_LT(svg.find("id=\"loss\""), svg.find("id=\"accuracy\""));  // loss first
  const std::vector<std::string> series = SeriesPoints(svg);
  ASSERT_EQ(series.size(), 4u);  // train and validation in each panel
  for (const std::string& s : series) {
    const std::string points = s.substr(s.find(':') + 1);
    EXPECT_EQ(std::vector<std::string>(absl::StrSplit(points, ' ')).size(), 4u) << s;
  }
  EXPECT_TRUE(series[0].starts_with("train:"));
  EXPECT_TRUE(series[1].starts_with("validation:"));
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 20, true);
  EXPECT_TRUE(absl::StrContains(svg, ">epoch</text>"));
  EXPECT_TRUE(absl::StrContains(svg, "font-size=\"12\">validation</text>"));  // the legend
}

TEST(TrainingCurves, OneEpochWithoutValidation) {
  History history;
  history.epochs = {1};
  history.metrics = {{"loss", {0.5}}};
  const std::string svg = TrainingCurvesSvg(history, "t");
  EXPECT_TRUE(TagsBalance(svg));
  const std::vector<std::string> series = SeriesPoints(svg);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(std::count(series[0].begin(), series[0].end(), ','), 1);
}

History RunHistory(std::vector<double> loss, std::vector<double> val_accuracy) {
  History history;
  for (size_t e = 0; e < loss.size(); ++e) history.epochs.push_back(static_cast<int64_t>(e) + 1);
  history.metrics = {{"loss", loss},
                     {"val_loss", loss},
                     {"accuracy", val_accuracy},
                     {"val_accuracy", val_accuracy}};
  return history;
}

TEST(ComparisonCurves, PanelPerMetricAndValidationLinePerRunAndBoldMeanPerGroup) {
  const std::map<std::string, std::vector<History>> runs = {
      {"GRU",
       {RunHistory({1.0, 0.5, 0.25}, {0.5, 0.7, 0.9}),
        RunHistory({0.8, 0.6, 0.4}, {0.6, 0.7, 0.8})}},
      {"BN-GRU",
       {RunHistory({0.9, 0.3, 0.1}, {0.6, 0.9, 1.0}), RunHistory({0.7, 0.5, 0.3}, {0.5, 0.8, 0.9}),
        RunHistory({0.6, 0.4, 0.2}, {0.7, 0.8, 0.9})}}};
  const std::string svg = ComparisonCurvesSvg(runs, "GRU & BN-GRU");
  EXPECT_TRUE(TagsBalance(svg)) << svg;
  EXPECT_TRUE(absl::StrContains(svg, "GRU &amp; BN-GRU"));
  for (const char* panel : {"loss", "val_loss", "accuracy", "val_accuracy"}) {
    EXPECT_TRUE(absl::StrContains(svg, absl::StrCat("<g class=\"panel\" id=\"", panel, "\">")))
        << panel;
  }
  // Per panel: 5 runs and 2 means, each with 3 points.
  const std::regex series(
      R"re(<polyline class="series" data-label="([^"]*)" points="([^"]*)"[^>]*stroke-width="([0-9.]+)")re");
  std::map<std::string, int> labels;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), series); it != std::sregex_iterator();
       ++it) {
    ++labels[(*it)[1].str()];
    EXPECT_EQ(std::vector<std::string>(absl::StrSplit((*it)[2].str(), ' ')).size(), 3u);
    EXPECT_EQ((*it)[3].str(), absl::EndsWith((*it)[1].str(), " mean") ? "3" : "1.2");
  }
  EXPECT_EQ(labels.size(), 7u);
  EXPECT_EQ(labels["GRU run 2"], 4);
  EXPECT_EQ(labels["BN-GRU run 3"], 4);
  EXPECT_EQ(labels["BN-GRU mean"], 4);
  // The legend names each group once per panel.
  size_t legends = 0;
  for (size_t at = svg.find("font-size=\"12\">BN-GRU</text>"); at != std::string::npos;
       at = svg.find("font-size=\"12\">BN-GRU</text>", at + 1)) {
    ++legends;
  }
  EXPECT_EQ(legends, 4u);
}

// The mean of one run is that run; of two, it lies halfway between them.
TEST(ComparisonCurves, MeanIsTheRunsMean) {
  auto points = [](const std::string& svg, const std::string& label) {
    const std::regex series("data-label=\"" + label + "\" points=\"([^\"]*)\"");
    std::smatch match;
    EXPECT_TRUE(std::regex_search(svg, match, series)) << label;
    return match[1].str();
  };
  const std::string solo =
      ComparisonCurvesSvg({{"solo", {RunHistory({1.0, 0.5}, {0.5, 0.75})}}}, "t");
  EXPECT_EQ(points(solo, "solo mean"), points(solo, "solo run 1"));
  // Loss 0 and 1 at both epochs: the y axis spans [0, 1] and the mean, 0.5,
  // is drawn at the middle of the plot, halfway between the runs' lines.
  const std::string pair = ComparisonCurvesSvg(
      {{"g", {RunHistory({0.0, 0.0}, {0.5, 0.5}), RunHistory({1.0, 1.0}, {0.5, 0.5})}}}, "t");
  auto first_y = [](const std::string& xy) {
    return std::stod(xy.substr(xy.find(',') + 1, xy.find(' ') - xy.find(',') - 1));
  };
  const double low = first_y(points(pair, "g run 1")), high = first_y(points(pair, "g run 2"));
  EXPECT_NEAR(first_y(points(pair, "g mean")), (low + high) / 2, 0.1);
}

}  // namespace
}  // namespace rnnc::training
