// scan: the time loop.
//
//   carry_i ← init_i
//   for step in 0..T-1:  t = reverse ? T-1-step : step
//     slice_j = &seq_j[t]                    (a pointer, no copy)
//     body
//     out_j[t] ← yielded output j
//     carry_i ← yielded next carry i
//   results: the carries (they share the carry arguments' buffers), out_j
//
// Every body value has one buffer, reused by every step, but for a per-step
// output that a body op computes: that op writes it straight into out_j[t]
// (a backward scan's per-step gradients, a forward's saved products), so
// no copy follows. A carry whose next value is such an output (h of every
// recurrent layer) is read from out_j of the step before, and copied into
// its buffer once, after the last step. A top-level scan runs on every
// thread of the team, each step split between them (ParallelCodegen.cpp),
// or each thread on rows of its own (BatchSplitCodegen.cpp).
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

llvm::Value* NumElements(Emitter& e, const ir::TensorType& type) {
  return e.Product(e.Shape(type));
}

}  // namespace

namespace {

// The scan's loop, in the function the builder is in: the entry function,
// or a parallel region's task, where StepBarriers orders the threads, and
// each thread may take rows of `batch` of its own (Emitter::SplitBatch).
absl::Status EmitScanLoop(Emitter& e, const ir::Op& op, const std::optional<ir::Dim>& batch) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::Block& body = *op.body();
  const size_t carries = static_cast<size_t>(op.int_attribute("carries"));
  const bool reverse = op.bool_attribute("reverse");
  const ir::Op* yield = body.op(body.num_ops() - 1);
  // A step's floats of each sequence and per-step output, over the whole
  // batch, whatever rows this thread takes.
  std::vector<llvm::Value*> step_floats(op.num_results() + op.operands().size(), nullptr);
  for (size_t j = carries; j < op.operands().size(); ++j) {
    step_floats[j] = NumElements(e, body.argument(j)->type());
  }
  for (size_t j = carries; j < op.num_results(); ++j) {
    step_floats[op.operands().size() + j] = NumElements(e, yield->operand(j)->type());
  }
  if (batch) e.SplitBatch(op, *batch);
  StepBarriers barriers(e);

  for (size_t i = 0; i < carries; ++i) {
    const ir::Value* carry = body.argument(i);
    barriers.EmitCopy(e.Pointer(carry), carry, e.Pointer(op.operand(i)), op.operand(i));
    e.Alias(op.result(i), carry);
  }
  // A next carry that is another carry argument (a swap) must be read before
  // that argument is overwritten: it goes through a buffer of its own.
  std::vector<llvm::Value*> staged(carries, nullptr);
  for (size_t i = 0; i < carries; ++i) {
    const ir::Value* next = yield->operand(i);
    for (size_t j = 0; j < carries; ++j) {
      if (next == body.argument(j) && j != i) staged[i] = e.ScratchBuffer(next);
    }
  }

  // The outputs computed in place: results of the body's own ops (not of a
  // nested scan, whose results share its carries' buffers), once each.
  std::vector<bool> in_place(op.num_results(), false);
  for (size_t j = carries; j < op.num_results(); ++j) {
    const ir::Value* output = yield->operand(j);
    const ir::Op* producer = output->defining_op();
    bool first = true;
    for (size_t k = carries; k < j; ++k) first = first && yield->operand(k) != output;
    in_place[j] = first && producer != nullptr && producer->parent() == &body &&
                  producer->kind() != ir::OpKind::Scan;
  }

  // A next carry that is also a per-step output computed in place is read
  // from where the step before wrote it: no copy, and no barrier for one
  // thread overwriting a carry that another's matmul still reads.
  std::vector<size_t> output_of_carry(carries, 0);
  for (size_t i = 0; i < carries; ++i) {
    const ir::Value* next = yield->operand(i);
    for (size_t j = carries; j < op.num_results() && output_of_carry[i] == 0; ++j) {
      if (in_place[j] && !staged[i] && yield->operand(j) == next && next != body.argument(i)) {
        output_of_carry[i] = j;
      }
    }
  }

  llvm::Value* steps = e.Dim(op.operand(carries)->type().dim(0));
  auto time_of = [&](llvm::Value* step) {
    return reverse ? b.CreateSub(b.CreateSub(steps, e.Int(1)), step) : step;
  };
  auto output_at = [&](size_t j, llvm::Value* t) {
    llvm::Value* count = step_floats[op.operands().size() + j];
    return b.CreateGEP(e.f32(), e.Pointer(op.result(j)), b.CreateMul(t, count));
  };
  std::vector<llvm::Value*> carry_buffers;
  for (size_t i = 0; i < carries; ++i) carry_buffers.push_back(e.Pointer(body.argument(i)));
  absl::Status status;
  e.LoopNest({steps}, [&](const std::vector<llvm::Value*>& index) {
    barriers.BeginStep();
    llvm::Value* t = time_of(index[0]);
    for (size_t i = 0; i < carries; ++i) {
      if (output_of_carry[i] == 0) continue;
      llvm::Value* before = time_of(b.CreateSub(index[0], e.Int(1)));
      llvm::Value* previous = output_at(output_of_carry[i], before);
      e.Bind(body.argument(i),
             b.CreateSelect(b.CreateICmpEQ(index[0], e.Int(0)), carry_buffers[i], previous));
    }
    for (size_t j = carries; j < op.operands().size(); ++j) {
      const ir::Value* slice = body.argument(j);
      e.Bind(slice, e.Offset(e.Pointer(op.operand(j)), b.CreateMul(t, step_floats[j])));
    }
    auto step_of_output = [&](size_t j) { return output_at(j, t); };
    for (size_t j = carries; j < op.num_results(); ++j) {
      if (in_place[j]) e.Bind(yield->operand(j), step_of_output(j));
    }
    // Odd steps take the panels of their matmuls last to first: the ones
    // the step before read last are still in L2, where weights that do not
    // fit (a thread's 2 MiB of an LSTM's at H = 512) would otherwise all
    // come from L3 every step. LSTM 100×1×512 on two threads: 2.94 → 2.38
    // ms, on one 5.40 → 4.72; GRU 100×1×512 1.97 → 1.54 (Zen 5, medians
    // of 5–7 run alternately). Each element is computed alike either way.
    llvm::Value* outer_backward = e.PanelsBackward();
    e.SetPanelsBackward(b.CreateAnd(index[0], e.Int(1)));
    for (size_t i = 0; i + 1 < body.num_ops(); ++i) {
      status = barriers.EmitOp(*body.op(i));
      if (!status.ok()) return;
    }
    e.SetPanelsBackward(outer_backward);
    for (size_t j = carries; j < op.num_results(); ++j) {
      const ir::Value* output = yield->operand(j);
      if (!in_place[j]) {
        barriers.EmitCopy(step_of_output(j), op.result(j), e.Pointer(output), output);
      }
    }
    for (size_t i = 0; i < carries; ++i) {
      if (staged[i]) {
        barriers.EmitFirstThreadCopy(staged[i], body.argument(i), e.Pointer(yield->operand(i)),
                                     yield->operand(i));
      }
    }
    for (size_t i = 0; i < carries; ++i) {
      const ir::Value* carry = body.argument(i);
      const ir::Value* next = yield->operand(i);
      if (staged[i]) {
        barriers.EmitFirstThreadCopy(e.Pointer(carry), carry, staged[i], carry);
      } else if (next != carry && output_of_carry[i] == 0) {
        barriers.EmitCopy(e.Pointer(carry), carry, e.Pointer(next), next);
      }
    }
  });
  if (!status.ok()) return status;
  // The final carries read from the outputs go to the carries' buffers,
  // which are the scan's results (unless T = 0).
  for (size_t i = 0; i < carries; ++i) {
    if (output_of_carry[i] == 0) continue;
    const ir::Value* carry = body.argument(i);
    e.Bind(carry, carry_buffers[i]);
    e.If(b.CreateICmpSGT(steps, e.Int(0)), [&] {
      llvm::Value* last = output_at(output_of_carry[i], time_of(b.CreateSub(steps, e.Int(1))));
      barriers.EmitCopy(carry_buffers[i], carry, last, yield->operand(i));
    });
  }
  return status;
}

}  // namespace

absl::Status EmitScan(Emitter& e, const ir::Op& op) {
  const ir::Block& body = *op.body();
  const ir::Op* yield = body.num_ops() > 0 ? body.op(body.num_ops() - 1) : nullptr;
  if (!yield || yield->kind() != ir::OpKind::Yield ||
      yield->operands().size() != op.num_results() || body.num_arguments() != op.operands().size()) {
    return absl::InternalError(OpLabel(op) + ": malformed scan reached the LLVM backend");
  }
  if (RunsInParallel(e, op)) {
    const std::optional<ir::Dim> batch = SplittableBatch(e, op);
    return e.EmitParallelRegion([&] { return EmitScanLoop(e, op, batch); });
  }
  return EmitScanLoop(e, op, std::nullopt);
}

}  // namespace rnnc::llvm_backend
