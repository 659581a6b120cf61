// The training curves SVG: well-formed XML (every tag closed, in order),
// one panel per training metric, and in each a polyline per series with one
// point per epoch, plus axes, tick labels and a legend.
#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
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
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), series);
       it != std::sregex_iterator(); ++it) {
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

}  // namespace
}  // namespace rnnc::training
