// ir::CountFlops against the formulas the benchmark tables quote.
#include "frontend/DSL.h"
#include "gtest/gtest.h"
#include "ir/FlopCount.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;

int64_t Flops(Model& m, int64_t steps, int64_t batch) {
  absl::StatusOr<int64_t> flops = ir::CountFlops(m.graph(), {{"T", steps}, {"N", batch}});
  EXPECT_TRUE(flops.ok()) << flops.status();
  return *flops;
}

TEST(FlopCount, LayerOpsCountTheirProducts) {
  // LSTM 2·T·N·4H·(I+H); bidirectional doubles it; a second layer reads 2H.
  Model lstm("lstm");
  nn::LSTM(lstm, "l", nn::LSTMOptions(256, 512))(lstm.Input("x", {T, N, 256}));
  EXPECT_EQ(Flops(lstm, 100, 64), int64_t{2} * 100 * 64 * 4 * 512 * (256 + 512));

  Model gru("gru");
  nn::GRU(gru, "g", nn::GRUOptions(8, 16).bidirectional(true).num_layers(2))(gru.Input("x", {T, N, 8}));
  EXPECT_EQ(Flops(gru, 10, 2), 2 * (2 * 10 * 2 * 3 * 16 * (8 + 16)) + 2 * (2 * 10 * 2 * 3 * 16 * (32 + 16)));
}

TEST(FlopCount, ScanBodyCountsOncePerStep) {
  Model m("cell");
  Var x = m.Input("x", {T, N, 4});
  Var w = m.Param("w", {3, 4}, Initializer::Constant(0));
  Scan({x}, {m.Full({N, 3}, 0.0)}, [&](const Vars& in, const Vars& state) {
    Var h = Tanh(Matmul(in[0], w, true) + state[0]);  // 2·N·3·4 + N·3 + N·3
    return ScanStep{{h}, {}};
  });
  EXPECT_EQ(Flops(m, 7, 5), 7 * (2 * 5 * 3 * 4 + 5 * 3 + 5 * 3));
}

}  // namespace
}  // namespace rnnc
