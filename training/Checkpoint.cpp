#include "training/Checkpoint.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/Safetensors.h"

namespace rnnc::training {

namespace {

constexpr char kFormat[] = "rnnc-checkpoint-1";
constexpr char kWeightsPrefix[] = "weights/";
constexpr char kOptimizerPrefix[] = "optimizer/";

absl::StatusOr<int64_t> ReadCount(const std::map<std::string, std::string>& metadata,
                                  const std::string& key, const std::string& path) {
  auto it = metadata.find(key);
  int64_t value = 0;
  if (it == metadata.end() || !absl::SimpleAtoi(it->second, &value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: checkpoint metadata '%s' is %s, expected a non-negative integer", path, key,
        it == metadata.end() ? "missing" : absl::StrCat("'", it->second, "'")));
  }
  return value;
}

}  // namespace

absl::Status WriteCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
  TensorMap tensors;
  for (const auto& [name, tensor] : checkpoint.weights) tensors[kWeightsPrefix + name] = tensor;
  for (const auto& [name, tensor] : checkpoint.optimizer_state) {
    tensors[kOptimizerPrefix + name] = tensor;
  }
  return WriteSafetensors(path, tensors,
                          {{"format", kFormat},
                           {"optimizer", checkpoint.optimizer},
                           {"optimizer_steps", absl::StrCat(checkpoint.optimizer_steps)},
                           {"epoch", absl::StrCat(checkpoint.epoch)}});
}

absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path);
  if (!file.ok()) return file.status();
  auto format = file->metadata.find("format");
  if (format == file->metadata.end() || format->second != kFormat) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: not an rnnc checkpoint: metadata 'format' is %s, expected '%s'", path,
        format == file->metadata.end() ? "missing" : absl::StrCat("'", format->second, "'"),
        kFormat));
  }
  Checkpoint checkpoint;
  auto optimizer = file->metadata.find("optimizer");
  if (optimizer != file->metadata.end()) checkpoint.optimizer = optimizer->second;
  absl::StatusOr<int64_t> steps = ReadCount(file->metadata, "optimizer_steps", path);
  if (!steps.ok()) return steps.status();
  absl::StatusOr<int64_t> epoch = ReadCount(file->metadata, "epoch", path);
  if (!epoch.ok()) return epoch.status();
  checkpoint.optimizer_steps = *steps;
  checkpoint.epoch = *epoch;
  for (auto& [name, tensor] : file->tensors) {
    if (name.starts_with(kWeightsPrefix)) {
      checkpoint.weights[name.substr(sizeof(kWeightsPrefix) - 1)] = std::move(tensor);
    } else if (name.starts_with(kOptimizerPrefix)) {
      checkpoint.optimizer_state[name.substr(sizeof(kOptimizerPrefix) - 1)] = std::move(tensor);
    } else {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: checkpoint tensor '%s' is neither under '%s' nor under '%s'", path, name,
          kWeightsPrefix, kOptimizerPrefix));
    }
  }
  return checkpoint;
}

}  // namespace rnnc::training
