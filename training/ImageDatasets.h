// Image classification data as recurrent networks read it: IDX files
// (MNIST, Fashion-MNIST) become a Dataset whose "x" is the images as
// sequences, one image row per time step, and whose "y" is one-hot labels.
//
//   (N, 28, 28) images  →  x: (T = 28, N, 28), pixels / 255, example axis 1
//   (N) labels          →  y: (N, 10) one-hot, example axis 0
#ifndef RNNC_TRAINING_IMAGE_DATASETS_H
#define RNNC_TRAINING_IMAGE_DATASETS_H

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/Tensor.h"
#include "training/Dataset.h"

namespace rnnc::training {

// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr char kFashionMnistDirectory[] = "/usr/share/datasets/fashion-mnist";

// (N, H, W) → (H, N, W): row t of every image is time step t, sequence-first.
// Errors: not rank 3.
absl::StatusOr<Tensor> ImagesAsSequences(const Tensor& images);
// (N) class indices → (N, classes) rows with a 1 at the class. Errors: not
// rank 1, or a label that is not an integer in [0, classes).
absl::StatusOr<Tensor> OneHot(const Tensor& labels, int64_t classes);

// The images and labels IDX files (gzipped or not) as x and y above, the
// pixels scaled by 1/255. Errors: ReadIdx's, and counts that disagree.
absl::StatusOr<Dataset> LoadIdxImageDataset(const std::string& images_path,
                                            const std::string& labels_path, int64_t classes);
// Fashion-MNIST's "train" (60000) or "t10k" (10000) split from `directory`,
// which holds <split>-images-idx3-ubyte.gz and <split>-labels-idx1-ubyte.gz.
absl::StatusOr<Dataset> LoadFashionMnist(const std::string& directory, const std::string& split);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_IMAGE_DATASETS_H
