// A GRU cell written by hand in the DSL runs on oneDNN: the backend's
// pipeline raises the scan to a `gru` layer op, and the result equals the
// interpreter on the hand-written scan.
#include "backends/interp/Interpreter.h"
#include "backends/onednn/OnednnBackend.h"
#include "gtest/gtest.h"
#include "tests/TestModels.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

TEST(OnednnRaisedCell, HandWrittenGruCellsMatchTheInterpreter) {
  for (nn::Reset reset : {nn::Reset::kAfter, nn::Reset::kBefore}) {
    SCOPED_TRACE(reset == nn::Reset::kAfter ? "reset after" : "reset before");
    Model m("cell", 3);
    BuildGruCell(m, reset, 6, 5, Initializer::Uniform(0.4));
    absl::StatusOr<ir::Graph> graph = m.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    auto onednn = onednn::CompileForOnednn(*graph, m.weights());
    auto interp = interp::CompileForInterpreter(*graph, m.weights());
    ASSERT_TRUE(onednn.ok()) << onednn.status();
    ASSERT_TRUE(interp.ok()) << interp.status();
    const TensorMap inputs = {{"x", RandomTensor({7, 3, 6}, 5)}};
    absl::StatusOr<TensorMap> got = (*onednn)->Run(inputs);
    absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(want.ok()) << want.status();
    ExpectAllClose(got->at("h"), want->at("h"), 1e-5, 1e-6);
    ExpectAllClose(got->at("h_T"), want->at("h_T"), 1e-5, 1e-6);
  }
}

}  // namespace
}  // namespace rnnc
