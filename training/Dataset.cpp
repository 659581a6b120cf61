#include "training/Dataset.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "absl/strings/str_format.h"
#include "runtime/Safetensors.h"

namespace rnnc::training {

absl::Status Dataset::Add(const std::string& name, Tensor tensor, int64_t example_axis) {
  if (entries_.count(name)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("dataset: a tensor named '%s' is there already", name));
  }
  if (example_axis < 0 || example_axis >= tensor.rank()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "dataset: tensor '%s' of shape %s has no axis %d to hold its examples", name,
        tensor.ShapeString(), example_axis));
  }
  const int64_t examples = tensor.dim(example_axis);
  if (!entries_.empty() && examples != size_) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "dataset: tensor '%s' of shape %s has %d examples along axis %d, the others have %d",
        name, tensor.ShapeString(), examples, example_axis, size_));
  }
  size_ = examples;
  entries_[name] = Entry{std::move(tensor), example_axis};
  return absl::OkStatus();
}

TensorMap Dataset::Gather(const std::vector<int64_t>& indices) const {
  TensorMap batch;
  Gather(indices, batch);
  return batch;
}

// With the shape split around the example axis into (outer, examples,
// inner), example i of outer block o is the `inner` floats at
// (o·examples + i)·inner.
void Dataset::Gather(const std::vector<int64_t>& indices, TensorMap& batch) const {
  std::erase_if(batch, [&](const auto& entry) { return !entries_.contains(entry.first); });
  for (const auto& [name, entry] : entries_) {
    const std::vector<int64_t>& shape = entry.tensor.shape();
    const int64_t axis = entry.example_axis;
    const int64_t outer = NumElements({shape.begin(), shape.begin() + axis});
    const int64_t inner = NumElements({shape.begin() + axis + 1, shape.end()});
    std::vector<int64_t> batch_shape = shape;
    batch_shape[axis] = static_cast<int64_t>(indices.size());
    Tensor& out = batch[name];
    EnsureShape(out, batch_shape);
    float* to = out.data();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i : indices) {
        std::memcpy(to, entry.tensor.data() + (o * size_ + i) * inner, inner * sizeof(float));
        to += inner;
      }
    }
  }
}

Dataset Dataset::Slice(int64_t begin, int64_t end) const {
  std::vector<int64_t> indices(std::max<int64_t>(0, end - begin));
  std::iota(indices.begin(), indices.end(), begin);
  TensorMap tensors = Gather(indices);
  Dataset slice;
  for (auto& [name, tensor] : tensors) {
    slice.entries_[name] = Entry{std::move(tensor), entries_.at(name).example_axis};
  }
  slice.size_ = static_cast<int64_t>(indices.size());
  return slice;
}

std::vector<std::vector<int64_t>> EpochBatches(int64_t size, int64_t batch_size, bool shuffle,
                                               uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(size);
  std::iota(order.begin(), order.end(), 0);
  if (shuffle) {
    std::seed_seq seeds{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                        static_cast<uint32_t>(epoch)};
    std::mt19937_64 rng(seeds);
    // Fisher-Yates, written out: std::shuffle's use of the engine is left
    // to each standard library. The modulo's bias is below 2^-40 here.
    for (int64_t i = size - 1; i > 0; --i) {
      const int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
      std::swap(order[i], order[j]);
    }
  }
  std::vector<std::vector<int64_t>> batches;
  for (int64_t begin = 0; begin < size; begin += batch_size) {
    const int64_t end = std::min(size, begin + batch_size);
    batches.emplace_back(order.begin() + begin, order.begin() + end);
  }
  return batches;
}

absl::StatusOr<Dataset> LoadSafetensorsDataset(const std::string& path,
                                               const std::map<std::string, int64_t>& example_axes) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path);
  if (!file.ok()) return file.status();
  Dataset dataset;
  for (const auto& [name, axis] : example_axes) {
    auto it = file->tensors.find(name);
    if (it == file->tensors.end()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: no tensor named '%s' for the dataset", path, name));
    }
    if (absl::Status added = dataset.Add(name, std::move(it->second), axis); !added.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: %s", path, added.message()));
    }
  }
  return dataset;
}

}  // namespace rnnc::training
