// The seed experiments' synthetic tasks: shapes and example axes, labels
// balanced as promised, the label recoverable from the data by the rule
// that defines it, the same data from the same seed and other data from
// another; and the messages for bad options.
#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "training/SyntheticTasks.h"

namespace rnnc::training {
namespace {

const Tensor& Get(const Dataset& data, const std::string& name) {
  return data.entries().at(name).tensor;
}

TEST(SyntheticTasks, PlantedSignalShapesBalanceAndTheSignalIsThere) {
  PlantedSignalOptions options;
  options.examples = 600;
  options.steps = 12;
  options.features = 50;
  options.signal_window = 3;
  absl::StatusOr<Dataset> data = PlantedSignalTask(options);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->size(), 600);
  const Tensor& x = Get(*data, "x");
  const Tensor& y = Get(*data, "y");
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{12, 600, 50}));
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{600, 1}));
  EXPECT_EQ(data->entries().at("x").example_axis, 1);
  EXPECT_EQ(data->entries().at("y").example_axis, 0);
  double ones = 0;
  for (float v : y.values()) {
    ASSERT_TRUE(v == 0 || v == 1) << v;
    ones += v;
  }
  EXPECT_EQ(ones, 300);  // exactly half

  // The mean of x over the examples of each label, inside the window, is
  // its signal (±1 per feature, scaled by 1/window since the step is
  // uniform in it); after the window it is noise around 0. The two
  // signals differ, so the label is in the first steps and nowhere else.
  auto class_mean = [&](int64_t t, int64_t f, float label) {
    double sum = 0, count = 0;
    for (int64_t n = 0; n < 600; ++n) {
      if (y.data()[n] != label) continue;
      sum += x.data()[(t * 600 + n) * 50 + f];
      ++count;
    }
    return sum / count;
  };
  int differing = 0;
  for (int64_t f = 0; f < 50; ++f) {
    const double m0 = class_mean(0, f, 0), m1 = class_mean(0, f, 1);
    EXPECT_NEAR(std::abs(m0), 1.0 / 3, 0.25) << f;
    EXPECT_NEAR(std::abs(m1), 1.0 / 3, 0.25) << f;
    differing += (m0 > 0) != (m1 > 0);
    EXPECT_NEAR(class_mean(11, f, 0), 0, 0.25) << f;
    EXPECT_NEAR(class_mean(11, f, 1), 0, 0.25) << f;
  }
  EXPECT_GT(differing, 10);
}

TEST(SyntheticTasks, PlantedSignalIsDeterministicFromItsSeeds) {
  PlantedSignalOptions options;
  options.examples = 20;
  options.steps = 6;
  const Tensor x = Get(*PlantedSignalTask(options), "x");
  EXPECT_EQ(Get(*PlantedSignalTask(options), "x").values(), x.values());
  options.seed = 1;
  EXPECT_NE(Get(*PlantedSignalTask(options), "x").values(), x.values());
  options.seed = 0;
  options.signal_seed = 2;
  EXPECT_NE(Get(*PlantedSignalTask(options), "x").values(), x.values());
}

TEST(SyntheticTasks, RepeatTagsFollowTheirRuleAndAreBalanced) {
  RepeatTaggingOptions options;
  options.examples = 500;
  options.steps = 20;
  options.lag = 3;
  absl::StatusOr<Dataset> data = RepeatTaggingTask(options);
  ASSERT_TRUE(data.ok()) << data.status();
  const Tensor& x = Get(*data, "x");
  const Tensor& y = Get(*data, "y");
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{20, 500, 2}));
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{20, 500, kRepeatTags}));
  EXPECT_EQ(data->entries().at("y").example_axis, 1);
  auto one_hot = [](const float* row, int64_t width) {
    int64_t hot = -1;
    for (int64_t i = 0; i < width; ++i) {
      if (row[i] == 1) {
        EXPECT_EQ(hot, -1) << "two ones in a one-hot row";
        hot = i;
      } else {
        EXPECT_EQ(row[i], 0);
      }
    }
    EXPECT_NE(hot, -1) << "no one in a one-hot row";
    return hot;
  };
  std::vector<double> counts(kRepeatTags);
  for (int64_t n = 0; n < 500; ++n) {
    std::vector<int64_t> symbols(20);
    for (int64_t t = 0; t < 20; ++t) symbols[t] = one_hot(x.data() + (t * 500 + n) * 2, 2);
    for (int64_t t = 0; t < 20; ++t) {
      const int64_t tag = one_hot(y.data() + (t * 500 + n) * kRepeatTags, kRepeatTags);
      const bool past = t >= 3 && symbols[t] == symbols[t - 3];
      const bool future = t + 3 < 20 && symbols[t] == symbols[t + 3];
      EXPECT_EQ(tag, (past ? 1 : 0) + (future ? 2 : 0)) << "n " << n << " t " << t;
      // Away from the ends each tag has probability 1/4.
      if (t >= 3 && t + 3 < 20) ++counts[tag];
    }
  }
  for (double count : counts) EXPECT_NEAR(count / (500 * 14), 0.25, 0.03);
}

TEST(SyntheticTasks, RepeatTaggingIsDeterministicFromItsSeed) {
  RepeatTaggingOptions options;
  options.examples = 30;
  const Tensor y = Get(*RepeatTaggingTask(options), "y");
  EXPECT_EQ(Get(*RepeatTaggingTask(options), "y").values(), y.values());
  options.seed = 5;
  EXPECT_NE(Get(*RepeatTaggingTask(options), "y").values(), y.values());
}

TEST(SyntheticTasks, BadOptionsSayWhatIsExpected) {
  PlantedSignalOptions planted;
  planted.steps = 4;
  planted.signal_window = 5;
  planted.noise = 1;
  absl::StatusOr<Dataset> data = PlantedSignalTask(planted);
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(absl::StrContains(data.status().message(),
                                "signal_window 5 and noise 1; expected a window of at most the 4 "
                                "steps"))
      << data.status();
  RepeatTaggingOptions tagging;
  tagging.symbols = 1;
  data = RepeatTaggingTask(tagging);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().message(), "repeat tagging task: symbols is 1; expected at least 2");
}

}  // namespace
}  // namespace rnnc::training
