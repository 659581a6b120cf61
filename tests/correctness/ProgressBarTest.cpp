// The progress output as text: the plain one line per epoch that logs and
// CI get, the bar a terminal gets (redrawn with \r), and Keras's durations.
#include <sstream>

#include "gtest/gtest.h"
#include "training/ProgressBar.h"

namespace rnnc::training {
namespace {

TEST(ProgressBar, PlainModePrintsOneLinePerEpochOnlyAtTheEnd) {
  std::ostringstream out;
  ProgressBar progress(out, /*interactive=*/false, /*epoch=*/2, /*epochs=*/3, /*steps=*/938);
  progress.Update(1, {{"loss", 2.3}}, 0.05);
  EXPECT_EQ(out.str(), "");
  progress.Finish({{"loss", 0.50123}, {"accuracy", 0.8123}, {"val_loss", 0.441},
                   {"val_accuracy", 0.842}},
                  60.0);
  EXPECT_EQ(out.str(),
            "Epoch 2/3 - 938/938 - 60s - 64ms/step - loss: 0.5012 - accuracy: 0.8123 - "
            "val_loss: 0.4410 - val_accuracy: 0.8420\n");
}

TEST(ProgressBar, TerminalModeRedrawsABar) {
  std::ostringstream out;
  ProgressBar progress(out, /*interactive=*/true, 1, 3, 10);
  progress.Update(1, {{"loss", 2.5}}, 2.0);
  progress.Update(5, {{"loss", 2.0}}, 10.0);
  progress.Finish({{"loss", 1.5}}, 20.0);
  EXPECT_EQ(out.str(),
            "Epoch 1/3\n"
            "\r 1/10 [==>...........................] - ETA: 18s - loss: 2.5000"
            "\r 5/10 [==============>...............] - ETA: 10s - loss: 2.0000"
            "\r10/10 [==============================] - 20s 2s/step - loss: 1.5000\n");
}

TEST(ProgressBar, AShorterLineBlanksWhatIsLeftOfTheLongerOne) {
  std::ostringstream out;
  ProgressBar progress(out, /*interactive=*/true, 1, 1, 2);
  progress.Update(1, {{"loss", 2.5}, {"accuracy", 0.5}}, 1.0);
  progress.Finish({}, 2.0);
  const std::string text = out.str();
  const std::string first = text.substr(text.find('\r'), text.rfind('\r') - text.find('\r'));
  const std::string last = text.substr(text.rfind('\r'));
  EXPECT_EQ(last, "\r2/2 [==============================] - 2s 1s/step" +
                      std::string(first.size() - 50, ' ') + "\n");
}

TEST(ProgressBar, KerasDurations) {
  EXPECT_EQ(ProgressBar::FormatDuration(4.4), "4s");
  EXPECT_EQ(ProgressBar::FormatDuration(0.0641), "64ms");
  EXPECT_EQ(ProgressBar::FormatDuration(0.000012), "12us");
  EXPECT_EQ(ProgressBar::FormatEta(42), "42s");
  EXPECT_EQ(ProgressBar::FormatEta(902), "15:02");
  EXPECT_EQ(ProgressBar::FormatEta(3723), "1:02:03");
}

}  // namespace
}  // namespace rnnc::training
