// Models that several tests build: cells written from primitive ops, the way
// a user writes them in the DSL.
#ifndef RNNC_TESTS_TEST_MODELS_H
#define RNNC_TESTS_TEST_MODELS_H

#include "frontend/DSL.h"

namespace rnnc {

// A GRU cell in a scan on PyTorch's own parameter names and layout
// (weight_ih_l0 (3H, I), ...), in either reset placement, so it equals a
// `gru` layer op with the same weights. Input x (T, N, I); outputs h
// (T, N, H) and h_T (N, H).
void BuildGruCell(Model& m, nn::Reset reset, int64_t input, int64_t hidden,
                  Initializer init = Initializer::Constant(0));

}  // namespace rnnc

#endif  // RNNC_TESTS_TEST_MODELS_H
