// Training data: named tensors (one per graph input, "x" and "y" say) that
// share their examples along an axis of each, so that a batch of a
// sequence-first x (T, N, F) and of its targets (N, C) is taken together;
// and the batches of an epoch, shuffled deterministically from a seed.
//
//   Dataset data;
//   data.Add("x", sequences, /*example_axis=*/1);   // (T, N, F)
//   data.Add("y", one_hot, /*example_axis=*/0);     // (N, C)
//   for (const auto& indices : EpochBatches(data.size(), 64, true, seed, epoch))
//     TensorMap batch = data.Gather(indices);        // x (T, 64, F), y (64, C)
#ifndef RNNC_TRAINING_DATASET_H
#define RNNC_TRAINING_DATASET_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/Tensor.h"

namespace rnnc::training {

class Dataset {
 public:
  struct Entry {
    Tensor tensor;
    int64_t example_axis;
  };

  // Errors: the axis is not one of the tensor's, its size differs from the
  // examples of the tensors already added, or the name is taken.
  absl::Status Add(const std::string& name, Tensor tensor, int64_t example_axis);
  // The number of examples (0 when empty).
  int64_t size() const { return size_; }
  const std::map<std::string, Entry>& entries() const { return entries_; }
  // The examples at `indices` (each in [0, size())), in that order: every
  // tensor with its example axis cut down to them.
  TensorMap Gather(const std::vector<int64_t>& indices) const;
  // The same into `batch`, which then holds the dataset's tensors and no
  // others: a tensor already there with the batch's shape is overwritten in
  // place, as Executable::Run writes its outputs, so a training loop that
  // keeps `batch` allocates nothing per step.
  void Gather(const std::vector<int64_t>& indices, TensorMap& batch) const;
  // Examples [begin, end), e.g. to hold some out for validation.
  Dataset Slice(int64_t begin, int64_t end) const;

 private:
  std::map<std::string, Entry> entries_;
  int64_t size_ = 0;
};

// The batches of one epoch: the example indices 0..size-1, shuffled when
// `shuffle` (Fisher-Yates driven by std::mt19937_64 seeded from
// std::seed_seq{seed, epoch}: both fully specified by the C++ standard, so
// the order is the same on every platform, and depends on nothing but the
// seed and the epoch, which is what lets a resumed run repeat it), cut into
// batches of `batch_size` (>= 1; the Trainer checks it) in order; the last
// batch is smaller when batch_size does not divide size, as in Keras.
std::vector<std::vector<int64_t>> EpochBatches(int64_t size, int64_t batch_size, bool shuffle,
                                               uint64_t seed, int64_t epoch);

// A dataset from a safetensors file: the tensors `example_axes` names, each
// with its example axis. Errors: a missing tensor, and Add's.
absl::StatusOr<Dataset> LoadSafetensorsDataset(const std::string& path,
                                               const std::map<std::string, int64_t>& example_axes);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_DATASET_H
