// nn::BatchNormGRU: a GRU whose input projections W·x are batch-normalised
// before the gates (the BN-GRU of batch-normalised recurrent networks, as
// Laurent et al. 2016 apply it; Cooijmans et al. 2016 normalise U·h too, per
// time step, which this layer does not).
//
//   x̂ = BN(x · W_ihᵀ)                        (T, N, 3H), statistics over T·N
//   r = σ(x̂_r + h·W_hrᵀ + b_hr)   z = σ(x̂_z + h·W_hzᵀ + b_hz)
//   n = tanh(x̂_n + r ⊙ (h·W_hnᵀ + b_hn))     reset after (PyTorch)
//   n = tanh(x̂_n + (r ⊙ h)·W_hnᵀ + b_hn)     reset before
//   h' = z ⊙ h + (1 - z) ⊙ n
//
// The graph it builds is the inference form: batch_norm with running
// statistics over a matmul, then a scan of the cell. training::TrainingForm
// turns it into the training form, and fold-batch-norm folds the trained
// batch norm into W_ih, leaving a plain GRU (BN's shift is its input bias).
// Parameters: <name>.weight_ih_l0 (3H, I), .weight_hh_l0 (3H, H),
// .bias_hh_l0 (3H) as PyTorch's GRU (U(±1/√H)), and .bn_ih.weight, .bias,
// .running_mean, .running_var (3H) as BatchNorm1d's. BN's beta takes the
// place of bias_ih. One layer, forward; return_sequences and reset are read
// from the options.
#ifndef RNNC_FRONTEND_BATCH_NORM_GRU_H
#define RNNC_FRONTEND_BATCH_NORM_GRU_H

#include <string>

#include "frontend/Layers.h"
#include "frontend/Recurrent.h"

namespace rnnc::nn {

class BatchNormGRU {
 public:
  BatchNormGRU(Model& model, const std::string& name, GRUOptions options,
               double epsilon = 1e-5, double momentum = 0.1);
  // x (T, N, I) -> (T, N, H), or (N, H) without return_sequences.
  Var operator()(Var x);

 private:
  Model& model_;
  GRUOptions options_;
  Var weight_ih_, weight_hh_, bias_hh_;
  BatchNorm batch_norm_;
};

}  // namespace rnnc::nn

#endif  // RNNC_FRONTEND_BATCH_NORM_GRU_H
