// Training curves as an SVG picture, hand-written (no plotting library):
// one panel per training metric of a History (loss first), each with the
// training and, when there, the validation value per epoch as polylines
// with markers, axes with ticks and tick labels, axis titles and a legend.
// Any browser or image viewer opens the file.
#ifndef RNNC_TRAINING_TRAINING_CURVES_H
#define RNNC_TRAINING_TRAINING_CURVES_H

#include <string>

#include "absl/status/status.h"
#include "training/History.h"

namespace rnnc::training {

std::string TrainingCurvesSvg(const History& history, const std::string& title);
absl::Status WriteTrainingCurves(const std::string& path, const History& history,
                                 const std::string& title);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_TRAINING_CURVES_H
