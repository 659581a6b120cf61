#include "tests/TestModels.h"

namespace rnnc {

void BuildGruCell(Model& m, nn::Reset reset, int64_t input, int64_t hidden, Initializer init) {
  const int64_t H = hidden;
  Var x = m.Input("x", {dims::T, dims::N, input});
  Var W = m.Param("weight_ih_l0", {3 * H, input}, init);
  Var U = m.Param("weight_hh_l0", {3 * H, H}, init);
  Var b = m.Param("bias_ih_l0", {3 * H}, init);
  Var c = m.Param("bias_hh_l0", {3 * H}, init);
  Var U_n = Slice(U, 0, 2 * H, 3 * H), c_n = Slice(c, 0, 2 * H, 3 * H);
  ScanResult r = Scan({x}, {m.Full({dims::N, H}, 0.0)}, [&](const Vars& in, const Vars& state) {
    Var h = state[0];
    Vars gx = Split(Matmul(in[0], W, true) + b, {H, H, H});  // r, z, n
    Vars gh = Split(Matmul(h, U, true) + c, {H, H, H});
    Var r = Sigmoid(gx[0] + gh[0]);
    Var z = Sigmoid(gx[1] + gh[1]);
    Var n = reset == nn::Reset::kAfter ? Tanh(gx[2] + r * gh[2])
                                       : Tanh(gx[2] + Matmul(r * h, U_n, true) + c_n);
    Var h_next = z * h + (1.0 - z) * n;
    return ScanStep{{h_next}, {h_next}};
  });
  m.Output("h", r.outputs[0]);
  m.Output("h_T", r.carries[0]);
}

}  // namespace rnnc
