// nn::BatchNormGRU: the batch norm over the input projection, then the GRU
// recurrence on the normalised projection (equations in the header).
#include "frontend/BatchNormGru.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "frontend/CellOps.h"

namespace rnnc::nn {

BatchNormGRU::BatchNormGRU(Model& model, const std::string& name, GRUOptions options,
                           double epsilon, double momentum)
    : model_(model),
      options_(std::move(options)),
      batch_norm_(model, absl::StrCat(name, ".bn_ih"), 3 * options_.hidden_size(), epsilon,
                  momentum) {
  const int64_t hidden = options_.hidden_size();
  const Initializer init = Initializer::Uniform(hidden > 0 ? 1.0 / std::sqrt(hidden) : 0.0);
  weight_ih_ = model_.Param(absl::StrCat(name, ".weight_ih_l0"),
                            {3 * hidden, options_.input_size()}, init);
  weight_hh_ = model_.Param(absl::StrCat(name, ".weight_hh_l0"), {3 * hidden, hidden}, init);
  bias_hh_ = model_.Param(absl::StrCat(name, ".bias_hh_l0"), {3 * hidden}, init);
}

Var BatchNormGRU::operator()(Var x) {
  if (options_.num_layers() != 1 || options_.bidirectional() || options_.batch_first()) {
    model_.Fail(absl::UnimplementedError(
        "BatchNormGRU: one forward layer, sequence-first; stack or reverse it outside"));
    return Var();
  }
  if (!x.valid()) return Var();
  const int64_t hidden = options_.hidden_size();
  const bool reset_after = options_.reset() == Reset::kAfter;
  Var projected = batch_norm_(Matmul(x, weight_ih_, true));  // (T, N, 3H)
  Var h0 = model_.Full(ir::TensorType({x.type().dim(1), hidden}), 0.0);
  Vars w_hh = Split(weight_hh_, {2 * hidden, hidden}, 0);  // W_hr|W_hz (2H, H), W_hn (H, H)
  Vars b_hh = Split(bias_hh_, {2 * hidden, hidden}, 0);
  ScanResult result = Scan({projected}, {h0}, [&](const Vars& in, const Vars& state) {
    Var h = state[0];                                                    // (N, H)
    Vars x_gates = Split(in[0], {hidden, hidden, hidden});               // x̂_r, x̂_z, x̂_n
    Vars h_gates = Split(Matmul(h, w_hh[0], true) + b_hh[0], {hidden, hidden});
    Var r = Sigmoid(x_gates[0] + h_gates[0]);
    Var z = Sigmoid(x_gates[1] + h_gates[1]);
    Var n = reset_after ? Tanh(x_gates[2] + r * (Matmul(h, w_hh[1], true) + b_hh[1]))
                        : Tanh(x_gates[2] + Matmul(r * h, w_hh[1], true) + b_hh[1]);
    Var next = z * h + (1.0 - z) * n;
    return ScanStep{{next}, {next}};
  });
  if (result.carries.empty()) return Var();
  return options_.return_sequences() ? result.outputs[0] : result.carries[0];
}

}  // namespace rnnc::nn
