// Backpropagation through time over a scan.
//
// Forward, step t maps the carries and the slices to the next carries and
// the step's outputs:
//   (c_{t+1}, o_t) = f(c_t, x_t; W)        W: outer values the body uses
// With ō_t = ∂loss/∂o_t (slice t of the stacked outputs' gradient) and the
// final carries' gradient c̄_T, reverse mode over the steps is
//   c̄_t = ∂f/∂c_tᵀ · (c̄_{t+1}, ō_t)       from t = T-1 down to 0
//   x̄_t = ∂f/∂x_tᵀ · (c̄_{t+1}, ō_t)
//   W̄  = Σ_t ∂f/∂Wᵀ · (c̄_{t+1}, ō_t)
// and c̄_0 is the gradient of the initial carries.
//
// So the forward scan also outputs c_t for every step (its carries, saved:
// the forward activations the backward needs), and the backward is a scan
// running the other way over (c_t, x_t, ō_t), carrying c̄ and the running
// sums W̄. Its body recomputes step t from the saved c_t and x_t (a clone of
// the forward body: activations inside a step are recomputed, not stored),
// then runs reverse mode over that clone, seeded with c̄_{t+1} and ō_t. A
// scan nested in the body is differentiated the same way, inside.
//
// Truncated BPTT with window k: the backward also carries a one-hot phase
// p ∈ {e_0..e_{k-1}}, rotated each step, and c̄ is multiplied by
// 1 - p_next[0], so it is cut whenever k backward steps have passed.
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "training/Backprop.h"

namespace rnnc::training {

using ir::Op;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

namespace {

// Active values defined outside `body` that its ops (nested ones included)
// use, in first-use order: the weights W whose gradients the backward sums.
std::vector<Value*> CapturedActiveValues(const ir::Block& body, const Activity& activity) {
  const std::vector<Value*> arguments = body.arguments();
  absl::flat_hash_set<const Value*> inside(arguments.begin(), arguments.end());
  absl::flat_hash_set<const Value*> seen;
  std::vector<Value*> captured;
  ir::WalkOps(body, [&](Op* op) {
    for (Value* operand : op->operands()) {
      if (!inside.contains(operand) && activity.IsActive(operand) && seen.insert(operand).second) {
        captured.push_back(operand);
      }
    }
    for (const Value* result : op->results()) inside.insert(result);
    if (op->body() != nullptr) {
      for (const Value* argument : op->body()->arguments()) inside.insert(argument);
    }
  });
  return captured;
}

// The one-hot e_0 of length k that starts the truncation phase.
Value* FirstPhase(passes::Builder& b, int64_t k) {
  Value* one = b.Full(TensorType({1}), 1.0);
  return k == 1 ? one : b.Concat({one, Zeros(b, TensorType({k - 1}))}, 0);
}

// p_next[i] = p[i - 1 mod k].
Value* RotatePhase(passes::Builder& b, Value* phase, int64_t k) {
  if (k == 1) return phase;
  return b.Concat({b.Slice(phase, 0, k - 1, k), b.Slice(phase, 0, 0, k - 1)}, 0);
}

}  // namespace

absl::Status ApplyScanGradient(Op& scan, Backprop& outer) {
  ir::Graph& graph = outer.builder().graph();
  Activity& activity = outer.activity();
  ir::Block& body = *scan.body();
  Op& yield = *body.ops().back();
  const size_t carries = static_cast<size_t>(scan.int_attribute("carries"));
  const size_t sequences = scan.operands().size() - carries;
  const size_t outputs = scan.num_results() - carries;

  bool reached = false;
  for (const Value* result : scan.results()) reached = reached || outer.Gradient(result);
  if (!reached) return absl::OkStatus();

  std::vector<bool> active_carry(carries), active_sequence(sequences);
  for (size_t i = 0; i < carries; ++i) active_carry[i] = activity.IsActive(body.argument(i));
  for (size_t j = 0; j < sequences; ++j) {
    active_sequence[j] = activity.IsActive(scan.operand(carries + j));
  }
  const std::vector<Value*> captured = CapturedActiveValues(body, activity);

  // The forward scan outputs c_t, the carries each step starts from.
  const ir::Dim steps = scan.operand(carries)->type().dim(0);
  std::vector<Value*> yielded = yield.operands();
  std::vector<Value*> saved;  // (T, carry type) each
  for (size_t i = 0; i < carries; ++i) {
    yielded.push_back(body.argument(i));
    std::vector<ir::Dim> dims = body.argument(i)->type().dims();
    dims.insert(dims.begin(), steps);
    saved.push_back(graph.AddResult(scan, body.argument(i)->name() + ".saved", TensorType(dims)));
  }
  yield.set_operands(yielded);

  // The backward scan's carries: c̄ of the active carries, the sums W̄, and
  // the truncation phase; its sequences: c_t, x_t, and the ō_t that exist.
  passes::Builder& b = outer.builder();
  const int64_t window = outer.truncate_bptt();
  std::vector<Value*> initial;
  for (size_t i = 0; i < carries; ++i) {
    if (active_carry[i]) initial.push_back(outer.GradientOrZeros(scan.result(i)));
  }
  for (const Value* weight : captured) initial.push_back(Zeros(b, weight->type()));
  const bool truncated = window > 0 && initial.size() > captured.size();
  if (truncated) initial.push_back(FirstPhase(b, window));
  std::vector<Value*> backward_sequences = saved;
  for (size_t j = 0; j < sequences; ++j) backward_sequences.push_back(scan.operand(carries + j));
  std::vector<size_t> reached_outputs;
  for (size_t j = 0; j < outputs; ++j) {
    if (Value* g = outer.Gradient(scan.result(carries + j))) {
      backward_sequences.push_back(g);
      reached_outputs.push_back(j);
    }
  }

  // Names: c̄ as <carry>.grad, W̄ as <weight>.grad_sum, slices after what
  // they are slices of.
  std::vector<std::string> argument_names;
  for (size_t i = 0; i < carries; ++i) {
    if (active_carry[i]) argument_names.push_back(body.argument(i)->name() + ".grad");
  }
  for (const Value* weight : captured) argument_names.push_back(weight->name() + ".grad_sum");
  if (truncated) argument_names.push_back(scan.result(0)->name() + ".bptt_phase");
  for (size_t i = 0; i < carries + sequences; ++i) {
    argument_names.push_back(body.argument(i)->name() + (i < carries ? ".saved_t" : ""));
  }
  for (size_t j : reached_outputs) {
    argument_names.push_back(scan.result(carries + j)->name() + ".grad_t");
  }

  absl::Status status;
  const size_t num_dcarries = initial.size() - captured.size() - (truncated ? 1 : 0);
  ir::Op* backward = passes::BuildScan(
      b, initial, backward_sequences, !scan.bool_attribute("reverse"),
      [&](passes::Builder& inner, const std::vector<Value*>& state,
          const std::vector<Value*>& slices) {
        // Step t again, from the saved c_t and x_t.
        passes::ValueMap map;
        for (size_t i = 0; i < carries + sequences; ++i) {
          map[body.argument(i)] = slices[i];
          const bool active = i < carries ? active_carry[i] : active_sequence[i - carries];
          if (active) activity.Mark(slices[i]);
        }
        const size_t first = inner.block().num_ops();
        const std::vector<Value*> step = passes::CloneBody(inner, body, map);
        std::vector<Op*> recomputed;
        for (size_t i = first; i < inner.block().num_ops(); ++i) {
          recomputed.push_back(inner.block().op(i));
        }
        activity.Propagate(inner.block());

        // Reverse mode over the step, seeded with c̄_{t+1} and ō_t.
        Backprop local(inner, activity, window);
        for (size_t i = 0, d = 0; i < carries; ++i) {
          if (active_carry[i]) local.Accumulate(step[i], state[d++]);
        }
        for (size_t r = 0; r < reached_outputs.size(); ++r) {
          local.Accumulate(step[carries + reached_outputs[r]], slices[carries + sequences + r]);
        }
        status = local.Run(recomputed);

        passes::ScanStep next;
        Value* keep = nullptr;
        Value* phase = nullptr;
        if (truncated) {
          phase = RotatePhase(inner, state.back(), window);
          keep = inner.Binary(OpKind::Sub, inner.Full(TensorType(), 1.0),
                              inner.Select(phase, 0, 0));
        }
        for (size_t i = 0; i < carries; ++i) {
          if (!active_carry[i]) continue;
          Value* c_bar = local.GradientOrZeros(slices[i]);
          next.carries.push_back(keep ? inner.Binary(OpKind::Mul, c_bar, keep) : c_bar);
        }
        for (size_t w = 0; w < captured.size(); ++w) {
          Value* sum = state[num_dcarries + w];
          Value* g = local.Gradient(captured[w]);
          next.carries.push_back(g ? inner.Binary(OpKind::Add, sum, g) : sum);
        }
        if (truncated) next.carries.push_back(phase);
        for (size_t j = 0; j < sequences; ++j) {
          if (active_sequence[j]) next.outputs.push_back(local.GradientOrZeros(slices[carries + j]));
        }
        return next;
      },
      argument_names);
  if (!status.ok()) return status;

  // c̄_0, W̄ and the x̄_t stacked go to the scan's operands and weights.
  size_t result = 0;
  for (size_t i = 0; i < carries; ++i) {
    if (active_carry[i]) outer.Accumulate(scan.operand(i), backward->result(result++));
  }
  for (const Value* weight : captured) outer.Accumulate(weight, backward->result(result++));
  if (truncated) ++result;
  for (size_t j = 0; j < sequences; ++j) {
    if (active_sequence[j]) outer.Accumulate(scan.operand(carries + j), backward->result(result++));
  }
  return absl::OkStatus();
}

}  // namespace rnnc::training
