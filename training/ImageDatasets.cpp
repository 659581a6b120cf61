#include "training/ImageDatasets.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/Idx.h"

namespace rnnc::training {

absl::StatusOr<Tensor> ImagesAsSequences(const Tensor& images) {
  if (images.rank() != 3) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "images as sequences: expected images (N, H, W), got shape %s", images.ShapeString()));
  }
  const int64_t n = images.dim(0), h = images.dim(1), w = images.dim(2);
  Tensor sequences({h, n, w});
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t t = 0; t < h; ++t) {
      const float* row = images.data() + (i * h + t) * w;
      std::copy(row, row + w, sequences.data() + (t * n + i) * w);
    }
  }
  return sequences;
}

absl::StatusOr<Tensor> OneHot(const Tensor& labels, int64_t classes) {
  if (labels.rank() != 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "one-hot: expected labels (N), got shape %s", labels.ShapeString()));
  }
  Tensor one_hot({labels.dim(0), classes});
  for (int64_t i = 0; i < labels.dim(0); ++i) {
    const float label = labels.data()[i];
    if (label != std::floor(label) || label < 0 || label >= static_cast<float>(classes)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "one-hot: label %d is %g, expected a class index in [0, %d)", i, label, classes));
    }
    one_hot.data()[i * classes + static_cast<int64_t>(label)] = 1;
  }
  return one_hot;
}

absl::StatusOr<Dataset> LoadIdxImageDataset(const std::string& images_path,
                                            const std::string& labels_path, int64_t classes) {
  absl::StatusOr<Tensor> images = ReadIdx(images_path);
  if (!images.ok()) return images.status();
  absl::StatusOr<Tensor> labels = ReadIdx(labels_path);
  if (!labels.ok()) return labels.status();
  if (images->rank() != 3 || labels->rank() != 1 || images->dim(0) != labels->dim(0)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s has shape %s and %s has shape %s; expected images (N, H, W) and labels (N)",
        images_path, images->ShapeString(), labels_path, labels->ShapeString()));
  }
  for (float& pixel : images->values()) pixel /= 255.0f;
  absl::StatusOr<Tensor> x = ImagesAsSequences(*images);
  if (!x.ok()) return x.status();
  absl::StatusOr<Tensor> y = OneHot(*labels, classes);
  if (!y.ok()) return absl::InvalidArgumentError(absl::StrCat(labels_path, ": ", y.status().message()));
  Dataset dataset;
  if (absl::Status added = dataset.Add("x", *std::move(x), 1); !added.ok()) return added;
  if (absl::Status added = dataset.Add("y", *std::move(y), 0); !added.ok()) return added;
  return dataset;
}

absl::StatusOr<Dataset> LoadFashionMnist(const std::string& directory, const std::string& split) {
  if (split != "train" && split != "t10k") {
    return absl::InvalidArgumentError(
        absl::StrFormat("Fashion-MNIST split '%s' is unknown; expected train or t10k", split));
  }
  return LoadIdxImageDataset(absl::StrCat(directory, "/", split, "-images-idx3-ubyte.gz"),
                             absl::StrCat(directory, "/", split, "-labels-idx1-ubyte.gz"),
                             /*classes=*/10);
}

}  // namespace rnnc::training
