// TrainingForm: batch norms in their training form, text against text.
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "tests/ir_text/PassTextTest.h"
#include "training/TrainingForm.h"

namespace rnnc::training {
namespace {

using passes::Unindent;

void ExpectTrainingForm(std::string_view input, std::string_view expected) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(Unindent(input));
  ASSERT_TRUE(graph.ok()) << graph.status();
  const ir::Graph train = TrainingForm(*graph);
  ASSERT_TRUE(ir::Verify(train).ok()) << ir::Verify(train);
  EXPECT_EQ(ir::PrintGraph(train), Unindent(expected));
}

// Statistics over the batch axis; the running statistics after the step are
// new outputs named after the params they update, with the op's momentum.
TEST(TrainingFormTest, BatchStatisticsAndRunningUpdates) {
  ExpectTrainingForm(R"(
graph g {
  input %y: f32[N, 4]
  param %gamma: f32[4]
  param %beta: f32[4]
  param %mean: f32[4]
  param %var: f32[4]
  %z: f32[N, 4] = batch_norm(%y, %gamma, %beta, %mean, %var) {momentum = 0.25}
  output %z
}
)",
                     R"(
graph g {
  input %y: f32[N, 4]
  param %gamma: f32[4]
  param %beta: f32[4]
  param %mean: f32[4]
  param %var: f32[4]
  %0: f32[4] = reduce_mean(%y) {axes = [0]}
  %1: f32[N, 4] = sub(%y, %0)
  %2: f32[N, 4] = mul(%1, %1)
  %3: f32[4] = reduce_mean(%2) {axes = [0]}
  %4: f32[] = full() {value = 1e-05}
  %5: f32[4] = add(%3, %4)
  %6: f32[4] = sqrt(%5)
  %7: f32[N, 4] = div(%1, %6)
  %8: f32[N, 4] = mul(%7, %gamma)
  %z: f32[N, 4] = add(%8, %beta)
  %9: f32[N] = full() {value = 1.0}
  %10: f32[] = reduce_sum(%9) {axes = [0]}
  %11: f32[] = full() {value = 1.0}
  %12: f32[] = sub(%10, %11)
  %13: f32[] = div(%10, %12)
  %14: f32[4] = mul(%3, %13)
  %15: f32[] = full() {value = 0.75}
  %16: f32[4] = mul(%mean, %15)
  %17: f32[] = full() {value = 0.25}
  %18: f32[4] = mul(%0, %17)
  %update.mean: f32[4] = add(%16, %18)
  %19: f32[] = full() {value = 0.75}
  %20: f32[4] = mul(%var, %19)
  %21: f32[] = full() {value = 0.25}
  %22: f32[4] = mul(%14, %21)
  %update.var: f32[4] = add(%20, %22)
  output %z
  output %update.mean
  output %update.var
}
)");
}

// A sequence is normalised over T and N together, n = T·N counted in the
// graph; a batch norm of rank 1 has no batch and keeps its inference form.
TEST(TrainingFormTest, SequencesOverTimeAndBatchRankOneLeftAlone) {
  ExpectTrainingForm(R"(
graph g {
  input %x: f32[T, N, 2]
  param %gamma: f32[2]
  param %beta: f32[2]
  param %mean: f32[2]
  param %var: f32[2]
  param %g1: f32[3]
  param %b1: f32[3]
  param %m1: f32[3]
  param %v1: f32[3]
  input %c: f32[3]
  %n: f32[T, N, 2] = batch_norm(%x, %gamma, %beta, %mean, %var) {epsilon = 0.001}
  %k: f32[3] = batch_norm(%c, %g1, %b1, %m1, %v1)
  output %n
  output %k
}
)",
                     R"(
graph g {
  input %x: f32[T, N, 2]
  input %c: f32[3]
  param %gamma: f32[2]
  param %beta: f32[2]
  param %mean: f32[2]
  param %var: f32[2]
  param %g1: f32[3]
  param %b1: f32[3]
  param %m1: f32[3]
  param %v1: f32[3]
  %0: f32[2] = reduce_mean(%x) {axes = [0, 1]}
  %1: f32[T, N, 2] = sub(%x, %0)
  %2: f32[T, N, 2] = mul(%1, %1)
  %3: f32[2] = reduce_mean(%2) {axes = [0, 1]}
  %4: f32[] = full() {value = 0.001}
  %5: f32[2] = add(%3, %4)
  %6: f32[2] = sqrt(%5)
  %7: f32[T, N, 2] = div(%1, %6)
  %8: f32[T, N, 2] = mul(%7, %gamma)
  %n: f32[T, N, 2] = add(%8, %beta)
  %9: f32[T, N] = full() {value = 1.0}
  %10: f32[] = reduce_sum(%9) {axes = [0, 1]}
  %11: f32[] = full() {value = 1.0}
  %12: f32[] = sub(%10, %11)
  %13: f32[] = div(%10, %12)
  %14: f32[2] = mul(%3, %13)
  %15: f32[] = full() {value = 0.9}
  %16: f32[2] = mul(%mean, %15)
  %17: f32[] = full() {value = 0.1}
  %18: f32[2] = mul(%0, %17)
  %update.mean: f32[2] = add(%16, %18)
  %19: f32[] = full() {value = 0.9}
  %20: f32[2] = mul(%var, %19)
  %21: f32[] = full() {value = 0.1}
  %22: f32[2] = mul(%14, %21)
  %update.var: f32[2] = add(%20, %22)
  %k: f32[3] = batch_norm(%c, %g1, %b1, %m1, %v1)
  output %n
  output %k
  output %update.mean
  output %update.var
}
)");
}

}  // namespace
}  // namespace rnnc::training
