// The cell-level DSL: primitive ops on Vars and the scan over time in which
// custom cells are written. The classic LSTM reads almost as its equations:
//
//   ScanResult r = Scan({x}, {h0, C0}, [&](const Vars& in, const Vars& state) {
//     Var hx = Concat({state[0], in[0]});                 // [h_{t-1}, x_t]
//     Var f = Sigmoid(Matmul(hx, W_f, true) + b_f);
//     Var i = Sigmoid(Matmul(hx, W_i, true) + b_i);
//     Var C_tilde = Tanh(Matmul(hx, W_C, true) + b_C);
//     Var C = f * state[1] + i * C_tilde;
//     Var o = Sigmoid(Matmul(hx, W_o, true) + b_o);
//     Var h = o * Tanh(C);
//     return ScanStep{{h, C}, {h}};
//   });
#ifndef RNNC_FRONTEND_CELL_OPS_H
#define RNNC_FRONTEND_CELL_OPS_H

#include <functional>

#include "frontend/Model.h"

namespace rnnc {

// (..., K) x (K, M) -> (..., M); with transpose_b, b is (M, K) as PyTorch
// stores its weights.
Var Matmul(Var a, Var b, bool transpose_b = false);
Var Sigmoid(Var a);
Var Tanh(Var a);
Var Relu(Var a);
Var Exp(Var a);
Var Log(Var a);
Var Sqrt(Var a);
Var Softmax(Var a, int64_t axis = -1);
// Negative axes count from the end.
Var Concat(const Vars& parts, int64_t axis = -1);
Vars Split(Var a, std::vector<int64_t> sizes, int64_t axis = -1);
Var Slice(Var a, int64_t axis, int64_t start, int64_t end);
Var Select(Var a, int64_t axis, int64_t index);
Var Transpose(Var a, std::vector<int64_t> perm);
// The same elements under `shape`, whose 0s keep the symbolic dims of `a` in
// order: Reshape(x, {0, 0, 3, 2}) makes (T, N, 6) (T, N, 3, 2).
Var Reshape(Var a, std::vector<int64_t> shape);

// Elementwise with numpy broadcasting; a double is a scalar constant.
Var operator+(Var a, Var b);
Var operator-(Var a, Var b);
Var operator*(Var a, Var b);
Var operator/(Var a, Var b);
Var operator-(Var a);
Var operator+(double a, Var b);
Var operator-(double a, Var b);
Var operator*(double a, Var b);
Var operator+(Var a, double b);
Var operator-(Var a, double b);
Var operator*(Var a, double b);

// What a scan body returns: the next carried states, then this step's outputs.
struct ScanStep {
  Vars carries;
  Vars outputs;
};
// The final carried states, and each step's outputs stacked along time.
struct ScanResult {
  Vars carries;
  Vars outputs;
};
// Loops over axis 0 of `sequences` (t = T-1 .. 0 when reversed; outputs stay
// at their step's position). `body` gets one time slice of each sequence and
// the carried states; it may use any Var built before the scan.
ScanResult Scan(const Vars& sequences, const Vars& initial,
                const std::function<ScanStep(const Vars& slices, const Vars& carries)>& body,
                bool reverse = false);

}  // namespace rnnc

#endif  // RNNC_FRONTEND_CELL_OPS_H
