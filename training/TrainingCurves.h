// Training curves as an SVG picture, hand-written (no plotting library):
// one panel per training metric of a History (loss first), each with the
// training and, when there, the validation value per epoch as polylines
// with markers, axes with ticks and tick labels, axis titles and a legend.
// Any browser or image viewer opens the file.
//
// The comparison picture puts several groups of runs (a model per group,
// one run per seed) in one figure: a row per training metric, its
// validation counterpart beside it, every run as a thin line in its
// group's colour and the group's mean over the runs bold on top, so that
// the spread between seeds and the difference between groups read at once.
#ifndef RNNC_TRAINING_TRAINING_CURVES_H
#define RNNC_TRAINING_TRAINING_CURVES_H

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "training/History.h"

namespace rnnc::training {

std::string TrainingCurvesSvg(const History& history, const std::string& title);
absl::Status WriteTrainingCurves(const std::string& path, const History& history,
                                 const std::string& title);

// `runs`: group name (the legend's label) → its runs' histories, which
// should share their epochs and metrics; the panels are those of the first
// run, the mean is taken over the epochs every run of the group has.
std::string ComparisonCurvesSvg(const std::map<std::string, std::vector<History>>& runs,
                                const std::string& title);
absl::Status WriteComparisonCurves(const std::string& path,
                                   const std::map<std::string, std::vector<History>>& runs,
                                   const std::string& title);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_TRAINING_CURVES_H
