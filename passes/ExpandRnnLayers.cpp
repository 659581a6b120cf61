// expand-rnn-layers: every rnn, lstm and gru layer op becomes one scan of
// cell ops per layer and direction, computing the equations of docs/IR.md in
// the interpreter's order, so the numerics stay those of the layer op.
//
// Each gate's weights are row slices taken before the scan (computed once per
// run); inside, each gate has its own x·W_gᵀ and h·U_gᵀ, which is what
// fuse-gate-matmuls and hoist-input-projection then work on.
//
// Before:
//   %y: f32[T, N, 2], %h_n: f32[1, N, 2] = rnn(%x, %w, %u, %b, %c, %h0) {activation = "tanh", direction = "forward", hidden_size = 2, num_layers = 1}
// After:
//   %y.l0.w_0: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}      # and u, b, c
//   ...
//   %y.l0.h0: f32[N, 2] = select(%h0) {axis = 0, index = 0}
//   %y.l0.h_T: f32[N, 2], %y: f32[T, N, 2] = scan(%y.l0.h0, %x) {carries = 1, reverse = false} {
//     ^(%y.l0.h: f32[N, 2], %y.l0.x: f32[N, 3]):
//     %0: f32[N, 2] = matmul(%y.l0.x, %y.l0.w_0) {transpose_b = true}
//     %1: f32[N, 2] = add(%0, %y.l0.b_0)
//     %2: f32[N, 2] = matmul(%y.l0.h, %y.l0.u_0) {transpose_b = true}
//     %3: f32[N, 2] = add(%2, %y.l0.c_0)
//     %4: f32[N, 2] = add(%1, %3)
//     %y.l0.h_next: f32[N, 2] = tanh(%4)
//     yield(%y.l0.h_next, %y.l0.h_next)
//   }
//   %5: f32[1, N, 2] = full() {value = 0.0}
//   %h_n: f32[1, N, 2] = add(%5, %y.l0.h_T)                # h_T with a new axis 0
//
// A reverse direction is a scan with reverse = true; a bidirectional layer's
// two output sequences are concatenated for the next layer, and the last
// layer's merged as its `merge` says; h_n and c_n concatenate the final
// states, index l·D + d, along a new axis 0.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

// One gate's rows of the four weights of a direction, sliced before the scan.
struct GateWeights {
  Value* w;  // W_g (H, I_l)
  Value* u;  // U_g (H, H)
  Value* b;  // b_g (H)
  Value* c;  // c_g (H)
};

// What a layer op's cell needs besides its weights.
struct CellKind {
  OpKind kind;
  bool relu;         // rnn
  bool reset_after;  // gru
};

int64_t GateCount(OpKind kind) { return kind == OpKind::Lstm ? 4 : kind == OpKind::Gru ? 3 : 1; }

// The constants the cells use, made once per layer op before its scans.
struct Constants {
  Value* one;  // f32[] 1, for gru
};

// (x·W_gᵀ + b_g) + (h·U_gᵀ + c_g), the order of the interpreter's
// Add(Dense(x, W, b), Dense(h, U, c)).
Value* PreActivation(Builder& b, Value* x, Value* h, const GateWeights& g) {
  Value* input = b.Binary(OpKind::Add, b.MatmulTransposed(x, g.w), g.b);
  Value* recurrent = b.Binary(OpKind::Add, b.MatmulTransposed(h, g.u), g.c);
  return b.Binary(OpKind::Add, input, recurrent);
}

// One step of the cell: the next carries (h, and c for lstm).
std::vector<Value*> CellStep(Builder& b, const CellKind& cell, const std::vector<GateWeights>& g,
                             const Constants& constants, Value* x, const std::vector<Value*>& state,
                             const std::string& prefix) {
  Value* h = state[0];
  switch (cell.kind) {
    case OpKind::Rnn:
      // h' = act(W x + b + U h + c)
      return {b.Unary(cell.relu ? OpKind::Relu : OpKind::Tanh, PreActivation(b, x, h, g[0]),
                      prefix + ".h_next")};
    case OpKind::Lstm: {
      // i, f, o = σ(W_k x + b_k + U_k h + c_k), g = tanh(...)
      // c' = f * c + i * g;  h' = o * tanh(c')
      Value* i = b.Unary(OpKind::Sigmoid, PreActivation(b, x, h, g[0]), prefix + ".i");
      Value* f = b.Unary(OpKind::Sigmoid, PreActivation(b, x, h, g[1]), prefix + ".f");
      Value* gg = b.Unary(OpKind::Tanh, PreActivation(b, x, h, g[2]), prefix + ".g");
      Value* o = b.Unary(OpKind::Sigmoid, PreActivation(b, x, h, g[3]), prefix + ".o");
      Value* c_next = b.Binary(OpKind::Add, b.Binary(OpKind::Mul, f, state[1]),
                               b.Binary(OpKind::Mul, i, gg), prefix + ".c_next");
      return {b.Binary(OpKind::Mul, o, b.Unary(OpKind::Tanh, c_next), prefix + ".h_next"), c_next};
    }
    default: {
      // r = σ(W_r x + b_r + U_r h + c_r);  z = σ(W_z x + b_z + U_z h + c_z)
      Value* r = b.Unary(OpKind::Sigmoid, PreActivation(b, x, h, g[0]), prefix + ".r");
      Value* z = b.Unary(OpKind::Sigmoid, PreActivation(b, x, h, g[1]), prefix + ".z");
      Value* input_n = b.Binary(OpKind::Add, b.MatmulTransposed(x, g[2].w), g[2].b);
      // after:  n = tanh(W_n x + b_n + r * (U_n h + c_n))
      // before: n = tanh(W_n x + b_n + (U_n (r * h) + c_n))
      Value* recurrent_n =
          cell.reset_after
              ? b.Binary(OpKind::Mul, r,
                         b.Binary(OpKind::Add, b.MatmulTransposed(h, g[2].u), g[2].c))
              : b.Binary(OpKind::Add, b.MatmulTransposed(b.Binary(OpKind::Mul, r, h), g[2].u),
                         g[2].c);
      Value* n = b.Unary(OpKind::Tanh, b.Binary(OpKind::Add, input_n, recurrent_n), prefix + ".n");
      // h' = z * h + (1 - z) * n
      return {b.Binary(OpKind::Add, b.Binary(OpKind::Mul, z, h),
                       b.Binary(OpKind::Mul, b.Binary(OpKind::Sub, constants.one, z), n),
                       prefix + ".h_next")};
    }
  }
}

void Expand(ir::Graph& graph, ir::Op* layer) {
  const CellKind cell{layer->kind(), layer->string_attribute("activation") == "relu",
                      layer->string_attribute("reset", "after") == "after"};
  const int64_t hidden = layer->int_attribute("hidden_size");
  const int64_t layers = layer->int_attribute("num_layers");
  const std::string direction = layer->string_attribute("direction");
  const int64_t directions = direction == "bidirectional" ? 2 : 1;
  const int64_t gates = GateCount(cell.kind);
  const bool lstm = cell.kind == OpKind::Lstm;
  const size_t first_state = 1 + 4 * layers * directions;
  Value* h0 = layer->operands().size() > first_state ? layer->operand(first_state) : nullptr;
  Value* c0 = lstm && h0 != nullptr ? layer->operand(first_state + 1) : nullptr;
  const ir::Dim batch = layer->operand(0)->type().dim(1);
  const std::string base = layer->result(0)->name();

  Builder b = Builder::Before(graph, layer);
  const Constants constants{cell.kind == OpKind::Gru ? b.Full(ir::TensorType(), 1.0, base + ".one")
                                                     : nullptr};
  // Absent initial states are zeros.
  Value* zeros = nullptr;
  auto initial_state = [&](Value* states, int64_t k, const std::string& name) {
    if (states != nullptr) return b.Select(states, 0, k, name);
    if (zeros == nullptr) zeros = b.Full(ir::TensorType({batch, hidden}), 0.0, base + ".zeros");
    return zeros;
  };

  Value* input = layer->operand(0);               // (T, N, I_l)
  std::vector<Value*> outputs, final_h, final_c;  // D × (T, N, H); L·D × (N, H)
  for (int64_t l = 0; l < layers; ++l) {
    outputs.clear();
    for (int64_t d = 0; d < directions; ++d) {
      const int64_t k = l * directions + d;
      const std::string prefix = absl::StrCat(base, ".l", l, d == 1 ? "_reverse" : "");
      std::vector<GateWeights> weights;
      for (int64_t g = 0; g < gates; ++g) {
        auto rows = [&](size_t operand, const char* what) {
          return b.Slice(layer->operand(1 + 4 * k + operand), 0, g * hidden, (g + 1) * hidden,
                         absl::StrCat(prefix, ".", what, "_", g));
        };
        weights.push_back({rows(0, "w"), rows(1, "u"), rows(2, "b"), rows(3, "c")});
      }
      std::vector<Value*> initial = {initial_state(h0, k, prefix + ".h0")};
      if (lstm) initial.push_back(initial_state(c0, k, prefix + ".c0"));
      const bool reverse = d == 1 || direction == "reverse";
      ir::Op* scan = BuildScan(
          b, initial, {input}, reverse,
          [&](Builder& body, const std::vector<Value*>& state, const std::vector<Value*>& x) {
            std::vector<Value*> next =
                CellStep(body, cell, weights, constants, x[0], state, prefix);
            return ScanStep{next, {next[0]}};
          },
          lstm ? std::vector<std::string>{prefix + ".h", prefix + ".c", prefix + ".x"}
               : std::vector<std::string>{prefix + ".h", prefix + ".x"},
          lstm ? std::vector<std::string>{prefix + ".h_T", prefix + ".c_T", prefix + ".hs"}
               : std::vector<std::string>{prefix + ".h_T", prefix + ".hs"});
      final_h.push_back(scan->result(0));
      if (lstm) final_c.push_back(scan->result(1));
      outputs.push_back(scan->result(lstm ? 2 : 1));
    }
    // Between layers the directions are concatenated, as in PyTorch.
    if (l + 1 < layers) input = b.Concat(outputs, 2, absl::StrCat(base, ".l", l, ".output"));
  }

  std::vector<Value*> results;
  const std::string merge = layer->string_attribute("merge", "concat");
  if (directions == 1 || merge == "concat") {
    results.push_back(b.Concat(outputs, 2));
  } else if (merge == "ave") {
    // The interpreter's (f + r) / 2.
    results.push_back(b.Binary(OpKind::Div, b.Binary(OpKind::Add, outputs[0], outputs[1]),
                               b.Full(ir::TensorType(), 2.0)));
  } else {
    results.push_back(b.Binary(merge == "sum" ? OpKind::Add : OpKind::Mul, outputs[0], outputs[1]));
  }
  auto stack = [&](const std::vector<Value*>& states) {
    std::vector<Value*> pieces;
    for (Value* state : states) pieces.push_back(b.Unsqueeze0(state));
    return b.Concat(pieces, 0);
  };
  results.push_back(stack(final_h));
  if (lstm) results.push_back(stack(final_c));

  // The new values take over the layer's result names, so outputs keep theirs.
  for (size_t i = 0; i < results.size(); ++i) {
    const std::string name = ReleaseName(graph, layer->result(i));
    graph.ReplaceAllUses(layer->result(i), results[i]);
    if (results[i]->origin() == Value::Origin::kOpResult) graph.RenameValue(results[i], name);
  }
  layer->parent()->EraseOp(IndexInBlock(layer));
}

}  // namespace

ir::Graph ExpandRnnLayers(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  for (OpKind kind : {OpKind::Rnn, OpKind::Lstm, OpKind::Gru}) {
    for (ir::Op* layer : CollectOps(result.body(), kind)) Expand(result, layer);
  }
  return result;
}

}  // namespace rnnc::passes
