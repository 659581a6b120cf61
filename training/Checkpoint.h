// Training checkpoints: the weights, the optimizer's state and how far
// training got, in one safetensors file, so that a run stopped after any
// epoch resumes where it was and ends with the same weights, bit for bit, as
// a run that never stopped (the Trainer's shuffling depends only on the seed
// and the epoch, and the optimizer state is stored exactly).
//
// The file holds "weights/<param>" and "optimizer/<param>.<buffer>" (F32,
// the buffers flat), and the metadata format = "rnnc-checkpoint-1",
// optimizer ("adam", "sgd"), optimizer_steps and epoch (epochs completed),
// so any safetensors reader, PyTorch's included, can open it.
#ifndef RNNC_TRAINING_CHECKPOINT_H
#define RNNC_TRAINING_CHECKPOINT_H

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/Tensor.h"

namespace rnnc::training {

struct Checkpoint {
  TensorMap weights;
  std::string optimizer;        // Optimizer::name()
  int64_t optimizer_steps = 0;  // Optimizer::steps()
  TensorMap optimizer_state;    // Optimizer::State()
  int64_t epoch = 0;            // epochs completed
};

absl::Status WriteCheckpoint(const std::string& path, const Checkpoint& checkpoint);
// Errors name the file and what is wrong: not a checkpoint (no or another
// format), a count that is not a non-negative integer, a tensor outside
// weights/ and optimizer/, and every error of ReadSafetensors.
absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_CHECKPOINT_H
